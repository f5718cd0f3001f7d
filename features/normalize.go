package features

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Placeholder tokens that stand for classes of tokens whose exact spelling carries no stance.
const (
	TokenURL     = "<url>"
	TokenMention = "<user>"
	TokenNumber  = "<num>"
)

// Normalize appends to dst the normalised form of s and returns it. It runs before tokenizing,
// because prose's tokenizer keeps diacritics, tatweel and Arabic punctuation inside words.
//
// Per whitespace-separated field: a URL becomes <url>, an @mention <user>, and a hashtag its
// words ('#' dropped, '_' split), so that #الحرب_على_الارهاب and "الحرب على الارهاب" share features.
// Per character:
//   - Arabic: diacritics (tashkeel, U+064B–U+065F, U+0670, Quranic marks U+06D6–U+06ED) and tatweel
//     (U+0640) are removed; alef forms أ إ آ ٱ become ا; ى becomes ي; ة becomes ه; Arabic-Indic and
//     Eastern Arabic-Indic digits become ASCII digits; ، ؛ ؟ become , ; ? with spaces around them.
//     These are the usual orthographic normalisations of Arabic IR (Larkey, Ballesteros and
//     Connell 2002, "light stemming"; Darwish and Magdy 2014, "Arabic Information Retrieval").
//   - Latin and other cased scripts: lower-cased.
//   - Emoji and other symbols (Unicode So) stand apart as tokens of their own; variation selectors,
//     zero-width joiners, skin-tone modifiers, bidirectional marks and other format characters are
//     dropped; control characters become spaces.
//   - A letter or symbol repeated three or more times is squeezed to two (جمييييل -> جمييل,
//     soooo -> soo), keeping the emphasis but not its length.
func Normalize(dst []byte, s string) []byte {
	start := len(dst)
	for i := 0; i < len(s); {
		// Skip white space between fields.
		if c := s[i]; c < utf8.RuneSelf {
			if c <= ' ' || c == 0x7f {
				i++
				continue
			}
		} else if r, size := decodeRune(s, i); isSpace(r) {
			i += size
			continue
		}
		end := i
		for end < len(s) {
			if c := s[end]; c < utf8.RuneSelf {
				if c <= ' ' || c == 0x7f {
					break
				}
				end++
				continue
			} else if c > 0xc2 && c < 0xe0 && end+1 < len(s) && s[end+1]&0xc0 == 0x80 {
				end += 2 // U+00C0 to U+07FF: not white space
				continue
			}
			r, size := decodeRune(s, end)
			if isSpace(r) {
				break
			}
			end += size
		}
		field := s[i:end]
		i = end
		if len(dst) > start && dst[len(dst)-1] != ' ' {
			dst = append(dst, ' ')
		}
		dst = normalizeField(dst, field)
	}
	// Fields that normalised to nothing (only diacritics, say) may leave a trailing space.
	for len(dst) > start && dst[len(dst)-1] == ' ' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// decodeRune is utf8.DecodeRuneInString(s[i:]) for s[i] >= utf8.RuneSelf (callers handle
// ASCII themselves), with two-byte sequences (Latin, Greek, Cyrillic, Hebrew, Arabic) decoded
// here.
func decodeRune(s string, i int) (rune, int) {
	if c := s[i]; c >= 0xc2 && c < 0xe0 && i+1 < len(s) && s[i+1]&0xc0 == 0x80 {
		return rune(c&0x1f)<<6 | rune(s[i+1]&0x3f), 2
	}
	return utf8.DecodeRuneInString(s[i:])
}

// isSpace reports whether r separates fields: Unicode white space, control characters, invalid
// UTF-8 (decoded as utf8.RuneError), the zero-width space and the byte order mark.
func isSpace(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r <= ' ' || r == 0x7f // the ASCII white space is all below ' '
	case r < 0x1680:
		// Below U+1680 (Ogham space mark), the only white space outside ASCII is in Latin-1;
		// TestIsSpaceMatchesReference checks this against unicode.IsSpace for every rune.
		return r == 0x85 || r == 0xa0
	}
	return unicode.IsSpace(r) || r == utf8.RuneError || r == 0x200b || r == 0xfeff
}

