package main

// Guards against hostile and messy input (issue 17): checks each command makes in one line
// before its work, so that a bad combination of paths or settings fails at once, in the
// user's terms, and the signal handling that makes every command stop promptly.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/evaluation"
	"github.com/commentstance/stance/internal/atomicfile"
)

// limitSettings are the limits.* keys: how much one input may make stance read or allocate.
type limitSettings struct {
	RecordBytes      int64 `mapstructure:"record_bytes"`
	ArticleFileBytes int64 `mapstructure:"article_file_bytes"`
	ModelFileBytes   int64 `mapstructure:"model_file_bytes"`
	ModelMemoryBytes int64 `mapstructure:"model_memory_bytes"`
	XLSXBytes        int64 `mapstructure:"xlsx_bytes"`
}

// limitDefaults are the defaults of the keys guard.go adds to the configuration.
func limitDefaults() map[string]any {
	return map[string]any{
		"encoding":                  "",
		"delimiter":                 ",",
		"limits.record_bytes":       int64(data.DefaultRecordBytes),
		"limits.article_file_bytes": int64(data.DefaultArticleFileBytes),
		"limits.model_file_bytes":   int64(classifier.DefaultModelFileBytes),
		"limits.model_memory_bytes": int64(classifier.DefaultModelMemoryBytes),
		"limits.xlsx_bytes":         int64(data.DefaultXLSXBytes),
	}
}

// modelLimits are the limits the last loadSettings read, for loadModel: the commands that
// load a model read their settings first (explain and info without a --config of their own
// use the defaults).
var modelLimits classifier.LoadLimits

// recordLimit is limits.record_bytes as the last loadSettings read, for score's --article-file.
var recordLimit int64

// maxConfigBytes bounds a configuration file: config.yaml is some 5 KB; a megabyte is no
// configuration (and --config /dev/zero must not be read for ever).
const maxConfigBytes = 1 << 20

// readConfigFile reads a configuration file whole, within maxConfigBytes.
func readConfigFile(path string, r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxConfigBytes+1))
	if err != nil {
		return nil, usageErr("config %s: %v", path, err)
	}
	if len(b) > maxConfigBytes {
		return nil, usageErr("config %s: longer than %d bytes; want a YAML configuration such as config.yaml", path, maxConfigBytes)
	}
	return b, nil
}

// stdinLimit bounds a comment read whole from score's standard input: limits.record_bytes,
// as for a record of a data file, within maxStdinLine (bufio.Scanner's buffer).
func stdinLimit() int {
	if recordLimit <= 0 {
		return data.DefaultRecordBytes
	}
	return int(min(recordLimit, maxStdinLine))
}

// readTextFile reads a file of text whole (score --article-file) within limits.record_bytes.
func readTextFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, limit)
}

// readLimited reads r whole, refusing more than limit bytes (0: data.DefaultRecordBytes).
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = data.DefaultRecordBytes
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("longer than %d bytes; raise limits.record_bytes if it is real text", limit)
	}
	return b, nil
}

// maxC bounds C (model.c, model.heads.HEAD.c, tune.c). The objective multiplies the loss of
// every row by C: past 1e10 the L2 term is no regularisation for any data set that fits in
// memory, and values near float64's maximum overflowed into NaN weights that only failed
// when the model was written. maxClassWeight bounds a class weight for the same reason.
const (
	maxC           = 1e10
	maxClassWeight = 1e6
)

