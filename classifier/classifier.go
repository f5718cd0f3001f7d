// Package classifier joins the feature extractor and the logistic models into the two things
// users do: train a model from labelled comments, and score comments with it.
//
// Data enters as Examples (a comment's text, the article it answers, and its labels per head)
// and leaves as a Model, which scores each comment into one probability distribution per head.
// A Model is written to and read from a single file (see file.go).
package classifier

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/commentstance/stance/features"
	"github.com/commentstance/stance/models"
	"github.com/commentstance/stance/sparse"
)

// Example is one labelled comment. Labels maps a head (stance, sentiment, ...) to its class; a
// head missing from Labels, or with an empty class, leaves the comment out of that head.
type Example struct {
	Text, Article string
	Labels        map[string]string
	// Group keeps the example with others in Tune's grouped folds (an article's id, a thread);
	// "" means its Article.
	Group string
}

// Config says how to train. Start from DefaultConfig; the zero value is not usable.
type Config struct {
	Features features.Config `json:"features"`
	// C is the inverse L2 regularisation strength (default 1, scikit-learn's default).
	C float64 `json:"c"`
	// ClassWeight is "balanced" (default: n / (classes * count), as scikit-learn) or "none".
	ClassWeight string `json:"class_weight"`
	// ClassWeights sets explicit weights per head and class; they override ClassWeight for that head.
	ClassWeights map[string]map[string]float64 `json:"class_weights,omitempty"`
	// Heads holds settings of single heads that override the ones above.
	Heads map[string]HeadConfig `json:"heads,omitempty"`
	// MaxIter caps L-BFGS iterations per head (default 300).
	MaxIter int `json:"max_iter"`
	// Workers is how many goroutines extract features and compute gradients (default: all
	// cores). The model does not depend on it.
	Workers int `json:"-"`
	// Progress, if not nil, is told what Train (and Tune's feature extraction) is doing, from
	// any goroutine, one call at a time per stage. The model does not depend on it.
	Progress func(TrainProgress) `json:"-"`
}

// TrainProgress is one report of Config.Progress.
type TrainProgress struct {
	// Stage is "features" (Done of Total examples' features extracted) or "iterations" (Done
	// L-BFGS iterations of Head's model, or of its model for unseen articles when Unseen, of at
	// most Total: training stops earlier when it converges).
	Stage       string
	Head        string
	Unseen      bool
	Done, Total int
}

// HeadConfig overrides settings for one head. Zero values mean "as the model's Config".
type HeadConfig struct {
	// C is the head's inverse L2 strength; 0 means Config.C.
	C float64 `json:"c,omitempty"`
	// Conjoin, if set, says whether the head uses the article-conjoined copies of features
	// (extracted when Features.Conjoin is on). Stance toward a target needs them; sarcasm or
	// sentiment, which read the same whatever the target, may do better without.
	Conjoin *bool `json:"conjoin,omitempty"`
	// ArticleWords, if set, says whether the head uses the article's own words (extracted when
	// Features.ArticleWords is on).
	ArticleWords *bool `json:"article_words,omitempty"`
	// Relation, if set, says whether the head uses the comment–article relation features
	// (extracted when Features.Relation is on).
	Relation *bool `json:"relation,omitempty"`
	// ClassWeight is "balanced" or "none" for this head; "" means Config.ClassWeight.
	// Config.ClassWeights, where it names the head, overrides both.
	ClassWeight string `json:"class_weight,omitempty"`
	// WordWeight is how much the head's word n-grams count against its character n-grams; 0
	// means 1. Below 1 the head leans on character n-grams. Training gives the weights of
	// features that only word n-grams hash to (and their conjoined copies) an L2 penalty of
	// 1/WordWeight^2, which fits the model that scaling the word block's values by WordWeight
	// would (models.TrainConfig.Penalty); the features and scoring are unchanged.
	WordWeight float64 `json:"word_weight,omitempty"`
	// ConjoinWeight is how much the head's article-conjoined copies count against the shared
	// features, on top of Features.ConjoinWeight; 0 means 1. Above 1 the head leans toward one
	// model per article or target (as scikit-learn trained per target does), below 1 toward one
	// model for all. As WordWeight, it is an L2 penalty of 1/ConjoinWeight^2 on the copies'
	// weights, so one set of extracted features serves every head; the features and scoring are
	// unchanged.
	ConjoinWeight float64 `json:"conjoin_weight,omitempty"`
	// Unseen, if set, gives the head a second model for comments under articles that were not
	// in the training data (and comments without an article): trained on the same rows without
	// the conjoined copies, whose weights belong to the training articles, and with the
	// settings given here (its Conjoin is ignored; zero values mean "as the model's Config").
	// Without it, the head's one model scores every comment.
	Unseen *HeadConfig `json:"unseen,omitempty"`
}

