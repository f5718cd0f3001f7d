package evaluation

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/timestamp"
)

// TestTrend tallies hand-made scores by article and week: comments added out of time order come
// out in time order; a Sunday night in UTC+3 that is still Sunday in UTC stays in its week, and a
// Monday 01:00 in UTC+3 (Sunday 22:00 UTC) falls in the week before; the groups' and the
// overall tallies are those of a plain Summary.
func TestTrend(t *testing.T) {
	m := &classifier.Model{Heads: []classifier.Head{{Name: "stance", Classes: []string{"AGAINST", "FAVOR", "NONE"}}}}
	at := func(s string) time.Time {
		v, err := timestamp.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tr := NewTrend(m, ByArticle, timestamp.Week)
	plain := NewSummary(m, ByArticle)
	for _, r := range []struct {
		key, at string
		best    int
		probs   []float64
	}{
		{"a", "2026-11-10T09:00:00Z", 0, []float64{0.7, 0.2, 0.1}},      // week of 2026-11-09
		{"a", "2026-11-02T08:00:00Z", 1, []float64{0.1, 0.8, 0.1}},      // week of 2026-11-02 (a Monday)
		{"b", "2026-11-08T23:30:00+03:00", 2, []float64{0.2, 0.2, 0.6}}, // Sunday 20:30 UTC: week of 11-02
		{"a", "2026-11-09T01:00:00+03:00", 1, []float64{0.3, 0.6, 0.1}}, // Sunday 22:00 UTC: week of 11-02
		{"a", "2026-11-15T23:59:59Z", 0, []float64{0.5, 0.3, 0.2}},      // Sunday: week of 11-09
	} {
		sc := &classifier.Scores{Best: []int{r.best}, Probs: [][]float64{r.probs}}
		tr.Add(r.key, at(r.at), sc)
		plain.Add(r.key, sc)
	}
	if !slices.Equal(tr.Keys, []string{"a", "b"}) || tr.All.N != 5 || tr.Groups["a"].N != 4 {
		t.Fatalf("keys %q, %d comments, %d in a", tr.Keys, tr.All.N, tr.Groups["a"].N)
	}
	for _, k := range plain.Keys {
		if !slices.Equal(tr.Groups[k].Probs[0], plain.Groups[k].Probs[0]) {
			t.Errorf("group %s: %v, a plain summary's %v", k, tr.Groups[k].Probs[0], plain.Groups[k].Probs[0])
		}
	}
	type row struct {
		label  string
		n      int
		favor  float64
		counts []int
	}
	var got []row
	for _, p := range tr.Series("a") {
		got = append(got, row{tr.Label(p), p.N, p.Share(0, 1), p.Count[0]})
	}
	want := []row{
		{"2026-11-02", 2, 0.7, []int{0, 2, 0}}, // (0.8 + 0.6) / 2
		{"2026-11-09", 2, 0.25, []int{2, 0, 0}},
	}
	if len(got) != len(want) {
		t.Fatalf("series of a %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].label != want[i].label || got[i].n != want[i].n || math.Abs(got[i].favor-want[i].favor) > 1e-12 || !slices.Equal(got[i].counts, want[i].counts) {
			t.Errorf("period %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if s := tr.Series("b"); len(s) != 1 || tr.Label(s[0]) != "2026-11-02" || s[0].N != 1 {
		t.Errorf("series of b %+v, want one comment in the week of 2026-11-02", s)
	}
	if s := tr.Series("nothing"); len(s) != 0 {
		t.Errorf("series of an unknown group %+v", s)
	}

	months := NewTrend(m, ByArticle, timestamp.Month)
	for _, at2 := range []string{"2026-12-31T23:30:00Z", "2027-01-01T01:00:00+03:00", "2027-01-01T00:00:00Z"} {
		months.Add("a", at(at2), &classifier.Scores{Best: []int{0}, Probs: [][]float64{{1, 0, 0}}})
	}
	var labels []string
	var ns []int
	for _, p := range months.Series("a") {
		labels, ns = append(labels, months.Label(p)), append(ns, p.N)
	}
	if !slices.Equal(labels, []string{"2026-12", "2027-01"}) || !slices.Equal(ns, []int{2, 1}) {
		t.Errorf("months %q with %v comments, want 2026-12 (2), 2027-01 (1)", labels, ns)
	}
}
