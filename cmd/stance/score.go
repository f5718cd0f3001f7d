package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/commentstance/stance/abstain"
	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/internal/cell"
	"github.com/commentstance/stance/scorecsv"
)

// scoreArgs are score's flags that are not configuration keys.
type scoreArgs struct {
	modelPath, article, articleFile, dataFile, articlesFile, format, inputFormat string
}

func newScore(e *env) *cobra.Command {
	var a scoreArgs
	cmd := &cobra.Command{
		Use:   "score --model FILE [--article TEXT | --article-file FILE] [COMMENT ...]",
		Short: "Score comments given as arguments, on standard input (one per line), or in a file",
		Long: `score prints, for each comment and head, the predicted label and its probability.

Comments come from the arguments, or from --data FILE (CSV, TSV or JSONL, with the article per row
or joined from --articles), or else from standard input, one comment per line. --article or
--article-file gives the article that the comments answer (for --data rows without one).
--input-format csv, tsv or jsonl reads standard input (or --data) as that format: with
--data - --input-format jsonl --format jsonl, each input line {"text": ..., "article": ...}
(or "article_id" with --articles) is answered by one output line, flushed at once: the line
protocol of stream processors (Redpanda Connect's subprocess processor, Spark's RDD.pipe(),
Hadoop Streaming). On standard input a bad row ends the run (exit 2, naming its line) rather
than being skipped, since a caller waiting for its answer would wait forever.

The csv and jsonl formats print each score as its comment is read, so a pipe sees it at once
(comments on standard input are scored line by line); a bad row stops the output there, with an
error that names it. The table and json formats print once all comments are read, or nothing.
For a file of scores that is written whole or not at all, use export.

--min-prob P withholds, for review, each label whose probability is under P (HEAD=P for one head;
abstain in config.yaml has per-class thresholds too): the label is left empty, or is
--abstain-label (abstain.label), and json and jsonl mark it "abstained": true; the probabilities
are given as ever.`,
		Example: `  stance score --model out/sample.stance --article-file article.txt "كلامه صحيح" "This is nonsense"
  echo "About time they did something" | stance score --model out/sample.stance --article "Council approves congestion charge"
  stance score --model out/sample.stance --data data/sample/new_comments.csv --articles data/sample/articles.csv --format jsonl
  stance score --model out/sample.stance --min-prob 0.6 --abstain-label UNSURE "كلامه صحيح"`,
		RunE: func(cmd *cobra.Command, args []string) error { return e.runScore(cmd, args, &a) },
	}
	a.addFlags(cmd.Flags())
	addAbstainFlags(cmd)
	return cmd
}

// addFlags registers score's own flags, which set a.
func (a *scoreArgs) addFlags(f *pflag.FlagSet) {
	f.StringVar(&a.modelPath, "model", "", "the model")
	f.StringVar(&a.article, "article", "", "text of the article (or target) the comments answer")
	f.StringVar(&a.articleFile, "article-file", "", "file holding the article's text; - for standard input (the comments then come from the arguments or --data FILE)")
	f.StringVar(&a.dataFile, "data", "", "score the comments of this file (CSV, TSV or JSONL; - for standard input)")
	f.StringVar(&a.articlesFile, "articles", "", "with --data: file of articles joined on the comments' article id")
	f.StringVar(&a.format, "format", "table", "table, csv, jsonl or json")
	f.StringVar(&a.inputFormat, "input-format", "", "text (standard input's lines), csv, tsv or jsonl; the last three read standard input as --data - does (default: text, or --data's extension)")
}

