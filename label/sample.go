package label

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/features"
)

// Shingles is a comment's set of hashed word 1- and 2-grams of its normalised text
// (features.Normalize, punctuation dropped), sorted and without repeats: a cheap stand-in for its feature vector
// when the sampler asks whether two comments are near duplicates. It needs no fitted
// extractor, so it is made once per pool comment and never again.
type Shingles []uint32

// NewShingles makes text's shingles.
func NewShingles(text string) Shingles {
	// Punctuation and spaces separate words; letters, digits, marks and emoji make them.
	words := strings.FieldsFunc(string(features.Normalize(nil, text)), func(r rune) bool {
		return !unicode.In(r, unicode.L, unicode.N, unicode.M, unicode.So)
	})
	out := make(Shingles, 0, 2*len(words))
	h := fnv.New32a()
	add := func(parts ...string) {
		h.Reset()
		for i, p := range parts {
			if i > 0 {
				h.Write([]byte{' '})
			}
			h.Write([]byte(p))
		}
		out = append(out, h.Sum32())
	}
	for i, w := range words {
		add(w)
		if i > 0 {
			add(words[i-1], w)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Cosine is the cosine similarity of two shingle sets as binary vectors:
// |a ∩ b| / sqrt(|a| |b|); 0 when either is empty.
func Cosine(a, b Shingles) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return float64(n) / math.Sqrt(float64(len(a))*float64(len(b)))
}

// Margin is the gap between the two most probable classes of a distribution, the "breaking
// ties" score of Scheffer, Decomain and Wrobel (2001): the smaller, the less sure the model.
// Schröder, Niekler and Potthast (Findings of ACL 2022) find it among the best simple query
// strategies for text classification. A distribution of one class has margin 1.
func Margin(probs []float64) float64 {
	first, second := math.Inf(-1), math.Inf(-1)
	for _, p := range probs {
		if p > first {
			first, second = p, first
		} else if p > second {
			second = p
		}
	}
	if math.IsInf(second, -1) {
		return 1
	}
	return first - second
}

// Candidate is an unlabelled comment the sampler may ask next.
type Candidate struct {
	Index   int      // the comment's place in the pool
	Article string   // its article's key: the sampler balances batches across articles
	Margin  float64  // the smallest Margin of its heads' distributions
	Shingle Shingles // for the near-duplicate test
}

// Diversity bounds how alike the comments of one batch may be. The zero value means the
// defaults.
type Diversity struct {
	// MaxSimilar is the Cosine of shingles at or above which a candidate counts as a near
	// duplicate of one already chosen or recently asked, and is passed over. Default 0.8: retweets
	// and copies with a changed word or two, not comments that merely share a topic.
	MaxSimilar float64
	// ArticleShare caps how many comments of a batch come from one article, as a multiple of
	// the even share (batch / articles, rounded up). Default 2: the most uncertain article may
	// take twice its share, not the whole batch. Label Studio's users report (issue #3256) that
	// plain uncertainty sampling keeps asking near-identical short texts; both bounds are
	// against that.
	ArticleShare float64
}

func (d Diversity) fill() Diversity {
	if d.MaxSimilar <= 0 {
		d.MaxSimilar = 0.8
	}
	if d.ArticleShare <= 0 {
		d.ArticleShare = 2
	}
	return d
}

// SelectMargin chooses up to n candidates: the smallest margins first, passing over a
// candidate that is a near duplicate of one chosen or of recent (the shingles of comments just
// asked), or whose article has its share of the batch already (see Diversity). When those
// bounds leave the batch short, it is filled in margin order without them. Ties in margin are
// broken by the candidates' order in cands, so the result is deterministic. It returns the
// chosen candidates' Index values in the order they were chosen.
func SelectMargin(cands []Candidate, n int, recent []Shingles, d Diversity) []int {
	d = d.fill()
	if n <= 0 || len(cands) == 0 {
		return nil
	}
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return cands[order[a]].Margin < cands[order[b]].Margin })
	articles := map[string]int{}
	for _, c := range cands {
		articles[c.Article]++
	}
	share := int(math.Ceil(d.ArticleShare * math.Ceil(float64(n)/float64(len(articles)))))
	taken := make([]bool, len(cands))
	per := map[string]int{}
	var chosen []int
	var picked []Shingles
	similar := func(s Shingles) bool {
		for _, r := range recent {
			if Cosine(s, r) >= d.MaxSimilar {
				return true
			}
		}
		for _, p := range picked {
			if Cosine(s, p) >= d.MaxSimilar {
				return true
			}
		}
		return false
	}
	for _, i := range order {
		if len(chosen) == n {
			break
		}
		c := cands[i]
		if per[c.Article] >= share || similar(c.Shingle) {
			continue
		}
		taken[i] = true
		per[c.Article]++
		chosen = append(chosen, c.Index)
		picked = append(picked, c.Shingle)
	}
	for _, i := range order {
		if len(chosen) == n {
			break
		}
		if !taken[i] {
			taken[i] = true
			chosen = append(chosen, cands[i].Index)
		}
	}
	return chosen
}

// SelectRandom chooses up to n candidates uniformly at random (the baseline the benchmark
// compares against), from a generator seeded with seed.
func SelectRandom(cands []Candidate, n int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	idx := make([]int, len(cands))
	for i, c := range cands {
		idx[i] = c.Index
	}
	r.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
	if n < len(idx) {
		idx = idx[:n]
	}
	return idx
}

// RoundRobin chooses up to n candidates for a cold start, before any model: one article after
// another, in the order each article first appears in cands, taking from each article its
// candidates in a seeded random order. Every article is asked about before any is asked twice.
func RoundRobin(cands []Candidate, n int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 0xc01d))
	var keys []string
	byArticle := map[string][]int{}
	for _, c := range cands {
		if _, ok := byArticle[c.Article]; !ok {
			keys = append(keys, c.Article)
		}
		byArticle[c.Article] = append(byArticle[c.Article], c.Index)
	}
	for _, k := range keys {
		l := byArticle[k]
		r.Shuffle(len(l), func(a, b int) { l[a], l[b] = l[b], l[a] })
	}
	var out []int
	for round := 0; len(out) < n; round++ {
		any := false
		for _, k := range keys {
			if l := byArticle[k]; round < len(l) {
				any = true
				out = append(out, l[round])
				if len(out) == n {
					break
				}
			}
		}
		if !any {
			break
		}
	}
	return out
}

// TrainConfig is the configuration the labelling loop trains with, from the user's: tuning is
// never run in the loop (classifier.Tune fits dozens of models, minutes on thousands of rows, and
// the loop retrains every few answers), so cfg is kept as it is but for the iteration cap, at
// most 100 L-BFGS iterations: the queue's order needs a good ranking of uncertainty, not the
// last digit of the optimum.
func TrainConfig(cfg classifier.Config) classifier.Config {
	if cfg.MaxIter <= 0 || cfg.MaxIter > 100 {
		cfg.MaxIter = 100
	}
	return cfg
}
