package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/commentstance/stance/abstain"
	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/evaluation"
	"github.com/commentstance/stance/htmlreport"
	"github.com/commentstance/stance/internal/cell"
)

// evaluateFlags are evaluate's own flags (the model flags are bound to settings).
type evaluateFlags struct {
	data                []string
	articles, model     string
	groupBy, by, format string
	predictions, report string
	cv, repeats         int
	strict, tune        bool
	noTune              bool
	// abstain are the thresholds of config.yaml and --min-prob, and abstainSrc which came from
	// flags.
	abstain    abstain.Thresholds
	abstainSrc abstainSource
}

func newEvaluate(e *env) *cobra.Command {
	var fl evaluateFlags
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
does on each target or article, as SemEval reports per target.

--min-prob P (or HEAD=P, or abstain in config.yaml) withholds, as score and export do, each label
whose probability is under its threshold, for review: each head then also gets its coverage (the
share of its comments labelled), the number left to review, and its accuracy, macro-F1 and
official metric on the labelled comments alone (with --repeats, on the first fold assignment);
--predictions writes the withheld labels as abstain.label. --report draws each head's
accuracy-coverage curve whether or not a threshold is given, and marks the threshold's point.`,
		Example: `  stance evaluate --model out/sample.stance --data data/sample/comments.csv --articles data/sample/articles.csv
  stance evaluate --cv 5 --group-by article --data data/sample/comments.csv --articles data/sample/articles.csv --format json
  stance evaluate --cv 5 --group-by article --no-tune --data data/sample/comments.csv --articles data/sample/articles.csv
  stance evaluate --cv 5 --repeats 5 --group-by article --data data/sample/comments.csv --articles data/sample/articles.csv
  stance evaluate --model out/sample.stance --by article --data data/sample/comments.csv --articles data/sample/articles.csv
  stance evaluate --cv 5 --no-tune --min-prob stance=0.6 --min-prob sentiment=0.5 --data data/sample/comments.csv --articles data/sample/articles.csv`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.runEvaluate(cmd, &fl) },
	}
	fl.addFlags(cmd.Flags())
	addModelFlags(cmd)
	addAbstainFlags(cmd)
	return cmd
}

// addFlags registers evaluate's own flags, which set fl.
func (fl *evaluateFlags) addFlags(f *pflag.FlagSet) {
	f.StringSliceVar(&fl.data, "data", nil, "labelled comments (CSV, TSV or JSONL); repeat to concatenate files")
	f.StringVar(&fl.articles, "articles", "", "file of articles joined on the comments' article id")
	f.StringVar(&fl.model, "model", "", "the model to evaluate")
	f.IntVar(&fl.cv, "cv", 0, "cross-validate with K folds instead of testing a model")
	f.StringVar(&fl.groupBy, "group-by", string(evaluation.DefaultGroupBy), "with --cv: keep rows with the same article, group (the group column) or none together")
	f.StringVar(&fl.by, "by", "", "also report each article's figures (article), or each group column value's (group)")
	f.StringVar(&fl.format, "format", "table", "table, json, jsonl or csv")
	f.StringVar(&fl.predictions, "predictions", "", "also write each row's label, class probabilities and signed score per head to this CSV, as export does (id column first when the data has ids); - for standard output, the figures then going to standard error")
	f.StringVar(&fl.report, "report", "", "also write an HTML report (confusion matrices, per-class bars, calibration) to this file; - for standard output, the figures then going to standard error")
	f.BoolVar(&fl.strict, "strict", false, "make any bad row an error instead of a reported skip")
	f.IntVar(&fl.repeats, "repeats", 1, "with --cv: cross-validate on this many fold assignments (seeds seed, seed+1, ...) and report each head's mean, sd and per-seed figures")
	f.BoolVar(&fl.tune, "tune", false, "with --cv: tune each fold's settings on its training part (nested) even where config.yaml says tune: off")
	f.BoolVar(&fl.noTune, "no-tune", false, "with --cv: train every fold with the configured settings, without tuning them first")
}

