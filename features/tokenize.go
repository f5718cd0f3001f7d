package features

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// tokenizer splits normalised text into words. It reproduces, token for token, the tokenizer of
// prose v2.0.0 (github.com/jdkato/prose/v2, tokenize.go: iterTokenizer), which the project
// names as its tokenizer and whose tokens the models were trained on; it only does it faster.
// prose builds a Document, a map, a lower-cased copy of every word and a *Token per token, and
// matches a regular expression per word; this tokenizer returns subslices of the text it is
// given and allocates nothing once its buffers have grown (TestTokenizeAllocs), which makes it
// more than an order of magnitude faster (BenchmarkTokenize against BenchmarkTokenizeProse;
// figures in docs/BENCHMARKS.md).
//
// Exactness is proved against prose itself, which stays a dependency of the tests alone, the
// oracle (proseTokenize in tokenize_prose_test.go): TestTokenizeMatchesProse and FuzzTokenizeMatchesProse compare
// the two on edge cases, on every text of ../data/sample and on whatever the fuzzer makes of
// them, and TestGoldenVectors compares whole vectors with those extracted through prose.
//
// The tokens equal prose's for any text that is valid UTF-8 and in which every character's
// lower case (unicode.ToLower) is as long in UTF-8 as the character itself, which all that
// Normalize returns is (TestNormalizedTextSuitsTokenizer). prose looks for contractions in a
// lower-cased copy of a word and cuts the word at the offset found there; where lower-casing
// changes a length (K, the Kelvin sign, becomes k) the offsets of the two disagree and prose
// cuts in the middle of a character, or panics.
type tokenizer struct {
	// clean holds the text after prose's sanitizer when that changes it (curly quotes).
	clean []byte
}

// tokenize appends the tokens of normalised text to dst. The tokens are subslices of text (or
// of the tokenizer's own buffer), valid until the next call, and must not be written to.
//
// After prose's rules: numbers become <num>, and tokens made only of punctuation are dropped
// except ? and !, which mark questions and exclamations (cues of querying and of denial in
// RumourEval).
func (tk *tokenizer) tokenize(dst [][]byte, text []byte) [][]byte {
	text = tk.sanitize(text)
	// prose splits at every change between white space (unicode.IsSpace) and the rest; the
	// white spans give no tokens. No continuation byte can start a space character, so the
	// bytes can be scanned one by one and only the possible starts of one decoded.
	for i := 0; i < len(text); {
		if n := tokSpaceLen(text, i); n > 0 {
			i += n
			continue
		}
		j := i + 1
		for j < len(text) {
			if t := tokSpace[text[j]]; t == 1 || t == 2 && tokSpaceLen(text, j) > 0 {
				break
			}
			j++
		}
		dst = splitWord(dst, text[i:j:j])
		i = j
	}
	return dst
}

// tokSpace classifies bytes: 1 for ASCII white space, 2 for the first byte of a character that
// may be white space (U+0085, U+00A0, U+1680, U+2000–U+205F, U+3000).
var tokSpace = [256]uint8{'\t': 1, '\n': 1, '\v': 1, '\f': 1, '\r': 1, ' ': 1, 0xc2: 2, 0xe1: 2, 0xe2: 2, 0xe3: 2}

// tokSpaceLen is the length of the white-space character (unicode.IsSpace) at text[i], or 0.
// A space character found this way is where prose finds it: prose steps over whole characters,
// but the bytes stepped over are continuation bytes, which tokSpace marks 0.
func tokSpaceLen(text []byte, i int) int {
	switch tokSpace[text[i]] {
	case 0:
		return 0
	case 1:
		return 1
	}
	if r, size := utf8.DecodeRune(text[i:]); unicode.IsSpace(r) {
		return size
	}
	return 0
}

// sanitize applies prose's sanitizer (a strings.Replacer) to text, into tk.clean when it
// changes anything: curly quotes become straight ones, and so does the HTML entity &rsquo;.
func (tk *tokenizer) sanitize(text []byte) []byte {
	// amp and e2 are the offsets of the next & and of the next 0xe2 byte (the first of “ ” ‘ ’)
	// at or after the offset searched from, or len(text); both only grow, so the scan is linear.
	amp, e2 := -1, -1
	next := func(i int) int { // the offset of the next sequence replaced, or len(text)
		for {
			if amp < i {
				amp = indexByteFrom(text, i, '&')
			}
			if e2 < i {
				e2 = indexByteFrom(text, i, 0xe2)
			}
			if j := min(amp, e2); j == len(text) || sanitized(text[j:]) != 0 {
				return j
			}
			i = min(amp, e2) + 1
		}
	}
	i := next(0)
	if i == len(text) {
		return text
	}
	out := tk.clean[:0]
	for done := 0; ; i = next(i) {
		out = append(out, text[done:i]...)
		if i == len(text) {
			break
		}
		n := sanitized(text[i:])
		if text[i] == '&' || text[i+2] == 0x98 || text[i+2] == 0x99 {
			out = append(out, '\'')
		} else {
			out = append(out, '"')
		}
		i += n
		done = i
	}
	tk.clean = out
	return out
}

