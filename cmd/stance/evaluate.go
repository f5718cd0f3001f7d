package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/internal/atomicfile"
	"github.com/commentstance/stance/metrics"
)

func newEvaluate(e *env) *cobra.Command {
	var dataFiles []string
	var articlesFile, modelPath, groupBy, format, predictions, report string
	var cv int
	var strict, tune bool
	cmd := &cobra.Command{
		Use:   "evaluate (--model FILE | --cv K) --data FILE",
		Short: "Measure a model on labelled comments, or cross-validate training on one file",
		Long: `evaluate reports, per head: accuracy, macro-F1, the head's official metric (config key
metrics.HEAD: f_avg(FAVOR,AGAINST), macro_f1, accuracy or fnc_score), per-class precision, recall
and F1, and the confusion matrix.

With --model it scores the labelled comments of --data with that model. With --cv K it trains K
models on one file instead, each tested on the fold it did not see; --group-by article keeps all
comments of an article in one fold, so the figure is that of articles the model has never seen.
With --cv K --tune, each fold first chooses each head's c, conjoin and word weight by
cross-validation on its own training part (tune.folds folds grouped by tune.group_by, repeated
tune.repeats times, over tune.c, tune.conjoin and tune.word_weight): the figure is that of the
whole procedure, tuning included (nested cross-validation).`,
		Example: `  stance evaluate --model out/sample.stance --data data/sample/comments.csv --articles data/sample/articles.csv
  stance evaluate --cv 5 --group-by article --data data/sample/comments.csv --articles data/sample/articles.csv --format json
  stance evaluate --cv 5 --group-by article --tune --data data/sample/comments.csv --articles data/sample/articles.csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, _, err := loadSettings(e.configPath, e.configSet, cmd.Flags(), trainFlags)
			if err != nil {
				return err
			}
			if (modelPath == "") == (cv == 0) {
				return usageErr("evaluate: give either --model FILE or --cv K")
			}
			if tune && cv == 0 {
				return usageErr("evaluate: --tune needs --cv K (a model given by --model is already trained)")
			}
			if format != "table" && format != "json" && format != "jsonl" && format != "csv" {
				return usageErr("--format %q: want table, json, jsonl or csv", format)
			}
			schema := s.schema(articlesFile)
			schema.Strict = strict
			l, err := e.readLabelled(dataFiles, schema)
			if err != nil {
				return err
			}
			if err := requireHeads(l, nil, "evaluate"); err != nil {
				return err
			}
			var res *evaluation
			if cv > 0 {
				e.noteLeftOut(l) // with --model, testModel names the model's heads the data lacks
				res, err = interruptible(cmd.Context(), func() (*evaluation, error) {
					return e.crossValidate(s, l, cv, groupBy, tune)
				})
			} else {
				res, err = e.testModel(modelPath, l)
			}
			if err != nil {
				return err
			}
			reports, err := res.reports(s.Metrics)
			if err != nil {
				return err
			}
			if predictions != "" {
				if err := res.writePredictions(predictions); err != nil {
					return err
				}
				e.notef("predictions written to %s", predictions)
			}
			if report != "" {
				if err := writeHTMLReport(report, res, reports, dataFiles, time.Now()); err != nil {
					return err
				}
				e.notef("report written to %s", report)
			}
			return writeReports(e.stdout, format, res.title, reports)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&dataFiles, "data", nil, "labelled comments (CSV, TSV or JSONL); repeat to concatenate files")
	f.StringVar(&articlesFile, "articles", "", "file of articles joined on the comments' article id")
	f.StringVar(&modelPath, "model", "", "the model to evaluate")
	f.IntVar(&cv, "cv", 0, "cross-validate with K folds instead of testing a model")
	f.StringVar(&groupBy, "group-by", "article", "with --cv: keep rows with the same article, group (the group column) or none together")
	f.StringVar(&format, "format", "table", "table, json, jsonl or csv")
	f.StringVar(&predictions, "predictions", "", "also write each row's predicted class per head to this CSV (id column first when the data has ids)")
	f.StringVar(&report, "report", "", "also write an HTML report (confusion matrices, per-class bars, calibration) to this file")
	f.BoolVar(&strict, "strict", false, "make any bad row an error instead of a reported skip")
	f.BoolVar(&tune, "tune", false, "with --cv: choose each fold's c and conjoin by cross-validation on its training part (nested; see tune in config.yaml)")
	addModelFlags(cmd)
	return cmd
}

// evaluation holds gold and predicted class names per head, one entry per row.
type evaluation struct {
	title  string
	source string // the model's path, or "K-fold CV grouped by X"
	heads  []string
	gold   map[string][]string
	pred   map[string][]string
	probs  map[string][]classProbs // per head and row, the scoring model's probabilities
	ids    []string
	texts  []string
	hasID  bool
}

func newEvaluation(title string, l *labelled, heads []string) *evaluation {
	ev := &evaluation{title: title, heads: heads, gold: map[string][]string{}, pred: map[string][]string{}, probs: map[string][]classProbs{}}
	for _, c := range l.comments {
		ev.ids = append(ev.ids, c.ID)
		ev.texts = append(ev.texts, c.Text)
		if c.ID != "" {
			ev.hasID = true
		}
		for _, h := range heads {
			ev.gold[h] = append(ev.gold[h], c.Labels[h])
		}
	}
	return ev
}

func (e *env) testModel(path string, l *labelled) (*evaluation, error) {
	m, err := loadScoringModel(path)
	if err != nil {
		return nil, err
	}
	var heads, absent []string
	for _, h := range m.HeadNames() {
		if slices.Contains(l.heads, h) {
			heads = append(heads, h)
		} else {
			absent = append(absent, h)
		}
	}
	if len(heads) == 0 {
		return nil, usageErr("evaluate: the data has none of the model's heads %v (it has %v)", m.HeadNames(), l.heads)
	}
	for _, h := range absent {
		e.notef("note: the data has no labels for the model's head %s; head not evaluated", h)
	}
	ev := newEvaluation(fmt.Sprintf("%s on %d comments", path, len(l.comments)), l, heads)
	ev.source = path
	sc, err := m.NewScorer()
	if err != nil {
		return nil, err
	}
	var s classifier.Scores
	for _, c := range l.comments {
		sc.Score(&s, c.Text, c.Article)
		for hi, h := range m.Heads {
			if slices.Contains(heads, h.Name) {
				ev.pred[h.Name] = append(ev.pred[h.Name], h.Classes[s.Best[hi]])
				ev.probs[h.Name] = append(ev.probs[h.Name], classProbs{h.Classes, slices.Clone(s.Probs[hi])})
			}
		}
	}
	return ev, nil
}

func (e *env) crossValidate(s *settings, l *labelled, k int, groupBy string, tune bool) (*evaluation, error) {
	folds, err := foldsFor(l, k, groupBy, s.Seed)
	if err != nil {
		return nil, err
	}
	cfg := s.trainConfig()
	if err := cfg.Validate(); err != nil {
		return nil, asUsage(err)
	}
	bar := e.progress("cross-validation folds", k)
	start := time.Now()
	progress := func(done, total int) { bar.set(done) }
	var scores []classifier.Scores
	var fitted []*classifier.Model
	if tune {
		grid := s.Tune.grid()
		inner := func(train []int) ([][]int, error) {
			return innerFolds(l, train, s.Tune.Folds, s.Tune.GroupBy, s.Seed, s.Tune.Repeats)
		}
		metric := func(h string) string { return s.Metrics[h] }
		scores, fitted, err = classifier.NestedCrossValidate(l.examples, l.heads, cfg, folds, grid, inner, metric, progress)
	} else {
		scores, fitted, err = classifier.CrossValidate(l.examples, l.heads, cfg, folds, progress)
	}
	bar.done()
	if err != nil {
		return nil, asUsage(err)
	}
	e.notef("trained %d fold models in %.1fs", k, time.Since(start).Seconds())
	if tune {
		for f, m := range fitted {
			if m != nil {
				e.notef("fold %d chose by cross-validation on its training part (tune.folds %d, grouped by %s%s):\n%s", f+1, s.Tune.Folds, s.Tune.GroupBy, s.Tune.repeated(), strings.TrimSpace(m.Config.Describe(l.heads)))
			}
		}
	}
	ev := newEvaluation(fmt.Sprintf("%d-fold cross-validation grouped by %s on %d comments", k, groupBy, len(l.comments)), l, l.heads)
	ev.source = fmt.Sprintf("%d-fold CV grouped by %s", k, groupBy)
	for i := range l.comments {
		m := fitted[folds[i]]
		for hi, h := range m.Heads {
			ev.pred[h.Name] = append(ev.pred[h.Name], h.Classes[scores[i].Best[hi]])
			ev.probs[h.Name] = append(ev.probs[h.Name], classProbs{h.Classes, scores[i].Probs[hi]})
		}
	}
	return ev, nil
}

// innerFolds assigns the rows train of l (a fold's training part) to k folds as foldsFor does,
// for nested cross-validation. With fewer than k groups among them, each group is a fold: under
// 5 official folds, the training part of one holds the other 4.
func innerFolds(l *labelled, train []int, k int, groupBy string, seed int64, repeats int) ([][]int, error) {
	sub := &labelled{heads: l.heads}
	groups := map[string]bool{}
	for _, i := range train {
		c := l.comments[i]
		sub.comments = append(sub.comments, c)
		groups[groupOf(c, groupBy)] = true
	}
	if groupBy != "none" && len(groups) < k {
		k = len(groups)
	}
	return tuneFolds(sub, k, groupBy, seed, repeats)
}

// tuneFolds is what --tune cross-validates over: repeats assignments to k folds, with the seeds
// seed, seed+1, ... (tune.repeats).
func tuneFolds(l *labelled, k int, groupBy string, seed int64, repeats int) ([][]int, error) {
	if repeats < 1 {
		return nil, usageErr("tune.repeats = %d: want at least 1", repeats)
	}
	out := make([][]int, repeats)
	for r := range out {
		f, err := foldsFor(l, k, groupBy, seed+int64(r))
		if err != nil {
			return nil, err
		}
		out[r] = f
	}
	return out, nil
}

// groupOf is the key that keeps a comment with others under groupBy "article" (its article id,
// or else the article's text) or "group" (its group column); "" under "none".
func groupOf(c data.Comment, groupBy string) string {
	switch groupBy {
	case "article":
		if c.ArticleID != "" {
			return c.ArticleID
		}
		return c.Article
	case "group":
		return c.Group
	}
	return ""
}

// foldsFor assigns the rows of l to k folds, stratified by the first head's labels, keeping
// together the rows of one article (groupBy "article": the article id, or else its text), of
// one group column value ("group"), or none ("none").
func foldsFor(l *labelled, k int, groupBy string, seed int64) ([]int, error) {
	var groups []string
	switch groupBy {
	case "article", "group":
		for _, c := range l.comments {
			groups = append(groups, groupOf(c, groupBy))
		}
	case "none":
	default:
		return nil, usageErr("--group-by %q: want article, group or none", groupBy)
	}
	first := l.heads[0]
	index := map[string]int{}
	y := make([]int, len(l.comments))
	for i, c := range l.comments {
		lab := c.Labels[first]
		if _, ok := index[lab]; !ok {
			index[lab] = len(index)
		}
		y[i] = index[lab]
	}
	folds, err := metrics.Folds(y, groups, k, seed)
	if err != nil {
		return nil, asUsage(fmt.Errorf("%d folds grouped by %s: %w", k, groupBy, err))
	}
	return folds, nil
}

// reports computes each head's report. A head's classes are those of gold and predictions;
// rows without a gold label are left out. The metric comes from metrics.HEAD, its class names
// matched without case; a head with no metric, or one naming classes it lacks, gets macro_f1.
func (ev *evaluation) reports(metricFor map[string]string) ([]namedReport, error) {
	var out []namedReport
	for _, h := range ev.heads {
		set := map[string]bool{}
		for i, g := range ev.gold[h] {
			if g != "" {
				set[g] = true
				set[ev.pred[h][i]] = true
			}
		}
		classes := make([]string, 0, len(set))
		for c := range set {
			classes = append(classes, c)
		}
		sort.Strings(classes)
		idx := map[string]int{}
		for i, c := range classes {
			idx[c] = i
		}
		var gold, pred []int
		for i, g := range ev.gold[h] {
			if g != "" {
				gold = append(gold, idx[g])
				pred = append(pred, idx[ev.pred[h][i]])
			}
		}
		metric, note := metrics.Resolve(metricFor[h], classes)
		if u := ev.unseen(h); u != "" {
			note = strings.TrimPrefix(note+"; "+u, "; ")
		}
		r, err := metrics.Evaluate(classes, gold, pred, metric)
		if err != nil {
			return nil, fmt.Errorf("head %s: %w", h, err)
		}
		out = append(out, namedReport{Head: h, Note: note, Report: r})
	}
	return out, nil
}

// unseen names the gold labels of head h that the model scoring their row does not have as a
// class: a label new at evaluation time, or in cross-validation one too rare to be in every
// training part. Such rows cannot be predicted right; the report shows the class with recall 0.
func (ev *evaluation) unseen(h string) string {
	miss, total := map[string]int{}, map[string]int{}
	for i, g := range ev.gold[h] {
		if g == "" || i >= len(ev.probs[h]) {
			continue
		}
		total[g]++
		if !slices.Contains(ev.probs[h][i].classes, g) {
			miss[g]++
		}
	}
	var parts []string
	for _, c := range slices.Sorted(maps.Keys(miss)) {
		rows := "rows"
		if total[c] == 1 {
			rows = "row"
		}
		if miss[c] == total[c] {
			parts = append(parts, fmt.Sprintf("%s (%d %s)", c, miss[c], rows))
		} else {
			parts = append(parts, fmt.Sprintf("%s (%d of its %d %s)", c, miss[c], total[c], rows))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "gold labels the scoring model never saw in training, so cannot predict (recall 0 on those rows): " + strings.Join(parts, ", ")
}

type namedReport struct {
	Head   string         `json:"head"`
	Note   string         `json:"note,omitempty"`
	Report metrics.Report `json:"report"`
}

func writeReports(w io.Writer, format, title string, reports []namedReport) error {
	switch format {
	case "jsonl": // one object per head
		return writeJSONLines(w, reports)
	case "csv": // one row per head and class, then one per head with the summary figures
		cw := csv.NewWriter(w)
		cw.Write([]string{"head", "class", "precision", "recall", "f1", "support", "metric", "value"})
		f := func(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
		for _, r := range reports {
			for _, c := range r.Report.PerClass {
				cw.Write([]string{r.Head, c.Class, f(c.Precision), f(c.Recall), f(c.F1), strconv.Itoa(c.Support), "", ""})
			}
			cw.Write([]string{r.Head, "", "", "", "", strconv.Itoa(r.Report.N), r.Report.Metric, f(r.Report.Official)})
			cw.Write([]string{r.Head, "", "", "", "", strconv.Itoa(r.Report.N), "accuracy", f(r.Report.Accuracy)})
			cw.Write([]string{r.Head, "", "", "", "", strconv.Itoa(r.Report.N), "macro_f1", f(r.Report.MacroF1)})
		}
		cw.Flush()
		return cw.Error()
	}
	if format == "json" {
		return writeJSON(w, struct {
			Title string        `json:"title"`
			Heads []namedReport `json:"heads"`
		}{title, reports})
	}
	fmt.Fprintf(w, "%s\n", title)
	for _, r := range reports {
		fmt.Fprintf(w, "\n== %s ==\n", r.Head)
		if r.Note != "" {
			fmt.Fprintf(w, "note: %s\n", r.Note)
		}
		if err := r.Report.Format(w); err != nil {
			return err
		}
	}
	return nil
}

// writePredictions writes one row per comment, in input order: id (when the data has ids), then
// the predicted class of each head, in the referee's format (../shared/peers/score.py).
func (ev *evaluation) writePredictions(path string) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	w := csv.NewWriter(f)
	header := slices.Clone(ev.heads)
	if ev.hasID {
		header = append([]string{"id"}, header...)
	}
	w.Write(header)
	row := make([]string, 0, len(header))
	for i := range ev.ids {
		row = row[:0]
		if ev.hasID {
			row = append(row, ev.ids[i])
		}
		for _, h := range ev.heads {
			row = append(row, ev.pred[h][i])
		}
		w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Commit()
}
