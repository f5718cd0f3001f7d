package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/commentstance/stance/classifier"
)

func newScore(e *env) *cobra.Command {
	var modelPath, article, articleFile, dataFile, articlesFile, format string
	cmd := &cobra.Command{
		Use:   "score --model FILE [--article TEXT | --article-file FILE] [COMMENT ...]",
		Short: "Score comments given as arguments, on standard input (one per line), or in a file",
		Long: `score prints, for each comment and head, the predicted label and its probability.

Comments come from the arguments, or from --data FILE (CSV, TSV or JSONL, with the article per row
or joined from --articles), or else from standard input, one comment per line. --article or
--article-file gives the article that the comments answer (for --data rows without one).`,
		Example: `  stance score --model out/sample.stance --article-file article.txt "كلامه صحيح" "This is nonsense"
  echo "About time they did something" | stance score --model out/sample.stance --article "Council approves congestion charge"
  stance score --model out/sample.stance --data data/sample/new_comments.csv --articles data/sample/articles.csv --format jsonl`,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, _, err := loadSettings(e.configPath, e.configSet, cmd.Flags(), nil)
			if err != nil {
				return err
			}
			switch format {
			case "table", "csv", "jsonl", "json":
			default:
				return usageErr("--format %q: want table, csv, jsonl or json", format)
			}
			article, err := articleFlag(article, articleFile)
			if err != nil {
				return err
			}
			m, err := loadScoringModel(modelPath)
			if err != nil {
				return err
			}
			// Reading standard input does not watch the context: without this, Ctrl-C would be
			// swallowed by run's signal handler while score waits for input.
			items, err := interruptible(cmd.Context(), func() ([]scoreItem, error) {
				return e.scoreInputs(s, args, dataFile, articlesFile, article)
			})
			if err != nil {
				return err
			}
			sc, err := m.NewScorer()
			if err != nil {
				return err
			}
			out := newScoreWriter(e.stdout, format, m)
			var res classifier.Scores
			for _, it := range items {
				sc.Score(&res, it.Text, it.Article)
				if err := out.write(it, &res); err != nil {
					return err
				}
			}
			return out.close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&modelPath, "model", "", "the model")
	f.StringVar(&article, "article", "", "text of the article (or target) the comments answer")
	f.StringVar(&articleFile, "article-file", "", "file holding the article's text")
	f.StringVar(&dataFile, "data", "", "score the comments of this file (CSV, TSV or JSONL; - for standard input)")
	f.StringVar(&articlesFile, "articles", "", "with --data: file of articles joined on the comments' article id")
	f.StringVar(&format, "format", "table", "table, csv, jsonl or json")
	return cmd
}

// maxStdinLine bounds one comment read from standard input, where a line is held whole; a data
// file's fields have no such bound.
const maxStdinLine = 64 << 20

// checkText refuses what no comment or article may hold, as the data readers do (data.ParseError
// with ErrInvalidUTF8 or ErrNUL): invalid UTF-8, and NUL bytes, which mean UTF-16 or binary input.
// articleFlag returns the article given by --article or --article-file (at most one of them),
// checked to be text.
func articleFlag(article, articleFile string) (string, error) {
	if article != "" && articleFile != "" {
		return "", usageErr("give --article or --article-file, not both")
	}
	if articleFile == "" {
		if err := checkText(article); err != nil {
			return "", usageErr("--article: %v", err)
		}
		return article, nil
	}
	b, err := os.ReadFile(articleFile)
	if err != nil {
		return "", usageErr("--article-file: %v", err)
	}
	if err := checkText(string(b)); err != nil {
		return "", usageErr("--article-file %s: %v", articleFile, err)
	}
	return string(b), nil
}

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
	ID, Text, Article string
}