// HeadSettings are the settings one model of a head trains with, after Heads' overrides.
type HeadSettings struct {
	C            float64 `json:"c"`
	Conjoin      bool    `json:"conjoin"`
	ArticleWords bool    `json:"article_words"`
	Relation     bool    `json:"relation"`
	ClassWeight  string  `json:"class_weight"`
	WordWeight   float64 `json:"word_weight"`
	// ConjoinWeight is 1 when Conjoin is off (the copies are not used, so their weight is moot),
	// and 0 in model files written before it existed, which means 1 too.
	ConjoinWeight float64 `json:"conjoin_weight,omitempty"`
}

func (s HeadSettings) String() string {
	conjoin := "false"
	if s.Conjoin {
		conjoin = fmt.Sprintf("true conjoin_weight=%g", max(s.ConjoinWeight, 1))
	}
	return fmt.Sprintf("c=%g conjoin=%s article_words=%v relation=%v class_weight=%s word_weight=%g",
		s.C, conjoin, s.ArticleWords, s.Relation, s.ClassWeight, s.WordWeight)
}

// normal returns s with ConjoinWeight 1 when the copies are off, so that settings that train
// the same model compare equal.
func (s HeadSettings) normal() HeadSettings {
	if !s.Conjoin {
		s.ConjoinWeight = 1
	}
	return s
}

// resolve applies h's overrides to the model's settings; conjoin false leaves the copies out
// whatever h says.
func (c Config) resolve(h HeadConfig, conjoin bool) HeadSettings {
	s := HeadSettings{C: c.C, Conjoin: c.Features.Conjoin && conjoin, ArticleWords: c.Features.ArticleWords,
		Relation: c.Features.Relation, ClassWeight: c.ClassWeight, WordWeight: 1, ConjoinWeight: 1}
	if h.C > 0 {
		s.C = h.C
	}
	if h.Conjoin != nil {
		s.Conjoin = s.Conjoin && *h.Conjoin
	}
	if h.ArticleWords != nil {
		s.ArticleWords = s.ArticleWords && *h.ArticleWords
	}
	if h.Relation != nil {
		s.Relation = s.Relation && *h.Relation
	}
	if h.ClassWeight != "" {
		s.ClassWeight = h.ClassWeight
	}
	if h.WordWeight > 0 {
		s.WordWeight = h.WordWeight
	}
	if h.ConjoinWeight > 0 {
		s.ConjoinWeight = h.ConjoinWeight
	}
	return s.normal()
}

// Head returns the settings head name's model trains with.
func (c Config) Head(name string) HeadSettings { return c.resolve(c.Heads[name], true) }

// UnseenHead returns the settings of head name's model for unseen articles, and whether it has
// one (HeadConfig.Unseen).
func (c Config) UnseenHead(name string) (HeadSettings, bool) {
	u := c.Heads[name].Unseen
	if u == nil {
		return HeadSettings{}, false
	}
	return c.resolve(*u, false), true
}

// wordWeight is head name's HeadConfig.WordWeight, 1 when unset.
func (c Config) wordWeight(name string) float64 { return c.Head(name).WordWeight }

// DefaultConfig is the configuration used when config.yaml says nothing.
func DefaultConfig() Config {
	return Config{Features: features.DefaultConfig(), C: 1, ClassWeight: "balanced", MaxIter: 300}
}

// ConfigError is a field of Config whose value Validate, Train or loading a model refuses.
// Field is the Go name, within Heads[Head] when Head is not "" ("C", or "Unseen.C" for the
// field of its model for unseen articles), and may end in map indexes as Go writes them
// (`ClassWeights["stance"]["FAVOR"]`); a front end says it in its own terms (a config.yaml
// key). Errors of Config.Features are features.ConfigErrors.
type ConfigError struct {
	Head  string
	Field string
	Value any // nil when the field's presence is the error
	Err   error
}

