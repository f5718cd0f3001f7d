package scorecsv

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// fixed4 returns strconv.FormatFloat(v, 'f', 4, 64) without formatting or allocating for the
// values that scores take, [-1, 1]: it slices the string from a table of all of them. Exports
// write several such columns per comment, and formatting them was a tenth of the writer's work.
func fixed4(v float64) string {
	if !(v >= -1 && v <= 1) {
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
	x := math.Abs(v) * 1e4
	whole := math.Floor(x)
	frac := x - whole
	// x is within 1e-12 of |v| * 10^4, so only a fraction this close to one half could round
	// otherwise than FormatFloat, which rounds the exact value (and ties to even).
	if math.Abs(frac-0.5) < 1e-6 {
		return strconv.FormatFloat(v, 'f', 4, 64)
	}
	r := int(whole)
	if frac > 0.5 {
		r++
	}
	if math.Signbit(v) {
		if r == 0 {
			return "-0.0000"
		}
		return fixedTable[fixedNeg+7*(r-1) : fixedNeg+7*r]
	}
	return fixedTable[6*r : 6*(r+1)]
}

// fixedTable holds "0.0000" to "1.0000", 6 bytes each, then "-0.0001" to "-1.0000", 7 each.
var fixedTable = func() string {
	var b strings.Builder
	b.Grow(6*10001 + 7*10000)
	for r := 0; r <= 10000; r++ {
		b.WriteString(strconv.FormatFloat(float64(r)/1e4, 'f', 4, 64))
	}
	for r := 1; r <= 10000; r++ {
		b.WriteString(strconv.FormatFloat(-float64(r)/1e4, 'f', 4, 64))
	}
	return b.String()
}()

const fixedNeg = 6 * 10001

// appendCSVFields appends fields to dst, separated by commas, as appendCSVField writes each.
func appendCSVFields(dst []byte, fields []string) []byte {
	for i, f := range fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCSVField(dst, f)
	}
	return dst
}

// appendCSVField appends field to dst as encoding/csv's Writer (comma-separated, \n line ends)
// writes it: quoted, with quotes doubled, if it holds a comma, a quote, \r or \n, begins with
// a space, or is `\.`.
func appendCSVField(dst []byte, field string) []byte {
	if !csvNeedsQuotes(field) {
		return append(dst, field...)
	}
	dst = append(dst, '"')
	for {
		i := strings.IndexByte(field, '"')
		if i < 0 {
			break
		}
		dst = append(dst, field[:i+1]...)
		dst = append(dst, '"')
		field = field[i+1:]
	}
	dst = append(dst, field...)
	return append(dst, '"')
}

func csvNeedsQuotes(field string) bool {
	if field == "" {
		return false
	}
	if field == `\.` || strings.ContainsAny(field, ",\"\r\n") {
		return true
	}
	r, _ := utf8.DecodeRuneInString(field)
	return unicode.IsSpace(r)
}
