package features

// This file keeps the extraction path as it was before it was made faster (commit 651184d):
// prose's tokenizer, the original Normalize (normalize_ref_test.go), sparse.Vector.Canon and
// the buffers and loops of the original Worker, as refWorker. FuzzExtractMatchesReference and
// TestExtractMatchesReference hold Worker to it: both must give the same vectors, bit for bit,
// and the same names.

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/commentstance/stance/sparse"
	"github.com/jdkato/prose/v2"
)

func (e *Extractor) refWorker() *refWorker {
	return &refWorker{e: e, cache: map[string]*refArticleInfo{}}
}

func refHashString(seed uint64, s string) uint64 {
	h := seed ^ fnvOffset
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// refWorker extracts vectors with buffers of its own; use one per goroutine.
type refWorker struct {
	e       *Extractor
	norm    []byte
	toks    []string
	hash    []uint64
	raw     []uint32 // hashed indices of the comment's n-grams, in block order
	split   int      // raw[:split] are word n-grams, raw[split:] character n-grams
	block   sparse.Vector
	offs    []int
	pad     []byte
	artToks []string
	artHash []uint64
	cache   map[string]*refArticleInfo
	names   map[uint32]string // set only while Names runs
}

type refArticleInfo struct {
	key  uint64
	vec  sparse.Vector // article words in nsArticle, TF-IDF, L2-normalised
	all  []uint32      // every article word's index, sorted, unique
	lead []uint32      // the lead's word indices, sorted, unique
}

// Extract sets dst to the vector of text answering article (which may be empty).
func (w *refWorker) Extract(dst *sparse.Vector, text, article string) {
	dst.Reset()
	cfg := &w.e.cfg
	w.comment(text)
	var art *refArticleInfo
	if article != "" {
		art = w.article(article)
	}
	w.weighBlock(dst, w.raw[:w.split], 0)
	w.weighBlock(dst, w.raw[w.split:], 1)
	if art != nil && cfg.Conjoin {
		n := len(dst.Idx)
		cw := float32(cfg.ConjoinWeight)
		for i := 0; i < n; i++ {
			idx := 1<<cfg.Bits | uint32(mix64(combine(art.key, uint64(dst.Idx[i])))&w.e.mask)
			if w.names != nil {
				w.name(idx, w.names[dst.Idx[i]]+" @article")
			}
			dst.Add(idx, dst.Val[i]*cw)
		}
	}
	if art != nil && cfg.ArticleWords {
		for i, idx := range art.vec.Idx {
			dst.Add(idx, art.vec.Val[i])
		}
	}
	if art != nil && cfg.Relation {
		w.relation(dst, art)
	}
	dst.Canon()
}

// weighBlock appends the TF-IDF, L2-normalised vector of one block's raw indices to dst.
func (w *refWorker) weighBlock(dst *sparse.Vector, raw []uint32, _ int) {
	b := &w.block
	b.Reset()
	for _, idx := range raw {
		if w.e.idf[idx] != 0 {
			b.Add(idx, 1)
		}
	}
	b.Canon()
	var norm float64
	for i, idx := range b.Idx {
		v := (1 + float32(math.Log(float64(b.Val[i])))) * w.e.idf[idx]
		b.Val[i] = v
		norm += float64(v) * float64(v)
	}
	if norm == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(norm))
	for i, idx := range b.Idx {
		dst.Add(idx, b.Val[i]*inv)
	}
}

