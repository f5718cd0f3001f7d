package features

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"founding example", "الله يبارك كل جهود ضد الارهاب", "الله يبارك كل جهود ضد الارهاب"},
		{"tashkeel", "كَلامُهُ صَحِيحٌ", "كلامه صحيح"},
		{"shadda and dagger alef", "الرَّحْمٰن", "الرحمن"},
		{"tatweel", "جـــميل", "جميل"},
		{"alef forms", "أحمد إلى آخر ٱلقرآن", "احمد الي اخر القران"},
		{"alef maqsura and ta marbuta", "مستشفى المدينة", "مستشفي المدينه"},
		{"arabic-indic digits", "عام ٢٠٢٤ و۱۹", "عام 2024 و19"},
		{"repeated letters", "جمييييل جداااا", "جمييل جداا"},
		{"arabic punctuation split", "صحيح،لكن؟ لا؛", "صحيح , لكن ? لا ;"},
		{"english case folding", "Great NEWS, Finally!", "great news, finally!"},
		{"english squeeze", "sooooo goooood", "soo good"},
		{"digits not squeezed", "1000 votes", "1000 votes"},
		{"url", "see https://t.co/AbC123 now", "see <url> now"},
		{"www url", "WWW.example.com.", "<url>"},
		{"mention", "@User_1: you are right", "<user> : you are right"},
		{"hashtag", "#Stop_The_War #SemST", "stop the war semst"},
		{"arabic hashtag", "#الحرب_على_الارهاب", "الحرب علي الارهاب"},
		{"emoji apart", "رائع👍👍👍👍 great😀", "رائع 👍 👍 great 😀"},
		{"emoji modifiers dropped", "ok 👍🏽 ❤️", "ok 👍 ❤"},
		{"bidi marks", "\u200fمرحبا\u200e hello", "مرحبا hello"},
		{"control characters", "a\x00b\tc\r\nd", "a b c d"},
		{"only diacritics", "ًٌٍ", ""},
		{"only whitespace", " \t\n ", ""},
		{"mixed script", "الـ iPhone جديد", "ال iphone جديد"},
		{"invalid utf-8 becomes space", "a\xffb", "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(Normalize(nil, tt.in)); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeAppends(t *testing.T) {
	got := string(Normalize([]byte("x|"), "ABC"))
	if got != "x|abc" {
		t.Fatalf("got %q", got)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "كَلامُهُ صَحِيحٌ", "جمييييل", "\xff\xfe", "a\x00b", "👍🏽‍❤️", "@", "#", "#_", "http://", "\u200f", "ـــ", strings.Repeat("ه", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Normalize(nil, s)
		if !utf8.Valid(out) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, out)
		}
		if strings.HasPrefix(string(out), " ") || strings.HasSuffix(string(out), " ") || strings.Contains(string(out), "  ") {
			t.Fatalf("Normalize(%q) = %q has stray spaces", s, out)
		}
		if again := Normalize(nil, string(out)); string(again) != string(out) {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
		var tk tokenizer
		tk.tokenize(nil, out)
	})
}

func TestIsSpaceMatchesReference(t *testing.T) {
	for r := rune(-1); r <= utf8.MaxRune+1; r++ {
		if got, want := isSpace(r), refIsSpace(r); got != want {
			t.Fatalf("isSpace(%U) = %v, want %v", r, got, want)
		}
	}
}

// TestNormalizeRunesMatchReference normalises every assigned Unicode character (and a sample
// of the planes that hold only unassigned and private-use code points) alone, repeated (for the
// squeezing of runs) and next to letters, with the fast Normalize and the reference copy; with
// -short, every character below U+0800 and one in 17 of the others.
func TestNormalizeRunesMatchReference(t *testing.T) {
	var got, want []byte
	var in strings.Builder
	sample := rune(1) // of the characters above U+0800 (runeActions holds those below)
	if testing.Short() {
		sample = 17
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if plane := r >> 16; plane >= 4 && plane != 14 && r%101 != 0 || r >= 0x800 && r%sample != 0 || !utf8.ValidRune(r) {
			continue
		}
		c := string(r)
		in.Reset()
		for _, s := range []string{c, "a", c, c, c, "_", c, "ب", c, " @", c} {
			in.WriteString(s)
		}
		s := in.String()
		got, want = Normalize(got[:0], s), refNormalize(want[:0], s)
		if string(got) != string(want) {
			t.Fatalf("Normalize(%q) = %q, reference gives %q", s, got, want)
		}
	}
}

func FuzzNormalizeMatchesReference(f *testing.F) {
	for _, s := range normalizeSeeds(f) {
		f.Add("", s)
	}
	f.Add("x ", "_")
	f.Add("x|", "ABC")
	f.Add(" ", "ً #_ @")
	f.Fuzz(func(t *testing.T, prefix, s string) {
		got := Normalize([]byte(prefix), s)
		want := refNormalize([]byte(prefix), s)
		if string(got) != string(want) {
			t.Fatalf("Normalize(%q, %q) = %q, reference gives %q", prefix, s, got, want)
		}
	})
}

// normalizeSeeds are the fuzz seeds of the Normalize tests: edge cases, and every comment and
// article of the sample corpus.
func normalizeSeeds(t testing.TB) []string {
	seeds := []string{"", "كَلامُهُ صَحِيحٌ", "جمييييل", "\xff\xfe", "a\x00b", "👍🏽‍❤️", "@", "#", "#_", "http://",
		"\u200f", "ـــ", strings.Repeat("ه", 100), "Ⓐⓐ ＡＢＣ İstanbul K Ω ß ẞ", "@_x: @1 @ @@ #", "HTTPS://X.Y www. wWw.x",
		"\u0085x\u00a0y\u1680z\u2028\u3000\ufeff\u200b", "٢٠٢٤ ۱۹ ٪ ، ؛ ؟ ۔", "aaa AAA aAa 111 ...!!! ؟؟؟ 👍👍👍 ^^^ ´´´"}
	train, unseen := samplePairs(t)
	for _, p := range append(train, unseen...) {
		seeds = append(seeds, p.Text, p.Article)
	}
	return seeds
}
