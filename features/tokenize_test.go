package features

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// tokenStrings is the fast tokenizer's output as strings.
func tokenStrings(normalized string) []string { return tokensOf(normalized, false) }

// proseTokenStrings is the output of prose's tokenizer, after appendToken, as strings.
func proseTokenStrings(normalized string) []string { return tokensOf(normalized, true) }

func tokensOf(text string, useProse bool) []string {
	var tk tokenizer
	toks := tk.tokenize(nil, []byte(text))
	if useProse {
		toks = proseTokenize(nil, []byte(text))
	}
	var out []string
	for _, t := range toks {
		out = append(out, string(t))
	}
	return out
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
		got := strings.Join(tokenStrings(string(Normalize(nil, tt.in))), "|")
		if got != tt.want {
			t.Errorf("tokens of %q = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// tokenizerCases are texts on which prose's rules meet: contractions, prefixes and suffixes in
// every order, emoticons, abbreviations, quotes for the sanitizer, and other white space.
var tokenizerCases = []string{
	"", " ", "a", "don't", "DON'T", "won't've", "they'll.", "they'll", "'ll", "'lls", "'s", "'sup",
	"'re,", "we're's", "(don't's", "it's!", "n't", "xn't", "can't!?", "i'm'", "'m'", "o'neill's",
	"rock'n'roll", "''", "'", "\"'s\"", "$100", "$", "(a)", "((a))", "[\"x\"]", "\"(ok)\"",
	"end.", "end...", "what?!", "ok:", "a,b,c,", ",,,", "?", "!", "!!!", "?!?!", "؟", "a?b", "$1,000.50",
	"3.5%", "%50", "+1", "-", "1/2", "12:30", "1e5", "٢٠٢٤", ":)", ":-)", ":))", ":)))", ":(((", ":P",
	":p", "xD", "xDD", "XDD", "=D", "8D", "o_o", "O_o", "(:", "(=", "(-;", "(:)", "(-_-)", "(ಠ_ಠ)",
	"(╯°□°）╯︵┻━┻", "¯\\(ツ)/¯", "^___^", "@_@", ":`-(", "[-:", "(o:", "(¬_¬)", "-__-", "8-)",
	":-X", ":-x", "V_V", "v_v", "o_0", "O.o", ":o)", "(:)))", ":),", "(:-)", "\":-)\"",
	"u.s.", "U.S.A.", "u.s", "a.b.c.d.", "a.", "Mr.", "Mrs.", "Mrs", "mr.", "Dr.,", "MR.", "e.g.,",
	"i.e.", "“quoted”", "‘single’", "don’t", "it’s”", "&rsquo;s", "don&rsquo;t", "&rsquo;", "&rsquo",
	"a\tb\nc\r\nd\v\fe", "a\u00a0b\u0085c\u1680d\u2000e\u200af\u2028g\u2029h\u202fi\u205fj\u3000k",
	"a\u200bb\ufeffc", "  lead and trail  ", "a  b", " \t ", "\x1fa\x1cb", "Ⓐ's Ⓑn't", "ÉTÉ'S",
	"https://t.co/x?y=1&z=2.", "<url> <user> <num>", "#tag", "@user:", "e-mail", "semi;colon;",
	"كلامه صحيح؟", "صحيح , لكن ? لا ;", "رائع 👍 👍", "👍's", "ال'ss", "😀!", "«الارهاب", "مشترك»",
}

// tokenizable reports whether the fast tokenizer must match prose on s itself: s is valid UTF-8
// and lower-casing keeps each character's length (see tokenizer).
func tokenizable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if utf8.RuneLen(unicode.ToLower(r)) != utf8.RuneLen(r) {
			return false
		}
	}
	return true
}

func checkTokensMatchProse(t *testing.T, s string) {
	t.Helper()
	texts := []string{string(Normalize(nil, s))}
	if tokenizable(s) {
		texts = append(texts, s)
	}
	for _, text := range texts {
		got, want := tokenStrings(text), proseTokenStrings(text)
		if !slices.Equal(got, want) {
			t.Fatalf("tokens of %q:\n got %q\nprose %q", text, got, want)
		}
	}
}

// TestTokenizeMatchesProse compares the fast tokenizer with prose on tokenizerCases and on
// every text of the sample corpus, raw and normalised.
func TestTokenizeMatchesProse(t *testing.T) {
	for _, s := range tokenizerSeeds(t) {
		checkTokensMatchProse(t, s)
	}
}

func FuzzTokenizeMatchesProse(f *testing.F) {
	for _, s := range tokenizerSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 2000 {
			t.Skip("prose takes quadratic time in the length of a word") // see TestTokenizeLongWords
		}
		checkTokensMatchProse(t, s)
	})
}

