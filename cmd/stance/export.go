package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/commentstance/stance/abstain"
	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/scorecsv"
)

// exportArgs are export's flags that are not configuration keys.
type exportArgs struct {
	dataFile, articlesFile, modelPath, out string
	keep                                   []string
	strict                                 bool
	workers                                int // read through the settings (workers)
}

func newExport(e *env) *cobra.Command {
	var a exportArgs
	cmd := &cobra.Command{
		Use:   "export --model FILE --data FILE --out FILE",
		Short: "Score a file of comments and write one CSV (or .xlsx) row of scores per comment",
		Long: `export scores every comment of --data (CSV, TSV, JSONL or .xlsx; label columns are allowed and ignored)
and writes one row per comment, in input order: id (when the input has an id column), article_id
(the input's; for an article given inline, in an article column, "sha256:" and the first 16 hex
digits of the SHA-256 of its text, shared by the rows under it), the columns --keep names, then per
head the predicted label in a column named after the head, one probability column per
class (stance_FAVOR, ...), and a signed score where the head's classes allow one:
P(favor) - P(against), P(support) - P(deny), P(agree) - P(disagree), P(positive) - P(negative).

--min-prob P withholds, for review, each label whose probability is under P (HEAD=P for one head;
abstain in config.yaml has per-class thresholds too): its column is left empty, or holds
--abstain-label (abstain.label), and the probabilities and the signed score are written as ever.

--out FILE.xlsx writes the same rows as an Excel workbook of one sheet, "scores": the header row
frozen, ids and labels as text, probabilities and scores as numbers shown to 4 decimals.

The output is written to a temporary file and renamed into place when complete: an interrupted or
failed export leaves any previous file as it was. --out - writes CSV to standard output.`,
		Example: `  stance export --model out/sample.stance --data data/sample/new_comments.csv --articles data/sample/articles.csv --out out/scores.csv
  stance export --model out/sample.stance --data comments.csv --keep text,created_at --out scores.csv
  stance export --model out/sample.stance --data data/sample/new_comments.csv --min-prob stance=0.6 --abstain-label UNSURE --out scores.csv
  stance export --model out/sample.stance --data comments.xlsx --keep text --out scores.xlsx
  stance export --model fnc1.stance --data competition_test_stances.csv --articles competition_test_bodies.csv --out - | head`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.runExport(cmd, &a) },
	}
	a.addFlags(cmd.Flags())
	addAbstainFlags(cmd)
	return cmd
}

// addFlags registers export's own flags, which set a.
func (a *exportArgs) addFlags(f *pflag.FlagSet) {
	f.StringVar(&a.dataFile, "data", "", "comments to score (CSV, TSV, JSONL or .xlsx); - for standard input (CSV)")
	f.StringVar(&a.articlesFile, "articles", "", "file of articles joined on the comments' article id")
	f.StringVar(&a.modelPath, "model", "", "the model")
	f.StringVarP(&a.out, "out", "o", "", "the CSV to write, or an Excel workbook if it ends in .xlsx; - for standard output (CSV)")
	f.StringSliceVar(&a.keep, "keep", nil, "input columns to carry through, after article_id: --keep text,created_at")
	f.BoolVar(&a.strict, "strict", false, "make any bad row an error instead of a reported skip")
	f.IntVar(&a.workers, "workers", 0, "scoring goroutines; 0 = all cores (workers)")
}