// comment normalises and tokenizes text and fills w.raw with its hashed n-grams.
func (w *refWorker) comment(text string) {
	cfg := &w.e.cfg
	w.norm = refNormalize(w.norm[:0], text)
	w.toks = refTokenize(w.toks[:0], string(w.norm))
	if max := cfg.TextTokens; max > 0 && len(w.toks) > max {
		w.toks = w.toks[:max]
	}
	w.hash = w.hash[:0]
	for _, t := range w.toks {
		w.hash = append(w.hash, refHashString(0, t))
	}
	w.raw = w.raw[:0]
	for n := cfg.WordMin; n >= 1 && n <= cfg.WordMax; n++ {
		seed := nsWord + uint64(n)
		for i := 0; i+n <= len(w.hash); i++ {
			h := seed
			for _, x := range w.hash[i : i+n] {
				h = combine(h, x)
			}
			idx := uint32(mix64(h) & w.e.mask)
			w.raw = append(w.raw, idx)
			if w.names != nil {
				w.name(idx, refJoinTokens(w.toks[i:i+n]))
			}
		}
	}
	w.split = len(w.raw)
	if cfg.CharMax == 0 {
		return
	}
	for _, t := range w.toks {
		w.pad = append(append(append(w.pad[:0], ' '), t...), ' ')
		w.offs = w.offs[:0]
		for i := range string(w.pad) {
			w.offs = append(w.offs, i)
		}
		w.offs = append(w.offs, len(w.pad))
		runes := len(w.offs) - 1
		for n := cfg.CharMin; n <= cfg.CharMax && n <= runes; n++ {
			for s := 0; s+n <= runes; s++ {
				gram := w.pad[w.offs[s]:w.offs[s+n]]
				idx := uint32(mix64(hashBytes(nsChar, gram)) & w.e.mask)
				w.raw = append(w.raw, idx)
				if w.names != nil {
					w.name(idx, "'"+string(gram)+"'")
				}
			}
		}
	}
}

func refJoinTokens(toks []string) string {
	n := 0
	for _, t := range toks {
		n += len(t) + 1
	}
	b := make([]byte, 0, n)
	for i, t := range toks {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, t...)
	}
	return string(b)
}

// articleTokens normalises and tokenizes an article into w.artToks and w.artHash.
func (w *refWorker) articleTokens(article string) {
	w.norm = refNormalize(w.norm[:0], article)
	w.artToks = refTokenize(w.artToks[:0], string(w.norm))
	if max := w.e.cfg.ArticleTokens; max > 0 && len(w.artToks) > max {
		w.artToks = w.artToks[:max]
	}
	w.artHash = w.artHash[:0]
	for _, t := range w.artToks {
		w.artHash = append(w.artHash, refHashString(0, t))
	}
}

// article returns what Extract needs of an article, from the worker's cache when it can.
func (w *refWorker) article(article string) *refArticleInfo {
	if a, ok := w.cache[article]; ok && w.names == nil {
		return a
	}
	w.articleTokens(article)
	a := &refArticleInfo{key: refHashString(nsConjoin, string(w.norm))}
	b := &a.vec
	for i, h := range w.artHash {
		idx := uint32(mix64(combine(nsArticle, h)) & w.e.mask)
		a.all = append(a.all, idx)
		if i < w.e.cfg.LeadTokens {
			a.lead = append(a.lead, idx)
		}
		if w.e.idf[idx] != 0 {
			b.Add(idx, 1)
			if w.names != nil {
				w.name(idx, "article:"+w.artToks[i])
			}
		}
	}
	slices.Sort(a.all)
	a.all = slices.Compact(a.all)
	slices.Sort(a.lead)
	a.lead = slices.Compact(a.lead)
	b.Canon()
	var norm float64
	for i, idx := range b.Idx {
		v := (1 + float32(math.Log(float64(b.Val[i])))) * w.e.idf[idx]
		b.Val[i] = v
		norm += float64(v) * float64(v)
	}
	if norm > 0 {
		inv := float32(1 / math.Sqrt(norm))
		for i := range b.Val {
			b.Val[i] *= inv
		}
	}
	if len(w.cache) >= articleCacheSize {
		clear(w.cache)
	}
	w.cache[article] = a
	return a
}