// indexByteFrom is the offset of the first c in text at or after offset i, or len(text).
func indexByteFrom(text []byte, i int, c byte) int {
	if j := bytes.IndexByte(text[i:], c); j >= 0 {
		return i + j
	}
	return len(text)
}

// sanitized is the length of the sequence at the start of s that prose's sanitizer replaces:
// 3 for “ ” ‘ ’ (U+201C, U+201D, U+2018, U+2019), 7 for &rsquo;, or 0. No two of them overlap,
// so replacing each from left to right is what strings.Replacer does.
func sanitized(s []byte) int {
	if len(s) >= 3 && s[0] == 0xe2 && s[1] == 0x80 {
		switch s[2] {
		case 0x9c, 0x9d, 0x98, 0x99:
			return 3
		}
	}
	if bytes.HasPrefix(s, []byte("&rsquo;")) {
		return 7
	}
	return 0
}

// splitWord appends the tokens of one white-space-free span, as prose's doSplit finds them,
// each through appendToken. doSplit repeats, until the word stops shrinking:
//   - an emoticon or an abbreviation (special) is a token, and ends the word;
//   - else a leading $ ( " [ is split off as a token;
//   - else at the first 'll 's 're 'm, or if none the first n't (in that order, case aside, and
//     only in a word longer than the contraction), the part before is a token and the rest
//     goes on; a word that starts with one (offset 0) does not shrink, so it and all that is
//     left of it are dropped;
//   - else a trailing , ) " ] ! ; . ? : ' is split off, to follow the word's other tokens;
//   - else the word is a token.
//
// prose searches the whole word again at each step, which takes time quadratic in its length
// (a line of 100 000 apostrophes); splitWord keeps what it found and is linear. prose also
// caches the tokens of each distinct span; doSplit is a pure function, so the cache changes
// nothing but speed and is not reproduced.
func splitWord(dst [][]byte, word []byte) [][]byte {
	lo, hi := 0, len(word) // what is left of the word; word[hi:] are the split-off suffixes
	// next[k] is the offset of the first contractions[k] at or after lo, or len(word)+1. The
	// first that fits in word[lo:hi] is the only one that may, since hi only falls.
	// All contractions hold an apostrophe; most words have none.
	var next [len(contractions)]int
	quote := bytes.IndexByte(word, '\'') >= 0
	if quote {
		for k, c := range contractions {
			next[k] = indexLower(word, 0, c)
		}
	}
	dotted := dottedEnd(word, 0)
	moved := func() { // lo has grown
		dotted = dottedEnd(word, lo)
		for k, c := range contractions {
			if !quote {
				break
			}
			if next[k] < lo {
				next[k] = indexLower(word, lo, c)
			}
		}
	}
	for {
		w := word[lo:hi:hi]
		if special(w, hi <= dotted) {
			dst = appendToken(dst, w)
			break
		}
		if len(w) > 1 && (w[0] == '$' || w[0] == '(' || w[0] == '"' || w[0] == '[') {
			dst = appendToken(dst, w[:1:1])
			lo++
			moved()
			continue
		}
		at := -1
		for k, c := range contractions {
			if !quote {
				break
			}
			if len(w) > len(c) && next[k]+len(c) <= hi {
				at = next[k] - lo
				break
			}
		}
		if at == 0 {
			break
		}
		if at > 0 {
			dst = appendToken(dst, w[:at:at])
			lo += at
			moved()
			continue
		}
		if n := len(w); n > 1 && isSuffix(w[n-1]) {
			hi--
			continue
		}
		dst = appendToken(dst, w)
		break
	}
	for i := hi; i < len(word); i++ {
		dst = appendToken(dst, word[i:i+1:i+1])
	}
	return dst
}

// contractions are what prose splits words at, in the order it looks for them.
var contractions = [...]string{"'ll", "'s", "'re", "'m", "n't"}

func isSuffix(c byte) bool {
	switch c {
	case ',', ')', '"', ']', '!', ';', '.', '?', ':', '\'':
		return true
	}
	return false
}

