// Package features turns a comment, together with the article it answers, into a sparse vector.
//
// Data enters as two strings (comment text and article text, the article possibly empty or a
// short target topic) and leaves as a sparse.Vector over Dim() indices:
//
//   - word n-grams and character n-grams (inside word boundaries) of the comment, hashed,
//     weighted by sublinear TF times IDF and L2-normalised per block, as scikit-learn's
//     TfidfVectorizer(sublinear_tf=True) over word and char_wb analyzers;
//   - optionally a copy of each of those features conjoined with the article, so that the same
//     words can weigh differently toward different targets (Daumé III 2007, "Frustratingly Easy
//     Domain Adaptation": shared plus target-specific copies);
//   - optionally the article's own words (word 1-grams, TF-IDF, L2-normalised);
//   - optionally features of the comment–article relation: TF-IDF cosine, token overlap, overlap
//     weighted by IDF (shared rare words) and overlap with the article's lead, each raw and binned
//     (the hand features of the FNC-1 baseline, Pomerleau and Rao 2017, in linear form).
//
// An Extractor is configured by Config, learns IDF with Fit, and is read-only afterwards; each
// goroutine extracts through a Worker of its own, which holds the reusable buffers.
package features

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/commentstance/stance/sparse"
)

// Config says which features to extract. The zero value is not usable (0 turns n-grams off and
// reads all tokens); start from DefaultConfig. The JSON names are those of the model file.
type Config struct {
	// Bits sets the hashed space to 2^Bits indices (default 20; 16 to 26).
	Bits int `json:"bits"`
	// WordMin and WordMax bound the word n-gram orders (default 1 to 3; 0 and 0 turn words off).
	WordMin int `json:"word_min"`
	WordMax int `json:"word_max"`
	// CharMin and CharMax bound the character n-gram orders, counted in characters of a word
	// padded with a space at each end (default 2 to 5; 0 and 0 turn them off).
	CharMin int `json:"char_min"`
	CharMax int `json:"char_max"`
	// MinDF drops features seen in fewer training documents (default 2, as the peers' min_df).
	MinDF int `json:"min_df"`
	// Conjoin adds article-specific copies of the comment's features (default true).
	Conjoin bool `json:"conjoin"`
	// ConjoinWeight scales the conjoined copies (default 1). Above 1, a target-specific weight
	// costs less L2 penalty than a shared one, moving the model toward one model per target.
	ConjoinWeight float64 `json:"conjoin_weight"`
	// ArticleWords adds the article's word 1-grams as features (default true).
	ArticleWords bool `json:"article_words"`
	// Relation adds the comment–article relation features (default true).
	Relation bool `json:"relation"`
	// ArticleTokens caps how many of an article's tokens are read (default 1000; 0 = all).
	ArticleTokens int `json:"article_tokens"`
	// TextTokens caps how many of a comment's tokens are read (default 300; 0 = all). Reader
	// comments and replies are far shorter; a longer "comment" is itself a document (Baly et al.
	// 2018 classify whole news articles), whose opening carries its stance, and reading all of it
	// multiplies training time (fastText's peer reads the first 200 tokens of those).
	TextTokens int `json:"text_tokens"`
	// LeadTokens is how many first tokens of the article count as its lead (default 50).
	LeadTokens int `json:"lead_tokens"`
}

// DefaultConfig is the configuration used when config.yaml says nothing.
func DefaultConfig() Config {
	return Config{Bits: 20, WordMin: 1, WordMax: 3, CharMin: 2, CharMax: 5, MinDF: 2,
		Conjoin: true, ConjoinWeight: 1, ArticleWords: true, Relation: true, ArticleTokens: 1000, TextTokens: 300, LeadTokens: 50}
}

// ConfigError is a field of Config whose value Validate refuses. Field is the Go name ("" for
// the configuration as a whole, "WordMin/WordMax" for a pair checked together, whose Value is
// then the two values); a front end says it in its own terms (a config.yaml key).
type ConfigError struct {
	Field string
	Value any
	Err   error
}

