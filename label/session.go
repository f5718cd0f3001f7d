package label

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/evaluation"
	"github.com/commentstance/stance/features"
)

// Options say how a Session asks and trains. Every field's zero value means its default, given
// in its comment, except Heads and Classes, which are required.
type Options struct {
	// Heads are the heads asked about, in the order the page shows them, and Classes each
	// head's classes (from the configuration or a model).
	Heads   []string
	Classes map[string][]string
	// Annotator names who answers, in every row written. Default "annotator".
	Annotator string
	// Train is the configuration the loop trains with (TrainConfig caps its iterations; it is
	// never tuned). Default classifier.DefaultConfig().
	Train classifier.Config
	// Metrics names each head's metric for the cross-validated figures (metrics.ParseMetric);
	// a head without one gets macro_f1.
	Metrics map[string]string
	// RetrainEvery is how many answers start a new training in the background. Default 20.
	RetrainEvery int
	// MinPerClass is how many labels every class of every head needs before the cold start
	// (keyword queries, then articles in turn) gives way to the model's margin order. Default 3.
	// Past ColdMax answers the model takes over anyway, once every head has two classes, so that
	// a class too rare to find by turns does not keep the loop cold.
	MinPerClass, ColdMax int
	// Folds is the k of the cross-validated figures (folds over rows). Default 5.
	Folds int
	// Batch is how many comments the queue is filled with at a time. Default 10: few enough
	// that a model trained meanwhile reorders what comes next soon.
	Batch int
	// Seed seeds the cold start's order and the folds.
	Seed uint64
	// Diversity bounds each batch's near duplicates and articles (see SelectMargin).
	Diversity Diversity
	// Logger takes a line per training. Default: none.
	Logger *slog.Logger
	// Now is the clock of the rows' times. Default time.Now.
	Now func() time.Time
}

