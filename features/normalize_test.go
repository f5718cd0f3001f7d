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

func TestTokenize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"كلامه صحيح؟", "كلامه|صحيح|?"},
		{"I don't agree, (really) !", "i|do|n't|agree|really|!"},
		{"in 2024 about 3.5% more", "in|<num>|about|<num>|more"},
		{"@bob see https://x.y", "<user>|see|<url>"},
		{"رائع👍", "رائع|👍"},
		{"... --- ", ""},
	}
	for _, tt := range tests {
		got := strings.Join(tokenize(nil, string(Normalize(nil, tt.in))), "|")
		if got != tt.want {
			t.Errorf("tokens of %q = %q, want %q", tt.in, got, tt.want)
		}
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
		tokenize(nil, string(out))
	})
}

func BenchmarkNormalize(b *testing.B) {
	text := "الله يبارك كل جهود ضد الارهاب 👍 @user كلامه صحيح؟ Great NEWS, finally! https://t.co/x"
	var buf []byte
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		buf = Normalize(buf[:0], text)
	}
}

func BenchmarkTokenize(b *testing.B) {
	text := string(Normalize(nil, "الله يبارك كل جهود ضد الارهاب 👍 @user كلامه صحيح؟ Great NEWS, finally! https://t.co/x"))
	var toks []string
	b.ReportAllocs()
	for b.Loop() {
		toks = tokenize(toks[:0], text)
	}
}
