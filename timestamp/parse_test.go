package timestamp

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min, s, ns int) time.Time {
		return time.Date(y, m, d, h, min, s, ns, time.UTC)
	}
	for _, tt := range []struct {
		in   string
		want time.Time
		err  error // the sentinel, when it fails
	}{
		// RFC 3339, with and without fractional seconds, in UTC and with an offset.
		{"2026-11-02T08:14:05Z", utc(2026, 11, 2, 8, 14, 5, 0), nil},
		{"2026-11-02T08:14:05.123Z", utc(2026, 11, 2, 8, 14, 5, 123e6), nil},
		{"2026-11-02T08:14:05.123456789Z", utc(2026, 11, 2, 8, 14, 5, 123456789), nil},
		{"2026-11-02T08:14:05+03:00", utc(2026, 11, 2, 5, 14, 5, 0), nil},
		{"2026-11-02T01:30:00-05:00", utc(2026, 11, 2, 6, 30, 0, 0), nil},
		{"2026-11-02T01:30:00+05:30", utc(2026, 11, 1, 20, 0, 0, 0), nil}, // the UTC date is the day before
		// Spreadsheet and database forms: a space for the T, minutes only, no zone (UTC).
		{"2026-11-02 08:14:05", utc(2026, 11, 2, 8, 14, 5, 0), nil},
		{"2026-11-02 08:14", utc(2026, 11, 2, 8, 14, 0, 0), nil},
		{"2026-11-02T08:14:05", utc(2026, 11, 2, 8, 14, 5, 0), nil},
		{"2026-11-02T08:14", utc(2026, 11, 2, 8, 14, 0, 0), nil},
		{"2026-11-02", utc(2026, 11, 2, 0, 0, 0, 0), nil},
		{"  2026-11-02 08:14 ", utc(2026, 11, 2, 8, 14, 0, 0), nil},
		{"2026-11-02 08:14:05.5", utc(2026, 11, 2, 8, 14, 5, 5e8), nil},
		{"2026-11-02 08:14:05+03", utc(2026, 11, 2, 5, 14, 5, 0), nil},         // PostgreSQL's timestamptz
		{"2026-11-02 08:14:05.25+0300", utc(2026, 11, 2, 5, 14, 5, 25e7), nil}, // ISO 8601 basic offset
		{"2026-11-02 08:14:05Z", utc(2026, 11, 2, 8, 14, 5, 0), nil},
		// Excel serial day numbers: 45658 is 2025-01-01 (Excel's DATE(2025,1,1)); 0.5 is noon,
		// 0.35 is 08:24 exactly (0.35 × 1440 minutes = 504).
		{"45658", utc(2025, 1, 1, 0, 0, 0, 0), nil},
		{"45996.5", utc(2025, 12, 5, 12, 0, 0, 0), nil},
		{"45996.35", utc(2025, 12, 5, 8, 24, 0, 0), nil},
		{"61", utc(1900, 3, 1, 0, 0, 0, 0), nil},
		{"2958465.99999999999", utc(9999, 12, 31, 23, 59, 59, 999e6), nil},
		{"60", time.Time{}, ErrRange}, // Excel's 29 February 1900
		{"20261102", time.Time{}, ErrRange},
		{"1793609645", time.Time{}, ErrRange}, // a Unix time
		// Ambiguous day and month order.
		{"02/01/2026", time.Time{}, ErrAmbiguous},
		{"2/1/26 08:14", time.Time{}, ErrAmbiguous},
		{"02.01.2026", time.Time{}, ErrAmbiguous},
		{"13/01/2026", time.Time{}, ErrAmbiguous}, // refused though only one reading is a date: a file is read one way
		// Not times.
		{"", time.Time{}, ErrEmpty},
		{"   ", time.Time{}, ErrEmpty},
		{"2026/11/02", time.Time{}, ErrSyntax},
		{"2026-13-02", time.Time{}, ErrSyntax},
		{"2026-02-30 08:00", time.Time{}, ErrSyntax},
		{"2026-11-02 25:00", time.Time{}, ErrSyntax},
		{"2026-11-02T08:14:05+25:00", time.Time{}, ErrSyntax},
		{"yesterday", time.Time{}, ErrSyntax},
		{"-45658", time.Time{}, ErrSyntax},
		{"4.5e4", time.Time{}, ErrSyntax},
		{"45658.", utc(2025, 1, 1, 0, 0, 0, 0), nil}, // a point with nothing after it: still 45658
		{"9999-12-31T23:00:00-05:00", time.Time{}, ErrRange},
		{"0001-01-01T00:30:00+01:00", time.Time{}, ErrRange},
		{"Mon, 02 Nov 2026 08:14:05 GMT", time.Time{}, ErrSyntax},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Parse(%q) = %v, %v; want an error wrapping %v", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Fatalf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestParseMessages: an error says what is accepted, and why a value of the right shape fails.
func TestParseMessages(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"yesterday", "not a time; want RFC 3339 (2026-11-02T08:14:05Z"},
		{"2026-13-02", "not a time: month out of range; want RFC 3339"},
		{"2026-02-30 08:00", "not a time: day out of range; want RFC 3339"},
		{"02/01/2026", "ambiguous day and month order: write ISO 8601's 2026-01-02"},
		{"20261102", "a compact date (20261102) or a Unix time?"},
	} {
		_, err := Parse(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q): %v; want it to say %q", tt.in, err, tt.want)
		}
	}
}

// FuzzParse: Parse never panics; a time it accepts is in UTC, between Excel's first date and
// the year 9999, and reads back as the same instant when written as RFC 3339.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026-11-02T08:14:05.123+03:00", "2026-11-02 08:14", "2026-11-02", "45996.5",
		"02/01/2026", "2026-11-02 08:14:05+03", "2958465.9999", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("Parse(%q) = %v, not in UTC", s, got)
		}
		back, err := Parse(got.Format(time.RFC3339Nano))
		if err != nil || !back.Equal(got) {
			t.Fatalf("Parse(%q) = %v, written %q reads back as %v, %v", s, got, got.Format(time.RFC3339Nano), back, err)
		}
	})
}
