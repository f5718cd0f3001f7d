package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/evaluation"
	"github.com/commentstance/stance/htmlreport"
	"github.com/commentstance/stance/internal/cell"
	"github.com/commentstance/stance/timestamp"
)

// summarizeFlags are summarize's flags (--workers is bound to the setting workers).
type summarizeFlags struct {
	data, articles, model, by, format, out string
	byTime, report                         string
	strict                                 bool
}

func newSummarize(e *env) *cobra.Command {
	var fl summarizeFlags
	var workers int
	cmd := &cobra.Command{
		Use:   "summarize --model FILE --data FILE",
		Short: "Score a file of comments and sum them up per article: the share of each class, per head",
		Long: `summarize scores every comment of --data, as export does, and prints one line per article
(--by article: its id, or else its text) or per value of the group column (--by group), in order of
first appearance, then one for all comments. Per head it gives each class's share of the comments
and how many comments got that class as their label, and the mean signed score where the head's
classes allow one (P(favor) - P(against), P(positive) - P(negative), ...).

A class's share is the mean of its probability over the comments, with the class weights of
training undone: balanced weights (model.class_weight) make rare classes likelier in each
comment's scores, as they should be for picking labels, but summed over many comments they would
inflate the rare classes' shares. Label counts lean toward the classes the model picks most. The
mean score is that of the same probabilities: the share of the positive class less that of the
negative one.

--format table (default), csv (one row per article, no total row) or json. --out FILE writes to a
file, which appears whole or not at all.

--by-time day, week or month gives the same figures per article (or group) and period, in time
order, from each comment's time (the column created_at; --time-column or columns.time names
another): a day is a UTC date, a week runs Monday to Sunday (ISO 8601) and is named by its
Monday's date, a month is a calendar month. Periods without comments are left out. The time may
be RFC 3339 (2026-11-02T08:14:05Z, with fractional seconds or an offset such as +03:00),
2026-11-02 08:14:05, 2026-11-02 08:14, 2026-11-02 or 2026-11-02T08:14:05 (no zone: UTC), or an
Excel serial day number (46328.35); slashed dates such as 02/11/2026 are refused, since nothing
says whether the day or the month comes first. A row whose time is empty or unreadable is
skipped and reported with its file, line and value, as other bad rows are (--strict: an error).
--report FILE also draws the periods as an HTML page: per article a line chart of each class's
share per head, with the number of comments per period under it.`,
		Example: `  stance summarize --model out/sample.stance --data data/sample/new_comments.csv --articles data/sample/articles.csv
  stance summarize --model out/sample.stance --data comments.csv --format csv --out summary.csv
  stance summarize --model out/sample.stance --data data/sample/comments.csv --articles data/sample/articles.csv --by-time day --report out/trends.html`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, _, err := loadSettings(e.configPath, e.configSet, cmd.Flags(), map[string]string{"workers": "workers", "columns.time": "time-column"})
			if err != nil {
				return err
			}
			if err := e.checkPaths(cmd.Flags(), []string{"data", "articles", "model", "config"}, []string{"out", "report"}); err != nil {
				return err
			}
			if err := fl.check(s); err != nil {
				return err
			}
			if fl.byTime != "" {
				return e.summarizeTrend(cmd, s, fl)
			}
			return e.summarize(cmd, s, fl)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.data, "data", "", "comments to score (CSV, TSV or JSONL); - for standard input")
	f.StringVar(&fl.articles, "articles", "", "file of articles joined on the comments' article id")
	f.StringVar(&fl.model, "model", "", "the model")
	f.StringVar(&fl.by, "by", "article", "one line per article, or per value of the group column (group)")
	f.StringVar(&fl.format, "format", "table", "table, csv or json")
	f.StringVarP(&fl.out, "out", "o", "-", "the file to write; - for standard output")
	f.StringVar(&fl.byTime, "by-time", "", "also split each article (or group) by the comments' day, week or month (UTC)")
	f.String("time-column", "created_at", "the column of the comments' times, for --by-time (columns.time)")
	f.StringVar(&fl.report, "report", "", "with --by-time: also draw the periods as an HTML page (a line chart per article) in this file; - for standard output, the table then going to standard error")
	f.BoolVar(&fl.strict, "strict", false, "make any bad row an error instead of a reported skip")
	f.IntVar(&workers, "workers", 0, "scoring goroutines; 0 = all cores (workers)")
	return cmd
}

