// Command labelsim measures whether stance label's choice of what to ask next saves labels: it
// simulates an annotator with the gold labels of public tasks, choosing each batch by margin
// sampling with diversity (package label, as the labelling page does) or at random, trains the
// stance head on the labels so far after each batch, and scores the task's test split with its
// official metric. bench/label.sh runs it; docs/LABEL.md holds its output.
//
// Every run of a task starts from the same seed set (a per-article round-robin, the page's cold
// start) for both strategies, for each of the seeds. Training is one fixed configuration, no
// tuning (see trainConfig), so that a step costs a second or two rather than minutes.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/evaluation"
	"github.com/commentstance/stance/label"
)

// task is one public task as bench/configs describes it (format, columns, labels, metric) with
// its files from ../shared/data/tasks.yaml.
type task struct {
	Name, Metric        string
	schema              func(articles string) data.Schema
	Train, Test         []string
	TrainBodies, Bodies string // fnc1's article files
}

var tasks = []task{
	{Name: "semeval2016-a", Metric: "f_avg(FAVOR,AGAINST)",
		schema: func(string) data.Schema {
			return data.Schema{Format: data.TSV, ID: "ID", Text: "Tweet", Article: "Target", Strip: []string{"#SemST"},
				Labels: map[string]string{"stance": "Stance"}, RequireLabels: true}
		},
		Train: []string{"semeval2016t6/trialdata-all-annotations.txt", "semeval2016t6/trainingdata-all-annotations.utf8.txt"},
		Test:  []string{"semeval2016t6/testdata-taskA-all-annotations.txt"}},
	{Name: "mawqif", Metric: "f_avg(Favor,Against)",
		schema: func(string) data.Schema {
			return data.Schema{ID: "ID", Text: "text", Article: "target", Labels: map[string]string{"stance": "stance"}, RequireLabels: true}
		},
		Train: []string{"mawqif/Mawqif_AllTargets_Train.csv"}, Test: []string{"mawqif/Mawqif_AllTargets_Test.csv"}},
	{Name: "fnc1", Metric: "fnc_score",
		schema: func(bodies string) data.Schema {
			return data.Schema{Text: "Headline", ArticleID: "Body ID", Group: "Body ID", Labels: map[string]string{"stance": "Stance"}, RequireLabels: true,
				Articles: &data.ArticleSource{Path: bodies, Key: "Body ID", Text: "articleBody"}}
		},
		Train: []string{"fnc1/train_stances.csv"}, Test: []string{"fnc1/competition_test_stances.csv"},
		TrainBodies: "fnc1/train_bodies.csv", Bodies: "fnc1/competition_test_bodies.csv"},
	{Name: "rumoureval2017-a", Metric: "accuracy",
		schema: func(string) data.Schema {
			return data.Schema{ID: "tweet_id", Text: "text", Article: "source_text", Group: "thread_id", Labels: map[string]string{"stance": "label"}, RequireLabels: true}
		},
		Train: []string{"rumoureval2017/rumoureval2017_subtaskA_train.csv", "rumoureval2017/rumoureval2017_subtaskA_dev.csv"},
		Test:  []string{"rumoureval2017/rumoureval2017_subtaskA_test.csv"}},
}

const head = "stance"

// Run is one strategy's learning curve from one seed.
type Run struct {
	Strategy string    `json:"strategy"` // margin or random
	Seed     int       `json:"seed"`
	Labels   []int     `json:"labels"`   // labels at each point
	Official []float64 `json:"official"` // the test split's official metric there
}

// TaskResult is one task's curves.
type TaskResult struct {
	Task     string  `json:"task"`
	Metric   string  `json:"metric"`
	Pool     int     `json:"pool"`      // training rows the annotator may be asked about
	PoolFrom int     `json:"pool_from"` // training rows of the task
	Test     int     `json:"test"`
	Full     float64 `json:"full"` // the same configuration trained on the whole pool
	Runs     []Run   `json:"runs"`
	Seconds  float64 `json:"seconds"`
}