// runScore is score's work once its flags are parsed: check them, load the model, and score
// each comment as it is read.
func (e *env) runScore(cmd *cobra.Command, args []string, a *scoreArgs) error {
	s, _, err := loadSettings(e.configPath, e.configSet, cmd.Flags(), nil)
	if err != nil {
		return err
	}
	if err := a.check(s, args); err != nil {
		return err
	}
	article, err := e.articleFlag(a.article, a.articleFile)
	if err != nil {
		return err
	}
	m, err := loadScoringModel(a.modelPath)
	if err != nil {
		return err
	}
	sc, err := m.NewScorer()
	if err != nil {
		return err
	}
	policy, err := abstainPolicy(s, cmd.Flags(), scorecsv.HeadsOf(m))
	if err != nil {
		return err
	}
	// Lines of standard input may come one at a time from a live feed: each score is
	// written as soon as its line is read.
	perLine := len(args) == 0 && (a.dataFile == "" || a.dataFile == "-")
	out := newScoreWriter(e.stdout, a.format, m, perLine)
	out.policy = policy
	var res classifier.Scores
	bare := 0 // comments without an article
	ctx := cmd.Context()
	// Reading standard input does not watch the context: without interruptible, Ctrl-C
	// would be swallowed by run's signal handler while score waits for input.
	_, err = interruptible(ctx, func() (struct{}, error) {
		return struct{}{}, e.scoreInputs(s, scoreSource{args, a.dataFile, a.articlesFile, article}, func(it scoreItem) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if it.Article == "" {
				bare++
			}
			sc.Score(&res, it.Text, it.Article)
			return out.write(it, &res)
		})
	})
	if err != nil {
		return err
	}
	if err := out.close(); err != nil {
		return err
	}
	if bare > 0 && len(m.Articles) > 0 {
		e.notef("note: %d comments scored without an article, by a model trained with articles: each head scored them as it scores comments under an unseen article; give the article with --article, --article-file, or an article column (or article_id and --articles) in --data", bare)
	}
	return nil
}

// check refuses a format score does not write or read, and --article-file - with the comments
// on standard input too. --input-format csv, tsv or jsonl sets s.Format, and without arguments
// or --data it reads standard input (--data -).
func (a *scoreArgs) check(s *settings, args []string) error {
	switch a.format {
	case "table", "csv", "jsonl", "json":
	default:
		return usageErr("--format %q: want table, csv, jsonl or json", a.format)
	}
	switch a.inputFormat {
	case "", "text":
		if a.inputFormat == "text" && a.dataFile != "" {
			return usageErr("--input-format text is for comments on standard input, one per line; --data takes csv, tsv or jsonl")
		}
	case "csv", "tsv", "jsonl":
		if a.dataFile == "" && len(args) == 0 {
			a.dataFile = "-"
		}
		s.Format = a.inputFormat
	default:
		return usageErr("--input-format %q: want text, csv, tsv or jsonl", a.inputFormat)
	}
	if a.articleFile == "-" && len(args) == 0 && (a.dataFile == "" || a.dataFile == "-") {
		return usageErr("--article-file - reads standard input, so the comments cannot come from it too: give them as arguments or with --data FILE")
	}
	return nil
}

// maxStdinLine bounds one comment read from standard input, where a line is held whole. The
// bound is limits.record_bytes (stdinLimit), as for a data file's records; this was the bound
// before it, and stays the most it may be raised to here.
const maxStdinLine = 64 << 20

// articleFlag returns the article given by --article or --article-file (at most one of them;
// "-" reads the command's standard input), checked to be text.
func (e *env) articleFlag(article, articleFile string) (string, error) {
	if article != "" && articleFile != "" {
		return "", usageErr("give --article or --article-file, not both")
	}
	if articleFile == "" {
		if err := checkText(article); err != nil {
			return "", usageErr("--article: %v", err)
		}
		return article, nil
	}
	var b []byte
	var err error
	if articleFile == "-" {
		b, err = readLimited(e.stdin, recordLimit)
	} else {
		b, err = readTextFile(articleFile, recordLimit)
	}
	if err != nil {
		return "", usageErr("--article-file: %v", err)
	}
	if err := checkText(string(b)); err != nil {
		return "", usageErr("--article-file %s: %v", articleFile, err)
	}
	return string(b), nil
}

// checkText refuses what no comment or article may hold, as the data readers do (data.ParseError
// with ErrInvalidUTF8 or ErrNUL): invalid UTF-8, and NUL bytes, which mean UTF-16 or binary input.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8; want UTF-8 text (convert it with iconv)")
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		return fmt.Errorf("NUL byte at byte %d; want text (is the input UTF-16 or binary?)", i)
	}
	return nil
}

