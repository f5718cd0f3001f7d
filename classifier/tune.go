package classifier

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/commentstance/stance/features"
	"github.com/commentstance/stance/metrics"
	"github.com/commentstance/stance/models"
	"github.com/commentstance/stance/sparse"
)

// Grid is what Tune tries for each head: the values of each setting. An empty list leaves that
// setting as the configuration has it.
type Grid struct {
	C           []float64 // inverse L2 strengths
	ClassWeight []string  // "balanced", "none"
	// Conjoin, ArticleWords and Relation are the values tried for the head's use of the
	// article-conjoined copies, the article's words and the relation features (each tried only
	// when the features are extracted at all).
	Conjoin, ArticleWords, Relation []bool
	// WordWeight are the HeadConfig.WordWeight values tried.
	WordWeight []float64
	// ConjoinWeight are the HeadConfig.ConjoinWeight values tried, when the head uses the
	// conjoined copies.
	ConjoinWeight []float64
}

// DefaultGrid is the grid tried when config.yaml gives none: C around scikit-learn's default,
// both class weightings, each article feature with and without, and the conjoined copies at
// weight 1 and 3 (3 leans toward one model per target: on SemEval-2016 stance, 5-fold CV over
// the training rows gave 0.6901 at weight 1, 0.6988 at 2, 0.6999 at 3 and 0.6976 at 5).
func DefaultGrid() Grid {
	return Grid{C: []float64{0.3, 1, 3}, ClassWeight: []string{"balanced", "none"},
		Conjoin: []bool{true, false}, ArticleWords: []bool{true, false}, Relation: []bool{true, false},
		ConjoinWeight: []float64{1, 3}}
}

// TuneOptions says how Tune cross-validates. The zero value of each field means the default
// its comment gives.
type TuneOptions struct {
	Folds   int   // folds of each cross-validation (default 5)
	Repeats int   // fold assignments (seeds Seed, Seed+1, ...) each figure is averaged over (default 1)
	Seed    int64 // seed of the fold assignments and of the sample of MaxRows
	// Grouped makes Tune choose a second model for comments under unseen articles
	// (HeadConfig.Unseen), by folds that keep each Example.Group together, as the model will
	// meet new articles; the head's own model, which scores comments under the training
	// articles, is chosen by folds over rows. Without it, one model is chosen by folds over rows
	// (the articles, or targets, recur: tune.group_by none).
	Grouped bool
	// MaxRows bounds the labelled rows a head is tuned on: above it, a sample of whole groups
	// (drawn with Seed) of about MaxRows rows; 0 means all. The final model trains on all rows.
	MaxRows int
	Grid    Grid
	// Metric names each head's official metric (metrics.Resolve); "" means macro_f1.
	Metric func(head string) string
	// Progress, if not nil, is called after each model fitted, with an estimate of the total.
	Progress func(done, total int)
}

// Trial is one setting's cross-validated figure for one model of one head.
type Trial struct {
	Head     string       `json:"head"`
	Unseen   bool         `json:"unseen"` // the model for unseen articles (folds grouped by article)
	Settings HeadSettings `json:"settings"`
	Metric   string       `json:"metric"`
	Official float64      `json:"official"`
}

func (t Trial) String() string {
	return fmt.Sprintf("%s (%s): %s %s=%.4f", t.Head, t.Role(), t.Settings, t.Metric, t.Official)
}

// Role names the model a trial is for.
func (t Trial) Role() string {
	if t.Unseen {
		return "unseen articles"
	}
	return "training articles"
}

// Choice is what Tune chose for one head, with its cross-validated figures.
type Choice struct {
	Head      string        `json:"head"`
	Metric    string        `json:"metric"`
	Known     HeadSettings  `json:"known"` // the head's model: comments under training articles
	KnownCV   float64       `json:"known_cv"`
	Unseen    *HeadSettings `json:"unseen,omitempty"` // the model for unseen articles, if any
	UnseenCV  float64       `json:"unseen_cv,omitempty"`
	Rows      int           `json:"rows"`             // labelled rows tuned on
	Groups    int           `json:"groups,omitempty"` // distinct groups among them
	Folds     int           `json:"folds"`            // of the cross-validation over rows
	GroupedK  int           `json:"grouped_folds,omitempty"`
	Trials    int           `json:"trials"` // settings tried
	AtTheEdge []string      `json:"at_the_edge,omitempty"`
}

