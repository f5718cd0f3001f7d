package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/features"
)

// trainArgs are train's flags that are not configuration keys.
type trainArgs struct {
	dataFiles                                   []string
	articlesFile, modelPath, labelsFile, format string
	strict, tune, noTune                        bool
}

func newTrain(e *env) *cobra.Command {
	var a trainArgs
	cmd := &cobra.Command{
		Use:   "train --data FILE [--articles FILE] --model FILE",
		Short: "Learn a model from labelled comments: one head per label column",
		Long: `train learns one classification head per label column (stance, sentiment, and any other the
config names under labels) from labelled comments, and writes everything scoring needs into one
model file. The classes of each head are the labels found in the data.

By default each head's settings are first chosen by cross-validation on the training data,
scored by the head's official metric (metrics.HEAD): its regularisation strength (tune.c), class
weighting (tune.class_weight), and its use of the article-conjoined copies, the article's words
and the comment-article relation features. Two models are chosen per head when the rows carry
articles: one for comments under the training articles, by folds over rows, and one for comments
under articles the model has never seen, by folds that keep each article together (tune.group_by:
article, or group for the group column), trained without the article-conjoined copies; scoring
uses the second for any article not in the training data. The search is by coordinates (about a
dozen settings per model, tune.folds folds each, on at most tune.max_rows rows). With tune.group_by
none (targets that recur, as SemEval's), one model is chosen by folds over rows. Heads named under
model.heads, and model.c or model.class_weight when set, are kept as configured. --no-tune (or
tune: off in config.yaml) trains the configured settings as they are.

--format json prints, on standard output, one JSON document: rows (the comments trained on),
seconds (the whole run's) and tune_seconds (tuning's, 0 without), and model, what info --format
json says of the model file written (its heads, classes and class counts, settings, how training
ended, and tuning's choices and trials). The notes stay on standard error.`,
		Example: `  stance train --data data/sample/comments.csv --articles data/sample/articles.csv --model out/sample.stance
  stance train --config semeval.yaml --data trial.txt --data train.txt --model semeval.stance`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.runTrain(cmd, &a) },
	}
	a.addFlags(cmd.Flags())
	addModelFlags(cmd)
	return cmd
}

// addFlags registers train's own flags, which set a.
func (a *trainArgs) addFlags(f *pflag.FlagSet) {
	f.StringSliceVar(&a.dataFiles, "data", nil, "labelled comments (CSV, TSV or JSONL); repeat to concatenate files")
	f.StringVar(&a.articlesFile, "articles", "", "file of articles joined on the comments' article id (overrides articles.file)")
	f.StringVar(&a.modelPath, "model", "", "where to write the model")
	f.StringVar(&a.labelsFile, "labels", "", "take the labels from this labels file of stance label (joined on the comments' ids) instead of the data's label columns")
	f.BoolVar(&a.strict, "strict", false, "make any bad row an error instead of a reported skip")
	f.StringVar(&a.format, "format", "table", "table (notes on standard error only) or json (also a JSON document of the run and the model on standard output)")
	f.BoolVar(&a.tune, "tune", false, "choose each head's settings by cross-validation first, even where config.yaml says tune: off")
	f.BoolVar(&a.noTune, "no-tune", false, "train the configured settings as they are, without choosing them by cross-validation")
}

// runTrain is train's work once its flags are parsed: read the labelled comments, tune unless
// told not to, train, and write the model.
func (e *env) runTrain(cmd *cobra.Command, a *trainArgs) error {
	s, _, err := loadSettings(e.configPath, e.configSet, cmd.Flags(), trainFlags)
	if err != nil {
		return err
	}
	if err := e.checkPaths(cmd.Flags(), []string{"data", "articles", "config", "labels"}, []string{"model"}); err != nil {
		return err
	}
	if err := a.check(); err != nil {
		return err
	}
	if err := s.Tune.validate(); err != nil {
		return err
	}
	l, err := e.readTraining(s, *a)
	if err != nil {
		return err
	}
	cfg := s.trainConfig()
	if err := cfg.Validate(); err != nil {
		return asUsage(err)
	}
	start := time.Now()
	tuneSecs := 0.0
	// One progress line for the stages: features, tuning's fits, each model's iterations.
	bar := e.progress("", 0)
	cfg.Progress = func(tp classifier.TrainProgress) { trainStage(bar, tp) }
	var tuning *classifier.Tuning
	if (s.Tune.Auto || a.tune) && !a.noTune {
		if cfg, tuning, err = e.tuneTraining(cmd.Context(), l, s, cfg, bar, start); err != nil {
			return err
		}
		tuneSecs = time.Since(start).Seconds()
	}
	m, err := interruptible(cmd.Context(), func() (*classifier.Model, error) {
		m, err := classifier.Train(l.Examples, l.Heads, cfg)
		return m, asUsage(err)
	})
	bar.done()
	if err != nil {
		return err
	}
	m.Tuning = tuning
	if err := e.saveModel(m, a.modelPath); err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	e.notef("trained on %d comments in %.1fs: %s", len(l.Examples), secs, headSummary(m))
	e.notef("model written to %s", where(a.modelPath))
	if a.format == "json" {
		return e.writeTrainJSON(a.modelPath, len(l.Examples), secs, tuneSecs)
	}
	return nil
}

