package timestamp

import (
	"errors"
	"testing"
	"time"
)

func TestPeriodStart(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tt := range []struct {
		p           Period
		in          string
		start, next string // labels
	}{
		{Day, "2026-11-02T00:00:00Z", "2026-11-02", "2026-11-03"},
		{Day, "2026-11-02T23:59:59.999Z", "2026-11-02", "2026-11-03"},
		// A day is the UTC date: 01:30 in Baghdad is 22:30 UTC the day before, and 21:00 in
		// New York is 02:00 UTC the day after.
		{Day, "2026-11-02T01:30:00+03:00", "2026-11-01", "2026-11-02"},
		{Day, "2026-11-02T21:00:00-05:00", "2026-11-03", "2026-11-04"},
		{Day, "2028-02-28T12:00:00Z", "2028-02-28", "2028-02-29"},
		// Weeks start on Monday: 2026-11-02 is a Monday, 2026-11-08 the Sunday of its week.
		{Week, "2026-11-02T00:00:00Z", "2026-11-02", "2026-11-09"},
		{Week, "2026-11-08T23:59:59Z", "2026-11-02", "2026-11-09"},
		{Week, "2026-11-09T00:00:00Z", "2026-11-09", "2026-11-16"},
		{Week, "2026-11-09T01:00:00+03:00", "2026-11-02", "2026-11-09"}, // Sunday 22:00 UTC
		// Across a month and a year: 2026-01-01 is a Thursday, in the week of Monday 2025-12-29
		// (ISO week 2026-W01).
		{Week, "2026-01-01T12:00:00Z", "2025-12-29", "2026-01-05"},
		{Week, "2027-03-01T12:00:00Z", "2027-03-01", "2027-03-08"},
		{Month, "2026-11-30T23:59:59Z", "2026-11", "2026-12"},
		{Month, "2026-12-31T23:00:00Z", "2026-12", "2027-01"},
		{Month, "2027-01-01T01:00:00+03:00", "2026-12", "2027-01"}, // 22:00 UTC on 31 December
		{Month, "2028-02-29T00:00:00Z", "2028-02", "2028-03"},
	} {
		t.Run(string(tt.p)+" "+tt.in, func(t *testing.T) {
			s := tt.p.Start(at(tt.in))
			if got := tt.p.Label(s); got != tt.start {
				t.Errorf("start %s, want %s", got, tt.start)
			}
			if got := tt.p.Label(tt.p.Next(s)); got != tt.next {
				t.Errorf("next %s, want %s", got, tt.next)
			}
			for _, n := range []int{-13, -1, 0, 1, 2, 53} {
				later := tt.p.Add(s, n)
				if got := tt.p.Between(s, later); got != n || !tt.p.Start(later).Equal(later) {
					t.Errorf("Between(%v, Add(%d) = %v) = %d; want %d, at a period's start", s, n, later, got, n)
				}
			}
			if s.Location() != time.UTC || s.Hour() != 0 || s.Minute() != 0 || s.Nanosecond() != 0 {
				t.Errorf("start %v is not a UTC midnight", s)
			}
			if tt.p == Week && s.Weekday() != time.Monday {
				t.Errorf("week starts on %v", s.Weekday())
			}
			if _, w := s.ISOWeek(); tt.p == Week {
				if _, w2 := at(tt.in).UTC().ISOWeek(); w != w2 {
					t.Errorf("week of Monday %v is ISO week %d, the time's is %d", s, w, w2)
				}
			}
		})
	}
}

func TestParsePeriod(t *testing.T) {
	for _, name := range []string{"day", "week", "month"} {
		if p, err := ParsePeriod(name); err != nil || string(p) != name {
			t.Errorf("ParsePeriod(%q) = %q, %v", name, p, err)
		}
	}
	for _, name := range []string{"", "Day", "hour", "year"} {
		if _, err := ParsePeriod(name); !errors.Is(err, ErrPeriod) {
			t.Errorf("ParsePeriod(%q): %v, want ErrPeriod", name, err)
		}
	}
}