func main() {
	dataDir := flag.String("data", "../shared/data", "the public data folder")
	only := flag.String("tasks", "", "comma-separated tasks (default: all four)")
	seeds := flag.Int("seeds", 3, "seeds per strategy")
	batch := flag.Int("batch", 50, "labels per batch (and the seed set's size)")
	max := flag.Int("max", 2000, "labels at most (or the pool)")
	poolMax := flag.Int("pool", 6000, "pool rows at most: a larger training split is subsampled at random (seed 1) to this many")
	maxIter := flag.Int("max-iter", 100, "L-BFGS iterations per training")
	out := flag.String("out", "label-results.json", "where to write the curves (JSON)")
	preds := flag.String("predictions", "", "if set, a folder where each task's test predictions of its last margin point of seed 0 are written as TASK.csv, for score.py")
	reportFrom := flag.String("report", "", "instead of simulating, read these curves (JSON files, comma-separated) and write the report into -doc and the plot to -svg")
	doc := flag.String("doc", "docs/LABEL.md", "the markdown file the report goes into (between its labelsim markers)")
	svg := flag.String("svg", "docs/label-curves.svg", "where the plot goes")
	command := flag.String("command", "bench/label.sh", "the command named in the report as the one that made it")
	note := flag.String("note", "", "a paragraph added to the report (bench/label.sh puts the referee's cross-check there)")
	flag.Parse()
	if *reportFrom != "" {
		if err := writeReport(*reportFrom, *doc, *svg, "label-curves.svg", *command, *note); err != nil {
			fmt.Fprintf(os.Stderr, "labelsim: %v\n", err)
			os.Exit(1)
		}
		return
	}
	opt := simOptions{dataDir: *dataDir, seeds: *seeds, batch: *batch, maxLabels: *max, poolMax: *poolMax, maxIter: *maxIter, predsDir: *preds}
	var results []TaskResult
	for _, t := range tasks {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), t.Name) {
			continue
		}
		r, err := runTask(t, opt)
		if err != nil {
			fmt.Fprintf(os.Stderr, "labelsim: %s: %v\n", t.Name, err)
			os.Exit(1)
		}
		results = append(results, r)
		// Written after each task, so that a long run's finished tasks are kept.
		b, err := json.MarshalIndent(results, "", " ")
		if err == nil {
			err = os.WriteFile(*out, append(b, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "labelsim: %v\n", err)
			os.Exit(1)
		}
	}
}

func read(dir string, files []string, schema data.Schema) ([]data.Comment, error) {
	var all []data.Comment
	for _, f := range files {
		c, _, err := data.ReadAll(filepath.Join(dir, f), schema)
		if err != nil {
			return nil, err
		}
		all = append(all, c...)
	}
	return all, nil
}

// trainConfig is the one configuration every step trains: the defaults (C 1, balanced class
// weights, the conjoined copies, article words and relation features) without tuning, and at
// most maxIter L-BFGS iterations. The labelling page trains the same way (label.TrainConfig).
func trainConfig(maxIter int) classifier.Config {
	cfg := label.TrainConfig(classifier.DefaultConfig())
	cfg.MaxIter = maxIter
	return cfg
}

func examples(pool []data.Comment, idx []int) []classifier.Example {
	ex := make([]classifier.Example, len(idx))
	for i, j := range idx {
		c := pool[j]
		ex[i] = classifier.Example{Text: c.Text, Article: c.Article, Labels: c.Labels}
	}
	return ex
}

func official(m *classifier.Model, test *evaluation.Set, metric string, predsFile string) (float64, error) {
	res, err := evaluation.ScoreModel("", m, test)
	if err != nil {
		return 0, err
	}
	reps, err := evaluation.Reports(res, map[string]string{head: metric})
	if err != nil {
		return 0, err
	}
	if predsFile != "" {
		var b strings.Builder
		b.WriteString(head + "\n")
		for _, p := range res.Pred[head] {
			b.WriteString(p + "\n")
		}
		if err := os.WriteFile(predsFile, []byte(b.String()), 0o644); err != nil {
			return 0, err
		}
	}
	for _, r := range reps {
		if r.Head == head {
			return r.Report.Official, nil
		}
	}
	return 0, errors.New("no stance report")
}

// simOptions are the settings of a simulation, from the command line.
type simOptions struct {
	dataDir   string // the public data folder
	seeds     int    // seeds per strategy
	batch     int    // labels per batch, and the seed set's size
	maxLabels int    // labels at most (or the pool)
	poolMax   int    // pool rows at most: a larger training split is subsampled to this many
	maxIter   int    // L-BFGS iterations per training
	predsDir  string // if set, where the test predictions of the last margin point of seed 0 go
}

// sim is one task's simulation: the pool the annotator is asked about, as candidates for the
// choosers, and the test split each step is scored on.
type sim struct {
	t         task
	o         simOptions
	pool      []data.Comment
	cands     []label.Candidate
	test      *evaluation.Set
	cfg       classifier.Config
	maxLabels int // o.maxLabels, or the pool's size if smaller
}

