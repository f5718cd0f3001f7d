package timestamp

import (
	"errors"
	"fmt"
	"time"
)

// Period is a length of calendar time that comments are counted by. Periods are of UTC time:
// a comment's day is its UTC date, whatever zone its time was written in.
type Period string

// The periods.
const (
	Day   Period = "day"   // a UTC date
	Week  Period = "week"  // an ISO 8601 week: Monday to Sunday, known by its Monday's date
	Month Period = "month" // a calendar month
)

// ErrPeriod: a name that is none of day, week and month.
var ErrPeriod = errors.New("unknown period")

// ParsePeriod reads a period's name: day, week or month.
func ParsePeriod(name string) (Period, error) {
	switch p := Period(name); p {
	case Day, Week, Month:
		return p, nil
	}
	return "", fmt.Errorf("%w %q: want day, week or month", ErrPeriod, name)
}

// Start is the first instant of the period that holds t: the UTC midnight that begins its day,
// its week's Monday or its month's first day.
func (p Period) Start(t time.Time) time.Time {
	t = t.UTC()
	y, m, d := t.Date()
	switch p {
	case Week:
		// time.Weekday counts from Sunday (0); ISO 8601 weeks start on Monday (ISO 8601-1:2019,
		// 3.1.1.21 "calendar week"), so Monday is 0 days into its week and Sunday 6.
		back := (int(t.Weekday()) + 6) % 7
		return time.Date(y, m, d-back, 0, 0, 0, 0, time.UTC)
	case Month:
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Next is the start of the period after the one that starts at start.
func (p Period) Next(start time.Time) time.Time { return p.Add(start, 1) }

// Add is the start of the period n periods after (n < 0: before) the one that starts at start.
func (p Period) Add(start time.Time, n int) time.Time {
	switch p {
	case Week:
		return start.AddDate(0, 0, 7*n)
	case Month:
		return start.AddDate(0, n, 0)
	}
	return start.AddDate(0, 0, n)
}

// Between is how many periods the one that starts at b comes after the one that starts at a
// (negative when before): Add(a, Between(a, b)) is b.
func (p Period) Between(a, b time.Time) int {
	switch p {
	case Month:
		return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	case Week:
		return days(a, b) / 7
	}
	return days(a, b)
}

// days is the number of days from midnight a to midnight b, both UTC: UTC has no daylight
// saving, so a day is always 24 hours.
func days(a, b time.Time) int { return int(b.Sub(a) / (24 * time.Hour)) }

// Label names the period that starts at start: 2026-11-02 for a day, its Monday's date for a
// week (a date sorts and reads more plainly than ISO's 2026-W45, whose year can differ from
// the date's around New Year), 2026-11 for a month.
func (p Period) Label(start time.Time) string {
	if p == Month {
		return start.Format("2006-01")
	}
	return start.Format("2006-01-02")
}

// String is the period's name.
func (p Period) String() string { return string(p) }
