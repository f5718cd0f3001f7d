// Package timestamp reads the times of comments and puts them into calendar periods, for
// stance summarize --by-time.
//
// A time enters as the text of a cell (Parse): RFC 3339, its spreadsheet and database variants,
// or an Excel serial day number. It leaves as a time.Time in UTC, and, through a Period, as the
// start of its day, ISO week or month in UTC, with a label for tables and charts.
package timestamp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors, for errors.Is.
var (
	// ErrSyntax: the value is none of the accepted forms (Forms).
	ErrSyntax = errors.New("not a time")
	// ErrAmbiguous: a date with slashes or dots, such as 02/01/2026, which is 2 January in most
	// of the world and February 1 in the United States; nothing in the value says which.
	ErrAmbiguous = errors.New("ambiguous day and month order")
	// ErrRange: an Excel serial day number outside the dates it can stand for.
	ErrRange = errors.New("out of range")
	// ErrEmpty: the value is empty or only spaces.
	ErrEmpty = errors.New("empty")
)

// Forms lists the accepted forms, for error messages.
const Forms = "RFC 3339 (2026-11-02T08:14:05Z, 2026-11-02T08:14:05.123+03:00), " +
	"2026-11-02 08:14:05, 2026-11-02 08:14, 2026-11-02, 2026-11-02T08:14:05 (no zone: UTC), " +
	"or an Excel serial day number (46328.35)"

// layouts are the forms with a date and a time: T or a space between them, seconds or not, and
// a zone as RFC 3339 writes it (Z, +03:00), as ISO 8601's basic form (+0300) or as PostgreSQL
// writes timestamptz (+03), or no zone, which means UTC. time.Parse reads a fractional second
// after the seconds though no layout names one.
var layouts = func() []string {
	var l []string
	for _, sep := range []string{"T", " "} {
		for _, clock := range []string{"15:04:05", "15:04"} {
			for _, zone := range []string{"", "Z07:00", "Z0700", "Z07"} {
				l = append(l, "2006-01-02"+sep+clock+zone)
			}
		}
	}
	return l
}()

// Excel's serial day numbers count days from 1899-12-30 (day 1 is 1900-01-01 and, by a bug
// kept from Lotus 1-2-3, day 60 is 29 February 1900, which never was); the fraction is the time
// of day. Serials from 61 (1 March 1900) to 2958465 (31 December 9999, Excel's last date) map
// onto dates without that bug. Microsoft, "Date systems in Excel"
// (https://support.microsoft.com/office/e7fe7167-48a9-4b96-bb53-5612a800b487).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

const (
	excelFirst = 61
	excelLast  = 2958465
	msPerDay   = 24 * 60 * 60 * 1000
)

// Parse reads a time in one of the accepted forms (Forms) and returns it in UTC. A time without
// a zone is taken as UTC. A date alone is its midnight, UTC. Slashed or dotted dates (02/01/2026,
// 1.2.2026) are refused as ambiguous (ErrAmbiguous): whether the day or the month comes first
// depends on the locale of whoever wrote the file, and guessing it from the values would read
// one file two ways. Spreadsheets keep the number behind such a date: exported as a number it is
// read as an Excel serial day number.
func Parse(s string) (time.Time, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return time.Time{}, fmt.Errorf("%w; want %s", ErrEmpty, Forms)
	}
	if isSerial(v) {
		return parseSerial(v)
	}
	if len(v) == len("2006-01-02") {
		if t, err := time.Parse("2006-01-02", v); err == nil {
			return inRange(t)
		}
	}
	why := "" // what a layout found wrong in a value of its shape: "month out of range"
	for _, l := range layouts {
		t, err := time.Parse(l, v)
		if err == nil {
			return inRange(t.UTC())
		}
		var pe *time.ParseError
		if why == "" && errors.As(err, &pe) {
			why = pe.Message
		}
	}
	if ambiguous(v) {
		return time.Time{}, fmt.Errorf("%w: write ISO 8601's 2026-01-02, or keep the spreadsheet's date as a number (an Excel serial day)", ErrAmbiguous)
	}
	return time.Time{}, fmt.Errorf("%w%s; want %s", ErrSyntax, why, Forms)
}

// inRange refuses a time whose zone moves it out of the years 0001 to 9999, which RFC 3339
// cannot write (9999-12-31T23:00:00-05:00 is in the year 10000 in UTC).
func inRange(t time.Time) (time.Time, error) {
	if y := t.Year(); y < 1 || y > 9999 {
		return time.Time{}, fmt.Errorf("%w: %d in UTC; want a time in the years 0001 to 9999", ErrRange, y)
	}
	return t, nil
}

// isSerial reports whether v is digits with at most one decimal point among or after them.
func isSerial(v string) bool {
	digits, points := 0, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && points == 0 && digits > 0:
			points++
		default:
			return false
		}
	}
	return digits > 0
}

// parseSerial reads an Excel serial day number, to the millisecond. The whole days and the
// fraction are read apart, so that the date never suffers a float's rounding.
func parseSerial(v string) (time.Time, error) {
	whole, frac, _ := strings.Cut(v, ".")
	days, err := strconv.Atoi(whole)
	if err != nil || days < excelFirst || days > excelLast {
		return time.Time{}, fmt.Errorf("%w: an Excel serial day number from %d (1900-03-01) to %d (9999-12-31) is read as a date; is it a compact date (20261102) or a Unix time? write RFC 3339 (2026-11-02T08:14:05Z)",
			ErrRange, excelFirst, excelLast)
	}
	ms := int64(0)
	if frac != "" {
		if len(frac) > 15 {
			frac = frac[:15] // beyond a float64's digits
		}
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("%w; want %s", ErrSyntax, Forms)
		}
		// Rounded to the millisecond: 0.35 of a day is 08:24:00 exactly, not 08:23:59.999999.
		ms = min(int64(f*msPerDay+0.5), msPerDay-1)
	}
	return excelEpoch.AddDate(0, 0, days).Add(time.Duration(ms) * time.Millisecond), nil
}

// ambiguous reports whether v starts like a date written with slashes or dots and a day and a
// month of one or two digits: 02/01/2026, 2/1/26, 02.01.2026.
func ambiguous(v string) bool {
	n := 0
	for _, part := range strings.FieldsFunc(firstField(v), func(r rune) bool { return r == '/' || r == '.' || r == '-' }) {
		if _, err := strconv.Atoi(part); err != nil {
			return false
		}
		n++
	}
	if n != 3 || !strings.ContainsAny(v, "/.") {
		return false
	}
	// Year first (2026/11/02) is not ambiguous, but neither is it a form accepted: ErrSyntax.
	first, _, _ := strings.Cut(strings.NewReplacer("/", " ", ".", " ").Replace(firstField(v)), " ")
	return len(first) <= 2
}

// firstField is v up to its first space or T.
func firstField(v string) string {
	if i := strings.IndexAny(v, " T"); i >= 0 {
		return v[:i]
	}
	return v
}