// Tuning is the record of a Tune run that a model file keeps (stance info shows it). It holds
// no timing, so that the same data, config and seed give the same model bytes.
type Tuning struct {
	Choices []Choice `json:"choices"`
	Trials  []Trial  `json:"trials"` // every setting tried, in order
}

// Tune chooses each head's settings by cross-validation on the examples, scored by the head's
// official metric, and returns cfg with the choices in Heads, every trial, and the choices.
// Heads that cfg.Heads already names keep their settings and are not tuned.
//
// The search is by coordinates, which keeps its cost to about eight settings per model instead
// of the grid's product: from cfg's settings, each value of each switch in turn (conjoined
// copies, article words, relation features, class weight, word weight, and the copies' weight
// when they are on), keeping a change only when it raises the figure, then each C of the grid at the chosen switches, and a step (x3) past
// the grid's edge, twice at most, while the best C is at it. Ties keep the earlier setting. The
// fits stop where the final model's does: a looser tolerance (ten times, tried) moved SemEval-2016
// stance's figures by 0.007 and reversed their order. Features are extracted once, with IDF learned on all examples (as scikit-learn's
// LogisticRegressionCV is given one vectorised matrix), so only the models are refit per fold.
func Tune(examples []Example, heads []string, cfg Config, opt TuneOptions) (Config, []Trial, []Choice, error) {
	if err := cfg.Validate(); err != nil {
		return cfg, nil, nil, err
	}
	opt = opt.withDefaults()
	if err := opt.Grid.check(); err != nil {
		return cfg, nil, nil, err
	}
	var todo []string
	for _, h := range heads {
		if _, fixed := cfg.Heads[h]; !fixed {
			todo = append(todo, h)
		}
	}
	out := cfg
	out.Heads = map[string]HeadConfig{}
	for name, h := range cfg.Heads {
		out.Heads[name] = h
	}
	if len(todo) == 0 {
		return out, nil, nil, nil
	}
	ex, x, err := fitFeatures(examples, cfg)
	if err != nil {
		return cfg, nil, nil, err
	}
	weights := slices.Clone(opt.Grid.WordWeight)
	for _, h := range todo {
		weights = append(weights, cfg.wordWeight(h))
	}
	wb, err := wordBlockFor(ex, examples, weights)
	if err != nil {
		return cfg, nil, nil, err
	}
	hasArticles := slices.ContainsFunc(examples, func(e Example) bool { return e.Article != "" })
	var trials []Trial
	var choices []Choice
	done := 0
	for hi, name := range todo {
		t := &tuneHead{name: name, cfg: cfg, ex: ex, x: x, wb: wb, opt: opt, done: &done,
			remaining: len(todo) - hi}
		ch, hc, tried, err := t.choose(examples, hasArticles)
		if err != nil {
			return cfg, nil, nil, err
		}
		trials = append(trials, tried...)
		out.Heads[name] = hc
		choices = append(choices, ch)
	}
	return out, trials, choices, nil
}

// check refuses grid values that no model can train with.
func (g Grid) check() error {
	for _, w := range g.WordWeight {
		if !(w > 0) || math.IsInf(w, 0) {
			return fmt.Errorf("tune: word weight %v in the grid: want a number above 0", w)
		}
	}
	for _, w := range g.ConjoinWeight {
		if !(w > 0) || math.IsInf(w, 0) {
			return fmt.Errorf("tune: conjoin weight %v in the grid: want a number above 0", w)
		}
	}
	for _, c := range g.C {
		if !(c > 0) || math.IsInf(c, 0) {
			return fmt.Errorf("tune: c %v in the grid: want a number above 0", c)
		}
	}
	for _, cw := range g.ClassWeight {
		if cw != "balanced" && cw != "none" {
			return fmt.Errorf("tune: class weight %q in the grid: want balanced or none", cw)
		}
	}
	return nil
}