// check refuses flags that do not go together.
func (fl summarizeFlags) check(s *settings) error {
	if fl.data == "" {
		return usageErr("summarize needs --data FILE")
	}
	if fl.by != "article" && fl.by != "group" {
		return usageErr("--by %q: want article or group", fl.by)
	}
	switch fl.format {
	case "table", "csv", "json":
	default:
		return usageErr("--format %q: want table, csv or json", fl.format)
	}
	if fl.byTime != "" {
		if _, err := timestamp.ParsePeriod(fl.byTime); err != nil {
			return usageErr("--by-time %q: want day, week or month", fl.byTime)
		}
		if s.Columns.Time == "" {
			return usageErr("--by-time needs the column of the comments' times: give --time-column NAME (or set columns.time)")
		}
	}
	if fl.report != "" && fl.byTime == "" {
		return usageErr("--report draws the articles' trends: give --by-time day, week or month too")
	}
	return nil
}

// summarize scores the comments and writes their tallies.
func (e *env) summarize(cmd *cobra.Command, s *settings, fl summarizeFlags) error {
	m, err := loadScoringModel(fl.model)
	if err != nil {
		return err
	}
	e.noteUnrecordedWeights(m, fl.model)
	r, err := e.openComments(s, fl.data, fl.articles, fl.strict)
	if err != nil {
		return err
	}
	defer r.Close()
	start := time.Now()
	bar := e.progress("scored", 0)
	sum, err := summarizeScores(cmd, m, r, evaluation.GroupBy(fl.by), s.Workers, bar.set)
	bar.done()
	if err != nil {
		return err
	}
	e.reportSkips(r)
	if sum.All.N == 0 {
		return usageErr("no comments to summarize in %s", fl.data)
	}
	if fl.by == "group" && len(sum.Keys) == 1 && sum.Keys[0] == "" {
		e.noteNoGroups(s)
	}
	dst, commit, abort, err := e.openOut(fl.out)
	if err != nil {
		return err
	}
	defer abort()
	if err := writeSummary(dst, fl.format, sum); err != nil {
		return fmt.Errorf("writing %s: %w", fl.out, err)
	}
	if err := commit(); err != nil {
		return fmt.Errorf("writing %s: %w", fl.out, err)
	}
	e.notef("summarized %d comments on %d %ss in %.1fs", sum.All.N, len(sum.Groups), fl.by, time.Since(start).Seconds())
	return nil
}

// noteUnrecordedWeights tells the user that a model from before class weights were recorded
// gives shares of the weighted probabilities.
func (e *env) noteUnrecordedWeights(m *classifier.Model, path string) {
	for _, h := range m.Heads {
		if !h.KnowsWeights() && (m.Config.ClassWeight != "none" || m.Config.ClassWeights[h.Name] != nil) {
			e.notef("note: %s does not record the class weights head %s was trained with (it is older than this program): its shares are of the weighted probabilities; train it again to have them undone", path, h.Name)
		}
	}
}

func summarizeScores(cmd *cobra.Command, m *classifier.Model, r *data.Reader, by evaluation.GroupBy, workers int, progress func(int)) (*evaluation.Summary, error) {
	sum := evaluation.NewSummary(m, by)
	err := scoreEach(cmd, m, r, workers, progress,
		func(c data.Comment) any { return evaluation.GroupOf(c, by) },
		func(ref any, s *classifier.Scores) { sum.Add(ref.(string), s) })
	return sum, err
}

