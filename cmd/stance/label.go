package main

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/label"
	"github.com/commentstance/stance/labelweb"
)

// labelArgs are label's flags that are not configuration keys.
type labelArgs struct {
	dataFile, articlesFile, labelsFile, modelPath, addr, annotator string
	classFlags                                                     []string
	retrainEvery                                                   int
}

func newLabel(e *env) *cobra.Command {
	var a labelArgs
	cmd := &cobra.Command{
		Use:   "label --data FILE --labels FILE [--articles FILE] [--model FILE] [--addr HOST:PORT]",
		Short: "Label comments in a browser, the model in the loop choosing what to ask next",
		Long: `label starts a local web page that shows one comment at a time with its article (the first line
as title, then the lead; right to left for Arabic), with a button and a keyboard shortcut for each
class of each head (1, 2, 3... for the first head, q, w, e... for the second), Space to skip,
Backspace to undo, a free-text note and a box for seed queries.

Each answer is appended to --labels at once, one row per head answered (id, head, label,
annotator, time, note, action) and synced to disk before the page says it is saved: a killed
process loses nothing, and a restart resumes where the file ends (a torn last line, cut short by
a kill, is dropped). Undo and skip are rows too. The file is what stance train --labels reads:
stance train --data comments.csv --labels labels.csv.

Until every class of every head has a few labels, comments matching the seed queries come first,
then articles in turn. Then a model is retrained in the background every --retrain-every
answers with the configured settings (never tuned, at most 100 L-BFGS iterations) and
cross-validated (5 folds over rows); the queue is ordered by margin sampling with diversity
(at most twice an article's even share of a batch, no near duplicates of what was just asked).

The classes come from --model, else from --classes, else from the labels the data file already
has. The page binds to 127.0.0.1 unless --addr says otherwise; SIGTERM or SIGINT stop it
gracefully. See docs/LABEL.md.`,
		Example: `  stance label --data comments.csv --articles articles.csv --labels labels.csv --classes stance=FAVOR,AGAINST,NONE --classes sentiment=POSITIVE,NEGATIVE,NEUTRAL
  stance label --data comments.csv --labels labels.csv --model out/sample.stance --addr 127.0.0.1:9000
  stance train --data comments.csv --articles articles.csv --labels labels.csv --model mine.stance`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.runLabel(cmd, &a) },
	}
	a.addFlags(cmd.Flags())
	return cmd
}

// addFlags registers label's own flags, which set a.
func (a *labelArgs) addFlags(f *pflag.FlagSet) {
	f.StringVar(&a.dataFile, "data", "", "the comments to label (CSV, TSV or JSONL; each needs an id, columns.id)")
	f.StringVar(&a.articlesFile, "articles", "", "file of articles joined on the comments' article id (overrides articles.file)")
	f.StringVar(&a.labelsFile, "labels", "", "the labels file answers are appended to (created if missing)")
	f.StringVar(&a.modelPath, "model", "", "take the heads and classes from this model")
	f.StringArrayVar(&a.classFlags, "classes", nil, "a head and its classes, HEAD=A,B,C; repeat for each head, in the order shown")
	f.StringVar(&a.addr, "addr", "127.0.0.1:8080", "address to listen on; 0.0.0.0:PORT to listen beyond this host")
	f.StringVar(&a.annotator, "annotator", "", "who answers, written in every row (default $USER)")
	f.IntVar(&a.retrainEvery, "retrain-every", 20, "answers between trainings of the model in the loop")
	f.Int64("seed", 0, "seed of the cold start's order and of the folds (seed)")
}