// choose chooses t's head's settings: its model for the training articles by folds over rows,
// and, when the rows carry articles in two groups or more and opt.Grouped, its model for
// unseen articles by folds that keep each group together (kept only if it differs). It returns
// the choice, the head's configuration that says it, and the settings tried.
func (t *tuneHead) choose(examples []Example, hasArticles bool) (Choice, HeadConfig, []Trial, error) {
	var err error
	name, opt := t.name, t.opt
	if t.classes, t.y, t.rows, err = headLabels(name, examples); err != nil {
		return Choice{}, HeadConfig{}, nil, err
	}
	t.sample(examples)
	t.metric, _ = metrics.Resolve(opt.Metric(name), t.classes)
	ch := Choice{Head: name, Metric: t.metric, Rows: len(t.rows)}

	groups := t.groups(examples)
	ch.Groups = distinct(groups)
	grouped := opt.Grouped && hasArticles && ch.Groups >= 2
	var rowFolds, groupFolds [][]int
	ch.Folds = min(opt.Folds, len(t.rows))
	if rowFolds, err = t.assign(nil, ch.Folds); err != nil {
		return ch, HeadConfig{}, nil, fmt.Errorf("tune: head %q: %w", name, err)
	}
	if grouped {
		ch.GroupedK = min(opt.Folds, ch.Groups)
		if groupFolds, err = t.assign(groups, ch.GroupedK); err != nil {
			return ch, HeadConfig{}, nil, fmt.Errorf("tune: head %q: %w", name, err)
		}
		t.models = 2
	} else {
		t.models = 1
	}

	known, knownCV, trials, err := t.search(t.cfg.Head(name), rowFolds, false, hasArticles)
	if err != nil {
		return ch, HeadConfig{}, nil, err
	}
	ch.Known, ch.KnownCV, ch.Trials = known, knownCV, len(trials)
	hc := known.Config()
	if grouped {
		ustart := t.cfg.resolve(HeadConfig{}, false)
		unseen, unseenCV, unseenTrials, err := t.search(ustart, groupFolds, true, hasArticles)
		if err != nil {
			return ch, HeadConfig{}, nil, err
		}
		trials = append(trials, unseenTrials...)
		ch.Trials += len(unseenTrials)
		if unseen != known {
			u := unseen.Config()
			hc.Unseen = &u
			ch.Unseen, ch.UnseenCV = &unseen, unseenCV
		}
	}
	ch.AtTheEdge = atTheEdge(trials, ch)
	return ch, hc, trials, nil
}

// DefaultTuneOptions are the options train tunes with when config.yaml says nothing: 5 folds
// (scikit-learn's LogisticRegressionCV's cv=5; with 3, each fold's model learns from two thirds
// of the rows, which biases the choice toward stronger regularisation than the final model on
// all rows needs: on SemEval-2016 stance 3 folds chose c=0.3 where 5 chose c=3), one
// assignment, a model for unseen articles by folds grouped by article, on at most 20,000 rows,
// over DefaultGrid.
func DefaultTuneOptions() TuneOptions {
	return TuneOptions{Folds: 5, Repeats: 1, Grouped: true, MaxRows: 20000, Grid: DefaultGrid()}
}

func (o TuneOptions) withDefaults() TuneOptions {
	if o.Folds < 2 {
		o.Folds = 5
	}
	if o.Repeats < 1 {
		o.Repeats = 1
	}
	if o.Metric == nil {
		o.Metric = func(string) string { return "" }
	}
	return o
}

// Config is the HeadConfig that gives settings s.
func (s HeadSettings) Config() HeadConfig {
	cj, aw, rel := s.Conjoin, s.ArticleWords, s.Relation
	h := HeadConfig{C: s.C, Conjoin: &cj, ArticleWords: &aw, Relation: &rel, ClassWeight: s.ClassWeight, WordWeight: s.WordWeight}
	if cj {
		h.ConjoinWeight = s.ConjoinWeight
	}
	return h
}

