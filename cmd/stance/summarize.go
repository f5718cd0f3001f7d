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
	"github.com/commentstance/stance/internal/cell"
)

// summarizeFlags are summarize's flags (--workers is bound to the setting workers).
type summarizeFlags struct {
	data, articles, model, by, format, out string
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
file, which appears whole or not at all.`,
		Example: `  stance summarize --model out/sample.stance --data data/sample/new_comments.csv --articles data/sample/articles.csv
  stance summarize --model out/sample.stance --data comments.csv --format csv --out summary.csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, _, err := loadSettings(e.configPath, e.configSet, cmd.Flags(), map[string]string{"workers": "workers"})
			if err != nil {
				return err
			}
			if err := e.checkPaths(cmd.Flags(), []string{"data", "articles", "model", "config"}, []string{"out"}); err != nil {
				return err
			}
			if err := fl.check(); err != nil {
				return err
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
	f.BoolVar(&fl.strict, "strict", false, "make any bad row an error instead of a reported skip")
	f.IntVar(&workers, "workers", 0, "scoring goroutines; 0 = all cores (workers)")
	return cmd
}

// check refuses flags that do not go together.
func (fl summarizeFlags) check() error {
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
	return nil
}

// summarize scores the comments and writes their tallies.
func (e *env) summarize(cmd *cobra.Command, s *settings, fl summarizeFlags) error {
	m, err := loadScoringModel(fl.model)
	if err != nil {
		return err
	}
	for _, h := range m.Heads {
		if !h.KnowsWeights() && (m.Config.ClassWeight != "none" || m.Config.ClassWeights[h.Name] != nil) {
			e.notef("note: %s does not record the class weights head %s was trained with (it is older than this program): its shares are of the weighted probabilities; train it again to have them undone", fl.model, h.Name)
		}
	}
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

func summarizeScores(cmd *cobra.Command, m *classifier.Model, r *data.Reader, by evaluation.GroupBy, workers int, progress func(int)) (*evaluation.Summary, error) {
	if workers <= 0 {
		workers = defaultWorkers()
	}
	sum := evaluation.NewSummary(m, by)
	next := itemsOf(r, func(c data.Comment) any { return evaluation.GroupOf(c, by) })
	emit := func(it classifier.Item, s *classifier.Scores) error {
		sum.Add(it.Ref.(string), s)
		if sum.All.N%4096 == 0 {
			progress(sum.All.N)
		}
		return nil
	}
	if err := m.ScoreStream(cmd.Context(), workers, next, emit); err != nil {
		return nil, err
	}
	return sum, nil
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
