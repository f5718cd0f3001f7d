package classifier

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/commentstance/stance/sparse"
)

func TestRankSetRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 63, 64, 65, 1000} {
		for _, density := range []float64{0, 0.1, 0.5, 1} {
			member := make([]bool, n)
			for i := range member {
				member[i] = rng.Float64() < density
			}
			s, count := newRankSet(n, func(i int) bool { return member[i] })
			rank := 0
			for i, in := range member {
				want := 0
				if in {
					rank++
					want = rank
				}
				if got := s.row(uint32(i)); got != want {
					t.Fatalf("n=%d density=%g: row(%d) = %d, want %d", n, density, i, got, want)
				}
			}
			if count != rank {
				t.Fatalf("n=%d density=%g: %d members counted, want %d", n, density, count, rank)
			}
		}
	}
}

// labelled adds two heads to the sample's examples, so that Score is checked with two, three
// and four classes: "long" (yes/no) and "size" (four classes by the comment's length).
func labelled(ex []Example) []Example {
	out := make([]Example, len(ex))
	for i, e := range ex {
		labels := map[string]string{"long": "no", "size": "xs"}
		for k, v := range e.Labels {
			labels[k] = v
		}
		n := len([]rune(e.Text))
		if n > 60 {
			labels["long"] = "yes"
		}
		labels["size"] = []string{"xs", "s", "m", "l"}[min(n/30, 3)]
		out[i] = Example{Text: e.Text, Article: e.Article, Labels: labels}
	}
	return out
}

// Score builds no vector: it sums each n-gram's weights from the model's table. Its
// probabilities must be those of every head's model on the vector Extract gives, whatever the
// features, the heads' classes, and whether each head uses the conjoined copies; also for an
// article the model never saw, and for none.
func TestScoreIsTheModelOnExtract(t *testing.T) {
	ex := labelled(sample(t))
	on, off := true, false
	cases := []struct {
		name string
		edit func(*Config)
	}{
		{"defaults", func(*Config) {}},
		{"conjoin weight 2.5, plain heads", func(c *Config) {
			c.Features.ConjoinWeight = 2.5
			c.Heads = map[string]HeadConfig{"sentiment": {Conjoin: &off}, "long": {Conjoin: &off}, "size": {Conjoin: &on}}
		}},
		{"no conjoined copies", func(c *Config) { c.Features.Conjoin = false }},
		{"no article words or relation", func(c *Config) { c.Features.ArticleWords, c.Features.Relation = false, false }},
		{"words only", func(c *Config) { c.Features.CharMin, c.Features.CharMax = 0, 0 }},
		{"characters only, min_df 1", func(c *Config) { c.Features.WordMin, c.Features.WordMax, c.Features.MinDF = 0, 0, 1 }},
	}
	texts := []struct{ text, article string }{
		{"نعم خطوة ممتازة والله 👍", "مقال لم يره النموذج من قبل عن الحدود"},
		{"Totally agree, about time!!", ""},
		{"", ex[0].Article},
		{strings.Repeat("again and again ", 40), ex[len(ex)-1].Article},
	}
	for _, e := range ex {
		texts = append(texts, struct{ text, article string }{e.Text, e.Article})
	}
	// Four heads make rows of width 16; stance and sentiment, of 3 classes each, rows of width 8
	// (Scorer.dot8).
	heads := [][]string{{"stance", "sentiment", "long", "size"}, {"stance", "sentiment"}}
	for _, c := range cases {
		for _, hs := range heads {
			t.Run(c.name+", "+strings.Join(hs, " "), func(t *testing.T) {
				cfg := smallConfig()
				c.edit(&cfg)
				m, err := Train(ex, hs, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if want := map[int]int{4: 16, 2: 8}[len(hs)]; m.scoringTable().width != want {
					t.Fatalf("rows of width %d, want %d", m.scoringTable().width, want)
				}
				s, err := m.NewScorer()
				if err != nil {
					t.Fatal(err)
				}
				w, _ := m.Extractor.NewWorker()
				var v sparse.Vector
				var got Scores
				// Each text twice: counted with marks, and then in the map that blocks of more
				// entries than a mark can name use.
				for j := range 2 * len(texts) {
					x := texts[j%len(texts)]
					s.grams.limit = 0
					if j >= len(texts) {
						s.grams.limit = 2
					}
					s.Score(&got, x.text, x.article)
					w.Extract(&v, x.text, x.article)
					for i, h := range m.Heads {
						want := h.Model.Probs(nil, v)
						for k := range want {
							if math.Abs(got.Probs[i][k]-want[k]) > 1e-6 {
								t.Fatalf("%s: %q: Score gives %v, the model on Extract's vector %v", h.Name, x.text, got.Probs[i], want)
							}
						}
						if got.Best[i] != argmax(want) && math.Abs(want[got.Best[i]]-want[argmax(want)]) > 1e-6 {
							t.Fatalf("%s: %q: best class %d, want %d", h.Name, x.text, got.Best[i], argmax(want))
						}
					}
				}
			})
		}
	}
}

// TestMarksOutliveTheirGeneration scores comments across the wrap of the marks' generation
// counter, after which no earlier mark may count as current.
func TestMarksOutliveTheirGeneration(t *testing.T) {
	ex := labelled(sample(t))
	m := train(t, ex, smallConfig())
	fresh, err := m.NewScorer()
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.NewScorer()
	if err != nil {
		t.Fatal(err)
	}
	var got, want Scores
	for i := range 80 {
		if i == 40 { // marks of generations 1 to 80 are left in place
			s.grams.gen = 1<<16 - 8
		}
		e := ex[i%len(ex)]
		fresh.Score(&want, e.Text, e.Article)
		s.Score(&got, e.Text, e.Article)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("comment %d, at generation %d: %v, want %v", i, s.grams.gen, got.Probs, want.Probs)
		}
	}
	if s.grams.gen > 100 {
		t.Fatalf("generation %d: the counter did not wrap", s.grams.gen)
	}
}

