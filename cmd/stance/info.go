package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/features"
	"github.com/commentstance/stance/models"
)

func newInfo(e *env) *cobra.Command {
	var modelPath, format string
	cmd := &cobra.Command{
		Use:   "info --model FILE",
		Short: "Say what a model file holds: its heads, classes, training rows and settings",
		Long: `info reads a model file, checks it as every command does (format version and checksums), and
says what it holds: the feature settings and how many hashed features training kept, then per
head its classes, the training rows and class weight of each class, the head's C, use of the
article-conjoined copies and word weight, how training ended, and how many features fired in
its training rows. It tells what a model file is without its training data at hand.

--format table (default) or json.`,
		Example: `  stance info --model out/sample.stance
  stance info --model out/sample.stance --format json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return usageErr("--format %q: want table or json", format)
			}
			m, err := loadScoringModel(modelPath)
			if err != nil {
				return err
			}
			st, err := os.Stat(modelPath)
			if err != nil {
				return err
			}
			in := describeModel(modelPath, st.Size(), m)
			if format == "json" {
				return writeJSON(e.stdout, in)
			}
			return in.format(e.stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&modelPath, "model", "", "the model file")
	f.StringVar(&format, "format", "table", "table or json")
	return cmd
}

// modelInfo is what info says of a model file.
type modelInfo struct {
	Path      string          `json:"path"`
	Bytes     int64           `json:"bytes"`
	Format    int             `json:"format"`
	Features  features.Config `json:"features"`
	Documents int             `json:"idf_documents"` // comments and distinct articles IDF was learned from
	Kept      int             `json:"kept_features"` // hashed indices with an IDF
	Class     string          `json:"class_weight"`  // balanced or none (explicit weights show per head)
	MaxIter   int             `json:"max_iter"`      // the iteration cap training had
	Heads     []headInfo      `json:"heads"`
}

type headInfo struct {
	Name     string                  `json:"name"`
	Classes  []string                `json:"classes"`
	Counts   []int                   `json:"class_counts,omitempty"`  // absent in files written before they were kept
	Weights  []float64               `json:"class_weights,omitempty"` // absent: no class weights (or an older file)
	Settings classifier.HeadSettings `json:"settings"`
	Train    models.TrainInfo        `json:"train"`
}

func describeModel(path string, size int64, m *classifier.Model) modelInfo {
	in := modelInfo{
		Path: path, Bytes: size, Format: classifier.FormatVersion,
		Features:  m.Extractor.Config(),
		Documents: m.Extractor.Documents(),
		Kept:      m.Extractor.Kept(),
		Class:     m.Config.ClassWeight,
		MaxIter:   m.Config.MaxIter,
	}
	for _, h := range m.Heads {
		in.Heads = append(in.Heads, headInfo{
			Name: h.Name, Classes: h.Classes, Counts: h.Counts, Weights: h.Weights,
			Settings: m.Config.Head(h.Name),
			Train:    h.Info,
		})
	}
	return in
}

func (in modelInfo) format(w io.Writer) error {
	fc := in.Features
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "model\t%s\n", in.Path)
	fmt.Fprintf(tw, "file\t%d bytes, model format %d, checksums verified\n", in.Bytes, in.Format)
	var grams []string
	if fc.WordMax > 0 {
		grams = append(grams, fmt.Sprintf("word %d-%d-grams", fc.WordMin, fc.WordMax))
	}
	if fc.CharMax > 0 {
		grams = append(grams, fmt.Sprintf("character %d-%d-grams inside words", fc.CharMin, fc.CharMax))
	}
	fmt.Fprintf(tw, "features\t%s, hashed into 2^%d; min_df %d; %d kept, IDF from %d documents\n", strings.Join(grams, " and "), fc.Bits, fc.MinDF, in.Kept, in.Documents)
	fmt.Fprintf(tw, "article\tconjoined copies %s, article words %s, relation features %s\n", onOff(fc.Conjoin), onOff(fc.ArticleWords), onOff(fc.Relation))
	fmt.Fprintf(tw, "training\tclass weights %s, at most %d iterations per head\n", in.Class, in.MaxIter)
	for _, h := range in.Heads {
		fmt.Fprintf(tw, "\nhead %s\n", h.Name)
		fmt.Fprintf(tw, "  classes\t%s\n", strings.Join(h.Classes, " "))
		if h.Counts != nil {
			total := 0
			parts := make([]string, len(h.Counts))
			for i, c := range h.Counts {
				total += c
				parts[i] = fmt.Sprint(c)
			}
			fmt.Fprintf(tw, "  rows\t%s (%d)\n", strings.Join(parts, " "), total)
		} else {
			fmt.Fprintf(tw, "  rows\tnot recorded (a file written before they were kept)\n")
		}
		if h.Weights != nil {
			parts := make([]string, len(h.Weights))
			for i, v := range h.Weights {
				parts[i] = fmt.Sprintf("%.4g", v)
			}
			fmt.Fprintf(tw, "  class weights\t%s\n", strings.Join(parts, " "))
		}
		fmt.Fprintf(tw, "  settings\tc=%g conjoin=%v word_weight=%g\n", h.Settings.C, h.Settings.Conjoin, h.Settings.WordWeight)
		converged := "converged"
		if !h.Train.Converged {
			converged = "not converged"
		}
		fmt.Fprintf(tw, "  training\t%d iterations, %s (%s), loss %.6g, largest gradient %.3g\n", h.Train.Iterations, h.Train.Status, converged, h.Train.Loss, h.Train.GradNorm)
		fmt.Fprintf(tw, "  features\t%d fired in its training rows\n", h.Train.Features)
	}
	return tw.Flush()
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
