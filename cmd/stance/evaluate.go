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
	"unicode/utf8"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/stat"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/internal/atomicfile"
	"github.com/commentstance/stance/metrics"
)

func newEvaluate(e *env) *cobra.Command {
	var dataFiles []string
	var articlesFile, modelPath, groupBy, by, format, predictions, report string
	var cv, repeats int
	var strict, tune, noTune bool
	cmd := &cobra.Command{
		Use:   "evaluate (--model FILE | --cv K) --data FILE",
		Short: "Measure a model on labelled comments, or cross-validate training on one file",
		Long: `evaluate reports, per head: accuracy, macro-F1, the head's official metric (config key
metrics.HEAD: f_avg(FAVOR,AGAINST), macro_f1, accuracy or fnc_score), per-class precision, recall
and F1, and the confusion matrix.

With --model it scores the labelled comments of --data with that model. With --cv K it trains K
models on one file instead, each tested on the fold it did not see; --group-by article keeps all
comments of an article in one fold, so the figure is that of articles the model has never seen.
With --cv K, each fold's model is trained as train trains one: by default each fold first chooses
its heads' settings by cross-validation on its own training part (see train --help and tune in
config.yaml), so the figure is that of the whole procedure, tuning included (nested
cross-validation). --no-tune (or tune: off) trains the configured settings in every fold.

With --cv K --repeats R, cross-validation runs R times, on the fold assignments of the seeds
seed, seed+1, ... (config key seed). The report is that of the first; each head then gets the
mean, standard deviation and per-seed values of accuracy, macro-F1 and its metric over all R.
Two settings run with the same seed and repeats are compared fold assignment by fold
assignment: the per-seed differences say whether a gain is more than the luck of one split.

--by article (or group) adds, per head, the figures of each article (each value of the group
column) on its own rows, in order of first appearance, and their unweighted mean: how the model
does on each target or article, as SemEval reports per target.`,
		Example: `  stance evaluate --model out/sample.stance --data data/sample/comments.csv --articles data/sample/articles.csv
  stance evaluate --cv 5 --group-by article --data data/sample/comments.csv --articles data/sample/articles.csv --format json
  stance evaluate --cv 5 --group-by article --no-tune --data data/sample/comments.csv --articles data/sample/articles.csv
  stance evaluate --cv 5 --repeats 5 --group-by article --data data/sample/comments.csv --articles data/sample/articles.csv
  stance evaluate --model out/sample.stance --by article --data data/sample/comments.csv --articles data/sample/articles.csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, _, err := loadSettings(e.configPath, e.configSet, cmd.Flags(), trainFlags)
			if err != nil {
				return err
			}
			if err := checkPaths(cmd.Flags(), []string{"data", "articles", "model", "config"}, []string{"predictions", "report"}); err != nil {
				return err
			}
			if err := checkFolds("cv", cv); err != nil {
				return err
			}
			if err := s.Tune.validate(); err != nil {
				return err
			}
			if (modelPath == "") == (cv == 0) {
				return usageErr("evaluate: give either --model FILE or --cv K")
			}
			if repeats < 1 {
				return usageErr("--repeats %d: want at least 1", repeats)
			}
			if repeats > 1 && cv == 0 {
				return usageErr("evaluate: --repeats needs --cv K (a model given by --model is tested once)")
			}
			switch by {
			case "", "article", "group":
			default:
				return usageErr("--by %q: want article or group", by)
			}
			if tune && cv == 0 {
				return usageErr("evaluate: --tune needs --cv K (a model given by --model is already trained)")
			}
			if tune && noTune {
				return usageErr("evaluate: --tune and --no-tune: give one")
			}
			var opt *classifier.TuneOptions
			if cv > 0 && (tune || s.Tune.Auto && !noTune) {
				o := s.tuneOptions()
				opt = &o
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
			if err := checkGrouping(l, groupBy, cv, s); err != nil {
				return err
			}
			if err := checkLabels(l, s); err != nil && cv > 0 {
				return err
			}
			var res *evaluation
			if cv > 0 {
				e.noteLeftOut(l) // with --model, testModel names the model's heads the data lacks
				res, err = interruptible(cmd.Context(), func() (*evaluation, error) {
					return e.crossValidate(s, l, cv, groupBy, opt, s.Seed)
				})
			} else {
				res, err = e.testModel(modelPath, l)
			}
			if err != nil {
				return err
			}
			if by != "" {
				res.byArticle(l, by)
			}
			reports, err := res.reports(s.Metrics)
			if err != nil {
				return err
			}
			if repeats > 1 {
				res.title += fmt.Sprintf("; fold seed %d, repeated over seeds %d to %d", s.Seed, s.Seed, s.Seed+int64(repeats)-1)
				_, err := interruptible(cmd.Context(), func() (struct{}, error) {
					return struct{}{}, e.repeatCrossValidation(s, l, cv, groupBy, opt, repeats, res, reports)
				})
				if err != nil {
					return err
				}
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
	f.StringVar(&by, "by", "", "also report each article's figures (article), or each group column value's (group)")
	f.StringVar(&format, "format", "table", "table, json, jsonl or csv")
	f.StringVar(&predictions, "predictions", "", "also write each row's label, class probabilities and signed score per head to this CSV, as export does (id column first when the data has ids)")
	f.StringVar(&report, "report", "", "also write an HTML report (confusion matrices, per-class bars, calibration) to this file")
	f.BoolVar(&strict, "strict", false, "make any bad row an error instead of a reported skip")
	f.IntVar(&repeats, "repeats", 1, "with --cv: cross-validate on this many fold assignments (seeds seed, seed+1, ...) and report each head's mean, sd and per-seed figures")
	f.BoolVar(&tune, "tune", false, "with --cv: tune each fold's settings on its training part (nested) even where config.yaml says tune: off")
	f.BoolVar(&noTune, "no-tune", false, "with --cv: train every fold with the configured settings, without tuning them first")
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
	folds  []int // with --cv, each row's fold
	// With --by, each row's article (or group) and what it is called.
	by       string
	groups   []string
	byLabels map[string]string
}

// byArticle keys each row by its article (by "article": its id, or else its text) or group
// column value (by "group"). A text without an id is named by its start.
func (ev *evaluation) byArticle(l *labelled, by string) {
	ev.by = by
	ev.byLabels = map[string]string{}
	for _, c := range l.comments {
		k := groupOf(c, by)
		ev.groups = append(ev.groups, k)
		if _, ok := ev.byLabels[k]; !ok {
			ev.byLabels[k] = clip(k, 40)
		}
	}
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

// crossValidate trains k models on the folds of l that seed assigns, each scoring the fold it did
// not see.
func (e *env) crossValidate(s *settings, l *labelled, k int, groupBy string, tune *classifier.TuneOptions, seed int64) (*evaluation, error) {
	folds, err := foldsFor(l, k, groupBy, seed)
	if err != nil {
		return nil, err
	}
	cfg := s.trainConfig()
	if err := cfg.Validate(); err != nil {
		return nil, asUsage(err)
	}
	what := "cross-validation folds"
	if seed != s.Seed {
		what += fmt.Sprintf(" (fold seed %d)", seed)
	}
	bar := e.progress(what, k)
	start := time.Now()
	progress := func(done, total int) { bar.set(done) }
	var scores []classifier.Scores
	var fitted []*classifier.Model
	if tune != nil {
		l.setGroups(s.Tune.GroupBy)
		scores, fitted, err = classifier.NestedCrossValidate(l.examples, l.heads, cfg, folds, *tune, progress)
	} else {
		scores, fitted, err = classifier.CrossValidate(l.examples, l.heads, cfg, folds, progress)
	}
	bar.done()
	if err != nil {
		return nil, asUsage(err)
	}
	e.notef("trained %d fold models in %.1fs", k, time.Since(start).Seconds())
	if tune != nil {
		of := "" // with --repeats, which fold assignment the fold is of
		if seed != s.Seed {
			of = fmt.Sprintf(" of fold seed %d", seed)
		}
		for f, m := range fitted {
			if m != nil {
				e.notef("fold %d%s chose by cross-validation on its training part (tune.folds %d, grouped by %s%s):\n%s", f+1, of, s.Tune.Folds, s.Tune.GroupBy, s.Tune.repeated(), strings.TrimSpace(m.Config.Describe(l.heads)))
			}
		}
	}
	ev := newEvaluation(fmt.Sprintf("%d-fold cross-validation grouped by %s on %d comments", k, groupBy, len(l.comments)), l, l.heads)
	ev.source = fmt.Sprintf("%d-fold CV grouped by %s", k, groupBy)
	ev.folds = folds
	for i := range l.comments {
		m := fitted[folds[i]]
		for hi, h := range m.Heads {
			ev.pred[h.Name] = append(ev.pred[h.Name], h.Classes[scores[i].Best[hi]])
			ev.probs[h.Name] = append(ev.probs[h.Name], classProbs{h.Classes, scores[i].Probs[hi]})
		}
	}
	return ev, nil
}

// repeatCrossValidation cross-validates again on the fold assignments of the seeds s.Seed+1 to
// s.Seed+repeats-1, and gives each of reports (those of seed s.Seed) the figures of all repeats.
// first holds the folds of seed s.Seed.
func (e *env) repeatCrossValidation(s *settings, l *labelled, k int, groupBy string, tune *classifier.TuneOptions, repeats int, first *evaluation, reports []namedReport) error {
	for i := range reports {
		reports[i].Repeats = &repeatStats{}
		reports[i].Repeats.add(s.Seed, reports[i].Report)
	}
	partitions := [][]int{partition(first.folds)}
	for r := 1; r < repeats; r++ {
		seed := s.Seed + int64(r)
		ev, err := e.crossValidate(s, l, k, groupBy, tune, seed)
		if err != nil {
			return fmt.Errorf("fold seed %d: %w", seed, err)
		}
		p := partition(ev.folds)
		if j := slices.IndexFunc(partitions, func(q []int) bool { return slices.Equal(p, q) }); j >= 0 {
			e.notef("note: fold seed %d splits the rows into the same folds as seed %d: its figures repeat that seed's (grouped by %s, few groups leave few ways to split)", seed, s.Seed+int64(j), groupBy)
		}
		partitions = append(partitions, p)
		more, err := ev.reports(s.Metrics)
		if err != nil {
			return fmt.Errorf("fold seed %d: %w", seed, err)
		}
		for i := range reports {
			reports[i].Repeats.add(seed, more[i].Report)
		}
	}
	for i := range reports {
		reports[i].Repeats.summarise()
	}
	return nil
}

// partition numbers the folds of an assignment in order of first appearance, so that two
// assignments that split the rows alike are equal whatever their folds' numbers.
func partition(folds []int) []int {
	seen := map[int]int{}
	out := make([]int, len(folds))
	for i, f := range folds {
		n, ok := seen[f]
		if !ok {
			n = len(seen)
			seen[f] = n
		}
		out[i] = n
	}
	return out
}

// repeatStats are a head's figures over repeated cross-validation, one per fold seed.
type repeatStats struct {
	Seeds    []int64   `json:"seeds"`
	Official []float64 `json:"official"`
	Accuracy []float64 `json:"accuracy"`
	MacroF1  []float64 `json:"macro_f1"`
	Mean     figures   `json:"mean"`
	SD       figures   `json:"sd"` // sample standard deviation (n-1)
}

type figures struct {
	Official float64 `json:"official"`
	Accuracy float64 `json:"accuracy"`
	MacroF1  float64 `json:"macro_f1"`
}

func (rs *repeatStats) add(seed int64, r metrics.Report) {
	rs.Seeds = append(rs.Seeds, seed)
	rs.Official = append(rs.Official, r.Official)
	rs.Accuracy = append(rs.Accuracy, r.Accuracy)
	rs.MacroF1 = append(rs.MacroF1, r.MacroF1)
}

func (rs *repeatStats) summarise() {
	rs.Mean.Official, rs.SD.Official = stat.MeanStdDev(rs.Official, nil)
	rs.Mean.Accuracy, rs.SD.Accuracy = stat.MeanStdDev(rs.Accuracy, nil)
	rs.Mean.MacroF1, rs.SD.MacroF1 = stat.MeanStdDev(rs.MacroF1, nil)
}

// format prints the figures under a head's report.
func (rs *repeatStats) format(w io.Writer, metric string) {
	fmt.Fprintf(w, "\nover %d fold assignments (seeds %d to %d): mean ± sd, then each seed's\n", len(rs.Seeds), rs.Seeds[0], rs.Seeds[len(rs.Seeds)-1])
	line := func(name string, mean, sd float64, each []float64, suffix string) {
		fmt.Fprintf(w, "%-9s %.4f ± %.4f ", name, mean, sd)
		for _, v := range each {
			fmt.Fprintf(w, " %.4f", v)
		}
		fmt.Fprintf(w, "%s\n", suffix)
	}
	line("accuracy", rs.Mean.Accuracy, rs.SD.Accuracy, rs.Accuracy, "")
	line("macro_f1", rs.Mean.MacroF1, rs.SD.MacroF1, rs.MacroF1, "")
	suffix := ""
	if metric != "" {
		suffix = "  " + metric
	}
	line("official", rs.Mean.Official, rs.SD.Official, rs.Official, suffix)
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
		nr := namedReport{Head: h, Note: note, Report: r}
		if ev.groups != nil {
			if err := ev.reportBy(&nr, h, classes, idx, metric); err != nil {
				return nil, err
			}
		}
		out = append(out, nr)
	}
	return out, nil
}

// reportBy gives nr the figures of head h on each article's (or group's) rows, in order of first
// appearance, over the classes of the whole evaluation, and their unweighted mean.
func (ev *evaluation) reportBy(nr *namedReport, h string, classes []string, idx map[string]int, metric string) error {
	var order []string
	gold, pred := map[string][]int{}, map[string][]int{}
	for i, g := range ev.gold[h] {
		if g == "" {
			continue
		}
		k := ev.groups[i]
		if _, ok := gold[k]; !ok {
			order = append(order, k)
		}
		gold[k] = append(gold[k], idx[g])
		pred[k] = append(pred[k], idx[ev.pred[h][i]])
	}
	var mean figures
	for _, k := range order {
		r, err := metrics.Evaluate(classes, gold[k], pred[k], metric)
		if err != nil {
			return fmt.Errorf("head %s, %s %q: %w", h, ev.by, ev.byLabels[k], err)
		}
		nr.By = append(nr.By, groupFigures{Key: ev.byLabels[k], N: r.N, figures: figures{Official: r.Official, Accuracy: r.Accuracy, MacroF1: r.MacroF1}})
		mean.Official += r.Official / float64(len(order))
		mean.Accuracy += r.Accuracy / float64(len(order))
		mean.MacroF1 += r.MacroF1 / float64(len(order))
	}
	nr.ByName = ev.by
	nr.ByMean = &mean
	return nil
}

// groupFigures are a head's figures on the rows of one article or group.
type groupFigures struct {
	Key string `json:"key"`
	N   int    `json:"n"`
	figures
}

// formatBy prints the figures of each article or group under a head's report.
func (nr *namedReport) formatBy(w io.Writer) {
	kw := len(nr.ByName)
	for _, g := range nr.By {
		kw = max(kw, utf8.RuneCountInString(g.Key))
	}
	mean := fmt.Sprintf("unweighted mean of %d", len(nr.By))
	kw = max(kw, len(mean))
	fmt.Fprintf(w, "\nby %s\n%s  %6s  accuracy  macro_f1  official\n", nr.ByName, pad(nr.ByName, kw), "n")
	for _, g := range nr.By {
		fmt.Fprintf(w, "%s  %6d  %8.4f  %8.4f  %8.4f\n", pad(g.Key, kw), g.N, g.Accuracy, g.MacroF1, g.Official)
	}
	fmt.Fprintf(w, "%s  %6s  %8.4f  %8.4f  %8.4f\n", pad(mean, kw), "", nr.ByMean.Accuracy, nr.ByMean.MacroF1, nr.ByMean.Official)
}

// pad right-pads s with spaces to n characters.
func pad(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-utf8.RuneCountInString(s)))
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
	Head    string         `json:"head"`
	Note    string         `json:"note,omitempty"`
	Report  metrics.Report `json:"report"`
	Repeats *repeatStats   `json:"repeats,omitempty"` // with evaluate --cv K --repeats R
	// With --by: what the rows are grouped by, each group's figures, and their unweighted mean.
	ByName string         `json:"by,omitempty"`
	By     []groupFigures `json:"by_groups,omitempty"`
	ByMean *figures       `json:"by_mean,omitempty"`
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
			for _, g := range r.By {
				for _, m := range []struct {
					name string
					v    float64
				}{{r.Report.Metric, g.Official}, {"accuracy", g.Accuracy}, {"macro_f1", g.MacroF1}} {
					cw.Write([]string{r.Head, "", "", "", "", strconv.Itoa(g.N), fmt.Sprintf("%s of %s %s", m.name, r.ByName, g.Key), f(m.v)})
				}
			}
			if bm := r.ByMean; bm != nil {
				for _, m := range []struct {
					name string
					v    float64
				}{{r.Report.Metric, bm.Official}, {"accuracy", bm.Accuracy}, {"macro_f1", bm.MacroF1}} {
					cw.Write([]string{r.Head, "", "", "", "", strconv.Itoa(r.Report.N), fmt.Sprintf("%s unweighted mean of %d by %s", m.name, len(r.By), r.ByName), f(m.v)})
				}
			}
			if rs := r.Repeats; rs != nil {
				for _, m := range []struct {
					name     string
					mean, sd float64
				}{{r.Report.Metric, rs.Mean.Official, rs.SD.Official}, {"accuracy", rs.Mean.Accuracy, rs.SD.Accuracy}, {"macro_f1", rs.Mean.MacroF1, rs.SD.MacroF1}} {
					cw.Write([]string{r.Head, "", "", "", "", strconv.Itoa(r.Report.N), fmt.Sprintf("%s mean of %d", m.name, len(rs.Seeds)), f(m.mean)})
					cw.Write([]string{r.Head, "", "", "", "", strconv.Itoa(r.Report.N), fmt.Sprintf("%s sd of %d", m.name, len(rs.Seeds)), f(m.sd)})
				}
			}
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
		if r.By != nil {
			r.formatBy(w)
		}
		if r.Repeats != nil {
			r.Repeats.format(w, r.Report.Metric)
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
	// Per head, the classes of the models that scored its rows: in cross-validation a fold's
	// training part may lack a rare class, whose probability is then 0 on that fold's rows.
	classes := make([][]string, len(ev.heads))
	signed := make([][2]int, len(ev.heads))
	var header []string
	if ev.hasID {
		header = append(header, "id")
	}
	for hi, h := range ev.heads {
		seen := map[string]bool{}
		for _, cp := range ev.probs[h] {
			for _, c := range cp.classes {
				seen[c] = true
			}
		}
		classes[hi] = slices.Sorted(maps.Keys(seen))
		header = append(header, h)
		for _, c := range classes[hi] {
			header = append(header, h+"_"+c)
		}
		signed[hi] = [2]int{-1, -1}
		if pos, neg, ok := (classifier.Head{Classes: classes[hi]}).Signed(); ok {
			signed[hi] = [2]int{pos, neg}
			header = append(header, h+"_score")
		}
	}
	w := csv.NewWriter(f)
	w.Write(header)
	row := make([]string, 0, len(header))
	for i := range ev.ids {
		row = row[:0]
		if ev.hasID {
			row = append(row, ev.ids[i])
		}
		for hi, h := range ev.heads {
			row = append(row, ev.pred[h][i])
			cp := ev.probs[h][i]
			for _, c := range classes[hi] {
				row = append(row, fixed4(cp.of(c)))
			}
			if pn := signed[hi]; pn[0] >= 0 {
				row = append(row, fixed4(cp.of(classes[hi][pn[0]])-cp.of(classes[hi][pn[1]])))
			}
		}
		w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Commit()
}
