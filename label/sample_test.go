package label

import (
	"math"
	"slices"
	"testing"
)

func TestMargin(t *testing.T) {
	for _, tc := range []struct {
		p    []float64
		want float64
	}{{[]float64{0.5, 0.3, 0.2}, 0.2}, {[]float64{0.2, 0.3, 0.5}, 0.2}, {[]float64{0.4, 0.4, 0.2}, 0}, {[]float64{1}, 1}} {
		if got := Margin(tc.p); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Margin(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
}

func TestShingles(t *testing.T) {
	a, b := NewShingles("Great news for the city!"), NewShingles("great news for the city")
	if c := Cosine(a, b); c < 0.99 {
		t.Errorf("a copy differing in case and punctuation: cosine %.3f, want 1", c)
	}
	// Arabic normalisation: diacritics and alef forms do not make a comment new.
	if c := Cosine(NewShingles("أخيراً خطوة صحيحة"), NewShingles("اخيرا خطوة صحيحة")); c < 0.99 {
		t.Errorf("Arabic spelling variants: cosine %.3f, want 1", c)
	}
	if c := Cosine(a, NewShingles("terrible idea, council")); c != 0 {
		t.Errorf("unrelated comments: cosine %.3f, want 0", c)
	}
}

// SelectMargin takes the least sure first, but passes over near duplicates and an article past
// its share, and fills the batch in margin order when those leave it short.
func TestSelectMargin(t *testing.T) {
	sh := func(s string) Shingles { return NewShingles(s) }
	cands := []Candidate{
		{Index: 0, Article: "a", Margin: 0.10, Shingle: sh("the charge is a tax on the poor")},
		{Index: 1, Article: "a", Margin: 0.11, Shingle: sh("the charge is a tax on the poor!!")}, // duplicate of 0
		{Index: 2, Article: "a", Margin: 0.12, Shingle: sh("fewer cars would be nice")},
		{Index: 3, Article: "a", Margin: 0.13, Shingle: sh("who pays for the buses")},
		{Index: 4, Article: "b", Margin: 0.50, Shingle: sh("four days of work is plenty")},
		{Index: 5, Article: "b", Margin: 0.90, Shingle: sh("my boss would never")},
	}
	// Two articles, batch 4: an even share of 2, at most 2 per article with ArticleShare 1.
	if got := SelectMargin(cands, 4, nil, Diversity{ArticleShare: 1}); !slices.Equal(got, []int{0, 2, 4, 5}) {
		t.Errorf("batch of 4: %v, want [0 2 4 5]: 1 is a duplicate of 0, 3 past article a's share", got)
	}
	if got := SelectMargin(cands, 2, []Shingles{sh("fewer cars would be nice")}, Diversity{}); !slices.Equal(got, []int{0, 3}) {
		t.Errorf("with a recent comment: %v, want [0 3] (2 was just asked)", got)
	}
	if got := SelectMargin(cands, 6, nil, Diversity{}); !slices.Equal(got, []int{0, 2, 3, 4, 5, 1}) {
		t.Errorf("the whole pool: %v, want the passed-over last", got)
	}
	if got := SelectMargin(cands, 3, nil, Diversity{MaxSimilar: 1.01, ArticleShare: 10}); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("without the bounds: %v, want plain margin order", got)
	}
}

func TestRoundRobin(t *testing.T) {
	var cands []Candidate
	for i, a := range []string{"x", "x", "x", "y", "z", "z"} {
		cands = append(cands, Candidate{Index: i, Article: a})
	}
	got := RoundRobin(cands, 5, 1)
	art := func(i int) string { return cands[i].Article }
	if len(got) != 5 || art(got[0]) != "x" || art(got[1]) != "y" || art(got[2]) != "z" || art(got[3]) != "x" || art(got[4]) != "z" {
		t.Errorf("RoundRobin = %v: want articles x y z x z", got)
	}
	if !slices.Equal(got, RoundRobin(cands, 5, 1)) {
		t.Error("not deterministic for one seed")
	}
	if all := RoundRobin(cands, 10, 2); len(all) != 6 {
		t.Errorf("past the pool: %d, want 6", len(all))
	}
}

func TestOutlook(t *testing.T) {
	p := func(n int, v float64) Point {
		return Point{Labels: n, Official: map[string]float64{"stance": v, "sentiment": v}}
	}
	for _, tc := range []struct {
		curve []Point
		want  string
	}{
		{nil, "too few trainings to tell"},
		{[]Point{p(20, 0.4), p(60, 0.5)}, "too soon to tell: the trainings span 40 labels, under 100"},
		{[]Point{p(20, 0.40), p(100, 0.45), p(140, 0.50), p(220, 0.60)}, "still rising: +0.125 per 100 labels over the last 120"},
		{[]Point{p(100, 0.60), p(300, 0.605), p(320, 0.70)}, "still rising: +0.045 per 100 labels over the last 220"},
		{[]Point{p(1000, 0.70), p(1100, 0.703)}, "levelling off: +0.003 per 100 labels over the last 100"},
		{[]Point{p(1000, 0.70), p(1200, 0.69)}, "levelling off: -0.005 per 100 labels over the last 200"},
	} {
		if got := Outlook(tc.curve); got != tc.want {
			t.Errorf("Outlook(%v) = %q, want %q", tc.curve, got, tc.want)
		}
	}
}
