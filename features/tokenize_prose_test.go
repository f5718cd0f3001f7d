package features

import (
	"bytes"

	"github.com/jdkato/prose/v2"
)

// prose is the tests' oracle and nothing else: the product's tokenizer is an exact, faster
// clone of its tokenizer (tokenize.go), so prose is not linked into the binary.

// proseTokenize is tokenize through prose itself, with tagging, entity extraction and
// sentence segmentation off: with them on, prose decodes its perceptron model on every call
// (see ../shared/STYLE.md), and only the tokens are needed here.
func proseTokenize(dst [][]byte, text []byte) [][]byte {
	if len(text) == 0 {
		return dst
	}
	doc, err := prose.NewDocument(string(text),
		prose.WithTagging(false), prose.WithExtraction(false), prose.WithSegmentation(false))
	if err != nil { // prose reports no error when tagging and extraction are off
		return append(dst, bytes.Fields(text)...)
	}
	for _, t := range doc.Tokens() {
		dst = appendToken(dst, []byte(t.Text))
	}
	return dst
}
