package classifier

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/sparse"
)

// sample reads the project's own labelled sample (data/sample), joined with its articles.
func sample(t testing.TB) []Example {
	t.Helper()
	schema := data.Schema{Articles: &data.ArticleSource{Path: "../data/sample/articles.csv", Key: "article_id", Text: "article"}, RequireLabels: true, Strict: true}
	comments, _, err := data.ReadAll("../data/sample/comments.csv", schema)
	if err != nil {
		t.Fatal(err)
	}
	var ex []Example
	for _, c := range comments {
		ex = append(ex, Example{Text: c.Text, Article: c.Article, Labels: c.Labels})
	}
	return ex
}

func smallConfig() Config {
	cfg := DefaultConfig()
	cfg.Features.Bits = 16 // small and fast: these tests check behaviour, not accuracy
	return cfg
}

func train(t testing.TB, ex []Example, cfg Config) *Model {
	t.Helper()
	m, err := Train(ex, []string{"sentiment", "stance"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func modelBytes(t testing.TB, m *Model) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestTrainIsDeterministic(t *testing.T) {
	ex := sample(t)
	cfg := smallConfig()
	cfg.Workers = 1
	a := modelBytes(t, train(t, ex, cfg))
	cfg.Workers = 3
	b := modelBytes(t, train(t, ex, cfg))
	if !bytes.Equal(a, b) {
		t.Fatal("models trained with 1 and 3 workers differ")
	}
	c := modelBytes(t, train(t, ex, cfg))
	if !bytes.Equal(b, c) {
		t.Fatal("two trainings with the same data and config differ")
	}
}

func TestTrainFitsTheSample(t *testing.T) {
	ex := sample(t)
	m := train(t, ex, smallConfig())
	if got := m.HeadNames(); !slices.Equal(got, []string{"sentiment", "stance"}) {
		t.Fatalf("heads %v", got)
	}
	if got := m.Heads[1].Classes; !slices.Equal(got, []string{"AGAINST", "FAVOR", "NONE"}) {
		t.Fatalf("stance classes %v, want the data's, sorted", got)
	}
	s, _ := m.NewScorer()
	var sc Scores
	right := 0
	for _, e := range ex {
		s.Score(&sc, e.Text, e.Article)
		for hi := range m.Heads {
			var sum float64
			for _, p := range sc.Probs[hi] {
				sum += p
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Fatalf("probabilities sum to %v", sum)
			}
		}
		if m.Heads[1].Classes[sc.Best[1]] == e.Labels["stance"] {
			right++
		}
	}
	// A model of 281 comments with C=1 fits its own training data closely; a model that learned
	// nothing would score about 0.40 (the share of FAVOR).
	if acc := float64(right) / float64(len(ex)); acc < 0.9 {
		t.Errorf("training accuracy %.3f, want at least 0.9", acc)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	ex := sample(t)
	m := train(t, ex, smallConfig())
	path := t.TempDir() + "/m.stance"
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(modelBytes(t, m), modelBytes(t, l)) {
		t.Fatal("a loaded model writes different bytes")
	}
	a, _ := m.NewScorer()
	b, _ := l.NewScorer()
	var sa, sb Scores
	for _, e := range ex[:50] {
		a.Score(&sa, e.Text, e.Article)
		b.Score(&sb, e.Text, e.Article)
		for hi := range sa.Probs {
			if !slices.Equal(sa.Probs[hi], sb.Probs[hi]) {
				t.Fatalf("scores differ after a round trip for %q", e.Text)
			}
		}
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	good := modelBytes(t, train(t, sample(t), smallConfig()))
	newer := slices.Clone(good)
	binary.LittleEndian.PutUint32(newer[8:12], FormatVersion+1)
	flipped := slices.Clone(good)
	flipped[len(flipped)/2] ^= 0x40
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrNotModel},
		{"not a model", []byte("id,text\n1,hello\n"), ErrNotModel},
		{"truncated", good[:len(good)/3], ErrChecksum},
		{"header only", good[:14], ErrTruncated},
		{"corrupted", flipped, ErrChecksum},
		{"newer format", newer, ErrNewerFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tt.data))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Read: %v, want %v", err, tt.want)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	good := modelBytes(f, train(f, sample(f), smallConfig()))
	f.Add(good)
	f.Add(good[:100])
	f.Add([]byte("STANCE\x00M\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Read(bytes.NewReader(b)) // must not panic
	})
}

func TestSingleClassIsRefused(t *testing.T) {
	ex := []Example{{Text: "a b", Labels: map[string]string{"stance": "FAVOR"}}, {Text: "c d", Labels: map[string]string{"stance": "FAVOR"}}}
	_, err := Train(ex, []string{"stance"}, smallConfig())
	if err == nil {
		t.Fatal("training a head with one class: want an error")
	}
}

func TestSigned(t *testing.T) {
	tests := []struct {
		classes  []string
		pos, neg int
		ok       bool
	}{
		{[]string{"AGAINST", "FAVOR", "NONE"}, 1, 0, true},
		{[]string{"Against", "Favor", "None"}, 1, 0, true},
		{[]string{"comment", "deny", "query", "support"}, 3, 1, true},
		{[]string{"agree", "disagree", "discuss", "unrelated"}, 0, 1, true},
		{[]string{"NEGATIVE", "NEITHER", "POSITIVE"}, 2, 0, true},
		{[]string{"No", "Yes"}, 0, 0, false},
	}
	for _, tt := range tests {
		pos, neg, ok := Head{Classes: tt.classes}.Signed()
		if pos != tt.pos || neg != tt.neg || ok != tt.ok {
			t.Errorf("%v: Signed() = %d, %d, %v; want %d, %d, %v", tt.classes, pos, neg, ok, tt.pos, tt.neg, tt.ok)
		}
	}
}

func TestScoreStreamKeepsOrder(t *testing.T) {
	ex := sample(t)
	m := train(t, ex, smallConfig())
	run := func(workers int) []string {
		i := 0
		var out []string
		next := func() (Item, bool, error) {
			if i == 3*len(ex) { // several batches
				return Item{}, false, nil
			}
			e := ex[i%len(ex)]
			i++
			return Item{Text: e.Text, Article: e.Article, Ref: i}, true, nil
		}
		emit := func(it Item, s *Scores) error {
			out = append(out, fmt.Sprint(it.Ref, s.Probs))
			return nil
		}
		if err := m.ScoreStream(context.Background(), workers, next, emit); err != nil {
			t.Fatal(err)
		}
		return out
	}
	one, four := run(1), run(4)
	if len(one) != 3*len(ex) || !slices.Equal(one, four) {
		t.Fatalf("1 worker gave %d results, 4 workers %d, or they differ", len(one), len(four))
	}
}

// TestScoreStreamReportsCancel cancels the context while the input is still being read. Whatever
// batch the reader or the writer was at, ScoreStream must say it stopped early: a run cut short
// that returned nil would be reported as complete (CI once caught "export" doing so on SIGINT).
func TestScoreStreamReportsCancel(t *testing.T) {
	m := train(t, sample(t), smallConfig())
	for round := range 200 {
		ctx, cancel := context.WithCancel(context.Background())
		// The reader is the slow side, as with a large file and fast workers: the writer has
		// written the first batch and waits for the next when the cancel comes.
		firstWritten := make(chan struct{})
		n, written := 0, 0
		next := func() (Item, bool, error) {
			n++
			if n == 300 {
				<-firstWritten
				cancel()
			}
			if n > 100_000 {
				return Item{}, false, nil
			}
			return Item{Text: "كلامه صحيح"}, true, nil
		}
		emit := func(Item, *Scores) error {
			if written++; written == 256 {
				close(firstWritten)
			}
			return nil
		}
		err := m.ScoreStream(ctx, 2, next, emit)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("round %d: ScoreStream after cancel = %v, want context.Canceled", round, err)
		}
	}
}

func TestScoreStreamStopsOnError(t *testing.T) {
	m := train(t, sample(t), smallConfig())
	boom := errors.New("boom")
	n := 0
	next := func() (Item, bool, error) {
		n++
		if n > 1000 {
			return Item{}, false, boom
		}
		return Item{Text: "كلامه صحيح"}, true, nil
	}
	err := m.ScoreStream(context.Background(), 2, next, func(Item, *Scores) error { return nil })
	if !errors.Is(err, boom) {
		t.Fatalf("ScoreStream: %v, want the reader's error", err)
	}
	emitErr := errors.New("disk full")
	n = 0
	err = m.ScoreStream(context.Background(), 2, next, func(Item, *Scores) error { return emitErr })
	if !errors.Is(err, emitErr) {
		t.Fatalf("ScoreStream: %v, want the writer's error", err)
	}
}

func TestExplain(t *testing.T) {
	ex := sample(t)
	m := train(t, ex, smallConfig())
	e := ex[0]
	got, err := m.Explain(e.Text, e.Article, 5)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := m.NewScorer()
	var sc Scores
	s.Score(&sc, e.Text, e.Article)
	for hi, h := range got {
		if h.Label != m.Heads[hi].Classes[sc.Best[hi]] || h.Prob != sc.Probs[hi][sc.Best[hi]] {
			t.Errorf("%s: explained %s (%v), scored %s", h.Head, h.Label, h.Prob, m.Heads[hi].Classes[sc.Best[hi]])
		}
		if len(h.Toward) == 0 || len(h.Toward) > 5 || len(h.Against) > 5 {
			t.Errorf("%s: %d features toward, %d against", h.Head, len(h.Toward), len(h.Against))
		}
		for i, f := range h.Toward {
			if f.Name == "" || f.Push <= 0 || (i > 0 && f.Push > h.Toward[i-1].Push) {
				t.Errorf("%s: toward[%d] = %+v: want named, positive, strongest first", h.Head, i, f)
			}
		}
		for _, f := range h.Against {
			if f.Push >= 0 {
				t.Errorf("%s: against %+v has a non-negative push", h.Head, f)
			}
		}
	}
	top := m.TopFeatures(10)
	if len(top) != 6 { // 3 sentiment + 3 stance classes
		t.Fatalf("%d classes listed, want 6", len(top))
	}
	for _, c := range top {
		if len(c.Features) != 10 {
			t.Errorf("%s=%s: %d named features, want 10", c.Head, c.Class, len(c.Features))
		}
	}
}

// A head trained without the article-conjoined copies is scored without reading them; its
// probabilities are still those of its model on the whole, merged vector, as are the other
// head's, to float32 rounding: Score sums the terms that Extract merges in float32.
func TestScorerSkipsConjoinedCopiesOfPlainHeads(t *testing.T) {
	ex := sample(t)
	cfg := smallConfig()
	off := false
	cfg.Heads = map[string]HeadConfig{"sentiment": {Conjoin: &off}}
	m := train(t, ex, cfg)
	s, _ := m.NewScorer()
	// Heads are sentiment then stance, three classes each: only stance's columns read copies.
	if !slices.Equal(s.t.cols, []int{3, 4, 5}) {
		t.Fatalf("columns with conjoined copies %v, want stance's only (3, 4, 5)", s.t.cols)
	}
	w, _ := m.Extractor.NewWorker()
	var v sparse.Vector
	var got Scores
	lo, hi := m.Extractor.ConjoinRange()
	conjoined := 0
	for _, e := range ex {
		s.Score(&got, e.Text, e.Article)
		w.Extract(&v, e.Text, e.Article)
		for _, idx := range v.Idx {
			if idx >= lo && idx < hi {
				conjoined++
			}
		}
		for i, h := range m.Heads {
			want := h.Model.Probs(nil, v)
			for k := range want {
				if math.Abs(got.Probs[i][k]-want[k]) > 1e-6 {
					t.Fatalf("%s: %q: Score gives %v, the model on the whole vector %v", h.Name, e.Text, got.Probs[i], want)
				}
			}
		}
	}
	if conjoined == 0 {
		t.Fatal("no vector has conjoined copies: the test proves nothing")
	}
}

// Training holds each example as its own features plus its article's words, once per article
// (rows): together they must be the vector Extract gives the example, with every example on
// the same article pointing at the same shared vector.
func TestRowsSumToExtract(t *testing.T) {
	ex := sample(t)
	for _, articleWords := range []bool{true, false} {
		cfg := smallConfig()
		cfg.Features.ArticleWords = articleWords
		e, r, err := fitFeatures(ex, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if (r.shared.Of != nil) != articleWords {
			t.Fatalf("article words %v: shared vectors %v", articleWords, r.shared.Of != nil)
		}
		w, _ := e.NewWorker()
		var got, want sparse.Vector
		of := map[string]int{}
		for i, x := range ex {
			r.terms(&got, i)
			got.Canon()
			w.Extract(&want, x.Text, x.Article)
			if !slices.Equal(got.Idx, want.Idx) {
				t.Fatalf("%q: the rows' indices differ from Extract's", x.Text)
			}
			for k := range got.Val {
				if math.Abs(float64(got.Val[k]-want.Val[k])) > 1e-6 {
					t.Fatalf("%q: index %d: %v, Extract %v", x.Text, got.Idx[k], got.Val[k], want.Val[k])
				}
			}
			if articleWords {
				s, seen := of[x.Article]
				if seen && s != r.shared.Of[i] {
					t.Fatalf("%q: two shared vectors for one article", x.Text)
				}
				of[x.Article] = r.shared.Of[i]
			}
		}
		if articleWords && len(r.shared.Vectors) != len(of) {
			t.Errorf("%d shared vectors for %d articles", len(r.shared.Vectors), len(of))
		}
	}
}

// buildDictionary reads chunks of examples in parallel: it must name each index as reading the
// examples one by one does (the first example to name it wins), for any number of workers.
func TestBuildDictionaryIsSerialOrder(t *testing.T) {
	ex := sample(t)
	m := train(t, ex, smallConfig())
	var many []Example // several chunks, each example seen again later
	for range 6 {
		many = append(many, ex...)
	}
	want := map[uint32]bool{}
	for idx := range m.Dictionary {
		want[idx] = true
	}
	serial := map[uint32]string{}
	w, _ := m.Extractor.NewWorker()
	var v sparse.Vector
	for _, e := range many {
		for idx, name := range w.NamesOf(&v, e.Text, e.Article, want) {
			if _, ok := serial[idx]; !ok && want[idx] {
				serial[idx] = name
			}
		}
	}
	if len(serial) != len(want) || len(many) < 3*256 {
		t.Fatalf("%d names for %d indices from %d examples: the test proves little", len(serial), len(want), len(many))
	}
	for _, workers := range []int{1, 2, 3} {
		m.Config.Workers = workers
		m.buildDictionary(many)
		if !maps.Equal(m.Dictionary, serial) {
			t.Fatalf("workers=%d: the dictionary differs from reading the examples in order", workers)
		}
	}
}

// Training records each head's class counts and the class weights it trained with, and
// Unweighted undoes those weights.
func TestHeadRecordsClassWeights(t *testing.T) {
	ex := sample(t)
	for _, weighting := range []string{"balanced", "none"} {
		cfg := smallConfig()
		cfg.ClassWeight = weighting
		m := train(t, ex, cfg)
		for _, h := range m.Heads {
			count := map[string]int{}
			for _, e := range ex {
				count[e.Labels[h.Name]]++
			}
			if !h.KnowsWeights() || len(h.Counts) != len(h.Classes) {
				t.Fatalf("%s: head %s: counts %v for classes %v", weighting, h.Name, h.Counts, h.Classes)
			}
			for k, c := range h.Classes {
				if h.Counts[k] != count[c] {
					t.Errorf("%s: head %s: %d rows of %s recorded, the data has %d", weighting, h.Name, h.Counts[k], c, count[c])
				}
				if weighting == "balanced" {
					// scikit-learn's balanced weights: n / (classes * n_k)
					if w := float64(len(ex)) / float64(len(h.Classes)*count[c]); math.Abs(h.Weights[k]-w) > 1e-12 {
						t.Errorf("head %s: weight of %s %v, want %v", h.Name, c, h.Weights[k], w)
					}
				}
			}
			if weighting == "none" && h.Weights != nil {
				t.Errorf("head %s trained without class weights records %v", h.Name, h.Weights)
			}
		}
	}

	h := Head{Classes: []string{"a", "b", "c"}, Counts: []int{1, 2, 3}, Weights: []float64{2, 1, 0.5}}
	got := h.Unweighted(nil, []float64{0.4, 0.4, 0.2})
	// 0.4/2, 0.4/1, 0.2/0.5 = 0.2, 0.4, 0.4, normalised
	if want := []float64{0.2, 0.4, 0.4}; !floatsNear(got, want, 1e-15) {
		t.Errorf("Unweighted = %v, want %v", got, want)
	}
	h.Weights = nil
	if got := h.Unweighted(make([]float64, 3), []float64{0.5, 0.3, 0.2}); !slices.Equal(got, []float64{0.5, 0.3, 0.2}) {
		t.Errorf("without weights, Unweighted = %v, want its input", got)
	}
}

func floatsNear(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}