func normalizeField(dst []byte, f string) []byte {
	// No rune folds to h or w but H and W, so the first byte rules out most fields before
	// strings.EqualFold runs.
	if c := f[0] | 0x20; (c == 'h' || c == 'w') &&
		(hasPrefixFold(f, "http://") || hasPrefixFold(f, "https://") || hasPrefixFold(f, "www.")) {
		return append(dst, TokenURL...)
	}
	switch {
	case len(f) > 1 && f[0] == '@' && isWordRune(firstRune(f[1:])):
		// Keep punctuation that follows the handle ("@user:" is common in replies).
		dst = append(dst, TokenMention...)
		rest := f[1:]
		for len(rest) > 0 {
			r, size := utf8.DecodeRuneInString(rest)
			if !isWordRune(r) {
				break
			}
			rest = rest[size:]
		}
		if rest != "" {
			dst = append(dst, ' ')
			dst = normalizeRunes(dst, rest)
		}
		return dst
	case len(f) > 1 && f[0] == '#':
		return normalizeRunes(dst, f[1:])
	}
	return normalizeRunes(dst, f)
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// What normalizeRunes does with a rune.
const (
	actEmit   = iota // write out (see runeAction), squeezing a run of a letter to two
	actDrop          // drop it
	actSpace         // end the word
	actPunct         // write out (an ASCII byte) as a word of its own
	actSymbol        // write the rune itself as a word of its own, squeezing a run to two
)

// runeAction is what normalizeRunes does with one rune.
type runeAction struct {
	out    rune // for actEmit the rune written, for actPunct the byte
	act    uint8
	letter bool // unicode.IsLetter(out), for actEmit: a run of a letter is squeezed
}

// classify maps one character of a field (see Normalize) to what is written for it.
func classify(r rune) runeAction {
	switch {
	case r >= 0x064B && r <= 0x065F, r >= 0x0610 && r <= 0x061A, r == 0x0670, r >= 0x06D6 && r <= 0x06ED, r == 0x0640:
		// Arabic diacritics, Quranic annotation marks and tatweel.
		return runeAction{act: actDrop}
	case r == 0x0622 || r == 0x0623 || r == 0x0625 || r == 0x0671:
		return emitAction(0x0627) // alef forms -> bare alef
	case r == 0x0649:
		return emitAction(0x064A) // alef maqsura -> ya
	case r == 0x0629:
		return emitAction(0x0647) // ta marbuta -> ha
	case r >= 0x0660 && r <= 0x0669:
		return emitAction('0' + r - 0x0660)
	case r >= 0x06F0 && r <= 0x06F9:
		return emitAction('0' + r - 0x06F0)
	case r == 0x060C, r == 0x061B, r == 0x061F, r == 0x066A, r == 0x06D4:
		return runeAction{act: actPunct, out: rune(arabicPunct(r))}
	case r == '_':
		return runeAction{act: actSpace}
	case r == 0x200d || r == 0xfe0f || r == 0xfe0e || (r >= 0x1F3FB && r <= 0x1F3FF):
		// Joiners, variation selectors and skin tones: the base emoji carries the meaning.
		return runeAction{act: actDrop}
	case unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Mn, r) && !unicode.In(r, unicode.Arabic):
		// Bidirectional marks and other invisible format characters; combining marks of
		// other scripts (accents typed separately) are dropped like Arabic diacritics.
		return runeAction{act: actDrop}
	case unicode.IsControl(r):
		return runeAction{act: actSpace}
	case unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) && r > 0x2000:
		// Emoji stand apart as tokens; a run of one emoji is squeezed like a run of letters.
		return runeAction{act: actSymbol, out: r}
	}
	return emitAction(unicode.ToLower(r))
}

func emitAction(out rune) runeAction {
	return runeAction{act: actEmit, out: out, letter: unicode.IsLetter(out)}
}

// runeActions holds classify of every rune below U+0800 (ASCII, Latin, Greek, Cyrillic,
// Hebrew, Arabic), so that most characters cost one lookup instead of a chain of range-table
// searches. With it and the inlined decoding of one- and two-byte characters, Normalize runs 6
// to 8 times as fast as before (BenchmarkNormalize against BenchmarkNormalizeReference, the
// code before, kept in normalize_ref_test.go), and gives the same bytes
// (FuzzNormalizeMatchesReference, TestNormalizeRunesMatchReference).
var runeActions = func() *[0x800]runeAction {
	var t [0x800]runeAction
	for r := range t {
		t[r] = classify(rune(r))
	}
	return &t
}()

// normalizeRunes maps the characters of one field (see Normalize).
func normalizeRunes(dst []byte, f string) []byte {
	var last rune = -1
	run := 0
	for i := 0; i < len(f); {
		var r rune
		if c := f[i]; c < utf8.RuneSelf {
			r = rune(c)
			i++
		} else if c >= 0xc2 && c < 0xe0 && i+1 < len(f) && f[i+1]&0xc0 == 0x80 {
			r = rune(c&0x1f)<<6 | rune(f[i+1]&0x3f)
			i += 2
		} else {
			var size int
			r, size = utf8.DecodeRuneInString(f[i:])
			i += size
		}
		var a runeAction
		if r < rune(len(runeActions)) {
			a = runeActions[r]
		} else {
			a = classify(r)
		}
		switch a.act {
		case actEmit:
			if a.out == last && a.letter {
				run++
				if run >= 3 {
					continue
				}
			} else {
				last, run = a.out, 1
			}
			switch {
			case a.out < utf8.RuneSelf:
				dst = append(dst, byte(a.out))
			case a.out < 0x800:
				dst = append(dst, 0xc0|byte(a.out>>6), 0x80|byte(a.out)&0x3f)
			default:
				dst = utf8.AppendRune(dst, a.out)
			}
		case actDrop:
		case actSpace:
			if n := len(dst); n > 0 && dst[n-1] != ' ' {
				dst = append(dst, ' ')
			}
			last, run = -1, 0
		case actPunct:
			if n := len(dst); n > 0 && dst[n-1] != ' ' {
				dst = append(dst, ' ')
			}
			dst = append(dst, byte(a.out), ' ')
			last, run = -1, 0
		case actSymbol:
			if r == last {
				if run++; run >= 3 {
					continue
				}
			} else {
				last, run = r, 1
			}
			if n := len(dst); n > 0 && dst[n-1] != ' ' {
				dst = append(dst, ' ')
			}
			dst = utf8.AppendRune(dst, r)
			dst = append(dst, ' ')
		}
	}
	for len(dst) > 0 && dst[len(dst)-1] == ' ' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

func arabicPunct(r rune) byte {
	switch r {
	case 0x060C:
		return ','
	case 0x061B:
		return ';'
	case 0x061F:
		return '?'
	case 0x066A:
		return '%'
	}
	return '.'
}
