package classifier

import (
	"math"
	"slices"
	"testing"
)

// TestWordWeight checks HeadConfig.WordWeight on the sample: a weight of 1 is the default to the
// bit; a small one shrinks the head's weights on features only word n-grams hash to (their
// penalty is 1/w^2) and leaves those of character n-grams in use, and other heads untouched.
func TestWordWeight(t *testing.T) {
	ex := sample(t)
	cfg := smallConfig()
	base := train(t, ex, cfg)

	cfg.Heads = map[string]HeadConfig{"stance": {WordWeight: 1}}
	one := train(t, ex, cfg)
	for i := range base.Heads {
		if !slices.Equal(one.Heads[i].Model.W, base.Heads[i].Model.W) {
			t.Fatalf("head %s: word_weight 1 changed the weights", base.Heads[i].Name)
		}
	}

	cfg.Heads = map[string]HeadConfig{"stance": {WordWeight: 0.05}}
	low := train(t, ex, cfg)
	wb, err := newWordBlock(base.Extractor, ex)
	if err != nil {
		t.Fatal(err)
	}
	// Sums of |w| over the word-only and the other features, per model's stance head.
	sums := func(m *Model) (word, other float64) {
		h := m.Heads[slices.IndexFunc(m.Heads, func(h Head) bool { return h.Name == "stance" })]
		k := len(h.Classes)
		for i, w := range h.Model.W {
			if wb.word[i/k] {
				word += math.Abs(float64(w))
			} else {
				other += math.Abs(float64(w))
			}
		}
		return word, other
	}
	bw, bo := sums(base)
	lw, lo := sums(low)
	if bw == 0 || bo == 0 {
		t.Fatalf("the default stance head has word-only weights %v and others %v: the test proves nothing", bw, bo)
	}
	// A penalty 400 times as strong shrinks them far below the default's; the character
	// n-grams take over, so their weights stay and grow.
	if lw > bw/20 {
		t.Errorf("word_weight 0.05: word-only weights sum to %v, default %v; want under a twentieth", lw, bw)
	}
	if lo < bo {
		t.Errorf("word_weight 0.05: the other weights sum to %v, default %v; want no less", lo, bo)
	}
	i := slices.IndexFunc(low.Heads, func(h Head) bool { return h.Name == "sentiment" })
	if !slices.Equal(low.Heads[i].Model.W, base.Heads[i].Model.W) {
		t.Error("the stance head's word_weight changed the sentiment head")
	}
	marked := 0
	for _, w := range wb.word {
		if w {
			marked++
		}
	}
	if marked == 0 {
		t.Fatal("no feature is marked word-only")
	}

	cfg.Heads = map[string]HeadConfig{"stance": {WordWeight: -1}}
	if _, err := Train(ex, []string{"stance"}, cfg); err == nil {
		t.Error("a negative word_weight was accepted")
	}
}