// check refuses a missing model path, a format train does not write, and --format json with
// the model on standard output. Where the model goes is checked before the work: tuning can
// take minutes.
func (a trainArgs) check() error {
	if a.modelPath == "" {
		return usageErr("%v", errNoModel)
	}
	switch {
	case a.format != "table" && a.format != "json":
		return usageErr("--format %q: want table or json", a.format)
	case a.format == "json" && a.modelPath == "-":
		return usageErr("train: --format json and --model - would both write to standard output; give the model a file")
	}
	if st, err := os.Stat(filepath.Dir(a.modelPath)); err != nil {
		return fmt.Errorf("model %s: %w", a.modelPath, err)
	} else if !st.IsDir() {
		return fmt.Errorf("model %s: %s is not a directory", a.modelPath, filepath.Dir(a.modelPath))
	}
	return nil
}

// readTraining reads the labelled comments train learns from (their labels from --labels when
// given), checks them, and notes what is left out.
func (e *env) readTraining(s *settings, a trainArgs) (*labelled, error) {
	schema := s.schema(a.articlesFile)
	schema.RequireLabels, schema.Strict = true, a.strict
	if a.labelsFile != "" {
		// The labels come from the labels file alone: the data's label columns are not read.
		schema.RequireLabels, schema.Labels = false, map[string]string{}
	}
	l, err := e.readLabelled(a.dataFiles, schema)
	if err != nil {
		return nil, err
	}
	if a.labelsFile != "" {
		if l, err = e.withLabels(l, a.labelsFile); err != nil {
			return nil, err
		}
	}
	if err := requireHeads(l, nil, "train"); err != nil {
		return nil, err
	}
	if err := checkLabels(l, s); err != nil {
		return nil, err
	}
	e.noteLeftOut(l)
	e.noteNoArticleText(l, s)
	return l, nil
}

// tuneTraining chooses each head's settings by cross-validation (classifier.Tune), noting each
// choice, and returns cfg with them and the record of tuning (nil if it chose nothing).
func (e *env) tuneTraining(ctx context.Context, l *labelled, s *settings, cfg classifier.Config, bar *progress, start time.Time) (classifier.Config, *classifier.Tuning, error) {
	l.setGroups(s.Tune.GroupBy)
	opt := s.tuneOptions()
	opt.Progress = func(done, total int) { bar.stage("tuning (models fitted)", done, total) }
	type result struct {
		cfg     classifier.Config
		trials  []classifier.Trial
		choices []classifier.Choice
	}
	res, err := interruptible(ctx, func() (result, error) {
		tuned, trials, choices, err := classifier.Tune(l.Examples, l.Heads, cfg, opt)
		return result{tuned, trials, choices}, asUsage(err)
	})
	bar.done()
	if err != nil {
		return cfg, nil, err
	}
	for _, ch := range res.choices {
		e.notef("%s", describeChoice(ch, res.trials, s.Tune))
	}
	if len(res.choices) == 0 {
		return res.cfg, nil, nil
	}
	e.notef("tuned in %.1fs (%d settings tried; tune: off in config.yaml or --no-tune trains the configured settings)", time.Since(start).Seconds(), len(res.trials))
	return res.cfg, &classifier.Tuning{Choices: res.choices, Trials: res.trials}, nil
}

// trainStage shows on bar what training reports: features extracted, or a model's iterations,
// whose total is a bound (training stops when it converges), so they get no ETA.
func trainStage(bar *progress, tp classifier.TrainProgress) {
	switch tp.Stage {
	case "features":
		bar.stage("features", tp.Done, tp.Total)
	case "iterations":
		role := "training articles"
		if tp.Unseen {
			role = "unseen articles"
		}
		bar.stage(fmt.Sprintf("training %s (%s), L-BFGS iterations of at most %d", tp.Head, role, tp.Total), tp.Done, 0)
	}
}

// trainFlags binds configuration keys to the flags that override them.
var trainFlags = map[string]string{
	"seed":               "seed",
	"model.c":            "c",
	"model.class_weight": "class-weight",
	"model.max_iter":     "max-iter",
	"features.bits":      "bits",
	"workers":            "workers",
}