// scoreInputs collects the comments to score: arguments, a data file, or standard input lines.
func (e *env) scoreInputs(s *settings, args []string, dataFile, articlesFile, article string) ([]scoreItem, error) {
	var items []scoreItem
	switch {
	case len(args) > 0 && dataFile != "":
		return nil, usageErr("give comments as arguments or --data, not both")
	case len(args) > 0:
		for i, a := range args {
			if err := checkText(a); err != nil {
				return nil, usageErr("argument %d %q: %v", i+1, a, err)
			}
			// As a data file's row without text is skipped, an argument without text is a
			// mistake to report rather than a comment to score (it would get the prior).
			if strings.TrimSpace(a) == "" {
				return nil, usageErr("argument %d %q: empty comment; want some text", i+1, a)
			}
			items = append(items, scoreItem{Text: a, Article: article})
		}
	case dataFile != "":
		schema := s.schema(articlesFile)
		schema.Labels = map[string]string{}
		r, err := e.openData(dataFile, schema)
		if err != nil {
			return nil, asUsage(err)
		}
		defer r.Close()
		for {
			c, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, asUsage(err)
			}
			a := c.Article
			if a == "" {
				a = article
			}
			items = append(items, scoreItem{ID: c.ID, Text: c.Text, Article: a})
		}
		e.reportSkips(r.Skipped())
	default:
		sc := bufio.NewScanner(e.stdin)
		sc.Buffer(make([]byte, 64*1024), maxStdinLine)
		line := 0
		for sc.Scan() {
			line++
			t := strings.TrimSpace(sc.Text())
			if t == "" {
				continue
			}
			if err := checkText(t); err != nil {
				return nil, usageErr("standard input line %d: %v", line, err)
			}
			items = append(items, scoreItem{Text: t, Article: article})
		}
		if err := sc.Err(); err != nil {
			if errors.Is(err, bufio.ErrTooLong) {
				return nil, usageErr("standard input line %d: longer than %d MiB; give so long a comment in a file with --data", line+1, maxStdinLine>>20)
			}
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
	}
	if len(items) == 0 {
		return nil, usageErr("no comments to score: give them as arguments, with --data FILE, or on standard input")
	}
	return items, nil
}

// scoreWriter prints scores in one of the score command's formats.
type scoreWriter struct {
	format string
	m      *classifier.Model
	tw     *tabwriter.Writer
	rows   *scoreRows
	enc    *json.Encoder
	all    []scoreJSON
	w      io.Writer
	n      int
}

type headJSON struct {
	Label string             `json:"label"`
	Prob  float64            `json:"probability"`
	Probs map[string]float64 `json:"probabilities"`
	Score *float64           `json:"score,omitempty"`
}

type scoreJSON struct {
	ID    string              `json:"id,omitempty"`
	Text  string              `json:"text"`
	Heads map[string]headJSON `json:"heads"`
}

func newScoreWriter(w io.Writer, format string, m *classifier.Model) *scoreWriter {
	sw := &scoreWriter{format: format, m: m, w: w}
	switch format {
	case "table":
		sw.tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprint(sw.tw, "comment")
		for _, h := range m.Heads {
			fmt.Fprintf(sw.tw, "\t%s\tp", h.Name)
		}
		fmt.Fprintln(sw.tw)
	case "csv":
		sw.rows = newScoreRows(w, m)
		sw.rows.header(append([]string{"id", "text"}, scoreHeader(m, false)[1:]...))
	case "jsonl":
		sw.enc = json.NewEncoder(w)
	}
	return sw
}

func (sw *scoreWriter) write(it scoreItem, s *classifier.Scores) error {
	sw.n++
	switch sw.format {
	case "table":
		fmt.Fprint(sw.tw, clip(it.Text, 48))
		for hi, h := range sw.m.Heads {
			fmt.Fprintf(sw.tw, "\t%s\t%.2f", h.Classes[s.Best[hi]], s.Probs[hi][s.Best[hi]])
		}
		_, err := fmt.Fprintln(sw.tw)
		return err
	case "csv":
		return sw.rows.row([]string{it.ID, it.Text}, s)
	}
	rec := scoreJSON{ID: it.ID, Text: it.Text, Heads: map[string]headJSON{}}
	for hi, h := range sw.m.Heads {
		hj := headJSON{Label: h.Classes[s.Best[hi]], Prob: s.Probs[hi][s.Best[hi]], Probs: map[string]float64{}}
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
		return sw.enc.Encode(rec)
	}
	sw.all = append(sw.all, rec)
	return nil
}

func (sw *scoreWriter) close() error {
	switch sw.format {
	case "table":
		return sw.tw.Flush()
	case "csv":
		return sw.rows.flush()
	case "json":
		return writeJSON(sw.w, sw.all)
	}
	return nil
}

// clip shortens s to at most n characters for a table cell, on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