// BenchmarkScore scores the sample's comments with a model of the default size (2^20 hashed
// features), beside the floor that any scoring pays: normalising, tokenizing and hashing the
// same comments (features.Worker.Hash). The ratio of the two is the speed issue's floor ratio
// without reading and writing.
func BenchmarkScore(b *testing.B) {
	ex := sample(b)
	m := train(b, ex, DefaultConfig())
	b.Run("floor", func(b *testing.B) {
		w, _ := m.Extractor.NewWorker()
		b.ReportAllocs()
		for b.Loop() {
			for _, e := range ex {
				w.Hash(e.Text)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ex)), "ns/comment")
	})
	b.Run("score", func(b *testing.B) {
		s, _ := m.NewScorer()
		var sc Scores
		b.ReportAllocs()
		for b.Loop() {
			for _, e := range ex {
				s.Score(&sc, e.Text, e.Article)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ex)), "ns/comment")
	})
}

// An article met in fuseAfter comments is scored from rows of its own with the conjoined copies'
// weights added in. The scores must be those of the ordinary path to the bit: which worker's
// Scorer has fused which article depends on the input's order, and the output may not.
func TestFusedRowsScoreToTheBit(t *testing.T) {
	ex := sample(t)
	on := true
	for _, heads := range []map[string]HeadConfig{nil, {"sentiment": {Conjoin: &on}, "stance": {Conjoin: new(bool)}}} {
		cfg := smallConfig()
		cfg.Features.ConjoinWeight = 1.7
		cfg.Heads = heads
		m := train(t, ex, cfg)
		article := ex[0].Article
		s, _ := m.NewScorer()
		var got, want Scores
		for i := range 3 * fuseAfter {
			e := ex[i%len(ex)]
			s.Score(&got, e.Text, article)
			fresh, _ := m.NewScorer()
			fresh.Score(&want, e.Text, article)
			for h := range got.Probs {
				for k := range got.Probs[h] {
					if math.Float64bits(got.Probs[h][k]) != math.Float64bits(want.Probs[h][k]) {
						t.Fatalf("comment %d %q, head %d: %v after %d comments on the article, %v on the first", i, e.Text, h, got.Probs[h], i, want.Probs[h])
					}
				}
			}
		}
		if s.articles[article].fused == nil {
			t.Fatalf("no fused rows after %d comments on one article: the test proves nothing", 3*fuseAfter)
		}
	}
}

