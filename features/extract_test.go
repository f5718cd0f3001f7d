package features

import (
	"bytes"
	"errors"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
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
	for _, tt := range []struct {
		name string
		set  func(*Config)
		want ConfigError
		msg  string
	}{
		{"bits", func(c *Config) { c.Bits = 8 }, ConfigError{"Bits", 8, nil},
			"features.Config.Bits = 8: want 16 to 26"},
		{"word orders reversed", func(c *Config) { c.WordMin, c.WordMax = 3, 1 }, ConfigError{"WordMin/WordMax", [2]int{3, 1}, ErrWordOrders},
			"features.Config.WordMin/WordMax = [3 1]: want 1 <= WordMin <= WordMax <= 5, or both 0"},
		{"no n-grams", func(c *Config) { c.WordMin, c.WordMax, c.CharMin, c.CharMax = 0, 0, 0, 0 }, ConfigError{"", nil, ErrNoNGrams},
			"features.Config: word and character n-grams are both off; turn one on"},
		{"min df", func(c *Config) { c.MinDF = 0 }, ConfigError{"MinDF", 0, nil},
			"features.Config.MinDF = 0: want at least 1"},
		{"char orders half off", func(c *Config) { c.CharMin, c.CharMax = 0, 3 }, ConfigError{"CharMin/CharMax", [2]int{0, 3}, ErrCharOrders},
			"features.Config.CharMin/CharMax = [0 3]: want 1 <= CharMin <= CharMax <= 8, or both 0"},
		{"conjoin weight", func(c *Config) { c.ConjoinWeight = 0 }, ConfigError{"ConjoinWeight", 0.0, nil},
			"features.Config.ConjoinWeight = 0: want a number above 0"},
		{"lead tokens", func(c *Config) { c.LeadTokens = 0 }, ConfigError{"LeadTokens", 0, nil},
			"features.Config.LeadTokens = 0: want at least 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.set(&c)
			err := c.Validate()
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.want.Field || ce.Value != tt.want.Value || (tt.want.Err != nil && ce.Err != tt.want.Err) || err.Error() != tt.msg {
				t.Errorf("Validate() = %#v (%v)\nwant %#v (%s)", err, err, tt.want, tt.msg)
			}
		})
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

// TestCanonMatchesSparse compares Worker.canon with sparse.Vector.Canon on random vectors with
// repeated indices (pairs, triples and more), zeros and values that cancel.
func TestCanonMatchesSparse(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	w := &Worker{}
	trials := 3000
	if testing.Short() {
		trials = 300
	}
	triples := 0
	for trial := range trials {
		n := rng.IntN(3000)
		if trial%2 == 0 {
			n = rng.IntN(300) // below and above radixSort's cut-over to slices.Sort
		}
		// Many triples, a few pairs and no triple, or hardly any repeat at all.
		span := [...]uint32{uint32(n/2 + 1), uint32(n*n + 1), 1 << 27}[trial%3]
		var a sparse.Vector
		for range n {
			x := float32(rng.NormFloat64())
			switch rng.IntN(10) {
			case 0:
				x = 0
			case 1:
				x = float32(math.Copysign(0, -1))
			case 2:
				x = 1 // 1 and -1 at the same index cancel
			case 3:
				x = -1
			}
			a.Add(rng.Uint32N(span), x)
		}
		if trial%5 == 4 {
			// Sorted runs with unsorted entries after them, as Extract builds its vectors.
			a.Reset()
			for range 1 + rng.IntN(9) {
				run := make([]uint32, rng.IntN(600))
				for i := range run {
					run[i] = rng.Uint32N(span)
				}
				if rng.IntN(3) > 0 {
					slices.Sort(run)
				}
				for _, i := range run {
					a.Add(i, float32(rng.NormFloat64()))
				}
			}
		}
		if hasTriple(a.Idx) {
			triples++
		}
		b := a.Clone()
		a.Canon()
		w.canon(&b)
		if !slices.Equal(a.Idx, b.Idx) || !slices.Equal(a.Val, b.Val) {
			t.Fatalf("trial %d (%d entries): canon differs from Canon", trial, n)
		}
	}
	if triples < trials/30 || triples > trials-trials/30 {
		t.Errorf("%d of %d vectors have an index three times; want both kinds", triples, trials)
	}
}

func TestLogCount(t *testing.T) {
	for c := range 1000 {
		if got, want := logCount(float32(c)), math.Log(float64(c)); got != want {
			t.Errorf("logCount(%d) = %v, want %v", c, got, want)
		}
	}
}

func hasTriple(idx []uint32) bool {
	seen := map[uint32]int{}
	for _, i := range idx {
		if seen[i]++; seen[i] == 3 {
			return true
		}
	}
	return false
}

func TestSorter(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var s sorter[uint64]
	for _, n := range []int{0, 1, 63, 64, 65, 1000, 5000} {
		for _, span := range []uint64{1, 2, 256, 1 << 20, 1 << 32} {
			a := make([]uint64, n)
			for i := range a {
				a[i] = rng.Uint64N(span)<<20 | rng.Uint64N(1<<20)
				if i%3 == 0 {
					a[i] = a[i]&^(1<<20-1) | 5 // repeated keys, low bits equal
				}
			}
			want := slices.Clone(a)
			slices.Sort(want)
			s.sort(a, 20)
			if !slices.Equal(a, want) {
				t.Fatalf("sort of %d keys below %d: not sorted", n, span)
			}
		}
	}
}

// TestExtractAllocs checks that Extract allocates nothing once the worker's buffers have grown
// and the article is cached.
func TestExtractAllocs(t *testing.T) {
	e := fitted(t, DefaultConfig())
	w, _ := e.NewWorker()
	var v sparse.Vector
	for _, c := range []struct{ text, article string }{
		{benchMixed, article}, {benchArabic, article}, {benchEnglish, "Syria and Iraq agree"},
		{benchLong(t), article}, {"", ""}, {"don’t “quote” :) u.s. 1,000", ""},
	} {
		w.Extract(&v, c.text, c.article)
		if n := testing.AllocsPerRun(10, func() { w.Extract(&v, c.text, c.article) }); n != 0 {
			t.Errorf("Extract(%.20q...) allocates %v times", c.text, n)
		}
	}
}

// sampleExtractors returns an extractor per golden config, fitted on the labelled sample.
func sampleExtractors(t testing.TB) []*Extractor {
	train, _ := samplePairs(t)
	pairs := make([]Pair, len(train))
	for i, p := range train {
		pairs[i] = p.Pair
	}
	var es []*Extractor
	for _, gc := range goldenConfigs {
		e, err := New(gc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		e.Fit(pairs)
		es = append(es, e)
	}
	return es
}

// checkExtractMatchesReference extracts text answering article through w and ref, the
// extraction as it was before it was made faster, and compares the vectors and, if names is
// set, what Names gives.
func checkExtractMatchesReference(t *testing.T, w *Worker, ref *refWorker, text, article string, names bool) {
	t.Helper()
	var got, want sparse.Vector
	w.Extract(&got, text, article)
	ref.Extract(&want, text, article)
	if !slices.Equal(got.Idx, want.Idx) || !slices.Equal(got.Val, want.Val) {
		t.Fatalf("Extract(%q, %.30q...) differs from the reference:\n got %v %v\nwant %v %v",
			text, article, got.Idx, got.Val, want.Idx, want.Val)
	}
	if !names {
		return
	}
	gotNames, wantNames := w.Names(&got, text, article), ref.Names(&want, text, article)
	if !maps.Equal(gotNames, wantNames) {
		t.Fatalf("Names(%q, %.30q...) differ from the reference", text, article)
	}
}

// TestExtractMatchesReference compares Extract with the reference on every sample comment and
// on the tokenizer's edge cases, each with a sample article, under every golden config.
func TestExtractMatchesReference(t *testing.T) {
	train, unseen := samplePairs(t)
	all := append(train, unseen...)
	for _, e := range sampleExtractors(t) {
		w, _ := e.NewWorker()
		ref := e.refWorker()
		for i, p := range all {
			checkExtractMatchesReference(t, w, ref, p.Text, p.Article, true)
			if i < len(tokenizerCases) {
				checkExtractMatchesReference(t, w, ref, tokenizerCases[i], all[len(all)-1-i].Article, true)
			}
		}
		checkExtractMatchesReference(t, w, ref, "", "", true)
		checkExtractMatchesReference(t, w, ref, benchLong(t), all[0].Article, true)
	}
}

func FuzzExtractMatchesReference(f *testing.F) {
	train, unseen := samplePairs(f)
	for i, p := range append(train, unseen...) {
		f.Add(p.Text, p.Article)
		if i < len(tokenizerCases) {
			f.Add(tokenizerCases[i], p.Text)
		}
	}
	es := sampleExtractors(f)
	var ws []*Worker
	var refs []*refWorker
	for _, e := range es {
		w, _ := e.NewWorker()
		ws, refs = append(ws, w), append(refs, e.refWorker())
	}
	f.Fuzz(func(t *testing.T, text, article string) {
		if len(text)+len(article) > 2000 {
			t.Skip("prose takes quadratic time in the length of a word") // see TestTokenizeLongWords
		}
		for i := range ws {
			checkExtractMatchesReference(t, ws[i], refs[i], text, article, i == 0)
		}
	})
}

// Hash counts every word and character n-gram of the comment, as Extract hashes them, and
// allocates nothing once its buffers have grown.
func TestHash(t *testing.T) {
	e := fitted(t, DefaultConfig())
	w, _ := e.NewWorker()
	// Tokens "a", "b" and "é": 3 unigrams, 2 bigrams, 1 trigram; each padded token (" a ",
	// 3 characters) has 2 character bigrams and 1 trigram.
	if got, want := w.Hash("A b É"), 3+2+1+3*(2+1); got != want {
		t.Errorf("Hash(%q) = %d n-grams, want %d", "A b É", got, want)
	}
	if got := w.Hash(""); got != 0 {
		t.Errorf("Hash(\"\") = %d, want 0", got)
	}
	long := benchLong(t)
	w.Hash(long)
	if n := testing.AllocsPerRun(10, func() { w.Hash(long) }); n != 0 {
		t.Errorf("Hash allocates %v times", n)
	}
}

// Terms gives Extract's vector once its entries are merged, on the sample corpus with each
// golden configuration.
func TestTermsMergeToExtract(t *testing.T) {
	train, _ := samplePairs(t)
	for _, e := range sampleExtractors(t) {
		w, _ := e.NewWorker()
		var terms, want sparse.Vector
		for _, p := range train {
			w.Extract(&want, p.Text, p.Article)
			w.Terms(&terms, p.Text, p.Article)
			got := terms.Clone()
			got.Canon()
			if !slices.Equal(got.Idx, want.Idx) || !slices.Equal(got.Val, want.Val) {
				t.Fatalf("%+v: %q: merged terms differ from Extract", e.Config(), p.Text)
			}
		}
	}
}

// ExtractOwn and ArticleWords split Extract's vector into the comment's own part and the part
// every comment on the article shares: their sum is Extract's vector.
func TestExtractOwnPlusArticleWords(t *testing.T) {
	train, _ := samplePairs(t)
	shared := 0
	for _, e := range sampleExtractors(t) {
		w, _ := e.NewWorker()
		var own, art, want sparse.Vector
		for _, p := range train {
			w.Extract(&want, p.Text, p.Article)
			w.ExtractOwn(&own, p.Text, p.Article)
			w.ArticleWords(&art, p.Article)
			shared += len(art.Idx)
			for _, v := range []sparse.Vector{own, art} {
				if !slices.IsSorted(v.Idx) || len(slices.Compact(slices.Clone(v.Idx))) != len(v.Idx) {
					t.Fatalf("%q: a part is not canonical", p.Text)
				}
			}
			got := own.Clone()
			for i, idx := range art.Idx {
				got.Add(idx, art.Val[i])
			}
			got.Canon()
			if !slices.Equal(got.Idx, want.Idx) {
				t.Fatalf("%+v: %q: own + article words have other indices than Extract", e.Config(), p.Text)
			}
			for i := range got.Val {
				if d := math.Abs(float64(got.Val[i] - want.Val[i])); d > 1e-6 {
					t.Fatalf("%q: index %d: %v, Extract %v", p.Text, got.Idx[i], got.Val[i], want.Val[i])
				}
			}
		}
	}
	if shared == 0 {
		t.Fatal("no article words in any configuration: the test proves nothing")
	}
}

// Names reads an article once and replays its words' names from the cache: a worker that has
// named many comments gives each the names a fresh worker gives it, whatever it extracted before.
func TestNamesFromTheArticleCache(t *testing.T) {
	train, _ := samplePairs(t)
	e := sampleExtractors(t)[0]
	warm, _ := e.NewWorker()
	var v sparse.Vector
	for _, p := range train[:20] {
		warm.Extract(&v, p.Text, p.Article) // cached without names
	}
	for _, p := range train {
		got := warm.Names(&v, p.Text, p.Article)
		cold, _ := e.NewWorker()
		want := cold.Names(&v, p.Text, p.Article)
		if !maps.Equal(got, want) {
			t.Fatalf("%q: names from a warm worker differ from a fresh worker's", p.Text)
		}
	}
}

// NamesOf names each wanted index as Names does, conjoined copies included, with every golden
// configuration.
func TestNamesOfMatchesNames(t *testing.T) {
	train, _ := samplePairs(t)
	for _, e := range sampleExtractors(t) {
		w, _ := e.NewWorker()
		var v sparse.Vector
		for i, p := range train {
			all := w.Names(&v, p.Text, p.Article)
			want := map[uint32]bool{}
			for idx := range all {
				if idx%3 == uint32(i%3) { // a third of them, a different third each time
					want[idx] = true
				}
			}
			got := w.NamesOf(&v, p.Text, p.Article, want)
			for idx := range want {
				if got[idx] != all[idx] {
					t.Fatalf("%+v: %q: index %d named %q, Names says %q", e.Config(), p.Text, idx, got[idx], all[idx])
				}
			}
		}
	}
}

func TestTFOfCountIsTF(t *testing.T) {
	for n := range uint32(200) {
		if got, want := TFOfCount(n), TF(float32(n)); got != want {
			t.Fatalf("TFOfCount(%d) = %v, TF = %v", n, got, want)
		}
	}
	if got, want := TFOfCount(1), float32(1); got != want {
		t.Fatalf("TFOfCount(1) = %v, want %v", got, want)
	}
}
