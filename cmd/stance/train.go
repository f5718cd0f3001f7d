package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/commentstance/stance/classifier"
)

func newTrain(e *env) *cobra.Command {
	var dataFiles []string
	var articlesFile, modelPath string
	var strict, tune bool
	cmd := &cobra.Command{
		Use:   "train --data FILE [--articles FILE] --model FILE",
		Short: "Learn a model from labelled comments: one head per label column",
		Long: `train learns one classification head per label column (stance, sentiment, and any other the
config names under labels) from labelled comments, and writes everything scoring needs into one
model file. The classes of each head are the labels found in the data.

With --tune, each head's regularisation strength (tune.c), its use of the article-conjoined
features (tune.conjoin) and, if tune.word_weight lists values, the weight of its word n-grams
against its character n-grams are first chosen by cross-validation on the training data
(tune.folds folds, grouped by tune.group_by, tune.repeats times with seeds seed, seed+1, ...),
scored by the head's official metric (metrics.HEAD) averaged over the repeats.`,
		Example: `  stance train --data data/sample/comments.csv --articles data/sample/articles.csv --model out/sample.stance
  stance train --config semeval.yaml --data trial.txt --data train.txt --model semeval.stance`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, _, err := loadSettings(e.configPath, e.configSet, cmd.Flags(), trainFlags)
			if err != nil {
				return err
			}
			if err := checkPaths(cmd.Flags(), []string{"data", "articles", "config"}, []string{"model"}); err != nil {
				return err
			}
			if modelPath == "" {
				return usageErr("%v", errNoModel)
			}
			schema := s.schema(articlesFile)
			schema.RequireLabels, schema.Strict = true, strict
			l, err := e.readLabelled(dataFiles, schema)
			if err != nil {
				return err
			}
			if err := requireHeads(l, nil, "train"); err != nil {
				return err
			}
			if err := checkLabels(l, s); err != nil {
				return err
			}
			e.noteLeftOut(l)
			cfg := s.trainConfig()
			if err := cfg.Validate(); err != nil {
				return asUsage(err)
			}
			start := time.Now()
			if tune {
				folds, err := tuneFolds(l, s.Tune.Folds, s.Tune.GroupBy, s.Seed, s.Tune.Repeats)
				if err != nil {
					return err
				}
				grid := s.Tune.grid()
				type tuning struct {
					cfg    classifier.Config
					trials []classifier.Trial
				}
				bar := e.progress("tuning (folds x repeats x heads)", s.Tune.Folds*s.Tune.Repeats*len(l.heads))
				res, err := interruptible(cmd.Context(), func() (tuning, error) {
					tuned, trials, err := classifier.Tune(l.examples, l.heads, cfg, grid, folds,
						func(h string) string { return s.Metrics[h] },
						func(done, total int) { bar.set(done) })
					return tuning{tuned, trials}, asUsage(err)
				})
				bar.done()
				if err != nil {
					return err
				}
				tuned, trials := res.cfg, res.trials
				for _, t := range trials {
					e.notef("tuning %s", t)
				}
				e.notef("chosen by %d-fold cross-validation grouped by %s%s:\n%s", s.Tune.Folds, s.Tune.GroupBy, s.Tune.repeated(), strings.TrimSpace(tuned.Describe(l.heads)))
				cfg = tuned
			}
			m, err := interruptible(cmd.Context(), func() (*classifier.Model, error) {
				m, err := classifier.Train(l.examples, l.heads, cfg)
				return m, asUsage(err)
			})
			if err != nil {
				return err
			}
			if err := m.Save(modelPath); err != nil {
				return err
			}
			e.notef("trained on %d comments in %.1fs: %s", len(l.examples), time.Since(start).Seconds(), headSummary(m))
			e.notef("model written to %s", modelPath)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&dataFiles, "data", nil, "labelled comments (CSV, TSV or JSONL); repeat to concatenate files")
	f.StringVar(&articlesFile, "articles", "", "file of articles joined on the comments' article id (overrides articles.file)")
	f.StringVar(&modelPath, "model", "", "where to write the model")
	f.BoolVar(&strict, "strict", false, "make any bad row an error instead of a reported skip")
	f.BoolVar(&tune, "tune", false, "choose each head's c and conjoin by grouped cross-validation first (see tune in config.yaml)")
	addModelFlags(cmd)
	return cmd
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

func addModelFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Float64("c", 1, "inverse regularisation strength (model.c)")
	f.String("class-weight", "balanced", "balanced or none (model.class_weight)")
	f.Int("max-iter", 300, "L-BFGS iterations per head at most (model.max_iter)")
	f.Int("bits", 20, "hash space of 2^bits features (features.bits)")
	f.Int("workers", 0, "goroutines for features and gradients; 0 = all cores (workers)")
	f.Int64("seed", 0, "seed of the cross-validation folds (seed)")
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