// runExport is export's work once its flags are parsed: score every comment of the data file
// and write the rows to a temporary file, renamed into place when complete.
func (e *env) runExport(cmd *cobra.Command, a *exportArgs) error {
	s, _, err := loadSettings(e.configPath, e.configSet, cmd.Flags(), map[string]string{"workers": "workers"})
	if err != nil {
		return err
	}
	if err := e.checkPaths(cmd.Flags(), []string{"data", "articles", "model", "config"}, []string{"out"}); err != nil {
		return err
	}
	if a.dataFile == "" || a.out == "" {
		return usageErr("export needs --data FILE and --out FILE")
	}
	m, err := loadScoringModel(a.modelPath) // export only scores: no weight matrices
	if err != nil {
		return err
	}
	policy, err := abstainPolicy(s, cmd.Flags(), scorecsv.HeadsOf(m))
	if err != nil {
		return err
	}
	lead := scorecsv.Lead{ArticleID: true, Keep: a.keep}
	schema := commentSchema(s, a.articlesFile, a.strict)
	schema.Keep = a.keep
	r, err := e.openCommentsWith(schema, a.dataFile)
	if err != nil {
		return err
	}
	defer r.Close()
	lead.ID = r.HasID()
	fixed := lead
	fixed.Keep = nil
	if err := checkKeep(a.keep, scorecsv.NewWriter(io.Discard, scorecsv.HeadsOf(m)).Columns(fixed.Columns()...)); err != nil {
		return err
	}
	dst, commit, abort, err := e.openOut(a.out)
	if err != nil {
		return err
	}
	defer abort()
	start := time.Now()
	bar := e.progress("scored", 0)
	var w scoreRows = scorecsv.NewWriter(dst, scorecsv.HeadsOf(m))
	var xw *scorecsv.XLSXWriter
	if isXLSX(a.out) {
		if xw, err = scorecsv.NewXLSXWriter(dst, scorecsv.HeadsOf(m)); err != nil {
			return err
		}
		defer xw.Abort() // its temporary files; after Close, nothing
		w = xw
	}
	w.Abstain(policy)
	n, err := exportScores(cmd, m, r, w, exportOptions{lead: lead, workers: s.Workers, progress: bar.set})
	bar.done()
	if err != nil {
		return err
	}
	if xw != nil {
		if err := xw.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", a.out, err)
		}
	}
	e.reportSkips(r)
	if err := commit(); err != nil {
		return fmt.Errorf("writing %s: %w", a.out, err)
	}
	secs := time.Since(start).Seconds()
	e.notef("scored %d comments in %.1fs (%.0f/s); scores written to %s", n, secs, float64(n)/secs, where(a.out))
	return nil
}

// checkKeep refuses a --keep column that the output has already (cols), or names twice: the
// CSV would have two columns of one name.
func checkKeep(keep, cols []string) error {
	for i, k := range keep {
		if slices.Contains(cols, k) || slices.Contains(keep[:i], k) {
			return usageErr("--keep %s: the output has a column %q already; rename the input's column (columns.* or a copy of the file)", k, k)
		}
	}
	return nil
}

// exportOptions are how exportScores writes its rows.
type exportOptions struct {
	lead     scorecsv.Lead
	workers  int // scoring goroutines; 0 = all cores
	progress func(int)
}

// scoreRows is what export writes its rows with: a scorecsv.Writer or XLSXWriter.
type scoreRows interface {
	WriteHeader(lead ...string) error
	Write(lead []string, s *classifier.Scores) error
	Flush() error
	Abstain(p *abstain.Policy)
}

// isXLSX says whether export writes path as a workbook: by its extension, as data files are read.
func isXLSX(path string) bool {
	return path != "-" && strings.EqualFold(filepath.Ext(path), ".xlsx")
}

func exportScores(cmd *cobra.Command, m *classifier.Model, r *data.Reader, w scoreRows, o exportOptions) (int, error) {
	lead, workers, progress := o.lead, o.workers, o.progress
	if workers <= 0 {
		workers = defaultWorkers()
	}
	if err := w.WriteHeader(lead.Columns()...); err != nil {
		return 0, err
	}
	n := 0
	var fields []string
	// Only the lead fields travel with the item: not the text and article scoring has.
	next := itemsOf(r, func(c data.Comment) any {
		return data.Comment{ID: c.ID, ArticleID: c.ArticleID, Article: articleKeyOnly(lead, c), Kept: c.Kept}
	})
	emit := func(it classifier.Item, s *classifier.Scores) error {
		fields = lead.Fields(fields[:0], it.Ref.(data.Comment))
		n++
		if err := w.Write(fields, s); err != nil {
			return err
		}
		if n%4096 == 0 {
			progress(n)
			return w.Flush()
		}
		return nil
	}
	if err := m.ScoreStream(cmd.Context(), workers, next, emit); err != nil {
		return n, err
	}
	return n, w.Flush()
}

// articleKeyOnly is what the article text of c that a score row's lead needs: the text, for
// ArticleKey, only when the row has no article id.
func articleKeyOnly(lead scorecsv.Lead, c data.Comment) string {
	if lead.ArticleID && c.ArticleID == "" {
		return c.Article
	}
	return ""
}

// itemsOf reads r's comments one at a time, as ScoreStream asks for them, each with ref(c) as
// its Ref. Read errors are usage errors.
func itemsOf(r *data.Reader, ref func(data.Comment) any) func() (classifier.Item, bool, error) {
	return func() (classifier.Item, bool, error) {
		c, err := r.Read()
		if err == io.EOF {
			return classifier.Item{}, false, nil
		}
		if err != nil {
			return classifier.Item{}, false, asUsage(err)
		}
		return classifier.Item{Text: c.Text, Article: c.Article, Ref: ref(c)}, true, nil
	}
}