// atTheEdge names the chosen values of c that are the largest or the smallest c tried at the
// chosen switches (the search's walk past the grid, two steps of x3, ended there still
// improving, or the grid has one c besides the configured one), where a wider grid might find
// better. A chosen c with larger and smaller ones tried and worse is inside what was searched,
// wherever the grid lies: a configured c outside tune.c is tried first, and may win.
func atTheEdge(trials []Trial, ch Choice) []string {
	var out []string
	check := func(unseen bool, chosen HeadSettings) {
		var cs []float64
		for _, tr := range trials {
			s := tr.Settings
			s.C = chosen.C
			if tr.Head == ch.Head && tr.Unseen == unseen && s == chosen {
				cs = append(cs, tr.Settings.C)
			}
		}
		if len(cs) >= 2 && (chosen.C == slices.Max(cs) || chosen.C == slices.Min(cs)) {
			out = append(out, fmt.Sprintf("%s c=%g", Trial{Unseen: unseen}.Role(), chosen.C))
		}
	}
	check(false, ch.Known)
	if ch.Unseen != nil {
		check(true, *ch.Unseen)
	}
	return out
}

func distinct(xs []string) int {
	seen := map[string]bool{}
	for _, x := range xs {
		seen[x] = true
	}
	return len(seen)
}

// tuneHead is what Tune needs to fit one head's models.
type tuneHead struct {
	name      string
	cfg       Config
	ex        *features.Extractor
	x         *rows
	wb        *wordBlock
	opt       TuneOptions
	metric    string
	classes   []string
	y         []int // per labelled row, its class
	rows      []int // the labelled rows' example indices
	done      *int  // models fitted so far, over all heads
	remaining int   // heads left, this one included (for the progress estimate)
	models    int   // models to choose for this head (1 or 2)
	searched  int   // searches finished for this head
}

// sample keeps about MaxRows of the head's rows: whole groups (or rows, without groups), drawn
// in an order shuffled with the seed, kept in their original order.
func (t *tuneHead) sample(examples []Example) {
	if t.opt.MaxRows <= 0 || len(t.rows) <= t.opt.MaxRows {
		return
	}
	byGroup := map[string][]int{}
	var order []string
	for i, r := range t.rows {
		g := groupOf(examples[r], r)
		if _, ok := byGroup[g]; !ok {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], i)
	}
	rng := rand.New(rand.NewPCG(uint64(t.opt.Seed), 1))
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	var keep []int
	for _, g := range order {
		if len(keep) >= t.opt.MaxRows {
			break
		}
		keep = append(keep, byGroup[g]...)
	}
	slices.Sort(keep)
	rows, y := make([]int, len(keep)), make([]int, len(keep))
	for j, i := range keep {
		rows[j], y[j] = t.rows[i], t.y[i]
	}
	t.rows, t.y = rows, y
}

// groupOf is the group that keeps example e (at index i) with others: its Group, else its
// article, else itself alone.
func groupOf(e Example, i int) string {
	switch {
	case e.Group != "":
		return "g:" + e.Group
	case e.Article != "":
		return "a:" + e.Article
	}
	return fmt.Sprintf("r:%d", i)
}

// groups returns each of the head's rows' group.
func (t *tuneHead) groups(examples []Example) []string {
	g := make([]string, len(t.rows))
	for j, r := range t.rows {
		g[j] = groupOf(examples[r], r)
	}
	return g
}

// assign returns Repeats fold assignments of the head's rows into k folds, stratified by class,
// keeping groups together when groups is not nil.
func (t *tuneHead) assign(groups []string, k int) ([][]int, error) {
	out := make([][]int, t.opt.Repeats)
	for r := range out {
		f, err := metrics.Folds(t.y, groups, k, t.opt.Seed+int64(r))
		if err != nil {
			return nil, err
		}
		out[r] = f
	}
	return out, nil
}