func (o *Options) fill() error {
	if len(o.Heads) == 0 {
		return errors.New("label: no heads to ask about")
	}
	for _, h := range o.Heads {
		if len(o.Classes[h]) < 2 {
			return fmt.Errorf("label: head %s has classes %v: want at least two", h, o.Classes[h])
		}
	}
	if o.Annotator == "" {
		o.Annotator = "annotator"
	}
	if o.Train.C == 0 {
		o.Train = classifier.DefaultConfig()
	}
	o.Train = TrainConfig(o.Train)
	if o.RetrainEvery <= 0 {
		o.RetrainEvery = 20
	}
	if o.MinPerClass <= 0 {
		o.MinPerClass = 3
	}
	if o.ColdMax <= 0 {
		o.ColdMax = 100
	}
	if o.Folds <= 1 {
		o.Folds = 5
	}
	if o.Batch <= 0 {
		o.Batch = 10
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

// Item is a comment of the pool.
type Item struct {
	ID, Text, ArticleID, Article string
	articleKey                   string
	shingles                     Shingles
	norm                         string
}

// Point is one point of the learning curve: a model trained on Labels answers, and its
// cross-validated official figure per head (absent where cross-validation could not run).
type Point struct {
	Labels   int                `json:"labels"`
	Official map[string]float64 `json:"official"`
}

// TrainInfo says what the latest training did.
type TrainInfo struct {
	At     time.Time `json:"at"`
	Labels int       `json:"labels"`
	// FitSeconds is the time to the model the queue uses; Seconds adds the cross-validation.
	FitSeconds float64           `json:"fit_seconds"`
	Seconds    float64           `json:"seconds"`
	CVNote     string            `json:"cv_note,omitempty"` // why the cross-validation has no figure
	Metric     map[string]string `json:"metric"`
}

// Session is a labelling session: a pool of comments, a labels file, and a model retrained in
// the background that orders what is asked next. Its methods are safe for concurrent use.
type Session struct {
	opt     Options
	journal *Journal
	items   []Item
	byID    map[string]int

	mu       sync.Mutex
	state    State
	queue    []int // pool indices to ask, the first shown
	recent   []Shingles
	keywords []string
	answers  int // since the latest training started
	model    *classifier.Model
	info     *TrainInfo
	curve    []Point
	training bool
	trainErr string
	ctx      context.Context
	cancel   context.CancelFunc
}

// ErrUnknown marks an answer naming a comment, head or class the session does not have.
var ErrUnknown = errors.New("unknown")

// NewSession starts a session on the pool's comments, with journal's rows (OpenJournal's) already
// applied: a restart resumes where the file ends. Comments need unique, non-empty ids: the
// labels file names them by id.
func NewSession(pool []data.Comment, journal *Journal, rows []Row, opt Options) (*Session, error) {
	if err := opt.fill(); err != nil {
		return nil, err
	}
	s := &Session{opt: opt, journal: journal, byID: map[string]int{}}
	for _, c := range pool {
		if c.ID == "" {
			return nil, &data.ParseError{File: c.File, Line: c.Line, Field: "id", Err: errors.New("empty comment id: the labels file names comments by id (columns.id)")}
		}
		if j, dup := s.byID[c.ID]; dup {
			return nil, &data.ParseError{File: c.File, Line: c.Line, Field: "id", Value: c.ID,
				Err: fmt.Errorf("duplicate comment id (first on line %d): the labels file names comments by id", pool[j].Line)}
		}
		s.byID[c.ID] = len(s.items)
		s.items = append(s.items, Item{ID: c.ID, Text: c.Text, ArticleID: c.ArticleID, Article: c.Article,
			articleKey: evaluation.GroupOf(c, evaluation.ByArticle), shingles: NewShingles(c.Text),
			norm: string(features.Normalize(nil, c.Text))})
	}
	if len(s.items) == 0 {
		return nil, errors.New("label: no comments to label")
	}
	for _, r := range rows {
		s.state.Apply(r)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.mu.Lock()
	defer s.mu.Unlock()
	// A comment answered on some heads but not all was being shown when the process stopped:
	// it is shown first again.
	for i := range s.items {
		if !s.done(i) && s.answered(i) > 0 {
			s.queue = append(s.queue, i)
		}
	}
	if s.warm() {
		s.startTraining()
	}
	return s, nil
}

// Close ends the session: a training under way is not waited for (classifier.Train cannot be
// interrupted, and a stop must not wait a minute for it); its result is dropped.
func (s *Session) Close() { s.cancel() }

func (s *Session) answered(i int) int {
	n := 0
	for _, h := range s.opt.Heads {
		if s.state.Label(s.items[i].ID, h) != "" {
			n++
		}
	}
	return n
}

// done: every head answered, or skipped.
func (s *Session) done(i int) bool {
	return s.state.Skipped(s.items[i].ID) || s.answered(i) == len(s.opt.Heads)
}

// counts is, per head, the labels per class.
func (s *Session) counts() map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, h := range s.opt.Heads {
		out[h] = map[string]int{}
		for _, c := range s.opt.Classes[h] {
			out[h][c] = 0
		}
	}
	for _, l := range s.state.Labels() {
		for h, c := range l {
			if out[h] != nil {
				out[h][c]++
			}
		}
	}
	return out
}

func (s *Session) labelled() int { return len(s.state.Labels()) }

// warm: the cold start is over (see Options.MinPerClass).
func (s *Session) warm() bool {
	all, two := true, true
	for _, cs := range s.counts() {
		seen := 0
		for _, n := range cs {
			if n < s.opt.MinPerClass {
				all = false
			}
			if n > 0 {
				seen++
			}
		}
		if seen < 2 {
			two = false
		}
	}
	return all || (two && s.labelled() >= s.opt.ColdMax)
}

// Current is the comment to show: the head of the queue, refilled when empty. ok is false when
// every comment of the pool is done.
func (s *Session) Current() (Item, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.current()
	if !ok {
		return Item{}, false
	}
	return s.items[i], true
}

func (s *Session) current() (int, bool) {
	for {
		for len(s.queue) > 0 && s.done(s.queue[0]) {
			s.queue = s.queue[1:]
		}
		if len(s.queue) > 0 {
			return s.queue[0], true
		}
		if !s.refill() {
			return 0, false
		}
	}
}

// refill puts the next batch in the queue: comments matching the keyword queries first, then,
// while the loop is cold or has no model, articles in turn; afterwards the model's margin
// order with diversity. It reports whether anything is left to ask.
func (s *Session) refill() bool {
	var open []Candidate
	for i := range s.items {
		if !s.done(i) {
			open = append(open, Candidate{Index: i, Article: s.items[i].articleKey, Shingle: s.items[i].shingles})
		}
	}
	if len(open) == 0 {
		return false
	}
	if len(s.keywords) > 0 {
		var hits []Candidate
		for _, c := range open {
			for _, k := range s.keywords {
				if strings.Contains(s.items[c.Index].norm, k) {
					hits = append(hits, c)
					break
				}
			}
		}
		if len(hits) > 0 {
			s.queue = append(s.queue, RoundRobin(hits, s.opt.Batch, s.opt.Seed+uint64(s.labelled()))...)
			return true
		}
		s.keywords = nil // every match is answered: back to the usual order
	}
	if s.model == nil || !s.warm() {
		s.queue = append(s.queue, RoundRobin(open, s.opt.Batch, s.opt.Seed+uint64(s.labelled()))...)
		return true
	}
	sc, err := s.model.NewScorer()
	if err != nil {
		s.queue = append(s.queue, RoundRobin(open, s.opt.Batch, s.opt.Seed)...)
		return true
	}
	var sco classifier.Scores
	for k := range open {
		it := s.items[open[k].Index]
		sc.Score(&sco, it.Text, it.Article)
		m := math.Inf(1)
		for _, p := range sco.Probs {
			m = min(m, Margin(p))
		}
		open[k].Margin = m
	}
	s.queue = append(s.queue, SelectMargin(open, s.opt.Batch, s.recent, s.opt.Diversity)...)
	return true
}

// Keywords sets seed queries (as Prodigy's patterns): comments whose normalised text contains
// any of them are asked first, until none is left. Empty queries clear them. It returns how
// many open comments match.
func (s *Session) Keywords(queries []string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keywords = nil
	for _, q := range queries {
		if q = strings.TrimSpace(string(features.Normalize(nil, q))); q != "" {
			s.keywords = append(s.keywords, q)
		}
	}
	n := 0
	for i, it := range s.items {
		if s.done(i) {
			continue
		}
		for _, k := range s.keywords {
			if strings.Contains(it.norm, k) {
				n++
				break
			}
		}
	}
	// The shown comment stays; what follows it comes from the queries.
	if len(s.queue) > 1 {
		s.queue = s.queue[:1]
	}
	return n
}

func (s *Session) write(r Row) error {
	r.Annotator, r.Time = s.opt.Annotator, s.opt.Now()
	if err := s.journal.Append(r); err != nil {
		return err
	}
	s.state.Apply(r)
	return nil
}

func (s *Session) item(id string) (int, error) {
	i, ok := s.byID[id]
	if !ok {
		return 0, fmt.Errorf("%w comment id %q", ErrUnknown, id)
	}
	return i, nil
}

// Answer gives comment id the class on head, with a free-text note, and writes it to the
// labels file (synced) before returning. Every RetrainEvery answers, once the cold start is
// over, a training starts in the background.
func (s *Session) Answer(id, head, class, note string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.item(id)
	if err != nil {
		return err
	}
	if !slices.Contains(s.opt.Heads, head) {
		return fmt.Errorf("%w head %q: want one of %v", ErrUnknown, head, s.opt.Heads)
	}
	if !slices.Contains(s.opt.Classes[head], class) {
		return fmt.Errorf("%w class %q of head %s: want one of %v", ErrUnknown, class, head, s.opt.Classes[head])
	}
	if err := s.write(Row{ID: id, Head: head, Label: class, Note: note, Action: Answer}); err != nil {
		return err
	}
	s.asked(i)
	return nil
}

// Skip passes over comment id, writing a skip row.
func (s *Session) Skip(id, note string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.item(id)
	if err != nil {
		return err
	}
	if err := s.write(Row{ID: id, Note: note, Action: Skip}); err != nil {
		return err
	}
	s.asked(i)
	return nil
}

func (s *Session) asked(i int) {
	s.answers++
	if s.done(i) {
		s.recent = append(s.recent, s.items[i].shingles)
		if len(s.recent) > 50 {
			s.recent = s.recent[len(s.recent)-50:]
		}
	}
	if s.answers >= s.opt.RetrainEvery && !s.training && s.warm() {
		s.startTraining()
	}
}

// Undo withdraws the latest answer or skip not yet undone, writing an undo row, and shows its
// comment again. ok is false when there is nothing to undo.
func (s *Session) Undo() (id, head string, ok bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, head, ok = s.state.Last()
	if !ok {
		return "", "", false, nil
	}
	if err := s.write(Row{ID: id, Head: head, Action: Undo}); err != nil {
		return "", "", false, err
	}
	s.queue = slices.Insert(s.queue, 0, s.byID[id])
	return id, head, true, nil
}

// startTraining trains on the labels so far in a goroutine, then cross-validates; the new model
// orders the queue from the next refill on. Called with s.mu held.
func (s *Session) startTraining() {
	// In pool order, so that a training is deterministic.
	set := &evaluation.Set{Heads: s.opt.Heads}
	labels := s.state.Labels()
	for _, it := range s.items {
		if l := labels[it.ID]; len(l) > 0 {
			set.Add(data.Comment{ID: it.ID, Text: it.Text, ArticleID: it.ArticleID, Article: it.Article, Labels: l})
		}
	}
	s.training, s.answers = true, 0
	go s.train(set)
}

func (s *Session) train(set *evaluation.Set) {
	start := time.Now()
	var heads []string
	for _, h := range s.opt.Heads {
		for _, e := range set.Examples {
			if e.Labels[h] != "" {
				heads = append(heads, h)
				break
			}
		}
	}
	m, err := classifier.Train(set.Examples, heads, s.opt.Train)
	if s.ctx.Err() != nil {
		return
	}
	if err != nil {
		s.mu.Lock()
		s.training, s.trainErr = false, err.Error()
		s.mu.Unlock()
		s.opt.Logger.Error("training failed", "labels", len(set.Examples), "error", err.Error())
		return
	}
	// The model is used at once; the figures follow.
	s.mu.Lock()
	s.model = m
	s.trainErr = ""
	if len(s.queue) > 1 {
		s.queue = s.queue[:1] // what follows the shown comment comes from the new model
	}
	s.mu.Unlock()
	info := &TrainInfo{At: s.opt.Now(), Labels: len(set.Examples), Metric: map[string]string{}, FitSeconds: time.Since(start).Seconds()}
	point := Point{Labels: len(set.Examples), Official: map[string]float64{}}
	res, err := evaluation.CrossValidate(set, evaluation.CVConfig{K: s.opt.Folds, GroupBy: evaluation.ByNone, Seed: int64(s.opt.Seed), Train: s.opt.Train})
	if err == nil {
		var reps []evaluation.HeadReport
		if reps, err = evaluation.Reports(res, s.opt.Metrics); err == nil {
			for _, r := range reps {
				point.Official[r.Head] = r.Report.Official
				info.Metric[r.Head] = r.Report.Metric
			}
		}
	}
	if s.ctx.Err() != nil {
		return
	}
	if err != nil {
		info.CVNote = err.Error()
	}
	info.Seconds = time.Since(start).Seconds()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.info, s.training = info, false
	if len(point.Official) > 0 {
		s.curve = append(s.curve, point)
	}
	s.opt.Logger.Info("trained", "labels", info.Labels, "seconds", info.Seconds, "cv", point.Official, "note", info.CVNote)
	if s.answers >= s.opt.RetrainEvery {
		s.startTraining()
	}
}

// Status is what the page shows besides the comment.
type Status struct {
	Pool     int                       `json:"pool"`
	Labelled int                       `json:"labelled"` // comments with a class on some head
	Skipped  int                       `json:"skipped"`
	Counts   map[string]map[string]int `json:"counts"` // head -> class -> labels
	Cold     bool                      `json:"cold"`   // still in the cold start
	Keywords []string                  `json:"keywords"`
	Training bool                      `json:"training"`
	Trained  *TrainInfo                `json:"trained,omitempty"`
	Error    string                    `json:"error,omitempty"` // the latest training's failure
	Curve    []Point                   `json:"curve"`
	// Outlook says whether more labels still help, from the curve's latest slope.
	Outlook string `json:"outlook"`
}

// Status reports the session's progress.
func (s *Session) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{Pool: len(s.items), Labelled: s.labelled(), Counts: s.counts(), Cold: !s.warm() || s.model == nil,
		Keywords: slices.Clone(s.keywords), Training: s.training, Error: s.trainErr, Curve: slices.Clone(s.curve)}
	if s.info != nil {
		info := *s.info
		st.Trained = &info
	}
	for id := range s.byID {
		if s.state.Skipped(id) {
			st.Skipped++
		}
	}
	st.Outlook = Outlook(s.curve)
	return st
}

// Outlook compares the learning curve's latest point with the latest one at least 100 labels
// before it: the gain of the mean cross-validated figure per 100 labels. Under 0.005 (half a
// point) more labels are said to help little. This is a rule of thumb in the spirit of the
// stopping rules that watch a model's figures level off (Vlachos 2008, "A stopping criterion
// for active learning"), not a guarantee: on a few hundred labels the cross-validated figure
// moves by more than that from one training to the next, hence the span of 100 labels.
func Outlook(curve []Point) string {
	if len(curve) < 2 {
		return "too few trainings to tell"
	}
	b := curve[len(curve)-1]
	k := -1
	for i := len(curve) - 2; i >= 0; i-- {
		if curve[i].Labels <= b.Labels-100 {
			k = i
			break
		}
	}
	if k < 0 {
		return fmt.Sprintf("too soon to tell: the trainings span %d labels, under 100", b.Labels-curve[0].Labels)
	}
	a := curve[k]
	mean := func(p Point) float64 {
		t := 0.0
		for _, v := range p.Official {
			t += v
		}
		return t / float64(max(1, len(p.Official)))
	}
	gain := (mean(b) - mean(a)) / float64(b.Labels-a.Labels) * 100
	if gain < 0.005 {
		return fmt.Sprintf("levelling off: %+.3f per 100 labels over the last %d", gain, b.Labels-a.Labels)
	}
	return fmt.Sprintf("still rising: %+.3f per 100 labels over the last %d", gain, b.Labels-a.Labels)
}

// Label is comment id's class on head so far.
func (s *Session) Label(id, head string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.Label(id, head)
}

// Options returns the session's options, defaults filled in.
func (s *Session) Options() Options { return s.opt }