// checkSettings checks every key's range before any work, and the STANCE_* environment for
// names that are no setting. Values that Validate lets through (NaN compares false with every
// bound; infinities pass "above 0") are caught here, before training, rather than when the
// model is written.
func checkSettings(v *viper.Viper, s *settings) error {
	if err := checkEnvironment(os.Environ()); err != nil {
		return err
	}
	if err := checkModelSettings(s); err != nil {
		return err
	}
	if err := checkTuneSettings(s.Tune); err != nil {
		return err
	}
	if s.Workers < 0 || s.Workers > 4096 {
		return badSetting("workers", s.Workers, "0 (all cores) to 4096")
	}
	// In config.yaml's order, so that of several bad limits the first is named, every run.
	for _, l := range []struct {
		key string
		n   int64
	}{{"limits.record_bytes", s.Limits.RecordBytes}, {"limits.article_file_bytes", s.Limits.ArticleFileBytes},
		{"limits.model_file_bytes", s.Limits.ModelFileBytes}, {"limits.model_memory_bytes", s.Limits.ModelMemoryBytes},
		{"limits.xlsx_bytes", s.Limits.XLSXBytes}} {
		if l.n < 1<<10 {
			return badSetting(l.key, l.n, "at least 1024 bytes")
		}
	}
	if _, err := delimiterOf(s.Delimiter); err != nil {
		return err
	}
	if err := s.Features.config().Validate(); err != nil {
		return asUsage(inConfigTerms(err))
	}
	if err := s.Abstain.validate(); err != nil {
		return err
	}
	if err := checkModelFits(s); err != nil {
		return err
	}
	modelLimits = classifier.LoadLimits{FileBytes: s.Limits.ModelFileBytes, MemoryBytes: s.Limits.ModelMemoryBytes}
	recordLimit = s.Limits.RecordBytes
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// badSetting is the usage error for a key's value out of range, saying what is wanted.
func badSetting(key string, val any, want string) error {
	return usageErr("%s = %v: want %s", key, val, want)
}

// checkModelSettings checks the ranges of the model and features keys that set what training
// fits: model.c, features.conjoin_weight, model.heads, model.class_weights and model.max_iter.
func checkModelSettings(s *settings) error {
	if !(s.Model.C > 0) || s.Model.C > maxC {
		return badSetting("model.c", s.Model.C, fmt.Sprintf("a number above 0 and at most %g", float64(maxC)))
	}
	if f := s.Features; !finite(f.ConjoinWeight) || !(f.ConjoinWeight > 0) || f.ConjoinWeight > classifier.MaxConjoinWeight {
		return badSetting("features.conjoin_weight", f.ConjoinWeight, fmt.Sprintf("a number above 0 and at most %g", float64(classifier.MaxConjoinWeight)))
	}
	for _, h := range slices.Sorted(maps.Keys(s.Model.Heads)) {
		hc := s.Model.Heads[h]
		if !finite(hc.C) || hc.C < 0 || hc.C > maxC {
			return badSetting("model.heads."+h+".c", hc.C, fmt.Sprintf("a number above 0 and at most %g (or 0 for model.c)", float64(maxC)))
		}
		if !finite(hc.WordWeight) || hc.WordWeight < 0 || hc.WordWeight > classifier.MaxConjoinWeight {
			return badSetting("model.heads."+h+".word_weight", hc.WordWeight, fmt.Sprintf("a number above 0 and at most %g (or 0 for 1)", float64(classifier.MaxConjoinWeight)))
		}
		if !finite(hc.ConjoinWeight) || hc.ConjoinWeight < 0 || hc.ConjoinWeight > classifier.MaxConjoinWeight {
			return badSetting("model.heads."+h+".conjoin_weight", hc.ConjoinWeight, fmt.Sprintf("a number above 0 and at most %g (or 0 for 1)", float64(classifier.MaxConjoinWeight)))
		}
	}
	for _, h := range slices.Sorted(maps.Keys(s.Model.ClassWeights)) {
		for _, c := range slices.Sorted(maps.Keys(s.Model.ClassWeights[h])) {
			if w := s.Model.ClassWeights[h][c]; !(w > 0) || w > maxClassWeight {
				return badSetting("model.class_weights."+h+"."+c, w, fmt.Sprintf("a number above 0 and at most %g", float64(maxClassWeight)))
			}
		}
	}
	if s.Model.MaxIter > 1_000_000 {
		return badSetting("model.max_iter", s.Model.MaxIter, "at most 1000000")
	}
	return nil
}

// checkTuneSettings checks the ranges of the tune keys: the folds, the repeats and the grid.
func checkTuneSettings(t tuneSettings) error {
	switch {
	case t.Folds < 2 || t.Folds > 100:
		return badSetting("tune.folds", t.Folds, "at least 2 and at most 100")
	case t.Repeats < 1 || t.Repeats > 100:
		// Each repeat is a cross-validation of every grid point: 100 is far past any use, and
		// the fold assignments of 1e9 repeats did not fit in memory.
		return badSetting("tune.repeats", t.Repeats, "at least 1 and at most 100")
	case len(t.C) > 1000 || len(t.WordWeight) > 1000 || len(t.ConjoinWeight) > 1000:
		return badSetting("tune.c, tune.word_weight and tune.conjoin_weight", fmt.Sprintf("%d, %d and %d values", len(t.C), len(t.WordWeight), len(t.ConjoinWeight)), "at most 1000 each")
	}
	for _, c := range t.C {
		if !(c > 0) || c > maxC {
			return badSetting("tune.c", t.C, fmt.Sprintf("numbers above 0 and at most %g", float64(maxC)))
		}
	}
	for _, w := range t.WordWeight {
		if !finite(w) || !(w > 0) || w > classifier.MaxConjoinWeight {
			return badSetting("tune.word_weight", t.WordWeight, fmt.Sprintf("numbers above 0 and at most %g", float64(classifier.MaxConjoinWeight)))
		}
	}
	for _, w := range t.ConjoinWeight {
		if !finite(w) || !(w > 0) || w > classifier.MaxConjoinWeight {
			return badSetting("tune.conjoin_weight", t.ConjoinWeight, fmt.Sprintf("numbers above 0 and at most %g", float64(classifier.MaxConjoinWeight)))
		}
	}
	return nil
}

// checkModelFits refuses features.bits that would give a model too large to load, one that
// could never be used. Each head has two classes at least, and the model is held twice while it
// is saved (it and its file's image).
func checkModelFits(s *settings) error {
	if n := len(s.Labels); n > 0 {
		classes := make([]int, n)
		for i := range classes {
			classes[i] = 2
		}
		if need := 2 * classifier.WeightBytes(s.Features.config(), classes); need > s.Limits.ModelMemoryBytes {
			return usageErr("features.bits = %d: a model of %d heads over 2^%d features needs %d MiB or more to train and save, more than limits.model_memory_bytes (%d MiB); lower features.bits, or raise the limit on a machine with the memory",
				s.Features.Bits, n, s.Features.Bits, need>>20, s.Limits.ModelMemoryBytes>>20)
		}
	}
	return nil
}

// checkEnvironment refuses a STANCE_* variable that names no setting, as readConfig refuses
// an unknown key of config.yaml: STANCE_FEATURS_BITS was silently ignored.
func checkEnvironment(environ []string) error {
	var names []string
	known := map[string]string{}
	for k := range defaults() {
		n := envName(k)
		known[n] = k
		names = append(names, n)
	}
	sort.Strings(names)
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "STANCE_") {
			continue
		}
		if _, ok := known[name]; ok {
			continue
		}
		near := nearest(name, names)
		return usageErr("environment variable %s names no setting; did you mean %s (%s)?", name, near, known[near])
	}
	return nil
}

