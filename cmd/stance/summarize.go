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
)

func newSummarize(e *env) *cobra.Command {
	var dataFile, articlesFile, modelPath, by, format, out string
	var strict bool
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
			if err := checkPaths(cmd.Flags(), []string{"data", "articles", "model", "config"}, []string{"out"}); err != nil {
				return err
			}
			if dataFile == "" {
				return usageErr("summarize needs --data FILE")
			}
			if by != "article" && by != "group" {
				return usageErr("--by %q: want article or group", by)
			}
			switch format {
			case "table", "csv", "json":
			default:
				return usageErr("--format %q: want table, csv or json", format)
			}
			m, err := loadScoringModel(modelPath)
			if err != nil {
				return err
			}
			for _, h := range m.Heads {
				if !h.KnowsWeights() && (m.Config.ClassWeight != "none" || m.Config.ClassWeights[h.Name] != nil) {
					e.notef("note: %s does not record the class weights head %s was trained with (it is older than this program): its shares are of the weighted probabilities; train it again to have them undone", modelPath, h.Name)
				}
			}
			r, err := e.openComments(s, dataFile, articlesFile, strict)
			if err != nil {
				return err
			}
			defer r.Close()
			start := time.Now()
			bar := e.progress("scored", 0)
			sum, err := summarizeScores(cmd, m, r, by, s.Workers, bar.set)
			bar.done()
			if err != nil {
				return err
			}
			e.reportSkips(r)
			if sum.all.n == 0 {
				return usageErr("no comments to summarize in %s", dataFile)
			}
			dst, commit, abort, err := e.openOut(out)
			if err != nil {
				return err
			}
			defer abort()
			if err := sum.write(dst, format); err != nil {
				return fmt.Errorf("writing %s: %w", out, err)
			}
			if err := commit(); err != nil {
				return fmt.Errorf("writing %s: %w", out, err)
			}
			e.notef("summarized %d comments on %d %ss in %.1fs", sum.all.n, len(sum.groups), by, time.Since(start).Seconds())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataFile, "data", "", "comments to score (CSV, TSV or JSONL); - for standard input")
	f.StringVar(&articlesFile, "articles", "", "file of articles joined on the comments' article id")
	f.StringVar(&modelPath, "model", "", "the model")
	f.StringVar(&by, "by", "article", "one line per article, or per value of the group column (group)")
	f.StringVar(&format, "format", "table", "table, csv or json")
	f.StringVarP(&out, "out", "o", "-", "the file to write; - for standard output")
	f.BoolVar(&strict, "strict", false, "make any bad row an error instead of a reported skip")
	f.IntVar(&workers, "workers", 0, "scoring goroutines; 0 = all cores (workers)")
	return cmd
}

// tally sums the scores of some comments.
type tally struct {
	n     int
	probs [][]float64 // per head and class, the sum of the class's probability
	count [][]int     // per head and class, the comments whose label it is
}

func newTally(m *classifier.Model) *tally {
	t := &tally{}
	for _, h := range m.Heads {
		t.probs = append(t.probs, make([]float64, len(h.Classes)))
		t.count = append(t.count, make([]int, len(h.Classes)))
	}
	return t
}

// add counts one comment: its labels, and its probabilities p (per head, with the class weights
// undone).
func (t *tally) add(s *classifier.Scores, p [][]float64) {
	t.n++
	for hi, ph := range p {
		for k, v := range ph {
			t.probs[hi][k] += v
		}
		t.count[hi][s.Best[hi]]++
	}
}

// summary is the tallies of each article (or group), in order of first appearance, and of all.
type summary struct {
	m      *classifier.Model
	signed [][2]int // per head, its positive and negative class (Head.Signed), or -1s
	by     string
	keys   []string
	groups map[string]*tally
	all    *tally
}

func summarizeScores(cmd *cobra.Command, m *classifier.Model, r *data.Reader, by string, workers int, progress func(int)) (*summary, error) {
	if workers <= 0 {
		workers = defaultWorkers()
	}
	sum := &summary{m: m, by: by, groups: map[string]*tally{}, all: newTally(m)}
	for _, h := range m.Heads {
		pn := [2]int{-1, -1}
		if pos, neg, ok := h.Signed(); ok {
			pn = [2]int{pos, neg}
		}
		sum.signed = append(sum.signed, pn)
	}
	p := make([][]float64, len(m.Heads))
	next := itemsOf(r, func(c data.Comment) any { return groupOf(c, by) })
	emit := func(it classifier.Item, s *classifier.Scores) error {
		key := it.Ref.(string)
		t := sum.groups[key]
		if t == nil {
			t = newTally(m)
			sum.groups[key] = t
			sum.keys = append(sum.keys, key)
		}
		for hi := range m.Heads {
			// The weights undone are those of the model that scored it (Head.Unseen's differ).
			p[hi] = s.Scorer(m, hi).Unweighted(p[hi], s.Probs[hi])
		}
		t.add(s, p)
		sum.all.add(s, p)
		if sum.all.n%4096 == 0 {
			progress(sum.all.n)
		}
		return nil
	}
	if err := m.ScoreStream(cmd.Context(), workers, next, emit); err != nil {
		return nil, err
	}
	return sum, nil
}

