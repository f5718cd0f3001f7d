package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// topProb is the probability of the top class of head in an export row (header, row): the
// largest of its HEAD_CLASS columns, and that class.
func topProb(t *testing.T, header, row []string, head string) (string, float64) {
	t.Helper()
	best, bp := "", -1.0
	for i, col := range header {
		if c, ok := strings.CutPrefix(col, head+"_"); ok && c != "score" {
			if p := mustFloat(t, row[i]); p > bp {
				best, bp = c, p
			}
		}
	}
	return best, bp
}

// TestExportMinProb exports the sample's new comments with stance from 0.6 and sentiment from
// 0.5, and checks each row against the export without thresholds: the same probabilities and
// scores, the label withheld exactly where the top class's probability (to the 4 digits
// written) is under its head's threshold, and otherwise the label it had.
func TestExportMinProb(t *testing.T) {
	model := sampleModel(t)
	base := []string{"export", "-q", "--model", model, "--data", sampleNew, "--articles", sampleArticles, "--out", "-"}
	plain := readCSV(t, mustStance(t, "", base...).stdout)
	min := map[string]float64{"stance": 0.6, "sentiment": 0.5}
	for _, label := range []string{"", "UNSURE"} {
		t.Run("label "+label, func(t *testing.T) {
			args := append(slices.Clone(base), "--min-prob", "stance=0.6", "--min-prob", "sentiment=0.5")
			if label != "" {
				args = append(args, "--abstain-label", label)
			}
			got := readCSV(t, mustStance(t, "", args...).stdout)
			if len(got) != nNew+1 || !slices.Equal(got[0], exportHeader) {
				t.Fatalf("%d rows, header %v", len(got), got[0])
			}
			withheld := map[string]int{}
			for r, row := range got[1:] {
				want := plain[r+1]
				for i, col := range exportHeader {
					if _, ok := min[col]; ok {
						continue
					}
					if row[i] != want[i] {
						t.Errorf("row %d, %s: %q, without --min-prob %q", r+1, col, row[i], want[i])
					}
				}
				for head, p := range min {
					i := indexOf(exportHeader, head)
					class, prob := topProb(t, exportHeader, row, head)
					if class != want[i] {
						t.Fatalf("row %d: top %s class %s, label without --min-prob %s", r+1, head, class, want[i])
					}
					if prob == p {
						continue // rounded to 4 digits: either side
					}
					wantLabel := want[i]
					if prob < p {
						wantLabel = label
						withheld[head]++
					}
					if row[i] != wantLabel {
						t.Errorf("row %d, %s at %v (threshold %v): label %q, want %q", r+1, head, prob, p, row[i], wantLabel)
					}
				}
			}
			// The sample's new comments have both sides of each threshold (stance: 9 of 20
			// under 0.6, sentiment 4 under 0.5, when this test was written).
			for head := range min {
				if withheld[head] == 0 || withheld[head] == nNew {
					t.Errorf("%s: %d of %d labels withheld; the test needs some of each", head, withheld[head], nNew)
				}
			}
		})
	}
}

// TestScoreMinProb checks score's jsonl and table with --min-prob for every head.
func TestScoreMinProb(t *testing.T) {
	model := sampleModel(t)
	r := mustStance(t, "", "score", "-q", "--model", model, "--data", sampleNew, "--articles", sampleArticles,
		"--format", "jsonl", "--min-prob", "0.6", "--abstain-label", "UNSURE")
	n, withheld := 0, 0
	for line := range strings.Lines(r.stdout) {
		var rec scoreJSON
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		for name, h := range rec.Heads {
			n++
			best, bp := "", -1.0
			for c, p := range h.Probs {
				if p > bp {
					best, bp = c, p
				}
			}
			if h.Prob != bp {
				t.Errorf("%s %s: probability %v, not that of the top class %v", rec.ID, name, h.Prob, bp)
			}
			under := h.Prob < 0.6
			if h.Abstained != under || under && h.Label != "UNSURE" || !under && h.Label != best {
				t.Errorf("%s %s at %v: label %q, abstained %v", rec.ID, name, h.Prob, h.Label, h.Abstained)
			}
			if under {
				withheld++
			}
		}
	}
	if n != 2*nNew || withheld == 0 || withheld == n {
		t.Errorf("%d labels, %d withheld; want %d, some but not all withheld", n, withheld, 2*nNew)
	}

	// The table leaves the label out and keeps the probability.
	r = mustStance(t, "", "score", "-q", "--model", model, "--article", "Council approves a congestion charge", "--min-prob", "1", "About time")
	if got := strings.Fields(strings.Split(r.stdout, "\n")[1]); len(got) != 4 || got[0] != "About" || got[1] != "time" {
		t.Errorf("table row %q: want the comment and two probabilities, no labels", got)
	}
}