// search runs the coordinate search from start over folds (per repeat, per row of the head's)
// and returns the best settings, their figure and every trial. unseen searches the model for
// unseen articles, which never has the conjoined copies.
func (t *tuneHead) search(start HeadSettings, folds [][]int, unseen, hasArticles bool) (HeadSettings, float64, []Trial, error) {
	sr := &searcher{t: t, folds: folds, unseen: unseen, seen: map[HeadSettings]float64{}, best: start, bestScore: math.Inf(-1)}
	for _, f := range folds {
		sr.fits += slices.Max(f) + 1
	}
	if err := sr.try(start); err != nil {
		return sr.best, 0, nil, err
	}
	if err := sr.switches(hasArticles); err != nil {
		return sr.best, 0, nil, err
	}
	if err := sr.weights(); err != nil {
		return sr.best, 0, nil, err
	}
	if err := sr.c(); err != nil {
		return sr.best, 0, nil, err
	}
	t.searched++
	return sr.best, sr.bestScore, sr.trials, nil
}

// searcher is one search of tuneHead.search: the settings tried so far and the best of them.
type searcher struct {
	t         *tuneHead
	folds     [][]int
	unseen    bool
	fits      int // models fitted per setting
	seen      map[HeadSettings]float64
	trials    []Trial
	best      HeadSettings
	bestScore float64
}

// perSearch is about how many settings a search tries: the estimate the progress total is
// made of.
const perSearch = 8

// try scores s, unless it was tried already, and keeps it if it beats the best so far (a tie
// keeps the earlier).
func (sr *searcher) try(s HeadSettings) error {
	t := sr.t
	s = s.normal()
	if _, ok := sr.seen[s]; ok {
		return nil
	}
	score, err := t.score(s, sr.folds, func() {
		*t.done++
		if t.opt.Progress != nil {
			left := (t.remaining*t.models - t.searched) * perSearch * sr.fits
			tried := len(sr.seen) * sr.fits
			t.opt.Progress(*t.done, *t.done+max(left-tried-1, 0))
		}
	})
	if err != nil {
		return err
	}
	sr.seen[s] = score
	sr.trials = append(sr.trials, Trial{Head: t.name, Unseen: sr.unseen, Settings: s, Metric: t.metric, Official: score})
	if score > sr.bestScore {
		sr.best, sr.bestScore = s, score
	}
	return nil
}

// tryEach tries the best settings so far with each of values set in turn.
func tryEach[T any](sr *searcher, values []T, set func(*HeadSettings, T)) error {
	for _, v := range values {
		s := sr.best
		set(&s, v)
		if err := sr.try(s); err != nil {
			return err
		}
	}
	return nil
}

// switches tries each value of the grid's switches of the article features that the
// configuration extracts: the conjoined copies (not for a model of unseen articles), the
// article's words and the relation features; none without articles.
func (sr *searcher) switches(hasArticles bool) error {
	g, f := sr.t.opt.Grid, sr.t.cfg.Features
	if !sr.unseen && f.Conjoin && hasArticles {
		if err := tryEach(sr, g.Conjoin, func(s *HeadSettings, v bool) { s.Conjoin = v }); err != nil {
			return err
		}
	}
	if f.ArticleWords && hasArticles {
		if err := tryEach(sr, g.ArticleWords, func(s *HeadSettings, v bool) { s.ArticleWords = v }); err != nil {
			return err
		}
	}
	if f.Relation && hasArticles {
		return tryEach(sr, g.Relation, func(s *HeadSettings, v bool) { s.Relation = v })
	}
	return nil
}

// weights tries the grid's class weights (unless the configuration gives the head explicit
// ones), word weights, and the conjoined copies' weights when the best settings use them.
func (sr *searcher) weights() error {
	g, t := sr.t.opt.Grid, sr.t
	if _, explicit := t.cfg.ClassWeights[t.name]; !explicit {
		if err := tryEach(sr, g.ClassWeight, func(s *HeadSettings, v string) { s.ClassWeight = v }); err != nil {
			return err
		}
	}
	if err := tryEach(sr, g.WordWeight, func(s *HeadSettings, v float64) { s.WordWeight = v }); err != nil {
		return err
	}
	if sr.best.Conjoin {
		return tryEach(sr, g.ConjoinWeight, func(s *HeadSettings, v float64) { s.ConjoinWeight = v })
	}
	return nil
}