func (e *ConfigError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("features.Config: %v", e.Err)
	}
	return fmt.Sprintf("features.Config.%s = %v: %v", e.Field, e.Value, e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// What Validate wants of a field, as the Err of its ConfigError. ErrWordOrders, ErrCharOrders
// and ErrNoNGrams name fields, so a front end that names them otherwise says them its own way.
var (
	ErrWordOrders = errors.New("want 1 <= WordMin <= WordMax <= 5, or both 0")
	ErrCharOrders = errors.New("want 1 <= CharMin <= CharMax <= 8, or both 0")
	ErrNoNGrams   = errors.New("word and character n-grams are both off; turn one on")
)

// Validate reports the first field that is out of range, as a *ConfigError.
func (c Config) Validate() error {
	bad := func(field string, v any, want string) error {
		return &ConfigError{Field: field, Value: v, Err: errors.New(want)}
	}
	switch {
	case c.Bits < 16 || c.Bits > 26:
		return bad("Bits", c.Bits, "want 16 to 26")
	case c.WordMin < 0 || c.WordMax < c.WordMin || c.WordMax > 5 || (c.WordMin == 0) != (c.WordMax == 0):
		return &ConfigError{Field: "WordMin/WordMax", Value: [2]int{c.WordMin, c.WordMax}, Err: ErrWordOrders}
	case c.CharMin < 0 || c.CharMax < c.CharMin || c.CharMax > 8 || (c.CharMin == 0) != (c.CharMax == 0):
		return &ConfigError{Field: "CharMin/CharMax", Value: [2]int{c.CharMin, c.CharMax}, Err: ErrCharOrders}
	case c.WordMax == 0 && c.CharMax == 0:
		return &ConfigError{Err: ErrNoNGrams}
	case c.Conjoin && !(c.ConjoinWeight > 0):
		return bad("ConjoinWeight", c.ConjoinWeight, "want a number above 0")
	case c.MinDF < 1:
		return bad("MinDF", c.MinDF, "want at least 1")
	case c.ArticleTokens < 0:
		return bad("ArticleTokens", c.ArticleTokens, "want 0 (all) or more")
	case c.TextTokens < 0:
		return bad("TextTokens", c.TextTokens, "want 0 (all) or more")
	case c.LeadTokens < 1:
		return bad("LeadTokens", c.LeadTokens, "want at least 1")
	}
	return nil
}

// Relation feature indices, above the hashed space.
const (
	relCosine = iota
	relOverlap
	relRareOverlap
	relLeadOverlap
	relCosineBin // relCosineBin + bin, len(cosineBins)+1 bins
)

var (
	cosineBins    = []float64{0, 0.05, 0.1, 0.2, 0.35, 0.5} // upper bounds; last bin is >= 0.5
	overlapBins   = []float64{0, 0.2, 0.4, 0.6, 0.8}
	relOverlapBin = relCosineBin + len(cosineBins) + 1
	relationDims  = 32 // reserved; relOverlapBin+len(overlapBins)+1 are used
)

// Pair is one comment with the article it answers.
type Pair struct{ Text, Article string }

// Extractor turns pairs into vectors. Build it with New, then Fit it (or load it with Load).
type Extractor struct {
	cfg  Config
	mask uint64
	idf  []float32 // 1<<Bits; 0 marks a feature that is dropped
	docs int
}

// New returns an unfitted Extractor.
func New(cfg Config) (*Extractor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Extractor{cfg: cfg, mask: 1<<cfg.Bits - 1}, nil
}

// Config returns the extractor's configuration.
func (e *Extractor) Config() Config { return e.cfg }

// The index space has three ranges: [0, 2^Bits) the hashed comment n-grams and article words,
// [2^Bits, 2^(Bits+1)) their article-conjoined copies, then the relation features. Keeping the
// copies in a range of their own lets a head leave them out (see ConjoinRange).

// Dim is the size of the vectors Extract produces.
func (e *Extractor) Dim() int { return 2<<e.cfg.Bits + relationDims }

// ConjoinRange is the half-open range of indices that hold article-conjoined copies.
func (e *Extractor) ConjoinRange() (lo, hi uint32) { return 1 << e.cfg.Bits, 2 << e.cfg.Bits }

func (e *Extractor) relationBase() uint32 { return 2 << e.cfg.Bits }

// Fitted reports whether IDF has been learned.
func (e *Extractor) Fitted() bool { return e.idf != nil }

// Documents is how many documents Fit learned IDF from: the comments and the distinct articles.
func (e *Extractor) Documents() int { return e.docs }

// Kept is how many of the 2^Bits hashed indices Fit kept (gave an IDF): those of the n-grams
// seen in at least MinDF comments, and of the article words.
func (e *Extractor) Kept() int {
	n := 0
	for _, v := range e.idf {
		if v != 0 {
			n++
		}
	}
	return n
}

// Fit learns IDF from the training pairs: each comment is a document, and so is each distinct
// article. idf = ln((1+n)/(1+df)) + 1, scikit-learn's smooth_idf formula. The comment's
// n-grams are dropped when seen in fewer than MinDF comments; the article words (counted over
// the articles and the comments, so that the relation features share one space) are all kept,
// since a few articles, or a handful of targets, are the normal case.
func (e *Extractor) Fit(pairs []Pair) {
	df := make([]uint32, 1<<e.cfg.Bits)  // comment n-grams
	dfA := make([]uint32, 1<<e.cfg.Bits) // article-space words
	w := e.worker()
	var seen []uint32
	count := func(df []uint32, idx []uint32) {
		seen = append(seen[:0], idx...)
		slices.Sort(seen)
		seen = slices.Compact(seen)
		for _, i := range seen {
			df[i]++
		}
	}
	articleSpace := func(hashes []uint64) []uint32 {
		w.raw = w.raw[:0]
		for _, h := range hashes {
			w.raw = append(w.raw, uint32(mix64(combine(nsArticle, h))&e.mask))
		}
		return w.raw
	}
	articles := map[string]bool{}
	n := 0
	for _, p := range pairs {
		w.comment(p.Text)
		count(df, w.raw)
		count(dfA, articleSpace(w.hash))
		n++
		if p.Article != "" && !articles[p.Article] {
			articles[p.Article] = true
			w.articleTokens(p.Article)
			count(dfA, articleSpace(w.artHash))
			n++
		}
	}
	e.docs = n
	e.idf = make([]float32, len(df))
	idf := func(d uint32) float32 { return float32(math.Log(float64(1+n)/float64(1+d)) + 1) }
	for i, d := range df {
		switch {
		case int(d) >= e.cfg.MinDF:
			e.idf[i] = idf(d)
		case dfA[i] > 0:
			// Where an article word and a dropped comment n-gram collide, the word wins.
			e.idf[i] = idf(dfA[i])
		}
	}
}

// Worker extracts vectors with buffers of its own; use one per goroutine. Once the buffers
// have grown to the longest text seen, Extract allocates nothing (TestExtractAllocs), unless it
// meets an article that is not in the cache.
type Worker struct {
	e     *Extractor
	norm  []byte    // the comment, normalised
	tok   tokenizer // tokenizes norm
	toks  [][]byte  // the comment's tokens, pointing into norm or tok's buffer
	hash  []uint64  // hash of each of toks
	raw   []uint32  // hashed indices of the comment's n-grams, in block order
	split int       // raw[:split] are word n-grams, raw[split:] character n-grams
	block sparse.Vector
	keys  []uint32 // scratch for sorting indices
	offs  []int
	pad   []byte
	// The article has buffers of its own, so that its tokens never overwrite the comment's.
	artNorm []byte
	artTok  tokenizer
	artToks [][]byte
	artHash []uint64
	pairs   []uint64 // scratch of canon
	rest    []uint64
	merged  [2][]uint64
	sort32  sorter[uint32]
	sort64  sorter[uint64]
	cache   map[string]*articleInfo
	names   map[uint32]string // set only while Names runs
	want    map[uint32]bool   // NamesOf's indices: the others get no name (nil: all do)
	wantKey uint64            // the article's key, for want's conjoined copies (wantArt)
	wantArt bool              // want may hold conjoined copies of this comment's features
}

type articleInfo struct {
	key  uint64
	vec  sparse.Vector // article words in nsArticle, TF-IDF, L2-normalised
	all  []uint32      // every article word's index, sorted, unique
	lead []uint32      // the lead's word indices, sorted, unique
	// words names vec's words in the order article named them, once it has run for Names:
	// Names replays them from the cache instead of reading the article again.
	words []namedIndex
}

type namedIndex struct {
	idx  uint32
	name string
}

const articleCacheSize = 4096

// NewWorker returns a Worker for a fitted extractor.
func (e *Extractor) NewWorker() (*Worker, error) {
	if !e.Fitted() {
		return nil, errors.New("features: extractor is not fitted")
	}
	return e.worker(), nil
}

func (e *Extractor) worker() *Worker {
	return &Worker{e: e, cache: map[string]*articleInfo{}}
}

// Extract sets dst to the vector of text answering article (which may be empty).
func (w *Worker) Extract(dst *sparse.Vector, text, article string) {
	w.Terms(dst, text, article)
	w.canon(dst)
}

// Terms sets dst to the terms of Extract's vector before they are merged: the same (index,
// value) entries in another order, where an index may occur more than once (a hash collision
// between the blocks) and the vector is the sum of its entries.
func (w *Worker) Terms(dst *sparse.Vector, text, article string) {
	w.terms(dst, text, article, w.e.cfg.ArticleWords)
}

// ExtractOwn sets dst to Extract's vector without the article's words: what is the comment's
// own. ArticleWords gives the rest, which every comment on the article shares; Extract's
// vector is the sum of the two (to float32 rounding where they share an index), so a trainer
// can hold and score the article's part once for all its comments.
func (w *Worker) ExtractOwn(dst *sparse.Vector, text, article string) {
	w.terms(dst, text, article, false)
	w.canon(dst)
}

// ArticleWords sets dst to the article's words as Extract adds them to every comment on it
// (canonical), or to nothing when the extractor's ArticleWords is off or article is "".
func (w *Worker) ArticleWords(dst *sparse.Vector, article string) {
	dst.Reset()
	if article == "" || !w.e.cfg.ArticleWords {
		return
	}
	a := w.article(article)
	dst.Idx = append(dst.Idx, a.vec.Idx...)
	dst.Val = append(dst.Val, a.vec.Val...)
}

func (w *Worker) terms(dst *sparse.Vector, text, article string, articleWords bool) {
	dst.Reset()
	cfg := &w.e.cfg
	w.comment(text)
	var art *articleInfo
	if article != "" {
		art = w.article(article)
	}
	w.weighBlock(dst, w.raw[:w.split], 0)
	w.weighBlock(dst, w.raw[w.split:], 1)
	if art != nil && cfg.Conjoin {
		n := len(dst.Idx)
		cw := float32(cfg.ConjoinWeight)
		for i := 0; i < n; i++ {
			idx := w.conjoined(art.key, dst.Idx[i])
			if w.names != nil && w.wanted(idx) {
				w.name(idx, w.names[dst.Idx[i]]+" @article")
			}
			dst.Add(idx, dst.Val[i]*cw)
		}
	}
	if art != nil && articleWords {
		for i, idx := range art.vec.Idx {
			dst.Add(idx, art.vec.Val[i])
		}
	}
	if art != nil && cfg.Relation {
		w.relation(dst, art)
	}
}

// Hash normalises and tokenizes text and hashes its word and character n-grams, as Extract's
// first step does, and returns how many n-grams it hashed. It weighs nothing and reads no
// article: it is the floor that any scoring pass over text pays (bench/floor measures it).
func (w *Worker) Hash(text string) int {
	w.comment(text)
	return len(w.raw)
}

// Grams normalises, tokenizes and hashes text as Extract's first step does, and returns the
// hashed indices of its word n-grams and of its character n-grams, repeats included and in no
// set order: the two blocks that Extract weighs by sublinear TF times IDF (IDF) and
// L2-normalises each. The slices are the worker's and hold until its next call.
func (w *Worker) Grams(text string) (words, chars []uint32) {
	w.comment(text)
	return w.raw[:w.split], w.raw[w.split:]
}

// Relation sets dst to the relation features of the comment Grams read last and the article
// it answers: the terms of Extract's vector that are neither n-grams, their conjoined copies
// nor the article's words (ArticleWords). It sets nothing when they are off or article is "".
func (w *Worker) Relation(dst *sparse.Vector, article string) {
	dst.Reset()
	if article == "" || !w.e.cfg.Relation {
		return
	}
	w.relation(dst, w.article(article))
}

// ArticleKey returns the key that Conjoined joins to a feature of a comment on article, or
// ok=false when Extract adds no conjoined copies (they are off, or the article is empty).
func (w *Worker) ArticleKey(article string) (key uint64, ok bool) {
	if article == "" || !w.e.cfg.Conjoin {
		return 0, false
	}
	return w.article(article).key, true
}

// ArticleID returns the key that identifies article whether or not the copies are conjoined: a
// hash of its normalised text (0 for no article). A model records its training articles' keys
// so that a comment under an article it never saw is scored by weights that do not depend on
// the article's identity.
func (w *Worker) ArticleID(article string) uint64 {
	if article == "" {
		return 0
	}
	return w.article(article).key
}

// Conjoined returns the index of the copy of feature idx conjoined with the article of key
// (ArticleKey); Extract gives it the feature's value times ConjoinWeight.
func (w *Worker) Conjoined(key uint64, idx uint32) uint32 { return w.conjoined(key, idx) }

// IDF returns the IDF learned for index idx of the hashed space: 0 for a feature that is
// dropped, and for an index outside it.
func (e *Extractor) IDF(idx uint32) float32 {
	if int(idx) >= len(e.idf) {
		return 0
	}
	return e.idf[idx]
}

// weighBlock appends the TF-IDF, L2-normalised vector of one block's raw indices to dst.
func (w *Worker) weighBlock(dst *sparse.Vector, raw []uint32, _ int) {
	keys := w.keys[:0]
	for _, idx := range raw {
		if w.e.idf[idx] != 0 {
			keys = append(keys, idx)
		}
	}
	w.keys = keys
	w.sort32.sort(keys, 0)
	b := &w.block
	countSorted(b, keys)
	var norm float64
	for i, idx := range b.Idx {
		v := TF(b.Val[i]) * w.e.idf[idx]
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
func (w *Worker) comment(text string) {
	cfg := &w.e.cfg
	w.norm = Normalize(w.norm[:0], text)
	w.toks = w.tok.tokenize(w.toks[:0], w.norm)
	if max := cfg.TextTokens; max > 0 && len(w.toks) > max {
		w.toks = w.toks[:max]
	}
	w.hash = w.hash[:0]
	for _, t := range w.toks {
		w.hash = append(w.hash, hashBytes(0, t))
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
			if w.names != nil && w.wanted(idx) {
				w.name(idx, joinTokens(w.toks[i:i+n]))
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
		if isASCII(t) {
			for i := range len(w.pad) + 1 {
				w.offs = append(w.offs, i)
			}
		} else {
			for i := range string(w.pad) {
				w.offs = append(w.offs, i)
			}
			w.offs = append(w.offs, len(w.pad))
		}
		if w.names != nil {
			w.nameCharGrams()
		} else {
			w.raw = w.appendCharGrams(w.raw)
		}
	}
}

// appendCharGrams appends the hashed character n-grams of w.pad (a token padded with a space
// at each end; w.offs are the offsets of its characters and its length) to raw. Each n-gram is
// the one before it with a character more, so its FNV hash continues the one before: each byte
// is hashed once per start rather than once per n-gram. The order of raw differs from that of
// nameCharGrams; weighBlock and Fit sort it.
func (w *Worker) appendCharGrams(raw []uint32) []uint32 {
	cfg, mask, pad, offs := &w.e.cfg, w.e.mask, w.pad, w.offs
	runes := len(offs) - 1
	for s := 0; s+cfg.CharMin <= runes; s++ {
		h := nsChar ^ fnvOffset // hashBytes(nsChar, ...), byte by byte
		p := offs[s]
		for n := 1; n <= cfg.CharMax && s+n <= runes; n++ {
			for end := offs[s+n]; p < end; p++ {
				h ^= uint64(pad[p])
				h *= fnvPrime
			}
			if n >= cfg.CharMin {
				raw = append(raw, uint32(mix64(h)&mask))
			}
		}
	}
	return raw
}

// nameCharGrams appends the hashed character n-grams of w.pad to w.raw, shortest first, and
// names them, so that where two collide the same one is named as before appendCharGrams.
func (w *Worker) nameCharGrams() {
	cfg := &w.e.cfg
	runes := len(w.offs) - 1
	for n := cfg.CharMin; n <= cfg.CharMax && n <= runes; n++ {
		for s := 0; s+n <= runes; s++ {
			gram := w.pad[w.offs[s]:w.offs[s+n]]
			idx := uint32(mix64(hashBytes(nsChar, gram)) & w.e.mask)
			w.raw = append(w.raw, idx)
			if w.wanted(idx) {
				w.name(idx, "'"+string(gram)+"'")
			}
		}
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// TF is the sublinear term frequency 1 + ln(count) that Extract weighs an n-gram's IDF by.
func TF(count float32) float32 { return 1 + float32(logCount(count)) }

// TFOfCount is TF(float32(n)), from a table for the small counts that most n-grams have.
func TFOfCount(n uint32) float32 {
	if n < uint32(len(smallTF)) {
		return smallTF[n]
	}
	return TF(float32(n))
}

var smallTF = func() (t [64]float32) {
	for i := range t {
		t[i] = TF(float32(i))
	}
	return t
}()

// logCount is math.Log(float64(c)) for a count c, from a table for the small counts that most
// n-grams have.
func logCount(c float32) float64 {
	if i := int(c); i < len(logCounts) && float32(i) == c {
		return logCounts[i]
	}
	return math.Log(float64(c))
}

var logCounts = func() (t [64]float64) {
	for i := range t {
		t[i] = math.Log(float64(i))
	}
	return t
}()

func joinTokens(toks [][]byte) string {
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
func (w *Worker) articleTokens(article string) {
	w.artNorm = Normalize(w.artNorm[:0], article)
	w.artToks = w.artTok.tokenize(w.artToks[:0], w.artNorm)
	if max := w.e.cfg.ArticleTokens; max > 0 && len(w.artToks) > max {
		w.artToks = w.artToks[:max]
	}
	w.artHash = w.artHash[:0]
	for _, t := range w.artToks {
		w.artHash = append(w.artHash, hashBytes(0, t))
	}
}

// article returns what Extract needs of an article, from the worker's cache when it can.
func (w *Worker) article(article string) *articleInfo {
	if a, ok := w.cache[article]; ok && (w.names == nil || a.words != nil) {
		if w.names != nil {
			for _, n := range a.words {
				w.name(n.idx, n.name)
			}
		}
		return a
	}
	w.articleTokens(article)
	a := &articleInfo{key: hashBytes(nsConjoin, w.artNorm)}
	keys := w.keys[:0]
	for i, h := range w.artHash {
		idx := uint32(mix64(combine(nsArticle, h)) & w.e.mask)
		a.all = append(a.all, idx)
		if i < w.e.cfg.LeadTokens {
			a.lead = append(a.lead, idx)
		}
		if w.e.idf[idx] != 0 {
			keys = append(keys, idx)
			if w.names != nil {
				n := namedIndex{idx, "article:" + string(w.artToks[i])}
				a.words = append(a.words, n)
				w.name(n.idx, n.name)
			}
		}
	}
	w.keys = keys
	slices.Sort(a.all)
	a.all = slices.Compact(a.all)
	slices.Sort(a.lead)
	a.lead = slices.Compact(a.lead)
	w.sort32.sort(keys, 0)
	b := &a.vec
	countSorted(b, keys)
	var norm float64
	for i, idx := range b.Idx {
		v := TF(b.Val[i]) * w.e.idf[idx]
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
func (w *Worker) relation(dst *sparse.Vector, a *articleInfo) {
	keys := w.keys[:0]
	for _, h := range w.hash {
		keys = append(keys, uint32(mix64(combine(nsArticle, h))&w.e.mask))
	}
	w.keys = keys
	w.sort32.sort(keys, 0)
	b := &w.block
	countSorted(b, keys)
	var dot, norm, shared, rare, rareShared, lead float64
	j := 0
	for i, idx := range b.Idx {
		idf := float64(w.e.idf[idx])
		if idf == 0 {
			idf = math.Log(float64(1+w.e.docs)) + 1 // a word too rare to keep is as rare as can be
		}
		v := (1 + logCount(b.Val[i])) * float64(w.e.idf[idx])
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

// bin is the index of the first upper bound that x does not exceed, or len(bounds).
func bin(x float64, bounds []float64) int {
	for i, b := range bounds {
		if x <= b {
			return i
		}
	}
	return len(bounds)
}

// RelationName names a relation feature index (relative to the relation range), for explanations.
func RelationName(i int) string {
	switch {
	case i == relCosine:
		return "relation:tfidf-cosine"
	case i == relOverlap:
		return "relation:word-overlap"
	case i == relRareOverlap:
		return "relation:rare-word-overlap"
	case i == relLeadOverlap:
		return "relation:lead-overlap"
	case i >= relCosineBin && i < relOverlapBin:
		return fmt.Sprintf("relation:cosine-bin%d", i-relCosineBin)
	case i >= relOverlapBin && i < relationDims:
		return fmt.Sprintf("relation:overlap-bin%d", i-relOverlapBin)
	}
	return fmt.Sprintf("relation:%d", i)
}

// Names extracts text answering article as Extract does and returns a readable name for each
// index of the result: the n-gram or article word that hashed there (the first one, where two
// collide), "... @article" for a conjoined copy, or a relation feature's name. It is slow and
// meant for explanations.
func (w *Worker) Names(dst *sparse.Vector, text, article string) map[uint32]string {
	return w.NamesOf(dst, text, article, nil)
}

// NamesOf is Names for the indices in want only (all of them when want is nil): it builds no
// name for the others, which is most of Names' cost. Each name it gives is the one Names gives.
func (w *Worker) NamesOf(dst *sparse.Vector, text, article string, want map[uint32]bool) map[uint32]string {
	w.names, w.want = map[uint32]string{}, want
	defer func() { w.names, w.want, w.wantArt = nil, nil, false }()
	if want != nil && article != "" && w.e.cfg.Conjoin {
		// A wanted conjoined copy needs the name of the feature it copies: find the article's
		// key first (without naming its words, which Extract does in its own order).
		w.names = nil
		w.wantKey, w.wantArt = w.article(article).key, true
		w.names = map[uint32]string{}
	}
	w.Extract(dst, text, article)
	base := w.e.relationBase()
	for _, idx := range dst.Idx {
		if idx >= base {
			w.names[idx] = RelationName(int(idx - base))
		}
	}
	return w.names
}

// wanted says whether NamesOf should name idx: it is wanted, or its conjoined copy is.
func (w *Worker) wanted(idx uint32) bool {
	return w.want == nil || w.want[idx] || (w.wantArt && w.want[w.conjoined(w.wantKey, idx)])
}

// conjoined is the index of the copy of feature idx conjoined with the article of key.
func (w *Worker) conjoined(key uint64, idx uint32) uint32 {
	return 1<<w.e.cfg.Bits | uint32(mix64(combine(key, uint64(idx)))&w.e.mask)
}

func (w *Worker) name(idx uint32, name string) {
	if _, ok := w.names[idx]; !ok {
		w.names[idx] = name
	}
}