// scoreEach scores every comment of r, in order, and hands add each one's scores with the ref
// that ref made of its comment.
func scoreEach(cmd *cobra.Command, m *classifier.Model, r *data.Reader, workers int, progress func(int),
	ref func(data.Comment) any, add func(any, *classifier.Scores)) error {
	if workers <= 0 {
		workers = defaultWorkers()
	}
	n := 0
	emit := func(it classifier.Item, s *classifier.Scores) error {
		add(it.Ref, s)
		if n++; n%4096 == 0 {
			progress(n)
		}
		return nil
	}
	return m.ScoreStream(cmd.Context(), workers, itemsOf(r, ref), emit)
}

func writeSummary(w io.Writer, format string, s *evaluation.Summary) error {
	switch format {
	case "csv":
		return writeSummaryCSV(w, s)
	case "json":
		return writeJSON(w, summaryJSON(s))
	}
	return writeSummaryTable(w, s)
}

// writeTable prints a block per head: a line per group, then one for all comments, with each
// class's share (and label count) and the mean signed score.
func writeSummaryTable(w io.Writer, s *evaluation.Summary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for hi, h := range s.Model.Heads {
		if hi > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "== %s: share of the comments (mean probability), and label count ==\n", h.Name)
		signed := s.Signed(hi)
		cells := append([]string{string(s.By), "comments"}, h.Classes...)
		if signed {
			cells = append(cells, "mean score")
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
		line := func(name string, t *evaluation.Tally) {
			cells := []string{cell.Clip(name, 40), strconv.Itoa(t.N)}
			for k := range h.Classes {
				cells = append(cells, fmt.Sprintf("%.0f%% (%d)", 100*t.Probs[hi][k]/float64(t.N), t.Count[hi][k]))
			}
			if v, ok := s.MeanScore(hi, t); ok {
				if math.Abs(v) < 0.005 {
					v = 0 // "+0.00", not "-0.00"
				}
				cells = append(cells, fmt.Sprintf("%+.2f", v))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		for _, k := range s.Keys {
			line(s.Name(k), s.Groups[k])
		}
		line(fmt.Sprintf("all %d %ss", len(s.Keys), s.By), s.All)
	}
	return tw.Flush()
}

// writeCSV writes a row per group: the group, the comments, then per head each class's share
// (HEAD_CLASS_share) and label count (HEAD_CLASS_count), and the mean signed score (HEAD_score).
func writeSummaryCSV(w io.Writer, s *evaluation.Summary) error {
	cw := csv.NewWriter(w)
	header := []string{string(s.By), "comments"}
	for hi, h := range s.Model.Heads {
		for _, c := range h.Classes {
			header = append(header, h.Name+"_"+c+"_share", h.Name+"_"+c+"_count")
		}
		if s.Signed(hi) {
			header = append(header, h.Name+"_score")
		}
	}
	cw.Write(header)
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
	for _, key := range s.Keys {
		t := s.Groups[key]
		row := []string{key, strconv.Itoa(t.N)}
		for hi, h := range s.Model.Heads {
			for k := range h.Classes {
				row = append(row, f(t.Share(hi, k)), strconv.Itoa(t.Count[hi][k]))
			}
			if v, ok := s.MeanScore(hi, t); ok {
				row = append(row, f(v))
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

type headSummaryJSON struct {
	Share map[string]float64 `json:"share"`
	Count map[string]int     `json:"count"`
	Score *float64           `json:"score,omitempty"`
}

type tallyJSON struct {
	Comments int                        `json:"comments"`
	Heads    map[string]headSummaryJSON `json:"heads"`
}

type groupSummaryJSON struct {
	Key string `json:"key"` // "" for the rows without an article (or group)
	tallyJSON
}

func tallyOf(s *evaluation.Summary, t *evaluation.Tally) tallyJSON {
	g := tallyJSON{Comments: t.N, Heads: map[string]headSummaryJSON{}}
	for hi, h := range s.Model.Heads {
		hs := headSummaryJSON{Share: map[string]float64{}, Count: map[string]int{}}
		for k, c := range h.Classes {
			hs.Share[c] = t.Share(hi, k)
			hs.Count[c] = t.Count[hi][k]
		}
		if v, ok := s.MeanScore(hi, t); ok {
			hs.Score = &v
		}
		g.Heads[h.Name] = hs
	}
	return g
}

func summaryJSON(s *evaluation.Summary) any {
	v := struct {
		By     string             `json:"by"`
		Groups []groupSummaryJSON `json:"groups"`
		All    tallyJSON          `json:"all"`
	}{By: string(s.By), All: tallyOf(s, s.All)}
	for _, k := range s.Keys {
		v.Groups = append(v.Groups, groupSummaryJSON{k, tallyOf(s, s.Groups[k])})
	}
	return v
}

// timedRef is what summarize --by-time keeps of a comment while it is scored.
type timedRef struct {
	key string
	at  time.Time
}

// summarizeTrend is summarize --by-time: the tallies per group and period, as a table, CSV or
// JSON, and with --report as an HTML page.
func (e *env) summarizeTrend(cmd *cobra.Command, s *settings, fl summarizeFlags) error {
	period, _ := timestamp.ParsePeriod(fl.byTime) // checked by fl.check
	m, err := loadScoringModel(fl.model)
	if err != nil {
		return err
	}
	e.noteUnrecordedWeights(m, fl.model)
	schema := commentSchema(s, fl.articles, fl.strict)
	schema.Time = s.Columns.Time
	r, err := e.openCommentsWith(schema, fl.data)
	if err != nil {
		return err
	}
	defer r.Close()
	start := time.Now()
	bar := e.progress("scored", 0)
	by := evaluation.GroupBy(fl.by)
	tr := evaluation.NewTrend(m, by, period)
	err = scoreEach(cmd, m, r, s.Workers, bar.set,
		func(c data.Comment) any { return timedRef{evaluation.GroupOf(c, by), c.Time} },
		func(ref any, sc *classifier.Scores) { t := ref.(timedRef); tr.Add(t.key, t.at, sc) })
	bar.done()
	if err != nil {
		return err
	}
	e.reportSkips(r)
	if tr.All.N == 0 {
		return usageErr("no comments to summarize in %s", fl.data)
	}
	if fl.by == "group" && len(tr.Keys) == 1 && tr.Keys[0] == "" {
		e.noteNoGroups(s)
	}
	// Standard output holds one stream: the page given as "-", or else the figures.
	figures := fl.out
	if fl.report == "-" && fl.out == "-" {
		figures = ""
	}
	if fl.report != "" {
		articles := fl.articles
		if articles == "" {
			articles = s.Articles.File
		}
		page := htmlreport.NewTrends(tr, htmlreport.TrendOptions{Model: fl.model, Data: fl.data, Articles: articles,
			TimeColumn: s.Columns.Time, Date: time.Now(), Version: versionString()})
		if err := e.writeOut(fl.report, page.Render); err != nil {
			return err
		}
		e.notef("trends drawn in %s", where(fl.report))
	}
	write := func(w io.Writer) error { return writeTrend(w, fl.format, tr) }
	if figures == "" {
		err = write(e.stderr)
	} else {
		err = e.writeOut(figures, write)
	}
	if err != nil {
		return err
	}
	e.notef("summarized %d comments on %d %ss by %s in %.1fs", tr.All.N, len(tr.Groups), fl.by, period, time.Since(start).Seconds())
	return nil
}

func writeTrend(w io.Writer, format string, t *evaluation.Trend) error {
	switch format {
	case "csv":
		return writeTrendCSV(w, t)
	case "json":
		return writeJSON(w, trendJSON(t))
	}
	return writeTrendTable(w, t)
}

// writeTrendTable prints a block per head: a line per group and period, the group named on its
// first period's line, then one for all comments.
func writeTrendTable(w io.Writer, t *evaluation.Trend) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for hi, h := range t.Model.Heads {
		if hi > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "== %s: share of the comments (mean probability) per %s, and label count ==\n", h.Name, t.Period)
		signed := t.Signed(hi)
		cells := append([]string{string(t.By), periodColumn(t.Period), "comments"}, h.Classes...)
		if signed {
			cells = append(cells, "mean score")
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
		line := func(name, period string, tl *evaluation.Tally) {
			cells := []string{cell.Clip(name, 40), period, strconv.Itoa(tl.N)}
			for k := range h.Classes {
				cells = append(cells, fmt.Sprintf("%.0f%% (%d)", 100*tl.Share(hi, k), tl.Count[hi][k]))
			}
			if v, ok := t.MeanScore(hi, tl); ok {
				if math.Abs(v) < 0.005 {
					v = 0 // "+0.00", not "-0.00"
				}
				cells = append(cells, fmt.Sprintf("%+.2f", v))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		for _, k := range t.Keys {
			name := t.Name(k)
			for _, p := range t.Series(k) {
				line(name, t.Label(p), p.Tally)
				name = ""
			}
		}
		line(fmt.Sprintf("all %d %ss", len(t.Keys), t.By), "all", t.All)
	}
	return tw.Flush()
}

// periodColumn names the column of the periods: day, week (named by its Monday), month.
func periodColumn(p timestamp.Period) string {
	if p == timestamp.Week {
		return "week of"
	}
	return string(p)
}

// writeTrendCSV writes a row per group and period: the group, the period (day, week or month
// column: a date, a week's Monday, 2026-11), the comments, then the columns of writeSummaryCSV.
func writeTrendCSV(w io.Writer, t *evaluation.Trend) error {
	cw := csv.NewWriter(w)
	header := []string{string(t.By), string(t.Period), "comments"}
	for hi, h := range t.Model.Heads {
		for _, c := range h.Classes {
			header = append(header, h.Name+"_"+c+"_share", h.Name+"_"+c+"_count")
		}
		if t.Signed(hi) {
			header = append(header, h.Name+"_score")
		}
	}
	cw.Write(header)
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
	for _, key := range t.Keys {
		for _, p := range t.Series(key) {
			row := []string{key, t.Label(p), strconv.Itoa(p.N)}
			for hi, h := range t.Model.Heads {
				for k := range h.Classes {
					row = append(row, f(p.Share(hi, k)), strconv.Itoa(p.Count[hi][k]))
				}
				if v, ok := t.MeanScore(hi, p.Tally); ok {
					row = append(row, f(v))
				}
			}
			cw.Write(row)
		}
	}
	cw.Flush()
	return cw.Error()
}

type periodSummaryJSON struct {
	Period string `json:"period"` // its label: a date, a week's Monday, 2026-11
	Start  string `json:"start"`  // its first instant, RFC 3339
	tallyJSON
}

type groupTrendJSON struct {
	Key string `json:"key"` // "" for the rows without an article (or group)
	tallyJSON
	Periods []periodSummaryJSON `json:"periods"`
}

func trendJSON(t *evaluation.Trend) any {
	v := struct {
		By     string           `json:"by"`
		Period string           `json:"period"`
		Groups []groupTrendJSON `json:"groups"`
		All    tallyJSON        `json:"all"`
	}{By: string(t.By), Period: string(t.Period), All: tallyOf(t.Summary, t.All)}
	for _, k := range t.Keys {
		g := groupTrendJSON{Key: k, tallyJSON: tallyOf(t.Summary, t.Groups[k])}
		for _, p := range t.Series(k) {
			g.Periods = append(g.Periods, periodSummaryJSON{t.Label(p), p.Start.Format(time.RFC3339), tallyOf(t.Summary, p.Tally)})
		}
		v.Groups = append(v.Groups, g)
	}
	return v
}