// meanScore is head hi's mean signed score over t's comments: the share of its positive class
// less that of its negative one; ok is false for a head without such a pair.
func (s *summary) meanScore(hi int, t *tally) (v float64, ok bool) {
	pn := s.signed[hi]
	if pn[0] < 0 {
		return 0, false
	}
	return (t.probs[hi][pn[0]] - t.probs[hi][pn[1]]) / float64(t.n), true
}

// name is how a group is called in the output: its key, or a placeholder for rows without one.
func (s *summary) name(key string) string {
	if key == "" {
		return "(no " + s.by + ")"
	}
	return key
}

func (s *summary) write(w io.Writer, format string) error {
	switch format {
	case "csv":
		return s.writeCSV(w)
	case "json":
		return s.writeJSON(w)
	}
	return s.writeTable(w)
}

// writeTable prints a block per head: a line per group, then one for all comments, with each
// class's share (and label count) and the mean signed score.
func (s *summary) writeTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for hi, h := range s.m.Heads {
		if hi > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "== %s: share of the comments (mean probability), and label count ==\n", h.Name)
		signed := s.signed[hi][0] >= 0
		cells := append([]string{s.by, "comments"}, h.Classes...)
		if signed {
			cells = append(cells, "mean score")
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
		line := func(name string, t *tally) {
			cells := []string{clip(name, 40), strconv.Itoa(t.n)}
			for k := range h.Classes {
				cells = append(cells, fmt.Sprintf("%.0f%% (%d)", 100*t.probs[hi][k]/float64(t.n), t.count[hi][k]))
			}
			if v, ok := s.meanScore(hi, t); ok {
				if math.Abs(v) < 0.005 {
					v = 0 // "+0.00", not "-0.00"
				}
				cells = append(cells, fmt.Sprintf("%+.2f", v))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		for _, k := range s.keys {
			line(s.name(k), s.groups[k])
		}
		line(fmt.Sprintf("all %d %ss", len(s.keys), s.by), s.all)
	}
	return tw.Flush()
}

// writeCSV writes a row per group: the group, the comments, then per head each class's share
// (HEAD_CLASS_share) and label count (HEAD_CLASS_count), and the mean signed score (HEAD_score).
func (s *summary) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := []string{s.by, "comments"}
	for hi, h := range s.m.Heads {
		for _, c := range h.Classes {
			header = append(header, h.Name+"_"+c+"_share", h.Name+"_"+c+"_count")
		}
		if s.signed[hi][0] >= 0 {
			header = append(header, h.Name+"_score")
		}
	}
	cw.Write(header)
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
	for _, key := range s.keys {
		t := s.groups[key]
		row := []string{key, strconv.Itoa(t.n)}
		for hi, h := range s.m.Heads {
			for k := range h.Classes {
				row = append(row, f(t.probs[hi][k]/float64(t.n)), strconv.Itoa(t.count[hi][k]))
			}
			if v, ok := s.meanScore(hi, t); ok {
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

func (s *summary) json(t *tally) tallyJSON {
	g := tallyJSON{Comments: t.n, Heads: map[string]headSummaryJSON{}}
	for hi, h := range s.m.Heads {
		hs := headSummaryJSON{Share: map[string]float64{}, Count: map[string]int{}}
		for k, c := range h.Classes {
			hs.Share[c] = t.probs[hi][k] / float64(t.n)
			hs.Count[c] = t.count[hi][k]
		}
		if v, ok := s.meanScore(hi, t); ok {
			hs.Score = &v
		}
		g.Heads[h.Name] = hs
	}
	return g
}

func (s *summary) writeJSON(w io.Writer) error {
	v := struct {
		By     string             `json:"by"`
		Groups []groupSummaryJSON `json:"groups"`
		All    tallyJSON          `json:"all"`
	}{By: s.by, All: s.json(s.all)}
	for _, k := range s.keys {
		v.Groups = append(v.Groups, groupSummaryJSON{k, s.json(s.groups[k])})
	}
	return writeJSON(w, v)
}