// relation appends the comment–article relation features. The comment's words are hashed into
// the article's namespace so that the two sides share one TF-IDF space.
func (w *refWorker) relation(dst *sparse.Vector, a *refArticleInfo) {
	b := &w.block
	b.Reset()
	for _, h := range w.hash {
		b.Add(uint32(mix64(combine(nsArticle, h))&w.e.mask), 1)
	}
	b.Canon()
	var dot, norm, shared, rare, rareShared, lead float64
	j := 0
	for i, idx := range b.Idx {
		idf := float64(w.e.idf[idx])
		if idf == 0 {
			idf = math.Log(float64(1+w.e.docs)) + 1 // a word too rare to keep is as rare as can be
		}
		v := (1 + math.Log(float64(b.Val[i]))) * float64(w.e.idf[idx])
		norm += v * v
		for j < len(a.vec.Idx) && a.vec.Idx[j] < idx {
			j++
		}
		if j < len(a.vec.Idx) && a.vec.Idx[j] == idx {
			dot += v * float64(a.vec.Val[j])
		}
		rare += idf
		if _, ok := slices.BinarySearch(a.all, idx); ok {
			shared++
			rareShared += idf
		}
		if _, ok := slices.BinarySearch(a.lead, idx); ok {
			lead++
		}
	}
	n := float64(len(b.Idx))
	if n == 0 {
		return
	}
	cos := 0.0
	if norm > 0 {
		cos = dot / math.Sqrt(norm)
	}
	base := w.e.relationBase()
	overlap := shared / n
	dst.Add(base+relCosine, float32(cos))
	dst.Add(base+relOverlap, float32(overlap))
	dst.Add(base+relRareOverlap, float32(rareShared/rare))
	dst.Add(base+relLeadOverlap, float32(lead/n))
	dst.Add(base+uint32(relCosineBin+bin(cos, cosineBins)), 1)
	dst.Add(base+uint32(relOverlapBin+bin(overlap, overlapBins)), 1)
}

func (w *refWorker) Names(dst *sparse.Vector, text, article string) map[uint32]string {
	w.names = map[uint32]string{}
	defer func() { w.names = nil }()
	w.Extract(dst, text, article)
	base := w.e.relationBase()
	for _, idx := range dst.Idx {
		if idx >= base {
			w.names[idx] = RelationName(int(idx - base))
		}
	}
	return w.names
}

func (w *refWorker) name(idx uint32, name string) {
	if _, ok := w.names[idx]; !ok {
		w.names[idx] = name
	}
}

// tokenize appends the tokens of normalised text to dst. It uses prose v2's tokenizer with
// tagging, entity extraction and sentence segmentation off: with them on, prose decodes its
// perceptron model on every call (see ../shared/STYLE.md), and only the tokens are needed here.
//
// After prose: numbers become <num>, and tokens made only of punctuation are dropped except ?
// and !, which mark questions and exclamations (cues of querying and of denial in RumourEval).
func refTokenize(dst []string, normalized string) []string {
	if normalized == "" {
		return dst
	}
	doc, err := prose.NewDocument(normalized,
		prose.WithTagging(false), prose.WithExtraction(false), prose.WithSegmentation(false))
	if err != nil { // prose reports no error when tagging and extraction are off
		return append(dst, strings.Fields(normalized)...)
	}
	for _, t := range doc.Tokens() {
		dst = refAppendToken(dst, t.Text)
	}
	return dst
}

func refAppendToken(dst []string, tok string) []string {
	switch {
	case tok == "?" || tok == "!":
		return append(dst, tok)
	case refIsNumber(tok):
		return append(dst, TokenNumber)
	case refOnlyPunct(tok):
		return dst
	}
	return append(dst, tok)
}

// isNumber reports whether tok is digits with optional separators (1,000 3.5 %50).
func refIsNumber(tok string) bool {
	digits := 0
	for _, r := range tok {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.' || r == ',' || r == '%' || r == '+' || r == '-' || r == '/' || r == ':':
		default:
			return false
		}
	}
	return digits > 0
}

func refOnlyPunct(tok string) bool {
	for len(tok) > 0 {
		r, size := utf8.DecodeRuneInString(tok)
		if !unicode.IsPunct(r) && !(unicode.IsSymbol(r) && r < 0x2000) {
			return false
		}
		tok = tok[size:]
	}
	return true
}
