package metrics_test

import (
	"fmt"
	"log"
	"os"

	"github.com/commentstance/stance/metrics"
)

// SemEval-2016 Task 6 scores stance by the mean F1 of FAVOR and AGAINST; NONE counts only
// through the errors it causes.
func ExampleEvaluate() {
	classes := []string{"FAVOR", "AGAINST", "NONE"}
	gold := []int{0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2}
	pred := []int{0, 0, 0, 1, 1, 1, 1, 0, 2, 2, 1, 2}
	r, err := metrics.Evaluate(classes, gold, pred, "f_avg(FAVOR,AGAINST)")
	if err != nil {
		log.Fatal(err)
	}
	if err := r.Format(os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// class      precision  recall      f1  support
	// FAVOR         0.7500  0.7500  0.7500        4
	// AGAINST       0.6000  0.6000  0.6000        5
	// NONE          0.6667  0.6667  0.6667        3
	//
	// n         12
	// accuracy  0.6667
	// macro_f1  0.6722
	// official  0.6750  f_avg(FAVOR,AGAINST)
	//
	// confusion (rows gold, columns predicted)
	// gold\pred  FAVOR  AGAINST  NONE
	// FAVOR          3        1     0
	// AGAINST        1        3     1
	// NONE           0        1     2
}

// Rows of one thread stay in one fold, so that no fold is scored on replies to a thread it was
// trained on.
func ExampleFolds() {
	y := []int{0, 1, 0, 0, 1, 1, 0, 1}
	threads := []string{"t1", "t1", "t2", "t3", "t3", "t4", "t4", "t5"}
	folds, err := metrics.Folds(y, threads, 2, 42)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(folds)
	// Output:
	// [1 1 0 0 0 0 0 1]
}

func ExampleMeanStd() {
	perFold := []float64{0.61, 0.64, 0.58, 0.66, 0.61}
	mean, std := metrics.MeanStd(perFold, 0)
	fmt.Printf("%.3f ± %.3f\n", mean, std)
	// Output:
	// 0.620 ± 0.028
}

func ExampleParseMetric() {
	_, err := metrics.ParseMetric("f1", []string{"FAVOR", "AGAINST", "NONE"})
	fmt.Println(err)
	m, _ := metrics.ParseMetric("f_avg( FAVOR , AGAINST )", []string{"FAVOR", "AGAINST", "NONE"})
	fmt.Println(m)
	// Output:
	// metrics: metric "f1": not an accepted metric spec; accepted: f_avg(CLASS,...), macro_f1, accuracy, fnc_score
	// f_avg(FAVOR,AGAINST)
}
