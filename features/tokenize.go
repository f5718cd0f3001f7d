package features

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jdkato/prose/v2"
)

// tokenize appends the tokens of normalised text to dst. It uses prose v2's tokenizer with
// tagging, entity extraction and sentence segmentation off: with them on, prose decodes its
// perceptron model on every call (see ../shared/STYLE.md), and only the tokens are needed here.
//
// After prose: numbers become <num>, and tokens made only of punctuation are dropped except ?
// and !, which mark questions and exclamations (cues of querying and of denial in RumourEval).
func tokenize(dst []string, normalized string) []string {
	if normalized == "" {
		return dst
	}
	doc, err := prose.NewDocument(normalized,
		prose.WithTagging(false), prose.WithExtraction(false), prose.WithSegmentation(false))
	if err != nil { // prose reports no error when tagging and extraction are off
		return append(dst, strings.Fields(normalized)...)
	}
	for _, t := range doc.Tokens() {
		dst = appendToken(dst, t.Text)
	}
	return dst
}

func appendToken(dst []string, tok string) []string {
	switch {
	case tok == "?" || tok == "!":
		return append(dst, tok)
	case isNumber(tok):
		return append(dst, TokenNumber)
	case onlyPunct(tok):
		return dst
	}
	return append(dst, tok)
}

// isNumber reports whether tok is digits with optional separators (1,000 3.5 %50).
func isNumber(tok string) bool {
	digits := 0
	for _, r := range tok {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.' || r == ',' || r == '%' || r == '+' || r == '-' || r == '/' || r == ':':
		default:
			return false
		}
	}
	return digits > 0
}

func onlyPunct(tok string) bool {
	for len(tok) > 0 {
		r, size := utf8.DecodeRuneInString(tok)
		if !unicode.IsPunct(r) && !(unicode.IsSymbol(r) && r < 0x2000) {
			return false
		}
		tok = tok[size:]
	}
	return true
}