// runEvaluate checks evaluate's settings and flags, then evaluates.
func (e *env) runEvaluate(cmd *cobra.Command, fl *evaluateFlags) error {
	s, _, err := loadSettings(e.configPath, e.configSet, cmd.Flags(), trainFlags)
	if err != nil {
		return err
	}
	if err := e.checkPaths(cmd.Flags(), []string{"data", "articles", "model", "config"}, []string{"predictions", "report"}); err != nil {
		return err
	}
	if err := checkFolds("cv", fl.cv); err != nil {
		return err
	}
	if err := s.Tune.validate(); err != nil {
		return err
	}
	if err := fl.check(); err != nil {
		return err
	}
	if fl.abstain, fl.abstainSrc, err = abstainFlags(s, cmd.Flags()); err != nil {
		return err
	}
	return e.evaluate(cmd.Context(), s, *fl)
}

// check refuses flags that do not go together.
func (fl evaluateFlags) check() error {
	if (fl.model == "") == (fl.cv == 0) {
		return usageErr("evaluate: give either --model FILE or --cv K")
	}
	if fl.repeats < 1 {
		return usageErr("--repeats %d: want at least 1", fl.repeats)
	}
	if fl.repeats > 1 && fl.cv == 0 {
		return usageErr("evaluate: --repeats needs --cv K (a model given by --model is tested once)")
	}
	switch fl.by {
	case "", "article", "group":
	default:
		return usageErr("--by %q: want article or group", fl.by)
	}
	if fl.tune && fl.noTune {
		return usageErr("evaluate: --tune and --no-tune: give one")
	}
	if fl.tune && fl.cv == 0 {
		return usageErr("evaluate: --tune needs --cv K (a model given by --model is already trained)")
	}
	if fl.format != "table" && fl.format != "json" && fl.format != "jsonl" && fl.format != "csv" {
		return usageErr("--format %q: want table, json, jsonl or csv", fl.format)
	}
	if fl.predictions == "-" && fl.report == "-" {
		return usageErr("evaluate: --predictions - and --report - would both write to standard output; give one of them a file")
	}
	return nil
}

// evaluate reads the data, evaluates, and writes the figures and the files asked for.
func (e *env) evaluate(ctx context.Context, s *settings, fl evaluateFlags) error {
	schema := s.schema(fl.articles)
	schema.Strict = fl.strict
	l, err := e.readLabelled(fl.data, schema)
	if err != nil {
		return err
	}
	if err := requireHeads(l, nil, "evaluate"); err != nil {
		return err
	}
	if err := checkGrouping(l, fl.groupBy, fl.cv, s); err != nil {
		return err
	}
	if err := checkLabels(l, s); err != nil && fl.cv > 0 {
		return err
	}
	res, err := e.evaluationResult(ctx, s, l, fl)
	if err != nil {
		return err
	}
	if fl.by != "" {
		if fl.by == "group" && !slices.ContainsFunc(l.Comments, func(c data.Comment) bool { return c.Group != "" }) {
			e.noteNoGroups(s)
		}
		res.GroupRows(&l.Set, evaluation.GroupBy(fl.by))
	}
	reports, err := evaluation.Reports(res, s.Metrics)
	if err != nil {
		return err
	}
	if err := evaluation.Abstain(res, reports, fl.abstain); err != nil {
		return abstainError(err, fl.abstainSrc)
	}
	title := res.Title()
	if fl.repeats > 1 {
		title += fmt.Sprintf("; fold seed %d, repeated over seeds %d to %d", s.Seed, s.Seed, s.Seed+int64(fl.repeats)-1)
		_, err := interruptible(ctx, func() (struct{}, error) {
			return struct{}{}, evaluation.Repeat(res, s.Seed, reports, evaluation.RepeatConfig{
				Repeats:       fl.repeats,
				Metrics:       s.Metrics,
				CrossValidate: func(seed int64) (*evaluation.Result, error) { return e.crossValidate(s, l, fl, seed) },
				SamePartition: func(seed, earlier int64) {
					e.notef("note: fold seed %d splits the rows into the same folds as seed %d: its figures repeat that seed's (grouped by %s, few groups leave few ways to split)", seed, earlier, fl.groupBy)
				},
			})
		})
		if err != nil {
			return err
		}
	}
	// Standard output holds one stream: a file given as "-", or else the figures.
	figures := e.stdout
	if fl.predictions == "-" || fl.report == "-" {
		figures = e.stderr
	}
	if err := e.writeEvaluationFiles(s, fl, res, reports, title); err != nil {
		return err
	}
	return writeReports(figures, fl.format, title, reports)
}

