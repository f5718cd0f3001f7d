// Package cell fits text into the cells of tables: the command line's and the HTML report's.
package cell

import (
	"strings"
	"unicode/utf8"
)

// Clip shortens s to at most n characters, on one line (runs of white space become one space),
// ending a shortened s with "…".
func Clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// Pad right-pads s with spaces to n characters.
func Pad(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-utf8.RuneCountInString(s)))
}