// tokenizerSeeds are tokenizerCases, the same cases glued together and spaced, and every
// comment and article of the sample corpus.
func tokenizerSeeds(t testing.TB) []string {
	seeds := slices.Clone(tokenizerCases)
	seeds = append(seeds, strings.Join(tokenizerCases, " "), strings.Join(tokenizerCases, ""),
		strings.Join(tokenizerCases, "\t"))
	for _, w := range adversarialWords {
		seeds = append(seeds, strings.Repeat(w, 50), "a"+strings.Repeat(w, 51)+"b")
	}
	for _, e := range slices.Sorted(maps.Keys(emoticons)) {
		seeds = append(seeds, e, "("+e+")", e+".", "\""+e, e+e)
	}
	train, unseen := samplePairs(t)
	for _, p := range append(train, unseen...) {
		seeds = append(seeds, p.Text, p.Article)
	}
	return seeds
}

// TestTokenizeMatchesProseTreebank compares the fast tokenizer with prose on the sentences
// that prose's own tests tokenize (testdata/treebank_sents.json in prose's module).
func TestTokenizeMatchesProseTreebank(t *testing.T) {
	if testing.Short() {
		t.Skip("reads prose's test data from the module cache")
	}
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/jdkato/prose/v2").Output()
	if err != nil {
		t.Skipf("cannot locate prose's module: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "testdata", "treebank_sents.json"))
	if err != nil {
		t.Skip(err)
	}
	var sents []string
	if err := json.Unmarshal(b, &sents); err != nil {
		t.Fatal(err)
	}
	for _, s := range sents {
		checkTokensMatchProse(t, s)
	}
	t.Logf("%d sentences", len(sents))
}

// TestNormalizedTextSuitsTokenizer checks that whatever Normalize writes for any character
// meets the condition under which the fast tokenizer equals prose's.
func TestNormalizedTextSuitsTokenizer(t *testing.T) {
	var out []byte
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		out = Normalize(out[:0], string(r))
		if !tokenizable(string(out)) {
			t.Fatalf("Normalize(%q) = %q, which lower-cases to another length", string(r), out)
		}
	}
}

// TestTokSpace checks that tokSpace marks the first byte of every white-space character.
func TestTokSpace(t *testing.T) {
	var buf [utf8.UTFMax]byte
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !unicode.IsSpace(r) {
			continue
		}
		if utf8.EncodeRune(buf[:], r); tokSpace[buf[0]] == 0 {
			t.Errorf("tokSpace misses %U", r)
		}
	}
}

// adversarialWords are words on which prose's doSplit takes quadratic time.
var adversarialWords = []string{"'", "a.", "(", "\"", "'s", "n't", "((a.", "a.;.", "x'", "'x", ".'",
	"…&", "&rsquo", "‘’", "“a”"}

// TestTokenizeLongWords tokenizes words of a million bytes, which takes quadratic time (hours)
// in prose and must take linear time here: each must finish within a second (a thousand times
// what linear time takes, so that a busy machine does not fail it), and the same word repeated
// 64 times must give prose's tokens, so that the fast path is the tokenizer under test.
func TestTokenizeLongWords(t *testing.T) {
	var tk tokenizer
	var toks [][]byte
	for _, w := range adversarialWords {
		t.Run(w, func(t *testing.T) {
			checkTokensMatchProse(t, strings.Repeat(w, 64))
			text := []byte(strings.Repeat(w, 1<<20/len(w)))
			start := time.Now()
			toks = tk.tokenize(toks[:0], text)
			if d := time.Since(start); d > time.Second {
				t.Errorf("%d bytes of %q took %v (%d tokens): not linear time", len(text), w, d, len(toks))
			}
		})
	}
}

func TestTokenizeAllocs(t *testing.T) {
	for _, s := range []string{benchMixed, benchEnglish, benchLong(t), "don’t “quote” :) u.s. 1,000"} {
		norm := Normalize(nil, s)
		var tk tokenizer
		toks := tk.tokenize(nil, norm)
		if n := testing.AllocsPerRun(10, func() { toks = tk.tokenize(toks[:0], norm) }); n != 0 {
			t.Errorf("tokenize(%.20q...) allocates %v times", s, n)
		}
	}
}