// indexLower is the offset of the first s at or after offset from in the lower case of word,
// or len(word)+1. s is lower-case ASCII; prose compares it with strings.ToLower(word), in
// which, under the length condition of tokenizer, the ASCII bytes are those of word
// lower-cased and no other byte is ASCII.
func indexLower(word []byte, from int, s string) int {
	for i := from; i+len(s) <= len(word); i++ {
		j := 0
		for j < len(s) && lowerASCII(word[i+j]) == s[j] {
			j++
		}
		if j == len(s) {
			return i
		}
	}
	return len(word) + 1
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// dottedEnd is the end of the run of letter-and-period pairs (u.s.) in word from offset lo.
func dottedEnd(word []byte, lo int) int {
	i := lo
	for i+1 < len(word) && word[i+1] == '.' {
		if c := word[i] | 0x20; c < 'a' || c > 'z' {
			break
		}
		i += 2
	}
	return i
}

// special reports whether prose keeps w whole: an emoticon of its table, or a match of
// prose's `^(?:[A-Za-z]\.){2,}$|^[A-Z][a-z]{1,2}\.$` (u.s.a., Mr.). dotted says whether w is
// all letter-and-period pairs (dottedEnd).
func special(w []byte, dotted bool) bool {
	n := len(w)
	if n == 0 {
		return false
	}
	if emoticonStart[w[0]] && n <= emoticonMaxLen {
		if _, ok := emoticons[string(w)]; ok {
			return true
		}
	}
	if dotted && n >= 4 && n%2 == 0 {
		return true
	}
	if n < 3 || n > 4 || w[n-1] != '.' || w[0] < 'A' || w[0] > 'Z' {
		return false
	}
	for _, c := range w[1 : n-1] {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// emoticons is prose v2.0.0's table (tokenize.go), which it keeps whole.
var emoticons = map[string]struct{}{
	"(-8": {}, "(-;": {}, "(-_-)": {}, "(._.)": {}, "(:": {}, "(=": {}, "(o:": {}, "(¬_¬)": {},
	"(ಠ_ಠ)": {}, "(╯°□°）╯︵┻━┻": {}, "-__-": {}, "8-)": {}, "8-D": {}, "8D": {}, ":(": {},
	":((": {}, ":(((": {}, ":()": {}, ":)))": {}, ":-)": {}, ":-))": {}, ":-)))": {}, ":-*": {},
	":-/": {}, ":-X": {}, ":-]": {}, ":-o": {}, ":-p": {}, ":-x": {}, ":-|": {}, ":-}": {},
	":0": {}, ":3": {}, ":P": {}, ":]": {}, ":`(": {}, ":`)": {}, ":`-(": {}, ":o": {}, ":o)": {},
	"=(": {}, "=)": {}, "=D": {}, "=|": {}, "@_@": {}, "O.o": {}, "O_o": {}, "V_V": {}, "XDD": {},
	"[-:": {}, "^___^": {}, "o_0": {}, "o_O": {}, "o_o": {}, "v_v": {}, "xD": {}, "xDD": {},
	"¯\\(ツ)/¯": {},
}

// emoticonStart marks the first bytes of emoticons, and emoticonMaxLen is the longest, so that
// most words need no lookup.
var emoticonStart, emoticonMaxLen = func() (start [256]bool, maxLen int) {
	for e := range emoticons {
		start[e[0]] = true
		maxLen = max(maxLen, len(e))
	}
	return start, maxLen
}()

// numToken is TokenNumber as a token; tokens are never written to, so all share it.
var numToken = []byte(TokenNumber)

func appendToken(dst [][]byte, tok []byte) [][]byte {
	switch {
	case len(tok) == 1 && (tok[0] == '?' || tok[0] == '!'):
		return append(dst, tok)
	case isNumber(tok):
		return append(dst, numToken[:len(numToken):len(numToken)])
	case onlyPunct(tok):
		return dst
	}
	return append(dst, tok)
}

// isNumber reports whether tok is digits with optional separators (1,000 3.5 %50).
func isNumber(tok []byte) bool {
	digits := 0
	for _, c := range tok {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' || c == ',' || c == '%' || c == '+' || c == '-' || c == '/' || c == ':':
		default:
			return false
		}
	}
	return digits > 0
}

// onlyPunct reports whether tok is made only of punctuation and of symbols below U+2000
// (emoji and other pictographs stay, as words).
func onlyPunct(tok []byte) bool {
	for i := 0; i < len(tok); {
		r, size := rune(tok[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(tok[i:])
		}
		if r < rune(len(punctBelow)) && !punctBelow[r] || r >= rune(len(punctBelow)) && !isPunct(r) {
			return false
		}
		i += size
	}
	return true
}

func isPunct(r rune) bool { return unicode.IsPunct(r) || (unicode.IsSymbol(r) && r < 0x2000) }

// punctBelow holds isPunct of the characters below U+0800, the first of most words.
var punctBelow = func() (t [0x800]bool) {
	for r := range t {
		t[r] = isPunct(rune(r))
	}
	return t
}()
