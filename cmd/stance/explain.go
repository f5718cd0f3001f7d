package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/internal/cell"
)

func newExplain(e *env) *cobra.Command {
	var modelPath, article, articleFile, format string
	var top int
	cmd := &cobra.Command{
		Use:   "explain --model FILE [--article TEXT | --article-file FILE] [--top N] [COMMENT ...]",
		Short: "Show which words and character n-grams drove a decision, or a model's strongest features",
		Long: `explain prints, for each comment and head, the predicted label and the features that pushed
the score most toward it and away from it, with their weights: the words, word n-grams and
character n-grams of the comment (quoted, with the spaces that mark word edges), their
article-specific copies (marked @article), the article's words (article:...) and the
comment-article relation features (relation:...).

Without comments it lists, per head and class, the model's strongest named features.`,
		Example: `  stance explain --model out/sample.stance --article "Syria and Iraq coordinate border security" "about time, well done"
  stance explain --model out/sample.stance --top 20`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" && format != "jsonl" {
				return usageErr("--format %q: want table, json or jsonl", format)
			}
			if top < 1 {
				return usageErr("--top %d: want at least 1", top)
			}
			article, err := e.articleFlag(article, articleFile)
			if err != nil {
				return err
			}
			m, err := loadModel(modelPath)
			if err != nil {
				return err
			}
			if len(args) == 0 {
				return writeTopFeatures(e.stdout, format, m.TopFeatures(top))
			}
			var all []commentExplanation
			for _, text := range args {
				if err := checkText(text); err != nil || strings.TrimSpace(text) == "" {
					return usageErr("argument %q: want a comment (non-empty UTF-8 text)", cell.Clip(text, 40))
				}
				ex, err := m.Explain(text, article, top)
				if err != nil {
					return err
				}
				all = append(all, commentExplanation{Text: text, Heads: ex})
			}
			return writeExplanations(e.stdout, format, all)
		},
	}
	f := cmd.Flags()
	f.StringVar(&modelPath, "model", "", "the model")
	f.StringVar(&article, "article", "", "text of the article (or target) the comments answer")
	f.StringVar(&articleFile, "article-file", "", "file holding the article's text; - for standard input")
	f.IntVar(&top, "top", 8, "how many features to show per direction (or per class, without comments)")
	f.StringVar(&format, "format", "table", "table, json or jsonl")
	return cmd
}

type commentExplanation struct {
	Text  string                   `json:"text"`
	Heads []classifier.Explanation `json:"heads"`
}

func writeExplanations(w io.Writer, format string, all []commentExplanation) error {
	switch format {
	case "jsonl":
		return writeJSONLines(w, all)
	case "json":
		return writeJSON(w, all)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, c := range all {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "comment: %s\n", cell.Clip(c.Text, 100))
		for _, h := range c.Heads {
			fmt.Fprintf(tw, "\n%s: %s (p=%.2f)", h.Head, h.Label, h.Prob)
			if h.Unseen {
				fmt.Fprint(tw, ", by its model for articles not in the training data")
			}
			fmt.Fprintln(tw)
			fmt.Fprintf(tw, "  toward %s\tpush\t\taway from %s\tpush\n", h.Label, h.Label)
			for j := 0; j < max(len(h.Toward), len(h.Against)); j++ {
				var a, b, pa, pb string
				if j < len(h.Toward) {
					a, pa = h.Toward[j].Name, fmt.Sprintf("%+.3f", h.Toward[j].Push)
				}
				if j < len(h.Against) {
					b, pb = h.Against[j].Name, fmt.Sprintf("%+.3f", h.Against[j].Push)
				}
				fmt.Fprintf(tw, "  %s\t%s\t\t%s\t%s\n", a, pa, b, pb)
			}
		}
	}
	return tw.Flush()
}

func writeTopFeatures(w io.Writer, format string, classes []classifier.ClassFeatures) error {
	switch format {
	case "jsonl":
		return writeJSONLines(w, classes)
	case "json":
		return writeJSON(w, classes)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, c := range classes {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s = %s: strongest features\n", c.Head, c.Class)
		for _, f := range c.Features {
			fmt.Fprintf(tw, "  %s\t%+.3f\n", f.Name, f.Weight)
		}
	}
	return tw.Flush()
}