func envName(key string) string {
	return "STANCE_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// delimiterOf turns the delimiter setting into the CSV readers' rune: one character, or "tab".
func delimiterOf(d string) (rune, error) {
	if d == "tab" || d == `\t` {
		return '\t', nil
	}
	r, n := utf8.DecodeRuneInString(d)
	if n == 0 || n != len(d) || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError {
		return 0, usageErr("delimiter = %q: want one character other than a quote or a line break, such as ',' ';' '|' or tab", d)
	}
	return r, nil
}

// checkPaths refuses, before any work, an output that is one of the inputs (export --data
// x.csv --out x.csv wrote the scores over the comments) or another output, and an output
// that cannot be written (a directory, a missing directory). inputs and outputs are flag
// names; flags not set are passed over. The outputs are recorded (env.outputFiles) for the
// message of an interrupted run.
func (e *env) checkPaths(flags *pflag.FlagSet, inputs, outputs []string) error {
	type named struct{ flag, path string }
	values := func(names []string) []named {
		var out []named
		for _, n := range names {
			fl := flags.Lookup(n)
			if fl == nil {
				continue
			}
			vals := []string{fl.Value.String()}
			if sv, ok := fl.Value.(pflag.SliceValue); ok {
				vals = sv.GetSlice()
			}
			for _, v := range vals {
				if v != "" && v != "-" {
					out = append(out, named{n, v})
				}
			}
		}
		return out
	}
	ins, outs := values(inputs), values(outputs)
	e.mu.Lock()
	for _, o := range outs {
		e.outputs = append(e.outputs, o.path)
	}
	e.mu.Unlock()
	for i, o := range outs {
		if err := atomicfile.Check(o.path); err != nil {
			return fmt.Errorf("--%s: %w", o.flag, err) // an I/O failure (exit 1), as at the rename
		}
		if special(o.path) {
			continue // /dev/null and the like are written through, and destroy nothing
		}
		for _, in := range ins {
			if samePath(o.path, in.path) {
				return usageErr("--%s %s is the same file as --%s %s: writing it would destroy the input; give --%s another path", o.flag, o.path, in.flag, in.path, o.flag)
			}
		}
		for _, o2 := range outs[:i] {
			if samePath(o.path, o2.path) {
				return usageErr("--%s %s is the same file as --%s %s: give each output its own path", o.flag, o.path, o2.flag, o2.path)
			}
		}
	}
	return nil
}

// special reports whether path exists and is not a regular file (after links).
func special(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.Mode().IsRegular()
}

// samePath reports whether a and b name one file: the same inode when both exist, or the same
// absolute path with the directories' symbolic links resolved.
func samePath(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	return resolved(a) == resolved(b)
}

func resolved(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// checkFolds refuses a fold count that cannot be one, before the data is read.
func checkFolds(flag string, k int) error {
	if k < 0 || k == 1 {
		return usageErr("--%s %d: want the number of folds, 2 or more", flag, k)
	}
	return nil
}

// checkGrouping says in the user's terms why rows cannot be grouped: no group column at all
// (metrics said "1 distinct groups for 3 folds").
func checkGrouping(l *labelled, groupBy string, k int, s *settings) error {
	if k < 2 || (groupBy != "group" && groupBy != "article") {
		return nil
	}
	seen := map[string]bool{}
	for _, c := range l.Comments {
		seen[evaluation.GroupOf(c, evaluation.GroupBy(groupBy))] = true
		if len(seen) >= k {
			return nil
		}
	}
	if len(seen) == 1 && seen[""] {
		col := s.Columns.Group
		key := "columns.group"
		if groupBy == "article" {
			col, key = s.Columns.ArticleID+" or "+s.Columns.Article, "columns.article_id and columns.article"
		}
		return usageErr("--group-by %s: the data has no %s column (%s) or leaves it empty, so the rows cannot be grouped into %d folds; name the column with %s, or use --group-by none",
			groupBy, groupBy, col, k, key)
	}
	return usageErr("--group-by %s: the data has %d distinct %ss, fewer than the %d folds; use fewer folds or --group-by none", groupBy, len(seen), groupBy, k)
}

// checkLabels refuses label columns that would make a model too large to hold, before
// training: 10,000 distinct labels is a text column mapped as a label, not classes.
func checkLabels(l *labelled, s *settings) error {
	var classes []int
	for _, h := range l.Heads {
		seen := map[string]bool{}
		for _, c := range l.Comments {
			seen[c.Labels[h]] = true
		}
		classes = append(classes, len(seen))
		if len(seen) > 1000 {
			return usageErr("head %s has %d distinct labels (column %q); want classes, at most 1000: is labels.%s the right column?", h, len(seen), l.columns[h], h)
		}
	}
	if need := 2 * classifier.WeightBytes(s.Features.config(), classes); need > s.Limits.ModelMemoryBytes {
		return usageErr("heads %v with %v classes over 2^%d features (features.bits) need %d MiB to train and save, more than limits.model_memory_bytes (%d MiB); lower features.bits",
			l.Heads, classes, s.Features.Bits, need>>20, s.Limits.ModelMemoryBytes>>20)
	}
	return nil
}

// signals are those that stop a command: Ctrl-C, kill, a closed terminal, Ctrl-\. Each leaves
// the output files as they were (SIGQUIT no longer dumps the goroutines).
var signals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// notifyContext is signal.NotifyContext for signals, less SIGHUP for a command that handles it
// itself (stance serve reloads its model on it).
func notifyContext(ctx context.Context, ownHUP bool) (context.Context, context.CancelFunc) {
	if ownHUP {
		return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGQUIT)
	}
	return signal.NotifyContext(ctx, signals...)
}

// interruptGrace is how long a command may take to stop after a signal before run returns
// without it: a command blocked in open(2) on a FIFO, or in a computation that does not watch
// its context, would otherwise keep the process alive.
const interruptGrace = 2 * time.Second

// errPanic marks a panic of the command, which run reports as an internal error (exit 1): a
// Go panic exits with 2, the code of a usage error.
var errPanic = errors.New("internal error (a bug in stance; please report it with the command line)")

// execute runs the root command, returning when it does or, once ctx is done, after at most
// interruptGrace: whatever it was doing, no output is committed after an interrupt, because
// atomicfile.AbortAll has run and main calls atomicfile.Stop before exiting.
func execute(ctx context.Context, root *cobra.Command) error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("%w: %v\n%s", errPanic, p, debug.Stack())
			}
		}()
		done <- root.ExecuteContext(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	select {
	case err := <-done:
		return err
	case <-time.After(interruptGrace):
		return ctx.Err()
	}
}