// addModelFlags adds the flags of trainFlags, their defaults those of the library's
// (classifier.DefaultConfig, features.DefaultConfig), as the settings' defaults are.
func addModelFlags(cmd *cobra.Command) {
	c, fc := classifier.DefaultConfig(), features.DefaultConfig()
	f := cmd.Flags()
	f.Float64("c", c.C, "inverse regularisation strength (model.c)")
	f.String("class-weight", c.ClassWeight, "balanced or none (model.class_weight)")
	f.Int("max-iter", c.MaxIter, "L-BFGS iterations per head at most (model.max_iter)")
	f.Int("bits", fc.Bits, "hash space of 2^bits features (features.bits)")
	f.Int("workers", 0, "goroutines for features and gradients; 0 = all cores (workers)")
	f.Int64("seed", 0, "seed of the cross-validation folds (seed)")
}

// describeChoice says what tuning chose for a head's models, on what evidence: the figure of the
// choice, of the settings tuning started from (the configured ones) and of the next best.
func describeChoice(ch classifier.Choice, trials []classifier.Trial, t tuneSettings) string {
	var b strings.Builder
	role := func(unseen bool, chosen classifier.HeadSettings, cv float64, how string) {
		var mine []classifier.Trial
		for _, tr := range trials {
			if tr.Head == ch.Head && tr.Unseen == unseen {
				mine = append(mine, tr)
			}
		}
		what := "training articles"
		if unseen {
			what = "unseen articles"
		}
		fmt.Fprintf(&b, "%s, %s: %s, %s %.4f by %s (%d settings tried", ch.Head, what, chosen, ch.Metric, cv, how, len(mine))
		if len(mine) > 0 && mine[0].Settings != chosen {
			fmt.Fprintf(&b, "; the configured ones %.4f", mine[0].Official)
		}
		next := -1.0
		for _, tr := range mine {
			if tr.Settings != chosen && tr.Official > next {
				next = tr.Official
			}
		}
		if next >= 0 {
			fmt.Fprintf(&b, "; the next best %.4f", next)
		}
		b.WriteString(")")
	}
	role(false, ch.Known, ch.KnownCV, fmt.Sprintf("%d-fold CV over %d rows%s", ch.Folds, ch.Rows, t.repeated()))
	if ch.Unseen != nil {
		b.WriteString("\n")
		role(true, *ch.Unseen, ch.UnseenCV, fmt.Sprintf("%d-fold CV grouped by %s, %d groups%s", ch.GroupedK, t.GroupBy, ch.Groups, t.repeated()))
	} else if ch.GroupedK > 0 {
		fmt.Fprintf(&b, "\n%s, unseen articles: the same model (%d-fold CV grouped by %s chose the same settings)", ch.Head, ch.GroupedK, t.GroupBy)
	}
	for _, n := range edgeNotes(ch, "") {
		b.WriteString("\n" + n)
	}
	return b.String()
}

// edgeNotes are the notes of a choice of c at the edge of the values tuning tried
// (classifier.Choice.AtTheEdge); where, if not "", says where the choice was made ("fold 2").
func edgeNotes(ch classifier.Choice, where string) []string {
	if where != "" {
		where += ": "
	}
	var out []string
	for _, edge := range ch.AtTheEdge {
		out = append(out, fmt.Sprintf("note: %s%s: %s, the edge of the values of c tried (tune.c, and up to two steps of x3 past it), was the best; a wider tune.c may do better", where, ch.Head, edge))
	}
	return out
}

// trainJSON is train --format json's document.
type trainJSON struct {
	Rows        int       `json:"rows"`
	Seconds     float64   `json:"seconds"`
	TuneSeconds float64   `json:"tune_seconds"`
	Model       modelInfo `json:"model"`
}

// writeTrainJSON writes train --format json's document, describing the model file as written
// (read back, as info reads it).
func (e *env) writeTrainJSON(path string, rows int, secs, tuneSecs float64) error {
	m, err := loadScoringModel(path)
	if err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	return writeJSON(e.stdout, trainJSON{Rows: rows, Seconds: secs, TuneSeconds: tuneSecs, Model: describeModel(path, st.Size(), m)})
}

// saveModel writes m to path ("-": the command's standard output), atomically, as
// classifier.Model.Save does.
func (e *env) saveModel(m *classifier.Model, path string) error {
	w, commit, abort, err := e.openOut(path)
	if err != nil {
		return err
	}
	defer abort()
	if _, err := m.WriteTo(w); err != nil {
		return fmt.Errorf("writing model %s: %w", path, err)
	}
	if err := commit(); err != nil {
		return fmt.Errorf("writing model %s: %w", path, err)
	}
	return nil
}

func headSummary(m *classifier.Model) string {
	s := ""
	for i, h := range m.Heads {
		if i > 0 {
			s += "; "
		}
		s += fmt.Sprintf("%s %v (%d iterations, %s)", h.Name, h.Classes, h.Info.Iterations, h.Info.Status)
	}
	return s
}