// runLabel is label's work once its flags are parsed: read the pool of comments, open the
// labels file, and serve the labelling page until the command is stopped.
func (e *env) runLabel(cmd *cobra.Command, a *labelArgs) error {
	s, _, err := loadSettings(e.configPath, e.configSet, cmd.Flags(), map[string]string{"seed": "seed"})
	if err != nil {
		return err
	}
	if a.dataFile == "" {
		return usageErr("no data: give --data FILE")
	}
	if a.labelsFile == "" {
		return usageErr("no labels file: give --labels FILE (created if missing)")
	}
	if err := e.checkPaths(cmd.Flags(), []string{"data", "articles", "config", "model"}, []string{"labels"}); err != nil {
		return err
	}
	schema := s.schema(a.articlesFile)
	r, err := e.openData(a.dataFile, schema)
	if err != nil {
		return asUsage(err)
	}
	var pool []data.Comment
	for {
		c, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			r.Close()
			return asUsage(err)
		}
		pool = append(pool, c)
	}
	e.reportSkips(r)
	r.Close()
	heads, classes, err := labelClasses(a.modelPath, a.classFlags, pool)
	if err != nil {
		return err
	}
	j, rows, torn, err := label.OpenJournal(a.labelsFile)
	if err != nil {
		return asUsage(err)
	}
	defer j.Close()
	if torn.Bytes > 0 {
		e.notef("note: %s: line %d was cut short (%d bytes, a write the process did not finish) and is dropped; the rows before it are kept", a.labelsFile, torn.Line, torn.Bytes)
	}
	if a.annotator == "" {
		a.annotator = os.Getenv("USER")
	}
	logger := slog.New(slog.NewJSONHandler(e.stderr, nil))
	if e.quiet {
		logger = slog.New(slog.DiscardHandler)
	}
	sess, err := label.NewSession(pool, j, rows, label.Options{Heads: heads, Classes: classes, Annotator: a.annotator,
		Train: s.trainConfig(), Metrics: s.Metrics, RetrainEvery: a.retrainEvery, Seed: uint64(s.Seed), Logger: logger})
	if err != nil {
		return asUsage(err)
	}
	defer sess.Close()
	ln, err := net.Listen("tcp", a.addr)
	if err != nil {
		return usageErr("--addr %s: %v", a.addr, err)
	}
	st := sess.Status()
	e.notef("labelling %d comments (%d labelled so far) into %s: open http://%s/", st.Pool, st.Labelled, a.labelsFile, ln.Addr())
	return labelweb.Serve(cmd.Context(), ln, labelweb.Handler(sess, logger), serveShutdown, logger)
}

// serveShutdown is how long label waits for in-flight requests when it is stopped: stance
// serve's default (serve.shutdown_timeout).
const serveShutdown = 15 * time.Second

// labelClasses says which heads the page asks about and their classes: a model's, else the
// --classes flags', else the classes found in the data's own label columns.
func labelClasses(modelPath string, flags []string, pool []data.Comment) ([]string, map[string][]string, error) {
	classes := map[string][]string{}
	var heads []string
	switch {
	case modelPath != "":
		m, err := classifier.LoadScoreOnly(modelPath)
		if err != nil {
			return nil, nil, asUsage(err)
		}
		for _, h := range m.Heads {
			heads = append(heads, h.Name)
			classes[h.Name] = h.Classes
		}
	case len(flags) > 0:
		for _, fl := range flags {
			h, list, ok := strings.Cut(fl, "=")
			var cs []string
			for _, c := range strings.Split(list, ",") {
				if c = strings.TrimSpace(c); c != "" && !slices.Contains(cs, c) {
					cs = append(cs, c)
				}
			}
			if h = strings.TrimSpace(h); !ok || h == "" || len(cs) < 2 {
				return nil, nil, usageErr("--classes %q: want HEAD=CLASS,CLASS[,...] with two classes or more", fl)
			}
			if _, dup := classes[h]; dup {
				return nil, nil, usageErr("--classes: head %s given twice", h)
			}
			heads = append(heads, h)
			classes[h] = cs
		}
	default:
		for _, c := range pool {
			for h, l := range c.Labels {
				if l != "" && !slices.Contains(classes[h], l) {
					classes[h] = append(classes[h], l)
				}
			}
		}
		for h, cs := range classes {
			sort.Strings(cs)
			heads = append(heads, h)
		}
		// stance first, then the others by name, as the heads of config.yaml read.
		sort.Slice(heads, func(a, b int) bool {
			if (heads[a] == "stance") != (heads[b] == "stance") {
				return heads[a] == "stance"
			}
			return heads[a] < heads[b]
		})
		if len(heads) == 0 {
			return nil, nil, usageErr("%v", errNoClasses)
		}
	}
	return heads, classes, nil
}

var errNoClasses = errors.New("no classes to ask about: give --model FILE, or --classes HEAD=A,B,C for each head (the data has no labels to take them from)")