func runTask(t task, o simOptions) (TaskResult, error) {
	start := time.Now()
	pool, testRows, err := readTask(t, o.dataDir)
	if err != nil {
		return TaskResult{}, err
	}
	res := TaskResult{Task: t.Name, Metric: t.Metric, PoolFrom: len(pool), Test: len(testRows)}
	pool = subsample(pool, o.poolMax)
	res.Pool = len(pool)
	s := &sim{t: t, o: o, pool: pool, test: &evaluation.Set{Heads: []string{head}}, cfg: trainConfig(o.maxIter)}
	for _, c := range testRows {
		s.test.Add(c)
	}
	all := make([]int, len(pool))
	for i := range all {
		all[i] = i
	}
	full, err := classifier.Train(examples(pool, all), []string{head}, s.cfg)
	if err != nil {
		return res, err
	}
	if res.Full, err = official(full, s.test, t.Metric, ""); err != nil {
		return res, err
	}
	fmt.Fprintf(os.Stderr, "%s: pool %d of %d, test %d, full-pool %s %.4f (%.0fs)\n", t.Name, len(pool), res.PoolFrom, len(testRows), t.Metric, res.Full, time.Since(start).Seconds())
	s.cands = make([]label.Candidate, len(pool))
	for i, c := range pool {
		s.cands[i] = label.Candidate{Index: i, Article: evaluation.GroupOf(c, evaluation.ByArticle), Shingle: label.NewShingles(c.Text)}
	}
	s.maxLabels = min(o.maxLabels, len(pool))
	for seed := 0; seed < o.seeds; seed++ {
		seedSet := label.RoundRobin(s.cands, o.batch, uint64(seed))
		for _, strategy := range []string{"margin", "random"} {
			run, err := s.run(strategy, seed, seedSet)
			if err != nil {
				return res, err
			}
			fmt.Fprintf(os.Stderr, "%s %s seed %d: %d points, last %.4f at %d labels (%.0fs)\n", t.Name, strategy, seed, len(run.Labels), run.Official[len(run.Official)-1], run.Labels[len(run.Labels)-1], time.Since(start).Seconds())
			res.Runs = append(res.Runs, run)
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// readTask reads a task's training split (the pool) and its test split, each joined to its
// article file when the task has them apart.
func readTask(t task, dir string) (pool, test []data.Comment, err error) {
	trainSchema, testSchema := t.schema(""), t.schema("")
	if t.TrainBodies != "" {
		trainSchema, testSchema = t.schema(filepath.Join(dir, t.TrainBodies)), t.schema(filepath.Join(dir, t.Bodies))
	}
	if pool, err = read(dir, t.Train, trainSchema); err != nil {
		return nil, nil, err
	}
	if test, err = read(dir, t.Test, testSchema); err != nil {
		return nil, nil, err
	}
	return pool, test, nil
}

// subsample keeps at most n rows of pool, chosen at random (seed 1) and kept in the file's
// order, for the round-robin's article order.
func subsample(pool []data.Comment, n int) []data.Comment {
	if len(pool) <= n {
		return pool
	}
	r := rand.New(rand.NewPCG(1, 1))
	keep := r.Perm(len(pool))[:n]
	slices.Sort(keep)
	sub := make([]data.Comment, len(keep))
	for i, j := range keep {
		sub[i] = pool[j]
	}
	return sub
}

// run is one strategy's learning curve from one seed: train on the labels so far and score
// the test split, then ask for the next batch, until the next batch would pass s.maxLabels.
func (s *sim) run(strategy string, seed int, seedSet []int) (Run, error) {
	run := Run{Strategy: strategy, Seed: seed}
	asked := slices.Clone(seedSet)
	last := seedSet
	isAsked := make([]bool, len(s.pool))
	for _, i := range asked {
		isAsked[i] = true
	}
	for step := 0; ; step++ {
		m, err := classifier.Train(examples(s.pool, asked), []string{head}, s.cfg)
		if err != nil {
			return run, fmt.Errorf("%s seed %d at %d labels: %w", strategy, seed, len(asked), err)
		}
		pf := ""
		if s.o.predsDir != "" && strategy == "margin" && seed == 0 && len(asked)+s.o.batch > s.maxLabels {
			pf = filepath.Join(s.o.predsDir, s.t.Name+".csv")
		}
		f, err := official(m, s.test, s.t.Metric, pf)
		if err != nil {
			return run, err
		}
		run.Labels = append(run.Labels, len(asked))
		run.Official = append(run.Official, f)
		if len(asked)+s.o.batch > s.maxLabels {
			return run, nil
		}
		next, err := s.next(m, strategy, uint64(seed)<<32|uint64(step), isAsked, last)
		if err != nil {
			return run, err
		}
		for _, i := range next {
			isAsked[i] = true
		}
		asked = append(asked, next...)
		last = next
	}
}

// next chooses the next batch from the candidates not yet asked about: at random (from
// randSeed), or by margin under model m with diversity from the last batch.
func (s *sim) next(m *classifier.Model, strategy string, randSeed uint64, isAsked []bool, last []int) ([]int, error) {
	var unl []label.Candidate
	for i := range s.cands {
		if !isAsked[i] {
			unl = append(unl, s.cands[i])
		}
	}
	if strategy == "random" {
		return label.SelectRandom(unl, s.o.batch, randSeed), nil
	}
	sc, err := m.NewScorer()
	if err != nil {
		return nil, err
	}
	var scores classifier.Scores
	for k := range unl {
		c := s.pool[unl[k].Index]
		sc.Score(&scores, c.Text, c.Article)
		unl[k].Margin = label.Margin(scores.Probs[0])
	}
	recent := make([]label.Shingles, len(last))
	for k, i := range last {
		recent[k] = s.cands[i].Shingle
	}
	return label.SelectMargin(unl, s.o.batch, recent, label.Diversity{}), nil
}
