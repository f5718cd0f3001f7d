package features

// This file keeps Normalize as it was before it was made faster (commit 651184d), as the
// reference that FuzzNormalizeMatchesReference and TestNormalizeClassesMatchReference hold the
// fast version to: the two must give the same bytes for every input.

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

func refNormalize(dst []byte, s string) []byte {
	start := len(dst)
	for len(s) > 0 {
		// Skip white space between fields.
		r, size := utf8.DecodeRuneInString(s)
		if refIsSpace(r) {
			s = s[size:]
			continue
		}
		end := 0
		for end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if refIsSpace(r) {
				break
			}
			end += size
		}
		field := s[:end]
		s = s[end:]
		if len(dst) > start && dst[len(dst)-1] != ' ' {
			dst = append(dst, ' ')
		}
		dst = refNormalizeField(dst, field)
	}
	// Fields that normalised to nothing (only diacritics, say) may leave a trailing space.
	for len(dst) > start && dst[len(dst)-1] == ' ' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

func refIsSpace(r rune) bool {
	return unicode.IsSpace(r) || r == utf8.RuneError || (r < 0x20) || r == 0x7f || r == 0x200b || r == 0xfeff
}

func refNormalizeField(dst []byte, f string) []byte {
	switch {
	case refHasPrefixFold(f, "http://") || refHasPrefixFold(f, "https://") || refHasPrefixFold(f, "www."):
		return append(dst, TokenURL...)
	case len(f) > 1 && f[0] == '@' && refIsWordRune(refFirstRune(f[1:])):
		// Keep punctuation that follows the handle ("@user:" is common in replies).
		dst = append(dst, TokenMention...)
		rest := f[1:]
		for len(rest) > 0 {
			r, size := utf8.DecodeRuneInString(rest)
			if !refIsWordRune(r) {
				break
			}
			rest = rest[size:]
		}
		if rest != "" {
			dst = append(dst, ' ')
			dst = refNormalizeRunes(dst, rest)
		}
		return dst
	case len(f) > 1 && f[0] == '#':
		return refNormalizeRunes(dst, f[1:])
	}
	return refNormalizeRunes(dst, f)
}

func refFirstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func refIsWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func refHasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// normalizeRunes maps the characters of one field (see Normalize).
func refNormalizeRunes(dst []byte, f string) []byte {
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
			dst = append(dst, refArabicPunct(r))
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

func refArabicPunct(r rune) byte {
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
