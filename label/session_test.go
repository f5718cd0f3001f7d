package label

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/commentstance/stance/data"
)

// sample reads the project's sample comments and their articles, with their gold labels.
func sample(t *testing.T) []data.Comment {
	t.Helper()
	cs, _, err := data.ReadAll("../data/sample/comments.csv", data.Schema{
		Articles: &data.ArticleSource{Path: "../data/sample/articles.csv", Key: "article_id", Text: "article"}})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

var sampleOptions = Options{Heads: []string{"stance", "sentiment"},
	Classes:   map[string][]string{"stance": {"AGAINST", "FAVOR", "NONE"}, "sentiment": {"NEGATIVE", "NEUTRAL", "POSITIVE"}},
	Annotator: "test", RetrainEvery: 10, Metrics: map[string]string{"stance": "f_avg(FAVOR,AGAINST)"}}

func open(t *testing.T, path string, pool []data.Comment) *Session {
	t.Helper()
	j, rows, _, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	s, err := NewSession(pool, j, rows, sampleOptions)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// A user answers the comments shown with their gold labels: the cold start goes through the
// articles in turn, a model is trained in the background once every class has labels, and a
// restart on the same labels file resumes with every answer, the half-answered comment first.
func TestSessionLoop(t *testing.T) {
	pool := sample(t)
	gold := map[string]map[string]string{}
	for _, c := range pool {
		gold[c.ID] = c.Labels
	}
	path := filepath.Join(t.TempDir(), "labels.csv")
	s := open(t, path, pool)
	var articles []string
	for n := 0; n < 40; n++ {
		it, ok := s.Current()
		if !ok {
			t.Fatal("pool done after", n)
		}
		if n < 8 {
			articles = append(articles, it.ArticleID)
		}
		for _, h := range sampleOptions.Heads {
			if err := s.Answer(it.ID, h, gold[it.ID][h], ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	if slices.Sort(articles); len(slices.Compact(articles)) != 8 {
		t.Errorf("the first 8 comments come from %v: want each of the 8 articles once", articles)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for s.Status().Trained == nil || s.Status().Training {
		if time.Now().After(deadline) {
			t.Fatalf("no training finished: %+v", s.Status())
		}
		time.Sleep(50 * time.Millisecond)
	}
	st := s.Status()
	if st.Cold || st.Labelled != 40 || st.Trained.Labels < 20 || len(st.Curve) == 0 {
		t.Errorf("after 40 comments: %+v", st)
	}
	// Half an answer, then a restart.
	it, _ := s.Current()
	if err := s.Answer(it.ID, "stance", gold[it.ID]["stance"], "half"); err != nil {
		t.Fatal(err)
	}
	if err := s.Answer("no-such-id", "stance", "FAVOR", ""); err == nil {
		t.Error("an unknown comment id was accepted")
	}
	if err := s.Answer(it.ID, "stance", "MAYBE", ""); err == nil {
		t.Error("an unknown class was accepted")
	}
	before := s.Status().Counts
	s.Close()
	r := open(t, path, pool)
	if got, _ := r.Current(); got.ID != it.ID {
		t.Errorf("after the restart %s is shown, want the half-answered %s", got.ID, it.ID)
	}
	if got := r.Status(); got.Labelled != 41 || !equalCounts(got.Counts, before) {
		t.Errorf("after the restart: %d labelled, counts %v; want 41 and %v", got.Labelled, got.Counts, before)
	}
	// Undo withdraws the stance answer; the comment stays on show with no stance.
	if id, head, ok, err := r.Undo(); err != nil || !ok || id != it.ID || head != "stance" {
		t.Fatalf("Undo = %s %s %v %v", id, head, ok, err)
	}
	if r.Label(it.ID, "stance") != "" {
		t.Error("the undone answer is still there")
	}
	// Seed queries: every comment that follows holds the query until none is left.
	n := r.Keywords([]string{"Charge"})
	if n == 0 {
		t.Fatal("no comment mentions a charge")
	}
	if err := r.Skip(it.ID, ""); err != nil {
		t.Fatal(err)
	}
	for k := 0; k < min(n, 5); k++ {
		c, _ := r.Current()
		if !slices.Contains(NewShingles(c.Text), NewShingles("charge")[0]) {
			t.Errorf("comment %d after the query: %q does not mention a charge", k, c.Text)
		}
		r.Skip(c.ID, "")
	}
}

func equalCounts(a, b map[string]map[string]int) bool {
	for h := range a {
		for c := range a[h] {
			if a[h][c] != b[h][c] {
				return false
			}
		}
	}
	return len(a) == len(b)
}
