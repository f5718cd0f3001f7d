package features

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/commentstance/stance/sparse"
)

// Benchmark texts: "mixed" is the text the first benchmarks of this package used; "arabic" and
// "english" are comments of ../data/sample (two each, joined) with their articles; "long" is
// about 4 KB of the sample articles, as a long comment or a whole news text would be.
const (
	benchMixed   = "الله يبارك كل جهود ضد الارهاب 👍 @user كلامه صحيح؟ Great NEWS, finally! https://t.co/x"
	benchArabic  = "أخيراً خطوة بالاتجاه الصحيح، الحدود كانت مفتوحة لكل مين بدو يهرّب 👏 والله خطوة ممتازززة 👍👍 الله يحمي البلدين"
	benchEnglish = "My kid's school went phone-free last year and the difference is unreal. They actually talk at lunch now 😊 " +
		"Love my boy's independence, he's been really responsible with his phone since year 7. Trust the kids a bit! 😊"
)

// benchLong is the first 4 KB of the sample articles, cut at a character boundary.
func benchLong(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, a := range readCSV(t, "articles.csv") {
		b.WriteString(a["article"])
		b.WriteByte('\n')
	}
	s := b.String()
	n := 4096
	for !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

type benchCase struct{ name, text, article string }

func benchCases(b *testing.B) []benchCase {
	train, _ := samplePairs(b)
	articleOf := func(id string) string {
		for _, p := range train {
			if p.id == id {
				return p.Article
			}
		}
		b.Fatalf("no sample comment %s", id)
		return ""
	}
	return []benchCase{
		{"mixed", benchMixed, article},
		{"arabic", benchArabic, articleOf("c0003")},
		{"english", benchEnglish, articleOf("c0183")},
		{"long", benchLong(b), articleOf("c0183")},
	}
}

func BenchmarkNormalize(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name, func(b *testing.B) {
			var buf []byte
			b.ReportAllocs()
			b.SetBytes(int64(len(c.text)))
			for b.Loop() {
				buf = Normalize(buf[:0], c.text)
			}
		})
	}
}

func BenchmarkTokenize(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name, func(b *testing.B) { benchTokenize(b, c.text, false) })
	}
}

// BenchmarkTokenizeProse runs prose's tokenizer on the texts of BenchmarkTokenize, to compare
// the two on the same machine at the same time.
func BenchmarkTokenizeProse(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name, func(b *testing.B) { benchTokenize(b, c.text, true) })
	}
}

func benchTokenize(b *testing.B, text string, useProse bool) {
	norm := Normalize(nil, text)
	var tk tokenizer
	tokenize := tk.tokenize
	if useProse {
		tokenize = proseTokenize
	}
	var toks [][]byte
	b.ReportAllocs()
	b.SetBytes(int64(len(norm)))
	for b.Loop() {
		toks = tokenize(toks[:0], norm)
	}
}

// BenchmarkNormalizeReference runs the reference copy of Normalize (as it was before it was
// made faster) on the texts of BenchmarkNormalize.
func BenchmarkNormalizeReference(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name, func(b *testing.B) {
			var buf []byte
			b.ReportAllocs()
			b.SetBytes(int64(len(c.text)))
			for b.Loop() {
				buf = refNormalize(buf[:0], c.text)
			}
		})
	}
}

// BenchmarkExtract extracts a comment whose article is in the worker's cache, the steady state
// of scoring; "new-article" clears the cache first, so the article is read each time.
func BenchmarkExtract(b *testing.B) {
	train, _ := samplePairs(b)
	pairs := make([]Pair, len(train))
	for i, p := range train {
		pairs[i] = p.Pair
	}
	sample, err := New(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	sample.Fit(pairs)
	cases := benchCases(b)
	cases = append(cases, benchCase{"new-article", benchEnglish, cases[2].article})
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			e := sample
			if c.name == "mixed" {
				e = fitted(b, DefaultConfig())
			}
			w, _ := e.NewWorker()
			var v sparse.Vector
			b.ReportAllocs()
			b.SetBytes(int64(len(c.text)))
			for b.Loop() {
				if c.name == "new-article" {
					clear(w.cache)
				}
				w.Extract(&v, c.text, c.article)
			}
		})
	}
}