type scoreItem struct {
	ID, ArticleID, Text, Article string
}

// scoreSource is where score's comments come from: the arguments, else a data file (with its
// articles file), else standard input; article is the article of comments that have none.
type scoreSource struct {
	args                    []string
	data, articles, article string
}

// scoreInputs passes the comments to score to each in turn, as they are read: arguments, a data
// file, or standard input lines. Input without a comment is a usage error.
func (e *env) scoreInputs(s *settings, src scoreSource, each func(scoreItem) error) error {
	n := 0
	emit := func(it scoreItem) error {
		n++
		return each(it)
	}
	var err error
	switch {
	case len(src.args) > 0 && src.data != "":
		return usageErr("give comments as arguments or --data, not both")
	case len(src.args) > 0:
		err = argItems(src.args, src.article, emit)
	case src.data != "":
		err = e.dataItems(s, src, emit)
	default:
		err = e.stdinItems(src.article, emit)
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return usageErr("no comments to score: give them as arguments, with --data FILE, or on standard input")
	}
	return nil
}

// argItems passes each argument, a comment under article, to emit. Every argument is checked
// before any is scored, so that a bad one prints nothing.
func argItems(args []string, article string, emit func(scoreItem) error) error {
	for i, a := range args {
		if err := checkText(a); err != nil {
			return usageErr("argument %d %q: %v", i+1, a, err)
		}
		// As a data file's row without text is skipped, an argument without text is a
		// mistake to report rather than a comment to score (it would get the prior).
		if strings.TrimSpace(a) == "" {
			return usageErr("argument %d %q: empty comment; want some text", i+1, a)
		}
	}
	for _, a := range args {
		if err := emit(scoreItem{Text: a, Article: article}); err != nil {
			return err
		}
	}
	return nil
}

// dataItems passes each comment of the data file to emit, under src.article where its row has
// no article.
func (e *env) dataItems(s *settings, src scoreSource, emit func(scoreItem) error) error {
	// Strict on standard input: a skipped line would leave a caller waiting for its answer.
	r, err := e.openComments(s, src.data, src.articles, src.data == "-")
	if err != nil {
		return err
	}
	defer r.Close()
	for {
		c, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return asUsage(err)
		}
		a := c.Article
		if a == "" {
			a = src.article
		}
		if err := emit(scoreItem{ID: c.ID, ArticleID: c.ArticleID, Text: c.Text, Article: a}); err != nil {
			return err
		}
	}
	e.reportSkips(r)
	return nil
}

// stdinItems passes each line of standard input that is not blank, trimmed, to emit as a
// comment under article.
func (e *env) stdinItems(article string, emit func(scoreItem) error) error {
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 64*1024), stdinLimit())
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" {
			continue
		}
		if err := checkText(t); err != nil {
			return usageErr("standard input line %d: %v", line, err)
		}
		if err := emit(scoreItem{Text: t, Article: article}); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return usageErr("standard input line %d: longer than %d bytes; raise limits.record_bytes if it is real text", line+1, stdinLimit())
		}
		return fmt.Errorf("reading standard input: %w", err)
	}
	return nil
}

// scoreWriter prints scores in one of the score command's formats. The table and json formats
// are held until close; csv and jsonl go out as they come, each record at once when perRecord is
// set, and nothing at all (not even the csv header) is written before the first record.
type scoreWriter struct {
	format    string
	m         *classifier.Model
	w         *bufio.Writer
	perRecord bool
	started   bool
	tw        *tabwriter.Writer
	rows      *scorecsv.Writer
	lead      []string // a csv row's lead fields (scoreLead)
	enc       *json.Encoder
	all       []scoreJSON
	policy    *abstain.Policy // the labels it withholds are written as its label
}

// scoreLead are the input columns of score --format csv: export's id and article_id, and the
// comment's text.
var scoreLead = scorecsv.Lead{ID: true, ArticleID: true, Text: true}

type headJSON struct {
	Label string `json:"label"` // the abstain label where Abstained
	// Abstained: the label's probability is under its threshold (--min-prob, abstain in
	// config.yaml), and the label is withheld for review.
	Abstained bool               `json:"abstained,omitempty"`
	Prob      float64            `json:"probability"`
	Probs     map[string]float64 `json:"probabilities"`
	Score     *float64           `json:"score,omitempty"`
}

