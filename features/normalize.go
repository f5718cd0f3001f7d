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
	for len(s) > 0 {
		// Skip white space between fields.
		r, size := utf8.DecodeRuneInString(s)
		if isSpace(r) {
			s = s[size:]
			continue
		}
		end := 0
		for end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if isSpace(r) {
				break
			}
			end += size
		}
		field := s[:end]
		s = s[end:]
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

func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == utf8.RuneError || (r < 0x20) || r == 0x7f || r == 0x200b || r == 0xfeff
}

func normalizeField(dst []byte, f string) []byte {
	switch {
	case hasPrefixFold(f, "http://") || hasPrefixFold(f, "https://") || hasPrefixFold(f, "www."):
		return append(dst, TokenURL...)
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

// normalizeRunes maps the characters of one field (see Normalize).
func normalizeRunes(dst []byte, f string) []byte {
	var last rune = -1
	run := 0
	emit := func(r rune) {
		if r == last && unicode.IsLetter(r) {
			run++
			if run >= 3 {
				return
			}
		} else {
			last, run = r, 1
		}
		dst = utf8.AppendRune(dst, r)
	}
	space := func() {
		if n := len(dst); n > 0 && dst[n-1] != ' ' {
			dst = append(dst, ' ')
		}
		last, run = -1, 0
	}
	for _, r := range f {
		switch {
		case r >= 0x064B && r <= 0x065F, r >= 0x0610 && r <= 0x061A, r == 0x0670, r >= 0x06D6 && r <= 0x06ED, r == 0x0640:
			// Arabic diacritics, Quranic annotation marks and tatweel.
		case r == 0x0622 || r == 0x0623 || r == 0x0625 || r == 0x0671:
			emit(0x0627) // alef forms -> bare alef
		case r == 0x0649:
			emit(0x064A) // alef maqsura -> ya
		case r == 0x0629:
			emit(0x0647) // ta marbuta -> ha
		case r >= 0x0660 && r <= 0x0669:
			emit('0' + r - 0x0660)
		case r >= 0x06F0 && r <= 0x06F9:
			emit('0' + r - 0x06F0)
		case r == 0x060C, r == 0x061B, r == 0x061F, r == 0x066A, r == 0x06D4:
			space()
			dst = append(dst, arabicPunct(r))
			space()
		case r == '_':
			space()
		case r == 0x200d || r == 0xfe0f || r == 0xfe0e || (r >= 0x1F3FB && r <= 0x1F3FF):
			// Joiners, variation selectors and skin tones: the base emoji carries the meaning.
		case unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Mn, r) && !unicode.In(r, unicode.Arabic):
			// Bidirectional marks and other invisible format characters; combining marks of
			// other scripts (accents typed separately) are dropped like Arabic diacritics.
		case unicode.IsControl(r):
			space()
		case unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) && r > 0x2000:
			// Emoji stand apart as tokens; a run of one emoji is squeezed like a run of letters.
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
		default:
			emit(unicode.ToLower(r))
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
