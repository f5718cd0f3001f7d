package evaluation

import (
	"fmt"
	"slices"

	"github.com/commentstance/stance/metrics"
)

// RepeatStats are a head's figures over repeated cross-validation, one per fold seed.
type RepeatStats struct {
	Seeds    []int64   `json:"seeds"`
	Official []float64 `json:"official"`
	Accuracy []float64 `json:"accuracy"`
	MacroF1  []float64 `json:"macro_f1"`
	Mean     Figures   `json:"mean"`
	// SD is the sample standard deviation (divisor n-1, metrics.MeanStd with ddof 1): the
	// repeats are a sample of the fold assignments one might have drawn.
	SD Figures `json:"sd"`
}

func (rs *RepeatStats) add(seed int64, r metrics.Report) {
	rs.Seeds = append(rs.Seeds, seed)
	rs.Official = append(rs.Official, r.Official)
	rs.Accuracy = append(rs.Accuracy, r.Accuracy)
	rs.MacroF1 = append(rs.MacroF1, r.MacroF1)
}

func (rs *RepeatStats) summarise() {
	rs.Mean.Official, rs.SD.Official = metrics.MeanStd(rs.Official, 1)
	rs.Mean.Accuracy, rs.SD.Accuracy = metrics.MeanStd(rs.Accuracy, 1)
	rs.Mean.MacroF1, rs.SD.MacroF1 = metrics.MeanStd(rs.MacroF1, 1)
}

// RepeatConfig is how Repeat cross-validates again.
type RepeatConfig struct {
	// Repeats is the number of fold assignments in all, the first one's included.
	Repeats int
	// CrossValidate runs the cross-validation of one fold seed (CrossValidate with that seed,
	// say, with the caller's progress and notes around it).
	CrossValidate func(seed int64) (*Result, error)
	// Metrics names each head's metric, as for Reports.
	Metrics map[string]string
	// SamePartition, if not nil, is told of a seed whose folds split the rows as an earlier
	// seed's did (few groups leave few ways to split): its figures repeat that seed's.
	SamePartition func(seed, earlier int64)
}

// Repeat cross-validates again on the fold assignments of the seeds seed+1 to
// seed+cfg.Repeats-1, where first and its reports are those of seed, and gives each of reports
// the figures of all the repeats.
func Repeat(first *Result, seed int64, reports []HeadReport, cfg RepeatConfig) error {
	for i := range reports {
		reports[i].Repeats = &RepeatStats{}
		reports[i].Repeats.add(seed, reports[i].Report)
	}
	partitions := [][]int{Partition(first.Folds)}
	for r := 1; r < cfg.Repeats; r++ {
		s := seed + int64(r)
		res, err := cfg.CrossValidate(s)
		if err != nil {
			return fmt.Errorf("fold seed %d: %w", s, err)
		}
		p := Partition(res.Folds)
		if j := slices.IndexFunc(partitions, func(q []int) bool { return slices.Equal(p, q) }); j >= 0 && cfg.SamePartition != nil {
			cfg.SamePartition(s, seed+int64(j))
		}
		partitions = append(partitions, p)
		more, err := Reports(res, cfg.Metrics)
		if err != nil {
			return fmt.Errorf("fold seed %d: %w", s, err)
		}
		for i := range reports {
			reports[i].Repeats.add(s, more[i].Report)
		}
	}
	for i := range reports {
		reports[i].Repeats.summarise()
	}
	return nil
}
