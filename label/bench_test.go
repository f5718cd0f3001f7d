package label

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/evaluation"
)

// BenchmarkRetrain is one of the loop's trainings on 2,000 labels of both heads of SemEval-2016
// task 6 (../shared/data): the model, then its 5-fold cross-validated figures, as the page's
// background training does them. go test -bench Retrain -benchtime 1x ./label
func BenchmarkRetrain(b *testing.B) {
	const dir = "../../shared/data/semeval2016t6"
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("public data not found at %s: %v", dir, err)
	}
	pool, _, err := data.ReadAll(filepath.Join(dir, "trainingdata-all-annotations.utf8.txt"), data.Schema{Format: data.TSV, ID: "ID", Text: "Tweet",
		Article: "Target", Strip: []string{"#SemST"}, Labels: map[string]string{"stance": "Stance", "sentiment": "Sentiment"}, RequireLabels: true})
	if err != nil {
		b.Fatal(err)
	}
	pool = pool[:2000]
	set := &evaluation.Set{Heads: []string{"stance", "sentiment"}}
	for _, c := range pool {
		set.Add(c)
	}
	j, rows, _, err := OpenJournal(filepath.Join(b.TempDir(), "labels.csv"))
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	s, err := NewSession(pool, j, rows, Options{Heads: set.Heads,
		Classes: map[string][]string{"stance": {"AGAINST", "FAVOR", "NONE"}, "sentiment": {"NEG", "OTHER", "POS"}},
		Metrics: map[string]string{"stance": "f_avg(FAVOR,AGAINST)", "sentiment": "macro_f1"}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		s.train(set)
	}
	st := s.Status()
	if st.Trained == nil || st.Trained.CVNote != "" {
		b.Fatalf("no figures: %+v", st.Trained)
	}
	b.ReportMetric(st.Trained.FitSeconds, "s/fit")
	b.ReportMetric(st.Trained.Seconds, "s/retrain")
}