// evaluationResult scores l by cross-validation (--cv) or with the model given (--model).
func (e *env) evaluationResult(ctx context.Context, s *settings, l *labelled, fl evaluateFlags) (*evaluation.Result, error) {
	if fl.cv == 0 {
		return e.testModel(fl.model, l)
	}
	// A bad --group-by is a usage error before any note on the data.
	if !evaluation.GroupBy(fl.groupBy).Valid() {
		return nil, usageErr("--group-by %q: %v", fl.groupBy, evaluation.ErrGroupBy)
	}
	e.noteLeftOut(l) // with --model, testModel names the model's heads the data lacks
	e.noteNoArticleText(l, s)
	return interruptible(ctx, func() (*evaluation.Result, error) {
		return e.crossValidate(s, l, fl, s.Seed)
	})
}

// writeEvaluationFiles writes the predictions CSV and the HTML report, each if asked for.
func (e *env) writeEvaluationFiles(s *settings, fl evaluateFlags, res *evaluation.Result, reports []evaluation.HeadReport, title string) error {
	if fl.predictions != "" {
		if err := e.writeOut(fl.predictions, func(w io.Writer) error { return evaluation.WritePredictions(w, res, fl.abstain) }); err != nil {
			return err
		}
		e.notef("predictions written to %s", where(fl.predictions))
	}
	if fl.report != "" {
		articles := fl.articles
		if articles == "" {
			articles = s.Articles.File
		}
		page, err := htmlreport.New(res, reports, htmlreport.Options{Title: title, Data: fl.data, Articles: articles, Date: time.Now(), Version: versionString()})
		if err != nil {
			return err
		}
		if err := e.writeOut(fl.report, page.Render); err != nil {
			return err
		}
		e.notef("report written to %s", where(fl.report))
	}
	return nil
}

// testModel scores l with the model at path.
func (e *env) testModel(path string, l *labelled) (*evaluation.Result, error) {
	m, err := loadScoringModel(path)
	if err != nil {
		return nil, err
	}
	res, err := evaluation.ScoreModel(path, m, &l.Set)
	if err != nil {
		return nil, usageErr("evaluate: %v", err)
	}
	for _, h := range res.Absent {
		e.notef("note: the data has no labels for the model's head %s; head not evaluated", h)
	}
	if same, err := evaluation.LooksLikeTraining(m, &l.Set); err != nil {
		return nil, err
	} else if same {
		e.notef("note: these look like the model's own training rows (each head's rows per class are those it was trained on, all under its training articles): figures on them measure fit, not what new comments will get; evaluate --cv K cross-validates instead")
	}
	return res, nil
}

// crossValidate cross-validates on the folds that seed assigns, with a progress bar and notes.
func (e *env) crossValidate(s *settings, l *labelled, fl evaluateFlags, seed int64) (*evaluation.Result, error) {
	groupBy := evaluation.GroupBy(fl.groupBy)
	if !groupBy.Valid() {
		return nil, usageErr("--group-by %q: %v", fl.groupBy, evaluation.ErrGroupBy)
	}
	// The folds are assigned before any training: a bad K fails at once.
	if _, err := evaluation.Folds(&l.Set, fl.cv, groupBy, seed); err != nil {
		return nil, asUsage(err)
	}
	cfg := s.trainConfig()
	if err := cfg.Validate(); err != nil {
		return nil, asUsage(err)
	}
	cv := evaluation.CVConfig{K: fl.cv, GroupBy: groupBy, Seed: seed, Train: cfg}
	if fl.tune || s.Tune.Auto && !fl.noTune {
		if err := s.Tune.validate(); err != nil {
			return nil, err
		}
		t := s.tuneOptions()
		// The fold seed of this assignment seeds tuning's inner folds too, so that a repeat's
		// figures are those of a run with --seed set to it.
		t.Seed = seed
		cv.Tune, cv.TuneGroupBy = &t, evaluation.GroupBy(s.Tune.GroupBy)
	}
	what := "cross-validation folds"
	if seed != s.Seed {
		what += fmt.Sprintf(" (fold seed %d)", seed)
	}
	bar := e.progress(what, fl.cv)
	bar.tick(progressTick) // a fold can take minutes: the line is there, and its time moves, from the start
	start := time.Now()
	cv.Progress = func(done, total int) { bar.set(done) }
	res, err := evaluation.CrossValidate(&l.Set, cv)
	bar.done()
	if err != nil {
		return nil, asUsage(err)
	}
	e.notef("trained %d fold models in %.1fs", fl.cv, time.Since(start).Seconds())
	if cv.Tune != nil {
		of := "" // with --repeats, which fold assignment the fold is of
		if seed != s.Seed {
			of = fmt.Sprintf(" of fold seed %d", seed)
		}
		for f, m := range res.Fitted {
			if m != nil {
				e.notef("fold %d%s chose by cross-validation on its training part (tune.folds %d, grouped by %s%s):\n%s", f+1, of, s.Tune.Folds, s.Tune.GroupBy, s.Tune.repeated(), strings.TrimSpace(m.Config.Describe(l.Heads)))
				if m.Tuning != nil {
					for _, ch := range m.Tuning.Choices {
						for _, n := range edgeNotes(ch, fmt.Sprintf("fold %d%s", f+1, of)) {
							e.notef("%s", n)
						}
					}
				}
			}
		}
	}
	return res, nil
}