// c tries each C of the grid, then past the edge of the grid a step (x3) at a time while it
// improves, twice at most.
func (sr *searcher) c() error {
	g := sr.t.opt.Grid
	if err := tryEach(sr, g.C, func(s *HeadSettings, v float64) { s.C = v }); err != nil {
		return err
	}
	if len(g.C) < 2 {
		return nil
	}
	lo, hi := slices.Min(g.C), slices.Max(g.C)
	for range 2 {
		s := sr.best
		switch {
		case sr.best.C >= hi:
			s.C = tidy(sr.best.C * 3)
		case sr.best.C <= lo:
			s.C = tidy(sr.best.C / 3)
		}
		before := sr.best
		if s.C == sr.best.C {
			break
		}
		if err := sr.try(s); err != nil {
			return err
		}
		if sr.best == before {
			break
		}
	}
	return nil
}

// score is settings s's official metric, pooled over each fold assignment's out-of-fold
// predictions and averaged over the assignments.
//
// The folds are fitted side by side, one goroutine each and at most cfg.workers() at a time, each
// fit on one core: a fold's rows are too few for one fit to keep several cores busy, and a fit's
// result does not depend on its workers (models.TrainConfig.Workers), so the figure is the same
// whatever the number of cores.
func (t *tuneHead) score(s HeadSettings, folds [][]int, fitted func()) (float64, error) {
	var sum float64
	pred := make([]int, len(t.rows))
	sem := make(chan struct{}, t.cfg.workers())
	var mu sync.Mutex
	for _, assign := range folds {
		k := slices.Max(assign) + 1
		errs := make([]error, k)
		var wg sync.WaitGroup
		for f := range k {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				// Each fold writes only its own rows of pred.
				errs[f] = t.fold(pred, assign, f, s)
				mu.Lock()
				fitted()
				mu.Unlock()
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return 0, err
		}
		r, err := metrics.Evaluate(t.classes, t.y, pred, t.metric)
		if err != nil {
			return 0, fmt.Errorf("tune: head %q: %w", t.name, err)
		}
		sum += r.Official
	}
	return sum / float64(len(folds)), nil
}

// fold trains the head with settings s on the rows that assign does not put in fold f, and
// sets pred[row] for the rows it does.
func (t *tuneHead) fold(pred, assign []int, f int, s HeadSettings) error {
	var ty, idx, testRows []int
	for i, r := range t.rows {
		if assign[i] == f {
			testRows = append(testRows, i)
		} else {
			ty = append(ty, t.y[i])
			idx = append(idx, r)
		}
	}
	if len(testRows) == 0 {
		return nil
	}
	xs, sh := t.x.subset(idx)
	if !s.ArticleWords {
		sh = models.Shared{}
	}
	tc, err := trainConfig(t.name, t.classes, ty, s, t.cfg)
	if err != nil {
		return err
	}
	// Its weights on what it leaves out stay 0, so it ignores them when it scores too.
	tc.IgnoreFrom, tc.IgnoreTo = ignoreRange(t.ex, s)
	tc.Penalty = headPenalty(t.ex, t.wb, s)
	tc.Workers = 1
	sm, _, err := models.TrainShared(xs, sh, ty, len(t.classes), t.ex.Dim(), tc)
	if err != nil {
		return fmt.Errorf("tune: head %q, fold %d: %w", t.name, f+1, err)
	}
	var probs []float64
	var v sparse.Vector
	for _, i := range testRows {
		t.x.terms(&v, t.rows[i])
		probs = sm.Probs(probs, v)
		pred[i] = argmax(probs)
	}
	return nil
}

// tidy rounds x to 6 significant digits, so that 0.3/3 is 0.1.
func tidy(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 6, 64), 64)
	return v
}

func argmax(p []float64) int {
	best := 0
	for k, v := range p {
		if v > p[best] {
			best = k
		}
	}
	return best
}

// Describe says, in one line per head, what a configuration trains: the settings of each head's
// model and, where it has one, of its model for unseen articles.
func (c Config) Describe(heads []string) string {
	var b strings.Builder
	for _, h := range heads {
		fmt.Fprintf(&b, "%s: %s", h, c.Head(h))
		if u, ok := c.UnseenHead(h); ok {
			fmt.Fprintf(&b, "; unseen articles: %s", u)
		}
		b.WriteString("\n")
	}
	return b.String()
}
