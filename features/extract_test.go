package features

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/commentstance/stance/sparse"
)

var article = "اتفقت سوريا والعراق على تنسيق الجهود الامنية ضد الارهاب على الحدود المشتركة"

var trainPairs = []Pair{
	{"الله يبارك كل جهود ضد الارهاب", article},
	{"كلامه صحيح", article},
	{"كلام فاضي، لا يوجد تنسيق", article},
	{"الجهود الامنية ضرورية ضد الارهاب", article},
	{"Great news, finally some cooperation", "Syria and Iraq agree to coordinate border security"},
	{"This will never work", "Syria and Iraq agree to coordinate border security"},
	{"great cooperation on border security", "Syria and Iraq agree to coordinate border security"},
	{"never trust them", ""},
}

func fitted(t testing.TB, cfg Config) *Extractor {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.Fit(trainPairs)
	return e
}

func extract(t testing.TB, e *Extractor, text, art string) sparse.Vector {
	t.Helper()
	w, err := e.NewWorker()
	if err != nil {
		t.Fatal(err)
	}
	var v sparse.Vector
	w.Extract(&v, text, art)
	return v.Clone()
}

func norm(v sparse.Vector) float64 {
	var s float64
	for _, x := range v.Val {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestExtractBlocksAreUnitLength(t *testing.T) {
	cfg := DefaultConfig()
	cfg.CharMin, cfg.CharMax = 0, 0
	cfg.Conjoin, cfg.ArticleWords, cfg.Relation = false, false, false
	e := fitted(t, cfg)
	v := extract(t, e, "الجهود الامنية ضد الارهاب", article)
	if v.Len() == 0 {
		t.Fatal("no features for a comment made of training words")
	}
	if n := norm(v); math.Abs(n-1) > 1e-5 {
		t.Errorf("word block norm = %v, want 1", n)
	}
	if !slices.IsSorted(v.Idx) {
		t.Error("indices not sorted")
	}
}

func TestExtractIsCanonicalAndRepeatable(t *testing.T) {
	e := fitted(t, DefaultConfig())
	a := extract(t, e, "كلامه صحيح 👍", article)
	b := extract(t, e, "كلامه صحيح 👍", article)
	if !slices.Equal(a.Idx, b.Idx) || !slices.Equal(a.Val, b.Val) {
		t.Fatal("two extractions of the same pair differ")
	}
	for i := 1; i < len(a.Idx); i++ {
		if a.Idx[i] <= a.Idx[i-1] {
			t.Fatalf("indices not strictly ascending at %d", i)
		}
	}
	for _, i := range a.Idx {
		if int(i) >= e.Dim() {
			t.Fatalf("index %d outside Dim %d", i, e.Dim())
		}
	}
}

func TestArticleMatters(t *testing.T) {
	e := fitted(t, DefaultConfig())
	a := extract(t, e, "great cooperation", "Syria and Iraq agree to coordinate border security")
	b := extract(t, e, "great cooperation", article)
	if slices.Equal(a.Idx, b.Idx) {
		t.Error("the same comment under two articles gives the same features")
	}
	off := DefaultConfig()
	off.Conjoin, off.ArticleWords, off.Relation = false, false, false
	e = fitted(t, off)
	a = extract(t, e, "great cooperation", "Syria and Iraq agree to coordinate border security")
	b = extract(t, e, "great cooperation", article)
	if !slices.Equal(a.Idx, b.Idx) || !slices.Equal(a.Val, b.Val) {
		t.Error("with the article features off, the article still changes the vector")
	}
}

func TestRelationFeatures(t *testing.T) {
	e := fitted(t, DefaultConfig())
	base := e.relationBase()
	value := func(v sparse.Vector, i int) float32 {
		if k, ok := slices.BinarySearch(v.Idx, base+uint32(i)); ok {
			return v.Val[k]
		}
		return 0
	}
	same := extract(t, e, article, article)
	if c := value(same, relCosine); math.Abs(float64(c)-1) > 1e-4 {
		t.Errorf("cosine of the article with itself = %v, want 1", c)
	}
	if o := value(same, relOverlap); o != 1 {
		t.Errorf("overlap of the article with itself = %v, want 1", o)
	}
	other := extract(t, e, "never trust them", article)
	if c := value(other, relCosine); c != 0 {
		t.Errorf("cosine of a comment sharing no word = %v, want 0", c)
	}
	if o := value(other, relOverlap); o != 0 {
		t.Errorf("overlap of a comment sharing no word = %v, want 0", o)
	}
	none := extract(t, e, "never trust them", "")
	if slices.ContainsFunc(none.Idx, func(i uint32) bool { return i >= base }) {
		t.Error("relation features without an article")
	}
}

func TestUnfittedWorker(t *testing.T) {
	e, _ := New(DefaultConfig())
	if _, err := e.NewWorker(); err == nil {
		t.Fatal("NewWorker on an unfitted extractor: want an error")
	}
}

func TestValidate(t *testing.T) {
	bad := []func(*Config){
		func(c *Config) { c.Bits = 8 },
		func(c *Config) { c.WordMin, c.WordMax = 3, 1 },
		func(c *Config) { c.WordMin, c.WordMax, c.CharMin, c.CharMax = 0, 0, 0, 0 },
		func(c *Config) { c.MinDF = 0 },
		func(c *Config) { c.CharMin, c.CharMax = 0, 3 },
	}
	for i, f := range bad {
		c := DefaultConfig()
		f(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "features") {
			t.Errorf("case %d: Validate() = %v, want an error naming the features key", i, err)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("default config: %v", err)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	e := fitted(t, DefaultConfig())
	var buf bytes.Buffer
	if _, err := e.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := Read(e.Config(), bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range trainPairs {
		a, b := extract(t, e, p.Text, p.Article), extract(t, f, p.Text, p.Article)
		if !slices.Equal(a.Idx, b.Idx) || !slices.Equal(a.Val, b.Val) {
			t.Fatalf("extraction differs after a round trip for %q", p.Text)
		}
	}
	for _, n := range []int{0, 5, 12, buf.Len() - 1} {
		if _, err := Read(e.Config(), bytes.NewReader(buf.Bytes()[:n])); err == nil {
			t.Errorf("Read of %d of %d bytes: want an error", n, buf.Len())
		}
	}
}

func FuzzRead(f *testing.F) {
	e := fitted(f, DefaultConfig())
	var buf bytes.Buffer
	e.WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Add(buf.Bytes()[:20])
	f.Fuzz(func(t *testing.T, b []byte) {
		Read(e.Config(), bytes.NewReader(b)) // must not panic
	})
}

func TestNames(t *testing.T) {
	e := fitted(t, DefaultConfig())
	w, _ := e.NewWorker()
	var v sparse.Vector
	names := w.Names(&v, "الجهود ضد الارهاب", article)
	var all []string
	for _, idx := range v.Idx {
		name, ok := names[idx]
		if !ok {
			t.Errorf("index %d has no name", idx)
		}
		all = append(all, name)
	}
	for _, want := range []string{"الارهاب", "ضد الارهاب", "'ارهاب'", "relation:tfidf-cosine", "article:الارهاب", "الارهاب @article"} {
		if !slices.Contains(all, want) {
			t.Errorf("names lack %q; have %q", want, all)
		}
	}
}

func BenchmarkExtract(b *testing.B) {
	e := fitted(b, DefaultConfig())
	w, _ := e.NewWorker()
	var v sparse.Vector
	b.ReportAllocs()
	for b.Loop() {
		w.Extract(&v, "الله يبارك كل جهود ضد الارهاب 👍 كلامه صحيح؟ Great news", article)
	}
}
