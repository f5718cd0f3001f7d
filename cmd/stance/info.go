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
	Documents int             `json:"idf_documents"`  // comments and distinct articles IDF was learned from
	Kept      int             `json:"kept_features"`  // hashed indices with an IDF
	Class     string          `json:"class_weight"`   // balanced or none (explicit weights show per head)
	MaxIter   int             `json:"max_iter"`       // the iteration cap training had
	Articles  int             `json:"known_articles"` // distinct articles in the training data
	Heads     []headInfo      `json:"heads"`
	// Tuning is how train chose the heads' settings, absent when it did not (--no-tune).
	Tuning *classifier.Tuning `json:"tuning,omitempty"`
}

type headInfo struct {
	Name     string                  `json:"name"`
	Classes  []string                `json:"classes"`
	Counts   []int                   `json:"class_counts,omitempty"`  // absent in files written before they were kept
	Weights  []float64               `json:"class_weights,omitempty"` // absent: no class weights (or an older file)
	Settings classifier.HeadSettings `json:"settings"`
	Train    models.TrainInfo        `json:"train"`
	// Unseen is the head's model for comments under articles not in the training data.
	Unseen *unseenInfo `json:"unseen,omitempty"`
}

type unseenInfo struct {
	Weights  []float64               `json:"class_weights,omitempty"`
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
		Articles:  len(m.Articles),
		Tuning:    m.Tuning,
	}
	for _, h := range m.Heads {
		hi := headInfo{
			Name: h.Name, Classes: h.Classes, Counts: h.Counts, Weights: h.Weights,
			Settings: m.Config.Head(h.Name),
			Train:    h.Info,
		}
		if u, ok := m.Config.UnseenHead(h.Name); ok && h.Unseen != nil {
			hi.Unseen = &unseenInfo{Weights: h.Unseen.Weights, Settings: u, Train: h.Unseen.Info}
		}
		in.Heads = append(in.Heads, hi)
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
	fmt.Fprintf(tw, "training\tclass weights %s, at most %d iterations per head; %d articles known\n", in.Class, in.MaxIter, in.Articles)
	if in.Tuning != nil {
		fmt.Fprintf(tw, "tuning\tsettings chosen by cross-validation (stance train --no-tune keeps the configured ones)\n")
	} else {
		fmt.Fprintf(tw, "tuning\tnone: the configured settings\n")
	}
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
		writeWeights(tw, "  ", h.Weights)
		fmt.Fprintf(tw, "  settings\t%s\n", h.Settings)
		writeTraining(tw, "  ", h.Train)
		if ch := in.choice(h.Name); ch != nil {
			fmt.Fprintf(tw, "  chosen by\t%d-fold CV over %d rows: %s %.4f (%d settings tried for the head's models)\n", ch.Folds, ch.Rows, ch.Metric, ch.KnownCV, ch.Trials)
		}
		if u := h.Unseen; u != nil {
			fmt.Fprintf(tw, "  unseen articles\ta model of its own for comments under articles not in the training data\n")
			writeWeights(tw, "    ", u.Weights)
			fmt.Fprintf(tw, "    settings\t%s\n", u.Settings)
			writeTraining(tw, "    ", u.Train)
			if ch := in.choice(h.Name); ch != nil && ch.Unseen != nil {
				fmt.Fprintf(tw, "    chosen by\t%d-fold CV grouped by article over %d rows, %d groups: %s %.4f\n", ch.GroupedK, ch.Rows, ch.Groups, ch.Metric, ch.UnseenCV)
			}
		} else if in.Articles > 0 {
			fmt.Fprintf(tw, "  unseen articles\tscored by the same model\n")
		}
	}
	return tw.Flush()
}

// choice is what tuning chose for head, or nil.
func (in modelInfo) choice(head string) *classifier.Choice {
	if in.Tuning == nil {
		return nil
	}
	for i, c := range in.Tuning.Choices {
		if c.Head == head {
			return &in.Tuning.Choices[i]
		}
	}
	return nil
}

// writeWeights writes a model's class weights, if it was trained with any.
func writeWeights(tw io.Writer, indent string, weights []float64) {
	if weights == nil {
		return
	}
	parts := make([]string, len(weights))
	for i, v := range weights {
		parts[i] = fmt.Sprintf("%.4g", v)
	}
	fmt.Fprintf(tw, "%sclass weights\t%s\n", indent, strings.Join(parts, " "))
}

func writeTraining(tw io.Writer, indent string, t models.TrainInfo) {
	converged := "converged"
	if !t.Converged {
		converged = "not converged"
	}
	fmt.Fprintf(tw, "%straining\t%d iterations, %s (%s), loss %.6g, largest gradient %.3g\n", indent, t.Iterations, t.Status, converged, t.Loss, t.GradNorm)
	fmt.Fprintf(tw, "%sfeatures\t%d fired in its training rows\n", indent, t.Features)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
