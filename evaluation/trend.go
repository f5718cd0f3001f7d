package evaluation

import (
	"slices"
	"time"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/timestamp"
)

// Trend is a Summary whose groups are also tallied per period of the comments' times: what
// stance summarize --by-time prints, and its --report draws. The shares of a period are those
// of Summary (the mean probability with the class weights undone) over the group's comments in
// that period.
type Trend struct {
	*Summary // the tallies per group and over all comments, as without periods
	Period   timestamp.Period
	periods  map[string]map[int64]*Tally // per group key, per period start (Unix seconds)
}

// NewTrend starts the tallies of m's scores grouped by by (ByArticle or ByGroup) and by period.
func NewTrend(m *classifier.Model, by GroupBy, period timestamp.Period) *Trend {
	return &Trend{Summary: NewSummary(m, by), Period: period, periods: map[string]map[int64]*Tally{}}
}

// Add counts the scores of one comment whose group key (GroupOf) is key, written at at.
func (t *Trend) Add(key string, at time.Time, sc *classifier.Scores) {
	p := t.Summary.add(key, sc)
	ps := t.periods[key]
	if ps == nil {
		ps = map[int64]*Tally{}
		t.periods[key] = ps
	}
	start := t.Period.Start(at).Unix()
	tl := ps[start]
	if tl == nil {
		tl = newTally(t.Model)
		ps[start] = tl
	}
	tl.add(sc, p)
}

// PeriodTally is the tally of a group's comments in one period.
type PeriodTally struct {
	Start time.Time // the period's first instant (timestamp.Period.Start), in UTC
	*Tally
}

// Series is the tallies of group key's comments per period, in time order. Periods without a
// comment are left out: their shares are undefined.
func (t *Trend) Series(key string) []PeriodTally {
	ps := t.periods[key]
	starts := make([]int64, 0, len(ps))
	for s := range ps {
		starts = append(starts, s)
	}
	slices.Sort(starts)
	out := make([]PeriodTally, len(starts))
	for i, s := range starts {
		out[i] = PeriodTally{Start: time.Unix(s, 0).UTC(), Tally: ps[s]}
	}
	return out
}

// Label names a period of the series: its date, its Monday's date, or its month.
func (t *Trend) Label(p PeriodTally) string { return t.Period.Label(p.Start) }