// formatRepeats prints the figures of repeated cross-validation under a head's report.
func formatRepeats(w io.Writer, rs *evaluation.RepeatStats, metric string) {
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

// formatAbstain prints a head's figures with the labels under its thresholds withheld.
func formatAbstain(w io.Writer, a *evaluation.Abstention, metric string) {
	fmt.Fprintf(w, "\nwith labels under p %s withheld for review", strconv.FormatFloat(a.MinProb, 'g', -1, 64))
	if len(a.ClassMinProb) > 0 {
		var parts []string
		for _, c := range slices.Sorted(maps.Keys(a.ClassMinProb)) {
			parts = append(parts, c+" "+strconv.FormatFloat(a.ClassMinProb[c], 'g', -1, 64))
		}
		fmt.Fprintf(w, " (predicted %s)", strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "\ncoverage  %.4f  %d of %d labelled\nreview    %d\n", a.Coverage, a.Labelled, a.N, a.Review)
	if l := a.OnLabelled; l != nil {
		fmt.Fprintf(w, "on the labelled: accuracy %.4f  macro_f1 %.4f  official %.4f  %s\n", l.Accuracy, l.MacroF1, l.Official, metric)
	} else {
		fmt.Fprintf(w, "on the labelled: none labelled\n")
	}
}

// formatBy prints the figures of each article or group under a head's report.
func formatBy(w io.Writer, nr evaluation.HeadReport) {
	kw := len(nr.ByName)
	for _, g := range nr.By {
		kw = max(kw, utf8.RuneCountInString(g.Key))
	}
	mean := fmt.Sprintf("unweighted mean of %d", len(nr.By))
	kw = max(kw, len(mean))
	fmt.Fprintf(w, "\nby %s\n%s  %6s  accuracy  macro_f1  official\n", nr.ByName, cell.Pad(nr.ByName, kw), "n")
	for _, g := range nr.By {
		fmt.Fprintf(w, "%s  %6d  %8.4f  %8.4f  %8.4f\n", cell.Pad(g.Key, kw), g.N, g.Accuracy, g.MacroF1, g.Official)
	}
	fmt.Fprintf(w, "%s  %6s  %8.4f  %8.4f  %8.4f\n", cell.Pad(mean, kw), "", nr.ByMean.Accuracy, nr.ByMean.MacroF1, nr.ByMean.Official)
}

// writeReports writes each head's figures to w in format: table (the default), json, jsonl or
// csv.
func writeReports(w io.Writer, format, title string, reports []evaluation.HeadReport) error {
	switch format {
	case "jsonl": // one object per head
		return writeJSONLines(w, reports)
	case "csv": // one row per head and class, then one per head with the summary figures
		return writeReportsCSV(w, reports)
	case "json":
		return writeJSON(w, struct {
			Title string                  `json:"title"`
			Heads []evaluation.HeadReport `json:"heads"`
		}{title, reports})
	}
	return writeReportsTable(w, title, reports)
}

// writeReportsCSV writes evaluate --format csv: per head, a row per class, then a row per
// summary figure.
func writeReportsCSV(w io.Writer, reports []evaluation.HeadReport) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"head", "class", "precision", "recall", "f1", "support", "metric", "value"})
	for _, r := range reports {
		writeHeadCSV(cw, r)
	}
	cw.Flush()
	return cw.Error()
}