// The scorers of one model share the fused rows of an article, and neither the model nor a
// scorer keeps those of more than maxFused articles, however many it meets.
func TestFusedRowsAreSharedAndBounded(t *testing.T) {
	ex := sample(t)
	m := train(t, ex, smallConfig())
	s1, _ := m.NewScorer()
	s2, _ := m.NewScorer()
	fresh, _ := m.NewScorer()
	var got, want Scores
	var articles []string
	for a := range maxFused + 3 {
		article := fmt.Sprintf("article %d: %s", a, ex[a].Article)
		articles = append(articles, article)
		for i := range fuseAfter {
			e := ex[(a+i)%len(ex)]
			s1.Score(&got, e.Text, article)
			s2.Score(&got, e.Text, article)
		}
		f1, f2 := s1.articles[article].fused, s2.articles[article].fused
		if f1 == nil || len(f1) == 0 || &f1[0] != &f2[0] {
			t.Fatalf("article %d: the scorers' fused rows are not one table", a)
		}
		if len(m.fused) > maxFused {
			t.Fatalf("article %d: the model keeps %d fused tables, want at most %d", a, len(m.fused), maxFused)
		}
		for _, s := range []*Scorer{s1, s2} {
			n := 0
			for _, st := range s.articles {
				if st.fused != nil {
					n++
				}
			}
			if n > maxFused || n != len(s.fused) {
				t.Fatalf("article %d: a scorer holds %d fused tables (%d listed), want at most %d", a, n, len(s.fused), maxFused)
			}
		}
	}
	if s1.articles[articles[0]].fused != nil {
		t.Fatalf("the first article keeps its fused rows after %d more", maxFused+2)
	}
	for _, article := range articles { // fused or not any more, the same bits
		for _, e := range ex[:20] {
			s1.Score(&got, e.Text, article)
			fresh.Score(&want, e.Text, article)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q on %.20q: %v, a fresh scorer %v", e.Text, article, got.Probs, want.Probs)
			}
		}
	}
}

// A model readied for scoring alone (ScoreOnly, or LoadScoreOnly from its file) scores every
// comment to the same bits as before, without its heads' weight matrices; what needs those says so.
func TestScoreOnly(t *testing.T) {
	ex := labelled(sample(t))
	m, err := Train(ex, []string{"stance", "sentiment", "long", "size"}, smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	s, _ := m.NewScorer()
	want := make([]Scores, len(ex))
	for i, e := range ex {
		s.Score(&want[i], e.Text, e.Article)
		want[i] = Scores{Probs: cloneProbs(want[i].Probs), Best: slices.Clone(want[i].Best)}
	}
	path := filepath.Join(t.TempDir(), "m.stance")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadScoreOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	m.ScoreOnly()
	for name, m := range map[string]*Model{"ScoreOnly": m, "LoadScoreOnly": loaded} {
		for _, h := range m.Heads {
			if h.Model.W != nil {
				t.Fatalf("%s: head %s keeps its weights", name, h.Name)
			}
		}
		s, _ = m.NewScorer()
		var got Scores
		for i, e := range ex {
			s.Score(&got, e.Text, e.Article)
			for h := range got.Probs {
				for k := range got.Probs[h] {
					if math.Float64bits(got.Probs[h][k]) != math.Float64bits(want[i].Probs[h][k]) {
						t.Fatalf("%s: %q, head %d: %v score-only, %v before", name, e.Text, h, got.Probs[h], want[i].Probs[h])
					}
				}
			}
		}
		if _, err := m.Explain(ex[0].Text, ex[0].Article, 3); !errors.Is(err, ErrScoreOnly) {
			t.Fatalf("%s: Explain: %v, want ErrScoreOnly", name, err)
		}
		if _, err := m.WriteTo(io.Discard); !errors.Is(err, ErrScoreOnly) {
			t.Fatalf("%s: WriteTo: %v, want ErrScoreOnly", name, err)
		}
		if f := m.TopFeatures(3); f != nil {
			t.Fatalf("%s: TopFeatures lists %d classes' features without weights", name, len(f))
		}
	}
}