// TestEvaluateMinProb cross-validates the sample with stance from 0.6, and checks the coverage
// figures of --format json against the predictions written beside them: the labelled rows are
// those whose stance label is not withheld, and their accuracy is that of those rows.
func TestEvaluateMinProb(t *testing.T) {
	dir := t.TempDir()
	preds := filepath.Join(dir, "p.csv")
	report := filepath.Join(dir, "r.html")
	base := []string{"evaluate", "-q", "--cv", "3", "--no-tune", "--group-by", "article", "--data", sampleComments, "--articles", sampleArticles, "--min-prob", "stance=0.6"}
	r := mustStance(t, "", append(slices.Clone(base), "--format", "json", "--predictions", preds, "--report", report)...)
	var ev struct {
		Heads []struct {
			Head    string `json:"head"`
			Abstain *struct {
				MinProb    float64 `json:"min_prob"`
				N          int     `json:"n"`
				Labelled   int     `json:"labelled"`
				Review     int     `json:"review"`
				Coverage   float64 `json:"coverage"`
				OnLabelled *struct {
					Accuracy float64 `json:"accuracy"`
					Official float64 `json:"official"`
				} `json:"on_labelled"`
			} `json:"abstain"`
		} `json:"heads"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ev); err != nil {
		t.Fatal(err)
	}
	gold := column(t, sampleComments, "stance")
	pred := column(t, preds, "stance")
	labelled, right := 0, 0
	for i, p := range pred {
		if p != "" {
			labelled++
			if p == gold[i] {
				right++
			}
		}
	}
	for _, h := range ev.Heads {
		a := h.Abstain
		switch {
		case h.Head == "sentiment" && a != nil:
			// --min-prob stance=P leaves sentiment's threshold 0: it withholds nothing.
			if a.MinProb != 0 || a.Labelled != nSample {
				t.Errorf("sentiment: %+v, want nothing withheld", a)
			}
		case h.Head == "stance":
			if a == nil || a.OnLabelled == nil {
				t.Fatalf("stance: no abstention figures: %.600s", r.stdout)
			}
			if a.MinProb != 0.6 || a.N != nSample || a.Labelled != labelled || a.Review != nSample-labelled ||
				a.Coverage != float64(labelled)/nSample || math.Abs(a.OnLabelled.Accuracy-float64(right)/float64(labelled)) > 1e-12 {
				t.Errorf("stance: %+v, on labelled %+v; the predictions have %d of %d labelled, %d right", *a, *a.OnLabelled, labelled, nSample, right)
			}
			if labelled == 0 || labelled == nSample {
				t.Errorf("stance: %d of %d labelled; the test needs some of each", labelled, nSample)
			}
		}
	}

	// The table and csv say the same.
	table := mustStance(t, "", base...).stdout
	for _, want := range []string{"with labels under p 0.6 withheld for review",
		fmt.Sprintf("coverage  %.4f  %d of %d labelled\nreview    %d\n", float64(labelled)/nSample, labelled, nSample, nSample-labelled)} {
		if !strings.Contains(table, want) {
			t.Errorf("the table lacks %q:\n%s", want, table)
		}
	}
	csv := mustStance(t, "", append(slices.Clone(base), "--format", "csv")...).stdout
	for _, want := range []string{fmt.Sprintf("stance,,,,,%d,coverage,%.4f\n", nSample, float64(labelled)/nSample),
		fmt.Sprintf("stance,,,,,%d,review,%d\n", nSample-labelled, nSample-labelled),
		fmt.Sprintf("stance,,,,,%d,accuracy of labelled,%s\n", labelled, strconv.FormatFloat(float64(right)/float64(labelled), 'f', 4, 64))} {
		if !strings.Contains(csv, want) {
			t.Errorf("the csv lacks %q:\n%s", want, csv)
		}
	}

	// The report draws both heads' curves and marks stance's threshold.
	page := string(readFile(t, report))
	if n := strings.Count(page, `aria-label="accuracy of the labelled comments against coverage"`); n != 2 {
		t.Errorf("%d accuracy-coverage charts, want one per head", n)
	}
	if !strings.Contains(page, fmt.Sprintf("%d of %d comments are labelled and <b>%d go to review</b>", labelled, nSample, nSample-labelled)) ||
		!strings.Contains(page, "min_prob 0.6</text>") {
		t.Errorf("the report does not mark stance's threshold")
	}
}

// TestAbstainConfig checks the abstain section of config.yaml: a per-class threshold withholds
// where the head's would not, and bad values are refused naming their key.
func TestAbstainConfig(t *testing.T) {
	model := sampleModel(t)
	dir := t.TempDir()
	conf := func(yaml string) string {
		p := filepath.Join(dir, fmt.Sprintf("c%d.yaml", len(yaml)))
		if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	export := func(c string, extra ...string) result {
		return stance(t, "", append([]string{"export", "-q", "--config", c, "--model", model, "--data", sampleNew, "--articles", sampleArticles, "--out", "-"}, extra...)...)
	}

	// Every stance label but FAVOR is withheld (1 is above any probability but 1 itself).
	r := export(conf("abstain:\n  label: REVIEW\n  heads:\n    stance:\n      classes: {AGAINST: 1, NONE: 1}\n"))
	recs := readCSV(t, r.stdout)
	favor := 0
	for _, row := range recs[1:] {
		class, _ := topProb(t, recs[0], row, "stance")
		want := "REVIEW"
		if class == "FAVOR" {
			want, favor = "FAVOR", favor+1
		}
		if got := row[indexOf(recs[0], "stance")]; got != want {
			t.Errorf("%s: stance %q, top class %s: want %q", row[0], got, class, want)
		}
		if got := row[indexOf(recs[0], "sentiment")]; got == "REVIEW" || got == "" {
			t.Errorf("%s: sentiment withheld", row[0])
		}
	}
	if favor == 0 || favor == nNew {
		t.Errorf("%d of %d FAVOR: the test needs some of each", favor, nNew)
	}
	// --min-prob 1 replaces the heads' min_prob, and the per-class thresholds stay: all withheld.
	if recs := readCSV(t, export(conf("abstain:\n  heads:\n    stance:\n      min_prob: 0\n      classes: {NONE: 0.1}\n"), "--min-prob", "1").stdout); recs[1][indexOf(recs[0], "stance")] != "" {
		t.Errorf("--min-prob 1: stance %q, want it withheld", recs[1][indexOf(recs[0], "stance")])
	}

	for _, tt := range []struct {
		name, yaml string
		flags      []string
		stderr     string
	}{
		{"min_prob above 1", "abstain:\n  min_prob: 1.5\n", nil, "abstain.min_prob = 1.5: want a probability from 0 to 1"},
		{"a head's below 0", "abstain:\n  heads:\n    stance: {min_prob: -0.2}\n", nil, "abstain.heads.stance.min_prob = -0.2: want a probability from 0 to 1"},
		{"a class's NaN", "abstain:\n  heads:\n    stance:\n      classes: {NONE: .nan}\n", nil, "abstain.heads.stance.classes.none = NaN: want a probability from 0 to 1"},
		{"unknown head", "abstain:\n  heads:\n    stanse: {min_prob: 0.5}\n", nil, `abstain.heads.stanse: head "stanse": no such head; the heads are sentiment, stance`},
		{"unknown class", "abstain:\n  heads:\n    stance:\n      classes: {NONEE: 0.5}\n", nil, `abstain.heads.stance.classes.nonee: head stance, class "nonee": no such class; its classes are AGAINST, FAVOR, NONE`},
		{"misspelt key", "abstain:\n  heads:\n    stance: {minprob: 0.5}\n", nil, `unknown key "abstain.heads.stance.minprob"; did you mean "abstain.heads.stance.min_prob"?`},
		{"misspelt section key", "abstain:\n  min_prb: 0.5\n", nil, `unknown key "abstain.min_prb"; did you mean "abstain.min_prob"?`},
		{"label a class", "abstain:\n  min_prob: 0.5\n  label: NONE\n", nil, `abstain.label: "NONE" is a class of head stance`},
		{"label on two lines", "abstain:\n  label: \"a\\nb\"\n", nil, `abstain.label = "a\nb": want text on one line`},
		{"flag above 1", "", []string{"--min-prob", "stance=1.2"}, `--min-prob "stance=1.2": want a probability from 0 to 1`},
		{"flag of no head", "", []string{"--min-prob", "stanse=0.5"}, `--min-prob stanse=0.5: head "stanse": no such head`},
		{"flag not a number", "", []string{"--min-prob", "high"}, `--min-prob "high": "high" is not a number; want P or HEAD=P`},
		{"flag label a class", "", []string{"--min-prob", "0.5", "--abstain-label", "FAVOR"}, `--abstain-label: "FAVOR" is a class of head stance`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := export(conf(tt.yaml+"#"+tt.name+"\n"), tt.flags...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.stderr) || r.stdout != "" {
				t.Errorf("%v\nwant exit %d saying %q and no output", r, exitUsage, tt.stderr)
			}
		})
	}
}
