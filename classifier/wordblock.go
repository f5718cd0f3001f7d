package classifier

import (
	"slices"

	"github.com/commentstance/stance/features"
)

// wordBlock marks the features that only word n-grams hash to, in the training examples: their
// own index and its copy conjoined with the example's article. HeadConfig.WordWeight scales the
// penalty of those features. An index that a character n-gram also hashes to is left out: its
// one weight serves both blocks, so it keeps the character block's penalty.
type wordBlock struct {
	word []bool // by feature index: a word n-gram hashes there and no character n-gram does
}

// wordBlockFor is the word block of examples under the fitted extractor ex if any of weights
// (the word weights training will use) is not 1, and nil otherwise: no penalty needs it then.
func wordBlockFor(ex *features.Extractor, examples []Example, weights []float64) (*wordBlock, error) {
	if !slices.ContainsFunc(weights, func(w float64) bool { return w != 1 }) {
		return nil, nil
	}
	return newWordBlock(ex, examples)
}

// newWordBlock marks the word-only features of examples under the fitted extractor ex.
func newWordBlock(ex *features.Extractor, examples []Example) (*wordBlock, error) {
	const word, char = 1, 2
	seen := make([]uint8, ex.Dim())
	w, err := ex.NewWorker()
	if err != nil {
		return nil, err
	}
	mark := func(idx []uint32, bit uint8, key uint64, conj bool) {
		for _, f := range idx {
			seen[f] |= bit
			if conj {
				seen[w.Conjoined(key, f)] |= bit
			}
		}
	}
	for _, e := range examples {
		key, conj := w.ArticleKey(e.Article)
		words, chars := w.Grams(e.Text)
		mark(words, word, key, conj)
		mark(chars, char, key, conj)
	}
	wb := &wordBlock{word: make([]bool, len(seen))}
	for f, s := range seen {
		wb.word[f] = s == word
	}
	return wb, nil
}

// penalty is the models.TrainConfig.Penalty of a head with word weight ww: 1/ww^2 for the
// word-only features, 1 for the rest. It is nil, every penalty 1, when ww is 1.
func (wb *wordBlock) penalty(ww float64) func(uint32) float64 {
	if ww == 1 {
		return nil
	}
	p := 1 / (ww * ww)
	return func(f uint32) float64 {
		if wb.word[f] { // f < Dim: models.Train checks every index
			return p
		}
		return 1
	}
}

// headPenalty is the models.TrainConfig.Penalty of a head with settings s: 1/WordWeight^2 on
// the word-only features (wb), 1/ConjoinWeight^2 on the conjoined copies, their product where
// both apply, and nil when every penalty is 1.
func headPenalty(ex *features.Extractor, wb *wordBlock, s HeadSettings) func(uint32) float64 {
	word := wb.penalty(s.WordWeight)
	cw := s.ConjoinWeight
	if !s.Conjoin || cw == 0 || cw == 1 {
		return word
	}
	lo, hi := ex.ConjoinRange()
	pc := 1 / (cw * cw)
	return func(f uint32) float64 {
		p := 1.0
		if word != nil {
			p = word(f)
		}
		if f >= lo && f < hi {
			p *= pc
		}
		return p
	}
}