type scoreJSON struct {
	ID    string              `json:"id,omitempty"`
	Text  string              `json:"text"`
	Heads map[string]headJSON `json:"heads"`
}

func newScoreWriter(w io.Writer, format string, m *classifier.Model, perRecord bool) *scoreWriter {
	return &scoreWriter{format: format, m: m, w: bufio.NewWriterSize(w, 64<<10), perRecord: perRecord}
}

// start writes the header of the format, if it has one.
func (sw *scoreWriter) start() error {
	sw.started = true
	switch sw.format {
	case "table":
		sw.tw = tabwriter.NewWriter(sw.w, 0, 0, 2, ' ', 0)
		fmt.Fprint(sw.tw, "comment")
		for _, h := range sw.m.Heads {
			fmt.Fprintf(sw.tw, "\t%s\tp", h.Name)
		}
		_, err := fmt.Fprintln(sw.tw)
		return err
	case "csv":
		sw.rows = scorecsv.NewWriter(sw.w, scorecsv.HeadsOf(sw.m))
		sw.rows.Abstain(sw.policy)
		return sw.rows.WriteHeader(scoreLead.Columns()...)
	case "jsonl":
		sw.enc = json.NewEncoder(sw.w)
	}
	return nil
}

func (sw *scoreWriter) write(it scoreItem, s *classifier.Scores) error {
	if !sw.started {
		if err := sw.start(); err != nil {
			return err
		}
	}
	switch sw.format {
	case "table":
		fmt.Fprint(sw.tw, cell.Clip(it.Text, 48))
		for hi, h := range sw.m.Heads {
			best := s.Best[hi]
			label, _ := sw.policy.LabelOf(hi, best, h.Classes[best], s.Probs[hi][best])
			fmt.Fprintf(sw.tw, "\t%s\t%.2f", label, s.Probs[hi][best])
		}
		_, err := fmt.Fprintln(sw.tw)
		return err
	case "csv":
		sw.lead = scoreLead.Fields(sw.lead[:0], data.Comment{ID: it.ID, ArticleID: it.ArticleID, Article: it.Article, Text: it.Text})
		if err := sw.rows.Write(sw.lead, s); err != nil {
			return err
		}
		return sw.flushRecord()
	}
	rec := scoreJSON{ID: it.ID, Text: it.Text, Heads: map[string]headJSON{}}
	for hi, h := range sw.m.Heads {
		best := s.Best[hi]
		label, withheld := sw.policy.LabelOf(hi, best, h.Classes[best], s.Probs[hi][best])
		hj := headJSON{Label: label, Abstained: withheld, Prob: s.Probs[hi][best], Probs: map[string]float64{}}
		for k, c := range h.Classes {
			hj.Probs[c] = s.Probs[hi][k]
		}
		if pos, neg, ok := h.Signed(); ok {
			v := s.Probs[hi][pos] - s.Probs[hi][neg]
			hj.Score = &v
		}
		rec.Heads[h.Name] = hj
	}
	if sw.format == "jsonl" {
		if err := sw.enc.Encode(rec); err != nil {
			return err
		}
		return sw.flushRecord()
	}
	sw.all = append(sw.all, rec)
	return nil
}

// flushRecord sends a streamed record on its way when records go out one at a time.
func (sw *scoreWriter) flushRecord() error {
	if !sw.perRecord {
		return nil
	}
	if sw.rows != nil {
		if err := sw.rows.Flush(); err != nil {
			return err
		}
	}
	return sw.w.Flush()
}

// close writes what is held and flushes the output.
func (sw *scoreWriter) close() error {
	switch sw.format {
	case "table":
		if sw.tw != nil {
			if err := sw.tw.Flush(); err != nil {
				return err
			}
		}
	case "csv":
		if sw.rows != nil {
			if err := sw.rows.Flush(); err != nil {
				return err
			}
		}
	case "json":
		if err := writeJSON(sw.w, sw.all); err != nil {
			return err
		}
	}
	return sw.w.Flush()
}