// csvFigure is a summary figure of evaluate --format csv: its metric's name and its value.
type csvFigure struct {
	name string
	v    float64
}

// csvFigures are the official metric, accuracy and macro-F1, the last two left out where they
// are the official metric: its row says it once.
func csvFigures(metric string, official, accuracy, macroF1 float64) []csvFigure {
	out := []csvFigure{{metric, official}}
	for _, m := range []csvFigure{{"accuracy", accuracy}, {"macro_f1", macroF1}} {
		if m.name != metric {
			out = append(out, m)
		}
	}
	return out
}

// writeHeadCSV writes one head's rows of evaluate --format csv; cw holds any error.
func writeHeadCSV(cw *csv.Writer, r evaluation.HeadReport) {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
	row := func(head string, n int, metric, v string) {
		cw.Write([]string{head, "", "", "", "", strconv.Itoa(n), metric, v})
	}
	for _, c := range r.Report.PerClass {
		cw.Write([]string{r.Head, c.Class, f(c.Precision), f(c.Recall), f(c.F1), strconv.Itoa(c.Support), "", ""})
	}
	metric := r.Report.Metric
	for _, m := range csvFigures(metric, r.Report.Official, r.Report.Accuracy, r.Report.MacroF1) {
		row(r.Head, r.Report.N, m.name, f(m.v))
	}
	for _, g := range r.By {
		for _, m := range csvFigures(metric, g.Official, g.Accuracy, g.MacroF1) {
			row(r.Head, g.N, fmt.Sprintf("%s of %s %s", m.name, r.ByName, g.Key), f(m.v))
		}
	}
	if bm := r.ByMean; bm != nil {
		for _, m := range csvFigures(metric, bm.Official, bm.Accuracy, bm.MacroF1) {
			row(r.Head, r.Report.N, fmt.Sprintf("%s unweighted mean of %d by %s", m.name, len(r.By), r.ByName), f(m.v))
		}
	}
	if a := r.Abstain; a != nil {
		row(r.Head, a.N, "coverage", f(a.Coverage))
		row(r.Head, a.Review, "review", strconv.Itoa(a.Review))
		if l := a.OnLabelled; l != nil {
			for _, m := range csvFigures(metric, l.Official, l.Accuracy, l.MacroF1) {
				row(r.Head, a.Labelled, m.name+" of labelled", f(m.v))
			}
		}
	}
	if rs := r.Repeats; rs != nil {
		means := csvFigures(metric, rs.Mean.Official, rs.Mean.Accuracy, rs.Mean.MacroF1)
		sds := csvFigures(metric, rs.SD.Official, rs.SD.Accuracy, rs.SD.MacroF1)
		for i, m := range means {
			row(r.Head, r.Report.N, fmt.Sprintf("%s mean of %d", m.name, len(rs.Seeds)), f(m.v))
			row(r.Head, r.Report.N, fmt.Sprintf("%s sd of %d", m.name, len(rs.Seeds)), f(sds[i].v))
		}
	}
}

// writeReportsTable writes evaluate's table: the title, then each head's figures.
func writeReportsTable(w io.Writer, title string, reports []evaluation.HeadReport) error {
	fmt.Fprintf(w, "%s\n", title)
	for _, r := range reports {
		fmt.Fprintf(w, "\n== %s ==\n", r.Head)
		if r.Note != "" {
			fmt.Fprintf(w, "note: %s\n", r.Note)
		}
		if err := r.Report.Format(w); err != nil {
			return err
		}
		if r.Abstain != nil {
			formatAbstain(w, r.Abstain, r.Report.Metric)
		}
		if r.By != nil {
			formatBy(w, r)
		}
		if r.Repeats != nil {
			formatRepeats(w, r.Repeats, r.Report.Metric)
		}
	}
	return nil
}