func (e *ConfigError) Error() string {
	field := e.Field
	if e.Head != "" {
		field = fmt.Sprintf("Heads[%q].%s", e.Head, e.Field)
	}
	if e.Value == nil {
		return fmt.Sprintf("classifier.Config.%s: %v", field, e.Err)
	}
	if s, ok := e.Value.(string); ok {
		return fmt.Sprintf("classifier.Config.%s = %q: %v", field, s, e.Err)
	}
	return fmt.Sprintf("classifier.Config.%s = %v: %v", field, e.Value, e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// What Validate wants of a field, as the Err of its ConfigError. Those that name another field
// are variables, so that a front end that names fields otherwise can say them its own way.
var (
	ErrHeadC           = errors.New("want a number above 0 (or 0 for Config.C)")
	ErrHeadFiniteC     = errors.New("want a finite number above 0 (or 0 for Config.C)") // of a loaded model
	ErrHeadClassWeight = errors.New("want balanced or none (or empty for Config.ClassWeight)")
	ErrUnseenUnseen    = errors.New("a model for unseen articles has no model of its own for them")
)

// Validate reports the first setting out of range: a *features.ConfigError for Features, else
// a *ConfigError.
func (c Config) Validate() error {
	if err := c.Features.Validate(); err != nil {
		return err
	}
	if !(c.C > 0) {
		return &ConfigError{Field: "C", Value: c.C, Err: errors.New("want a number above 0")}
	}
	if c.ClassWeight != "balanced" && c.ClassWeight != "none" {
		return &ConfigError{Field: "ClassWeight", Value: c.ClassWeight, Err: errors.New("want balanced or none")}
	}
	for name, h := range c.Heads {
		if err := h.validate(name, ""); err != nil {
			return err
		}
		if h.Unseen != nil {
			if err := h.Unseen.validate(name, "Unseen."); err != nil {
				return err
			}
			if h.Unseen.Unseen != nil {
				return &ConfigError{Head: name, Field: "Unseen.Unseen", Err: ErrUnseenUnseen}
			}
		}
	}
	if c.MaxIter < 1 {
		return &ConfigError{Field: "MaxIter", Value: c.MaxIter, Err: errors.New("want at least 1")}
	}
	return nil
}

// validate checks the HeadConfig of head, whose fields are named with prefix.
func (h HeadConfig) validate(head, prefix string) error {
	bad := func(field string, v any, err error) error {
		return &ConfigError{Head: head, Field: prefix + field, Value: v, Err: err}
	}
	weight := errors.New("want a number above 0 (or 0 for 1)")
	if h.C < 0 || math.IsNaN(h.C) || math.IsInf(h.C, 0) {
		return bad("C", h.C, ErrHeadC)
	}
	if h.WordWeight < 0 || math.IsInf(h.WordWeight, 0) || math.IsNaN(h.WordWeight) {
		return bad("WordWeight", h.WordWeight, weight)
	}
	if h.ConjoinWeight < 0 || math.IsInf(h.ConjoinWeight, 0) || math.IsNaN(h.ConjoinWeight) {
		return bad("ConjoinWeight", h.ConjoinWeight, weight)
	}
	if h.ClassWeight != "" && h.ClassWeight != "balanced" && h.ClassWeight != "none" {
		return bad("ClassWeight", h.ClassWeight, ErrHeadClassWeight)
	}
	return nil
}

func (c Config) workers() int {
	if c.Workers > 0 {
		return c.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// Head is one classification head of a trained model.
type Head struct {
	Name    string
	Classes []string // sorted; the model's class index k names Classes[k]
	Model   *models.Softmax
	Info    models.TrainInfo
	// Counts are the training rows of each class, and Weights the class weights training gave
	// them (nil: none). Files written before they were kept have neither.
	Counts  []int
	Weights []float64
	// Unseen, if not nil, scores the comments whose article the model did not see in training
	// (Model.Knows), and those without an article, in place of Model: it was trained without
	// the article-conjoined copies (HeadConfig.Unseen). Its Name and Classes are the head's.
	Unseen *Head
}

// Model is everything scoring needs.
type Model struct {
	Config    Config
	Extractor *features.Extractor
	Heads     []Head
	// Dictionary names the strongest features of each head and class (hashed index -> n-gram,
	// article word or relation feature), for model-wide explanations.
	Dictionary map[uint32]string
	// Articles are the keys (features.Worker.ArticleID) of the articles in the training data,
	// sorted: the articles the model knows.
	Articles []uint64
	// Tuning, if not nil, records how Tune chose the heads' settings (the caller sets it).
	Tuning *Tuning

	scoreOnly bool             // ScoreOnly released the heads' weights, or LoadScoreOnly never made them
	stored    []*models.Stored // per scoring model (scoring), its weights as the file stores them, until the table is built
	tableOnce sync.Once
	// table and unseenTable are what Score reads for a comment under an article the model knows
	// and under any other (or none): each head's model, or its model for unseen articles. Built
	// by the first NewScorer; one table when no head has a model for unseen articles.
	table, unseenTable *table
	// fused holds the fused rows of the articles that scorers asked for last (Scorer.fuse), at
	// most maxFused, the most recent last: the Scorers of one stream share them.
	fusedMu sync.Mutex
	fused   []fusedTable
}

// Knows reports whether the article of key (features.Worker.ArticleID) was in the training data.
func (m *Model) Knows(key uint64) bool {
	_, found := slices.BinarySearch(m.Articles, key)
	return found && key != 0
}

// scoring lists the softmax models that scoring sums over: each head's, then the unseen-article
// models of the heads that have one; unseen[i] is the index in that list of head i's unseen
// model, or -1.
func (m *Model) scoring() (list []*models.Softmax, unseen []int) {
	unseen = make([]int, len(m.Heads))
	for _, h := range m.Heads {
		list = append(list, h.Model)
	}
	for i, h := range m.Heads {
		unseen[i] = -1
		if h.Unseen != nil {
			unseen[i] = len(list)
			list = append(list, h.Unseen.Model)
		}
	}
	return list, unseen
}

// fusedTable is the fused rows of one article.
type fusedTable struct {
	key  uint64 // the article's key (features.Worker.ArticleKey)
	t    *table // the table they are of
	rows []float32
}

// fusedRows returns the fused rows of the article of key, building them with s if no scorer has
// asked for them among the last maxFused articles.
func (m *Model) fusedRows(s *Scorer, t *table, key uint64) []float32 {
	m.fusedMu.Lock()
	defer m.fusedMu.Unlock()
	for i, f := range m.fused {
		if f.key == key && f.t == t {
			m.fused = append(slices.Delete(m.fused, i, i+1), f)
			return f.rows
		}
	}
	if len(m.fused) == maxFused {
		m.fused = slices.Delete(m.fused, 0, 1)
	}
	f := fusedTable{key: key, t: t, rows: s.fuse(t, key)}
	m.fused = append(m.fused, f)
	return f.rows
}

// ErrNoExamples is returned when a head has no labelled example to learn from.
var ErrNoExamples = errors.New("no labelled examples")

// Train learns one head per name in heads from examples. Each head's classes are the distinct
// non-empty labels the examples give it, sorted. A head whose HeadConfig has Unseen gets a
// second model for unseen articles (Head.Unseen) when the examples have articles.
func Train(examples []Example, heads []string, cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(heads) == 0 {
		return nil, errors.New("train: no heads to learn; name at least one label column")
	}
	if len(examples) == 0 {
		return nil, fmt.Errorf("train: %w", ErrNoExamples)
	}
	ex, x, err := fitFeatures(examples, cfg)
	if err != nil {
		return nil, err
	}
	m := &Model{Config: cfg, Extractor: ex}
	if m.Articles, err = articleKeys(ex, examples); err != nil {
		return nil, err
	}
	type job struct {
		head   int
		unseen bool
		s      HeadSettings
	}
	var jobs []job
	var weights []float64
	for i, h := range heads {
		s := cfg.Head(h)
		jobs = append(jobs, job{i, false, s})
		weights = append(weights, s.WordWeight)
		if u, ok := cfg.UnseenHead(h); ok && len(m.Articles) > 0 {
			jobs = append(jobs, job{i, true, u})
			weights = append(weights, u.WordWeight)
		}
	}
	wb, err := wordBlockFor(ex, examples, weights)
	if err != nil {
		return nil, err
	}
	m.Heads = make([]Head, len(heads))
	for j, jb := range jobs {
		r := x
		if j == len(jobs)-1 {
			// The last model's training copies the rows it needs (models.TrainShared compacts
			// them); with no other reference left they are freed before it transposes them,
			// so the matrix is held twice at the peak instead of three times.
			r = x.lastUse()
		}
		var progress func(int)
		if cfg.Progress != nil {
			name, unseen, total := heads[jb.head], jb.unseen, cfg.MaxIter
			if total <= 0 {
				total = DefaultConfig().MaxIter
			}
			progress = func(it int) {
				cfg.Progress(TrainProgress{Stage: "iterations", Head: name, Unseen: unseen, Done: it, Total: total})
			}
		}
		h, err := trainHead(heads[jb.head], examples, r, ex, wb, cfg, jb.s, progress)
		if err != nil {
			return nil, err
		}
		if jb.unseen {
			m.Heads[jb.head].Unseen = &h
		} else {
			m.Heads[jb.head] = h
		}
	}
	m.buildDictionary(examples)
	return m, nil
}

// articleKeys returns the sorted, distinct keys of the examples' articles.
func articleKeys(ex *features.Extractor, examples []Example) ([]uint64, error) {
	w, err := ex.NewWorker()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var keys []uint64
	for _, e := range examples {
		if e.Article != "" && !seen[e.Article] {
			seen[e.Article] = true
			keys = append(keys, w.ArticleID(e.Article))
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys), nil
}

// ignoreRange is the range of feature indices a model with settings s leaves out: the conjoined
// copies, the relation features, or both (they are adjacent, see features.Extractor.Dim).
func ignoreRange(ex *features.Extractor, s HeadSettings) (from, to uint32) {
	lo, hi := ex.ConjoinRange()
	dim := uint32(ex.Dim())
	switch {
	case !s.Conjoin && !s.Relation:
		return lo, dim
	case !s.Conjoin:
		return lo, hi
	case !s.Relation:
		return hi, dim
	}
	return 0, 0
}

func trainHead(name string, examples []Example, r *rows, ex *features.Extractor, wb *wordBlock, cfg Config, s HeadSettings, progress func(iteration int)) (Head, error) {
	classes, y, labelled, err := headLabels(name, examples)
	if err != nil {
		return Head{}, err
	}
	xs, sh := r.subset(labelled)
	if !s.ArticleWords {
		sh = models.Shared{}
	}
	tc, err := trainConfig(name, classes, y, s, cfg)
	if err != nil {
		return Head{}, err
	}
	tc.IgnoreFrom, tc.IgnoreTo = ignoreRange(ex, s)
	tc.Penalty = headPenalty(ex, wb, s)
	tc.Progress = progress
	sm, info, err := models.TrainShared(xs, sh, y, len(classes), ex.Dim(), tc)
	if err != nil {
		return Head{}, fmt.Errorf("train: head %q: %w", name, err)
	}
	counts := make([]int, len(classes))
	for _, k := range y {
		counts[k]++
	}
	return Head{Name: name, Classes: classes, Model: sm, Info: info, Counts: counts, Weights: tc.ClassWeight}, nil
}

// headLabels returns a head's classes (its distinct non-empty labels, sorted), the class index
// of each labelled example, and which examples those are.
func headLabels(name string, examples []Example) (classes []string, y, rows []int, err error) {
	set := map[string]bool{}
	for _, e := range examples {
		if l := e.Labels[name]; l != "" {
			set[l] = true
		}
	}
	classes = slices.Sorted(maps.Keys(set))
	if len(classes) == 0 {
		return nil, nil, nil, fmt.Errorf("train: head %q: %w", name, ErrNoExamples)
	}
	if len(classes) == 1 {
		return nil, nil, nil, fmt.Errorf("train: head %q has a single class, %q, in the training data: a classifier needs at least two", name, classes[0])
	}
	index := map[string]int{}
	for k, c := range classes {
		index[c] = k
	}
	for i, e := range examples {
		if l := e.Labels[name]; l != "" {
			rows = append(rows, i)
			y = append(y, index[l])
		}
	}
	return classes, y, rows, nil
}

// trainConfig is the optimiser's configuration for one head.
func trainConfig(name string, classes []string, y []int, s HeadSettings, cfg Config) (models.TrainConfig, error) {
	tc := models.TrainConfig{C: s.C, MaxIter: cfg.MaxIter, Workers: cfg.Workers}
	switch explicit, ok := cfg.ClassWeights[name]; {
	case ok:
		// Class names are matched without case: configuration keys arrive lower-cased.
		tc.ClassWeight = make([]float64, len(classes))
		for k, c := range classes {
			w, found := 0.0, false
			for ec, ew := range explicit {
				if strings.EqualFold(ec, c) {
					w, found = ew, true
				}
			}
			if !found {
				return tc, &ConfigError{Field: classWeightsField(name),
					Err: fmt.Errorf("no weight for class %q (the data has %s)", c, strings.Join(classes, ", "))}
			}
			tc.ClassWeight[k] = w
		}
		for _, ec := range slices.Sorted(maps.Keys(explicit)) {
			if !slices.ContainsFunc(classes, func(c string) bool { return strings.EqualFold(c, ec) }) {
				return tc, &ConfigError{Field: classWeightsField(name, ec),
					Err: fmt.Errorf("the data has no such class (it has %s)", strings.Join(classes, ", "))}
			}
		}
	case s.ClassWeight == "balanced":
		tc.ClassWeight = models.BalancedWeights(y, len(classes))
	}
	return tc, nil
}

// fitFeatures learns IDF from the examples and extracts each one's rows.
func fitFeatures(examples []Example, cfg Config) (*features.Extractor, *rows, error) {
	ex, err := features.New(cfg.Features)
	if err != nil {
		return nil, nil, err
	}
	pairs := make([]features.Pair, len(examples))
	for i, e := range examples {
		pairs[i] = features.Pair{Text: e.Text, Article: e.Article}
	}
	ex.Fit(pairs)
	var progress func(done int)
	if cfg.Progress != nil {
		progress = func(done int) {
			cfg.Progress(TrainProgress{Stage: "features", Done: done, Total: len(pairs)})
		}
	}
	r, err := extractAll(ex, pairs, cfg.workers(), progress)
	return ex, r, err
}

// rows are the examples' feature vectors as training holds them: each example's own features
// (features.Worker.ExtractOwn), and its article's words once per distinct article
// (models.Shared), which all comments on the article share. FNC-1's article bodies are about
// half of every pair's features: held and scored once per body, they leave a training
// iteration half the work and the rows half the memory.
type rows struct {
	own    []sparse.Vector
	shared models.Shared // Of is nil when no example has article words
}

// lastUse returns a copy of r and forgets r's own rows: the copy's references are then the
// only ones, and they die with the caller's last use of it.
func (r *rows) lastUse() *rows {
	c := *r
	r.own = nil
	return &c
}

// subset returns the rows of the examples at idx, for models.TrainShared.
func (r *rows) subset(idx []int) ([]sparse.Vector, models.Shared) {
	x := make([]sparse.Vector, len(idx))
	sh := models.Shared{Vectors: r.shared.Vectors}
	if r.shared.Of != nil {
		sh.Of = make([]int, len(idx))
	}
	for j, i := range idx {
		x[j] = r.own[i]
		if sh.Of != nil {
			sh.Of[j] = r.shared.Of[i]
		}
	}
	return x, sh
}

// terms sets dst to example i's whole vector as unmerged terms (its own, then its article's).
func (r *rows) terms(dst *sparse.Vector, i int) {
	dst.Reset()
	dst.Idx = append(dst.Idx, r.own[i].Idx...)
	dst.Val = append(dst.Val, r.own[i].Val...)
	if r.shared.Of != nil && r.shared.Of[i] >= 0 {
		a := r.shared.Vectors[r.shared.Of[i]]
		dst.Idx = append(dst.Idx, a.Idx...)
		dst.Val = append(dst.Val, a.Val...)
	}
}

// extractAll extracts every pair's rows, spreading the work over workers goroutines. The
// result is in input order and does not depend on workers.
func extractAll(ex *features.Extractor, pairs []features.Pair, workers int, progress func(done int)) (*rows, error) {
	r := &rows{own: make([]sparse.Vector, len(pairs))}
	var wg sync.WaitGroup
	var next sync.Mutex
	i, done := 0, 0
	const chunk = 64
	for range workers {
		w, err := ex.NewWorker()
		if err != nil {
			return nil, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var v sparse.Vector
			for {
				next.Lock()
				start := i
				i += chunk
				next.Unlock()
				if start >= len(pairs) {
					return
				}
				end := min(start+chunk, len(pairs))
				for j := start; j < end; j++ {
					w.ExtractOwn(&v, pairs[j].Text, pairs[j].Article)
					r.own[j] = v.Clone()
				}
				if progress != nil {
					next.Lock()
					done += end - start
					progress(done)
					next.Unlock()
				}
			}
		}()
	}
	wg.Wait()

	// The articles, numbered in order of first appearance.
	w, err := ex.NewWorker()
	if err != nil {
		return nil, err
	}
	id := map[string]int{}
	of := make([]int, len(pairs))
	var v sparse.Vector
	for j, p := range pairs {
		of[j] = -1
		if p.Article == "" {
			continue
		}
		s, ok := id[p.Article]
		if !ok {
			w.ArticleWords(&v, p.Article)
			s = -1
			if len(v.Idx) > 0 {
				s = len(r.shared.Vectors)
				r.shared.Vectors = append(r.shared.Vectors, v.Clone())
			}
			id[p.Article] = s
		}
		of[j] = s
	}
	if len(r.shared.Vectors) > 0 {
		r.shared.Of = of
	}
	return r, nil
}

// HeadNames lists the model's heads in order.
func (m *Model) HeadNames() []string {
	names := make([]string, len(m.Heads))
	for i, h := range m.Heads {
		names[i] = h.Name
	}
	return names
}

// Scores is one comment's result: per head, the probability of each class and the best class.
type Scores struct {
	Probs [][]float64 // per head, in Head.Classes order
	Best  []int       // per head, the index of the most probable class
	// Unseen says, per head, that the head's model for unseen articles scored the comment
	// (Head.Unseen): its article is not one the model knows.
	Unseen []bool
}

// Scorer returns the head of m that gave head i's scores in s: the head itself, or its model for
// unseen articles.
func (s *Scores) Scorer(m *Model, i int) Head {
	if i < len(s.Unseen) && s.Unseen[i] && m.Heads[i].Unseen != nil {
		return *m.Heads[i].Unseen
	}
	return m.Heads[i]
}

// Scorer scores comments with a model; use one per goroutine.
type Scorer struct {
	m *Model
	w *features.Worker
	t *table        // for comments under the articles the model knows
	u *table        // for the others (Model.unseenTable)
	v sparse.Vector // the comment's relation features, or an article's words
	// articles holds what Score keeps per article: the sums of its words' terms (the same for
	// every comment on it), and its fused rows once it has been met often (fuseAfter).
	articles map[string]*articleState
	fused    []*articleState // those with fused rows, at most maxFused, the latest last
	sums     []float64       // per head and class, sum_f x_f W[f][k]
	part     []float64       // scratch of block
	weights  []float32       // scratch of block
	grams    grams
}

// scoringTable returns the table Score reads for comments under the articles the model knows,
// building both tables on first use.
//
// A comment is scored by one model per head: the head's, or its model for unseen articles. So
// each table holds one model per head, and a row holds the weights a comment reads: for
// SemEval-2016's two heads of three classes, an IDF and six weights, in 32 bytes, where one
// table of the three models took 64 and the rows that comments read filled twice the cache.
func (m *Model) scoringTable() *table {
	m.tableOnce.Do(func() {
		list, unseen := m.scoring()
		n := len(m.Heads)
		// A model trained without the conjoined copies has zero weights there: it is scored
		// without them and spends no work on them. Models for unseen articles have none.
		plain := make([]bool, n)
		for i, h := range m.Heads {
			plain[i] = !m.Config.Head(h.Name).Conjoin
		}
		stored := func(i int) *models.Stored {
			if m.stored == nil {
				return nil
			}
			return m.stored[i]
		}
		pick := func(unseenModels bool) ([]*models.Softmax, []bool, []*models.Stored) {
			ms, ps := make([]*models.Softmax, n), make([]bool, n)
			var st []*models.Stored
			if m.stored != nil {
				st = make([]*models.Stored, n)
			}
			for i := range n {
				j := i
				ps[i] = plain[i]
				if u := unseen[i]; unseenModels && u >= 0 {
					j, ps[i] = u, true
				}
				ms[i] = list[j]
				if st != nil {
					st[i] = stored(j)
				}
			}
			return ms, ps, st
		}
		ms, ps, st := pick(false)
		m.table = newTable(m.Extractor, ms, ps, st)
		m.unseenTable = m.table
		if slices.ContainsFunc(unseen, func(u int) bool { return u >= 0 }) {
			ms, ps, st = pick(true)
			m.unseenTable = newTable(m.Extractor, ms, ps, st)
			// The same features in the same rows: one copy of the index.
			m.unseenTable.base, m.unseenTable.feat = m.table.base, m.table.feat
		}
		m.stored = nil
	})
	return m.table
}

// ErrScoreOnly is returned by what needs a model's weight matrices after ScoreOnly released them.
var ErrScoreOnly = errors.New("the model was loaded for scoring only")

// ScoreOnly readies m for scoring alone: it builds the table that Score reads and releases the
// heads' dense weight matrices, by far the largest part of a loaded model (50 MB for
// SemEval-2016's two heads at 2^20 features, against 4 MB of tables). Afterwards m scores as
// before (NewScorer, ScoreStream), to the bit; Explain, TopFeatures and WriteTo return
// ErrScoreOnly or nothing, and the heads' Softmax models must not be used. Call it before any
// scoring starts: it changes the heads.
// For a model in a file, LoadScoreOnly gives the same without ever making the matrices; the
// commands use that.
func (m *Model) ScoreOnly() {
	m.scoringTable()
	list, _ := m.scoring()
	for _, sm := range list {
		sm.W = nil
	}
	m.scoreOnly = true
	// Collect them now: the garbage collector sets its next goal from the heap it finds live,
	// and with the matrices still counted that goal would double their size.
	runtime.GC()
}

// NewScorer returns a Scorer for m.
func (m *Model) NewScorer() (*Scorer, error) {
	w, err := m.Extractor.NewWorker()
	if err != nil {
		return nil, err
	}
	t := m.scoringTable()
	u := m.unseenTable
	ncol := max(t.ncol, u.ncol)
	return &Scorer{m: m, w: w, t: t, u: u, sums: make([]float64, ncol),
		part: make([]float64, ncol), weights: make([]float32, ncol),
		articles: map[string]*articleState{}}, nil
}

// Score scores one comment answering article into dst, reusing its storage. The probabilities
// are those of each head's model (or, for an article the model does not know, of the head's
// unseen-article model where it has one) on the comment's vector (features.Worker.Extract), to float32
// rounding, but Score builds no vector: it weighs the comment's n-grams and sums each one's
// weights from the model's table as it goes (see table), adds the sums of the article's words,
// kept per article, and those of the relation features.
func (s *Scorer) Score(dst *Scores, text, article string) {
	if len(dst.Probs) != len(s.m.Heads) || len(dst.Unseen) != len(s.m.Heads) {
		dst.Probs = make([][]float64, len(s.m.Heads))
		dst.Best = make([]int, len(s.m.Heads))
		dst.Unseen = make([]bool, len(s.m.Heads))
	}
	words, chars := s.w.Grams(text)
	key, conj := s.w.ArticleKey(article)
	var a *articleState
	if article != "" {
		a = s.article(article)
	}
	known := a != nil && a.known
	t := s.u
	if known {
		t = s.t
	}
	conj = conj && len(t.cols) > 0
	sums := s.sums[:t.ncol]
	clear(sums)
	var fused []float32
	if a != nil {
		for j, x := range a.sums {
			sums[j] += x
		}
		a.comments++
		if conj && a.fused == nil && a.comments == fuseAfter {
			if len(s.fused) == maxFused {
				s.fused[0].fused = nil
				s.fused = slices.Delete(s.fused, 0, 1)
			}
			a.fused = s.m.fusedRows(s, t, key)
			s.fused = append(s.fused, a)
		}
		fused = a.fused
	}
	s.block(t, sums, words, key, conj, fused)
	s.block(t, sums, chars, key, conj, fused)
	s.w.Relation(&s.v, article)
	s.addTerms(t, sums, s.v)
	for i, h := range s.m.Heads {
		sm, off := h.Model, t.offs[i]
		dst.Unseen[i] = false
		if h.Unseen != nil && !known {
			sm = h.Unseen.Model
			dst.Unseen[i] = true
		}
		dst.Probs[i] = sm.ProbsOf(dst.Probs[i], sums[off:off+sm.Classes])
		dst.Best[i] = argmax(dst.Probs[i])
	}
}

// articleState is what a Scorer keeps of one article.
type articleState struct {
	known    bool      // the model knows it (Model.Knows)
	sums     []float64 // of its words' terms, per head and class
	comments int       // scored on it
	fused    []float32 // the table's rows with its conjoined copies' weights added (fuse)
}

// Articles met in fuseAfter comments get rows of their own with the conjoined copies' weights
// added in, so that their comments' n-grams cost one lookup each instead of two and a hash:
// worth it where many comments answer few articles or targets, not for a handful each. Each is
// the size of the table's rows: a Model keeps those of the last maxFused articles that scorers
// asked for, and a Scorer those of the last maxFused articles it met fuseAfter times, so the
// scorers of a stream share them and their memory is bounded whatever the input.
const (
	fuseAfter = 64
	maxFused  = 8
)

// article returns what the scorer keeps of article, reading it on first sight.
// Knows reports whether article is one of the model's training articles (Model.Knows of its
// key), as scoring decides which model of a head scores a comment under it.
func (s *Scorer) Knows(article string) bool {
	return article != "" && s.article(article).known
}

func (s *Scorer) article(article string) *articleState {
	if a, ok := s.articles[article]; ok {
		return a
	}
	s.w.ArticleWords(&s.v, article)
	a := &articleState{known: s.m.Knows(s.w.ArticleID(article))}
	t := s.u
	if a.known {
		t = s.t
	}
	a.sums = make([]float64, t.ncol)
	s.addTerms(t, a.sums, s.v)
	if len(s.articles) >= articleCache {
		clear(s.articles)
		s.fused = s.fused[:0]
	}
	s.articles[article] = a
	return a
}

// articleCache bounds how many articles a Scorer keeps.
const articleCache = 4096

// addTerms adds each head's sums over the terms of x to sums, from the table: x holds an
// article's words or relation features, never conjoined copies.
func (s *Scorer) addTerms(t *table, sums []float64, x sparse.Vector) {
	for j, f := range x.Idx {
		var ws []float32
		switch {
		case f < t.lo:
			r := t.base.row(f)
			ws = t.rows[r*t.width+1 : r*t.width+1+t.ncol]
		case f >= t.relBase && int(f-t.relBase) < len(t.rel)/t.ncol:
			r := int(f - t.relBase)
			ws = t.rel[r*t.ncol : (r+1)*t.ncol]
		}
		v := float64(x.Val[j])
		for c, w := range ws {
			sums[c] += v * float64(w)
		}
	}
}

// Unweighted turns probabilities p of h's classes, as Score gives them, into those of a model
// trained without class weights, written to dst (allocated when nil) and returned. Training
// with weights w_k makes the model estimate w_k P(k|x) / sum_j w_j P(j|x); dividing by w_k and
// normalising undoes that, so that averaged over comments they estimate the share of each class
// where the classes are as common as in the training data. Without weights (or without a
// record of them: KnowsWeights) p is copied unchanged.
func (h Head) Unweighted(dst, p []float64) []float64 {
	if dst == nil {
		dst = make([]float64, len(p))
	}
	if h.Weights == nil {
		copy(dst, p)
		return dst
	}
	var z float64
	for k, v := range p {
		if w := h.Weights[k]; w > 0 {
			dst[k] = v / w
		} else {
			dst[k] = 0 // a class weighted 0 was not learnt
		}
		z += dst[k]
	}
	for k := range dst {
		dst[k] /= z
	}
	return dst
}

// KnowsWeights says whether the model file recorded the head's class weights (files written
// before they were kept did not): Unweighted can only undo weights it knows.
func (h Head) KnowsWeights() bool { return h.Counts != nil }

// signedPairs are the (positive, negative) class names whose probabilities make a signed score,
// compared without case. The first pair a head has both of is used.
var signedPairs = [][2]string{
	{"favor", "against"}, {"support", "deny"}, {"agree", "disagree"},
	{"positive", "negative"}, {"pro", "con"},
}

// Signed returns the indices of a head's positive and negative classes, and whether it has them:
// its signed score is P(positive) - P(negative).
func (h Head) Signed() (pos, neg int, ok bool) {
	find := func(name string) int {
		return slices.IndexFunc(h.Classes, func(c string) bool { return strings.EqualFold(c, name) })
	}
	for _, p := range signedPairs {
		if pos, neg := find(p[0]), find(p[1]); pos >= 0 && neg >= 0 {
			return pos, neg, true
		}
	}
	return 0, 0, false
}
