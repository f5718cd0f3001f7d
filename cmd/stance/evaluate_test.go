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

// evalJSON is evaluate --format json: a title and one report per head.
type evalJSON struct {
	Title string `json:"title"`
	Heads []struct {
		Head   string `json:"head"`
		Note   string `json:"note"`
		Report struct {
			Classes   []string `json:"classes"`
			Confusion [][]int  `json:"confusion"`
			PerClass  []struct {
				Class     string  `json:"class"`
				Precision float64 `json:"precision"`
				Recall    float64 `json:"recall"`
				F1        float64 `json:"f1"`
				Support   int     `json:"support"`
			} `json:"per_class"`
			Accuracy float64 `json:"accuracy"`
			MacroF1  float64 `json:"macro_f1"`
			N        int     `json:"n"`
			Metric   string  `json:"metric"`
			Official float64 `json:"official"`
		} `json:"report"`
	} `json:"heads"`
}

// checkEvalJSON parses out and checks what holds for any evaluation of the sample: both heads,
// 281 rows, the official metric of each head (config.yaml's metrics) computed from the per-class
// F1, and an official value of at least floor[head].
func checkEvalJSON(t *testing.T, out string, floor map[string]float64) evalJSON {
	t.Helper()
	var ev evalJSON
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatalf("--format json does not parse: %v\n%.400s", err, out)
	}
	var heads []string
	for _, h := range ev.Heads {
		heads = append(heads, h.Head)
		r := h.Report
		if r.N != nSample {
			t.Errorf("head %s: n = %d, want %d", h.Head, r.N, nSample)
		}
		if h.Note != "" {
			t.Errorf("head %s: note %q: the default metric should apply to the sample", h.Head, h.Note)
		}
		f1 := map[string]float64{}
		support := 0
		for _, c := range r.PerClass {
			f1[c.Class] = c.F1
			support += c.Support
		}
		if support != nSample {
			t.Errorf("head %s: supports add up to %d, want %d", h.Head, support, nSample)
		}
		var metric string
		var official float64
		switch h.Head {
		case "stance": // SemEval-2016 Task 6: the mean F1 of FAVOR and AGAINST
			metric, official = "f_avg(FAVOR,AGAINST)", (f1["FAVOR"]+f1["AGAINST"])/2
		case "sentiment":
			metric, official = "macro_f1", r.MacroF1
		}
		if r.Metric != metric || math.Abs(r.Official-official) > 1e-12 {
			t.Errorf("head %s: official %s = %v, want %s = %v", h.Head, r.Metric, r.Official, metric, official)
		}
		if r.Official < floor[h.Head] {
			t.Errorf("head %s: official %s = %.4f, below the floor %.2f", h.Head, r.Metric, r.Official, floor[h.Head])
		}
	}
	if !slices.Equal(heads, []string{"sentiment", "stance"}) {
		t.Errorf("heads %v, want [sentiment stance]", heads)
	}
	return ev
}

func TestEvaluateModel(t *testing.T) {
	model := sampleModel(t)
	base := []string{"evaluate", "--model", model, "--data", sampleComments, "--articles", sampleArticles}
	// On its own training data the model is nearly perfect (all 281 right when this test was
	// written); the floor only catches a model that learnt nothing or a scoring mix-up.
	floor := map[string]float64{"stance": 0.9, "sentiment": 0.9}

	t.Run("table", func(t *testing.T) {
		r := mustStance(t, "", base...)
		for _, want := range []string{
			model + " on 281 comments",
			"== sentiment ==", "== stance ==",
			"official", "f_avg(FAVOR,AGAINST)", "macro_f1",
			"confusion (rows gold, columns predicted)",
			"AGAINST", "FAVOR", "NONE", "NEGATIVE", "NEUTRAL", "POSITIVE",
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("the report lacks %q:\n%s", want, r.stdout)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		r := mustStance(t, "", append(base, "--format", "json")...)
		ev := checkEvalJSON(t, r.stdout, floor)
		if ev.Title != model+" on 281 comments" {
			t.Errorf("title %q", ev.Title)
		}
	})
	t.Run("predictions", func(t *testing.T) {
		pred := filepath.Join(t.TempDir(), "pred.csv")
		r := mustStance(t, "", append(base, "-q", "--predictions", pred)...)
		if !strings.Contains(r.stdout, "== stance ==") {
			t.Errorf("--predictions replaced the report:\n%s", r.stdout)
		}
		if got, want := column(t, pred, "id"), column(t, sampleComments, "id"); !slices.Equal(got, want) {
			t.Errorf("ids of the predictions (%d) are not those of the data in order (%d)", len(got), len(want))
		}
		// Each row's label, probabilities and signed score per head are export's for the same
		// model and data, without its article_id column.
		exported := filepath.Join(t.TempDir(), "export.csv")
		mustStance(t, "", "export", "-q", "--model", model, "--data", sampleComments, "--articles", sampleArticles, "--out", exported)
		var want []string
		for _, line := range strings.Split(strings.TrimSuffix(string(readFile(t, exported)), "\n"), "\n") {
			f := strings.SplitN(line, ",", 3) // ids and article ids hold no comma
			want = append(want, f[0]+","+f[2])
		}
		if got := strings.Split(strings.TrimSuffix(string(readFile(t, pred)), "\n"), "\n"); !slices.Equal(got, want) {
			t.Errorf("the predictions are not export's rows without article_id:\n%.300s\nwant\n%.300s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		checkNoTempFiles(t, filepath.Dir(pred))
	})
	// Standard output holds one stream: the predictions (or the report) when given as "-", the
	// figures then going to standard error. (Before, --predictions - wrote past the command's
	// output, to the process's, and the CSV and the JSON figures shared one stream.)
	t.Run("predictions to standard output", func(t *testing.T) {
		r := mustStance(t, "", append(base, "-q", "--predictions", "-", "--format", "json")...)
		rows := readCSV(t, r.stdout)
		if len(rows) != 282 || strings.Join(rows[0][:2], ",") != "id,sentiment" {
			t.Errorf("standard output is not the predictions' CSV alone (%d rows, header %q)", len(rows), rows[0])
		}
		checkEvalJSON(t, r.stderr, floor)
	})
	t.Run("report to standard output", func(t *testing.T) {
		r := mustStance(t, "", append(base, "-q", "--report", "-")...)
		if !strings.HasPrefix(r.stdout, "<!DOCTYPE html>") || !strings.HasSuffix(r.stdout, "</html>\n") {
			t.Errorf("standard output is not the report alone:\n%.200s", r.stdout)
		}
		if !strings.Contains(r.stderr, "== stance ==") {
			t.Errorf("the figures are not on standard error:\n%.200s", r.stderr)
		}
	})
	t.Run("both to standard output", func(t *testing.T) {
		r := stance(t, "", append(base, "--predictions", "-", "--report", "-")...)
		want := "stance: evaluate: --predictions - and --report - would both write to standard output; give one of them a file\n"
		if r.code != exitUsage || r.stderr != want || r.stdout != "" {
			t.Errorf("got %v; want exit 2 and %q", r, want)
		}
	})
}

func TestEvaluateCrossValidation(t *testing.T) {
	// Out-of-fold figures on articles the model has not seen: stance 0.49 and sentiment 0.58
	// official when this test was written (the sample is far too small for a benchmark, see
	// its README). The floors sit under them, above chance (3 balanced-ish classes).
	floor := map[string]float64{"stance": 0.40, "sentiment": 0.45}
	for _, tt := range []struct {
		name  string
		args  []string
		title string
	}{
		{"grouped by article", []string{"--group-by", "article"}, "5-fold cross-validation grouped by article on 281 comments"},
		{"ungrouped", []string{"--group-by", "none", "--seed", "7"}, "5-fold cross-validation grouped by none on 281 comments"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if testing.Short() && tt.name != "grouped by article" {
				t.Skip("five more trainings; skipped with -short")
			}
			args := append([]string{"evaluate", "--cv", "5", "--data", sampleComments, "--articles", sampleArticles, "--format", "json"}, tt.args...)
			r := mustStance(t, "", args...)
			ev := checkEvalJSON(t, r.stdout, floor)
			if ev.Title != tt.title {
				t.Errorf("title %q, want %q", ev.Title, tt.title)
			}
			// stderr is not a terminal here: no progress bar, one summary line.
			if !strings.Contains(r.stderr, "trained 5 fold models") || strings.Contains(r.stderr, "\r") {
				t.Errorf("stderr should hold one summary line and no progress redraws:\n%q", r.stderr)
			}
		})
	}
}

// evaluate --cv --tune chooses each fold's settings on its training part (nested) and says what
// each fold chose; --tune without --cv is a usage error.
func TestEvaluateNestedCrossValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("tunes every fold; skipped with -short")
	}
	cfg := filepath.Join(t.TempDir(), "tune.yaml")
	writeFile(t, cfg, []byte("tune: {folds: 3, c: [0.3, 3], conjoin: [true, false]}\n"))
	r := mustStance(t, "", "evaluate", "--config", cfg, "--cv", "3", "--tune", "--data", sampleComments, "--articles", sampleArticles, "--format", "json")
	checkEvalJSON(t, r.stdout, map[string]float64{"stance": 0.40, "sentiment": 0.45})
	for f := 1; f <= 3; f++ {
		if !strings.Contains(r.stderr, fmt.Sprintf("fold %d chose by cross-validation on its training part (tune.folds 3, grouped by article):\n", f)) {
			t.Errorf("stderr does not say what fold %d chose:\n%s", f, r.stderr)
		}
	}
	if n := strings.Count(r.stderr, "stance: c="); n != 3 {
		t.Errorf("%d stance choices reported, want 3:\n%s", n, r.stderr)
	}
	bad := stance(t, "", "evaluate", "--tune", "--model", "m.stance", "--data", sampleComments)
	if bad.code != exitUsage || lastLine(bad.stderr) != "stance: evaluate: --tune needs --cv K (a model given by --model is already trained)" {
		t.Errorf("--tune without --cv: exit %d, stderr %q", bad.code, bad.stderr)
	}

	// Repeated inner cross-validation says so; no repeat at all is a usage error.
	writeFile(t, cfg, []byte("tune: {folds: 3, repeats: 2, c: [0.3, 3], conjoin: [true]}\n"))
	r = mustStance(t, "", "evaluate", "--config", cfg, "--cv", "2", "--tune", "--data", sampleComments, "--articles", sampleArticles, "--format", "json")
	if !strings.Contains(r.stderr, "fold 2 chose by cross-validation on its training part (tune.folds 3, grouped by article, repeated 2 times):\n") {
		t.Errorf("stderr does not say the inner folds were repeated:\n%s", r.stderr)
	}
	// With --repeats, each fold's choice names the outer fold assignment it belongs to.
	r = mustStance(t, "", "evaluate", "--config", cfg, "--cv", "2", "--repeats", "2", "--tune", "--data", sampleComments, "--articles", sampleArticles, "--format", "json")
	for _, want := range []string{"\nfold 1 chose by", "\nfold 2 chose by", "\nfold 1 of fold seed 1 chose by", "\nfold 2 of fold seed 1 chose by"} {
		if n := strings.Count("\n"+r.stderr, want); n != 1 {
			t.Errorf("%q is said %d times, want once:\n%s", want[1:], n, r.stderr)
		}
	}
	writeFile(t, cfg, []byte("tune: {repeats: 0}\n"))
	bad = stance(t, "", "train", "--config", cfg, "--tune", "--data", sampleComments, "--articles", sampleArticles, "--model", filepath.Join(t.TempDir(), "m.stance"))
	if bad.code != exitUsage || lastLine(bad.stderr) != "stance: tune.repeats = 0: want at least 1 and at most 100" {
		t.Errorf("tune.repeats 0: exit %d, stderr %q", bad.code, bad.stderr)
	}
}

// evaluate --cv K --repeats R reports the first fold seed's figures in full, and per head the
// figures of every seed, each what a single run with that seed reports, with their mean and sd.
func TestEvaluateRepeats(t *testing.T) {
	// Few iterations: what is checked is how the repeats are run and reported, not the models.
	common := []string{"evaluate", "--cv", "5", "--group-by", "none", "--max-iter", "10", "--data", sampleComments, "--articles", sampleArticles}
	type figuresJSON struct {
		Official float64 `json:"official"`
		Accuracy float64 `json:"accuracy"`
		MacroF1  float64 `json:"macro_f1"`
	}
	type repeatsJSON struct {
		Heads []struct {
			Head   string `json:"head"`
			Report struct {
				Official float64 `json:"official"`
				Accuracy float64 `json:"accuracy"`
				MacroF1  float64 `json:"macro_f1"`
			} `json:"report"`
			Repeats *struct {
				Seeds    []int64     `json:"seeds"`
				Official []float64   `json:"official"`
				Accuracy []float64   `json:"accuracy"`
				MacroF1  []float64   `json:"macro_f1"`
				Mean     figuresJSON `json:"mean"`
				SD       figuresJSON `json:"sd"`
			} `json:"repeats"`
		} `json:"heads"`
	}
	parse := func(out string) repeatsJSON {
		t.Helper()
		var v repeatsJSON
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("--format json does not parse: %v\n%.400s", err, out)
		}
		return v
	}
	t.Run("usage", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			want string
		}{
			{append(common, "--repeats", "0"), "--repeats 0: want at least 1"},
			{[]string{"evaluate", "--model", sampleModel(t), "--repeats", "2", "--data", sampleComments, "--articles", sampleArticles}, "evaluate: --repeats needs --cv K (a model given by --model is tested once)"},
		} {
			if r := stance(t, "", tt.args...); r.code != exitUsage || lastLine(r.stderr) != "stance: "+tt.want {
				t.Errorf("%v: exit %d, stderr %q; want a usage error %q", tt.args, r.code, r.stderr, tt.want)
			}
		}
	})
	if testing.Short() {
		t.Skip("trains some 60 fold models; skipped with -short")
	}
	seeds := []int64{3, 4, 5}
	r := mustStance(t, "", append(common, "--seed", "3", "--repeats", fmt.Sprint(len(seeds)), "--format", "json")...)
	all := parse(r.stdout)
	if strings.Contains(r.stderr, "splits the rows into the same folds") {
		t.Errorf("281 rows in 5 ungrouped folds, yet a seed repeats another's split:\n%s", r.stderr)
	}
	if len(all.Heads) != 2 {
		t.Fatalf("%d heads, want 2", len(all.Heads))
	}
	single := map[int64]repeatsJSON{}
	for _, s := range seeds {
		single[s] = parse(mustStance(t, "", append(common, "--seed", fmt.Sprint(s), "--format", "json")...).stdout)
	}
	for hi, h := range all.Heads {
		rs := h.Repeats
		if rs == nil {
			t.Fatalf("head %s: no repeats in the json", h.Head)
		}
		if !slices.Equal(rs.Seeds, seeds) {
			t.Fatalf("head %s: seeds %v, want %v", h.Head, rs.Seeds, seeds)
		}
		if h.Report != single[seeds[0]].Heads[hi].Report {
			t.Errorf("head %s: the report %+v is not that of the first seed %+v", h.Head, h.Report, single[seeds[0]].Heads[hi].Report)
		}
		for _, m := range []struct {
			name     string
			each     []float64
			mean, sd float64
			of       func(repeatsJSON) float64
		}{
			{"official", rs.Official, rs.Mean.Official, rs.SD.Official, func(v repeatsJSON) float64 { return v.Heads[hi].Report.Official }},
			{"accuracy", rs.Accuracy, rs.Mean.Accuracy, rs.SD.Accuracy, func(v repeatsJSON) float64 { return v.Heads[hi].Report.Accuracy }},
			{"macro_f1", rs.MacroF1, rs.Mean.MacroF1, rs.SD.MacroF1, func(v repeatsJSON) float64 { return v.Heads[hi].Report.MacroF1 }},
		} {
			sum, sq := 0.0, 0.0
			for i, s := range seeds {
				if want := m.of(single[s]); m.each[i] != want {
					t.Errorf("head %s: %s of seed %d is %v; a run with --seed %d reports %v", h.Head, m.name, s, m.each[i], s, want)
				}
				sum += m.each[i]
			}
			mean := sum / float64(len(seeds))
			for _, v := range m.each {
				sq += (v - mean) * (v - mean)
			}
			sd := math.Sqrt(sq / float64(len(seeds)-1))
			if math.Abs(m.mean-mean) > 1e-12 || math.Abs(m.sd-sd) > 1e-12 {
				t.Errorf("head %s: %s mean %v sd %v, want %v and %v", h.Head, m.name, m.mean, m.sd, mean, sd)
			}
		}
		if slices.Min(rs.Official) == slices.Max(rs.Official) && slices.Min(rs.Accuracy) == slices.Max(rs.Accuracy) {
			t.Errorf("head %s: every seed has the same figures %v: the folds were not reassigned", h.Head, rs.Official)
		}
	}

	t.Run("table and report", func(t *testing.T) {
		report := filepath.Join(t.TempDir(), "r.html")
		r := mustStance(t, "", append(common, "--repeats", "2", "--report", report)...)
		if n := strings.Count(r.stdout, "\nover 2 fold assignments (seeds 0 to 1): mean ± sd, then each seed's\n"); n != 2 {
			t.Errorf("%d heads show the repeats, want 2:\n%s", n, r.stdout)
		}
		if !strings.Contains(r.stdout, "fold seed 0, repeated over seeds 0 to 1") {
			t.Errorf("the title does not say which seed the report is of:\n%s", r.stdout)
		}
		// The HTML report has each head's repeats too: per seed, the figures the table prints.
		page, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		html := string(page)
		if n := strings.Count(html, "<figcaption>Over 2 fold assignments "); n != 2 {
			t.Errorf("%d heads of the HTML report show the repeats, want 2", n)
		}
		lines := 0
		for _, line := range strings.Split(r.stdout, "\n") {
			f := strings.Fields(line)
			if len(f) < 6 || f[0] != "official" || f[2] != "±" {
				continue
			}
			lines++
			// official MEAN ± SD SEED0 SEED1 [metric]
			for _, row := range []string{
				"<tr><td>0</td><td class=\"num\">" + f[4] + "</td>",
				"<tr><td>1</td><td class=\"num\">" + f[5] + "</td>",
				"<tr class=\"mean\"><td>mean of 2</td><td class=\"num\">" + f[1] + "</td>",
				"<tr class=\"mean\"><td>standard deviation</td><td class=\"num\">" + f[3] + "</td>",
			} {
				if !strings.Contains(html, row) {
					t.Errorf("the HTML report lacks %q (from the table's %q)", row, line)
				}
			}
		}
		if lines != 2 {
			t.Errorf("%d official lines of repeats in the table, want 2:\n%s", lines, r.stdout)
		}
	})
	t.Run("as many groups as folds", func(t *testing.T) {
		// 8 articles in 8 folds: every seed splits them alike, which the note says.
		r := mustStance(t, "", "evaluate", "--cv", "8", "--group-by", "article", "--repeats", "2", "--max-iter", "5", "--data", sampleComments, "--articles", sampleArticles)
		if !strings.Contains(r.stderr, "note: fold seed 1 splits the rows into the same folds as seed 0") {
			t.Errorf("no note of the repeated split:\n%s", r.stderr)
		}
	})
}

// evaluate --cv --predictions gives every row the probabilities of the model that did not see
// it, under the union of the fold models' classes: a class that one fold's training part lacks
// has probability 0 on that fold's rows.
func TestEvaluatePredictionsCrossValidated(t *testing.T) {
	dir := t.TempDir()
	comments := filepath.Join(dir, "comments.csv")
	rows := string(readFile(t, sampleComments)) +
		"q1,en-wind-farm,Is there a public meeting about the turbines?,QUERY,NEUTRAL,2026-11-09T10:00:00Z\n" +
		"q2,en-wind-farm,Who decides where the turbines go?,QUERY,NEUTRAL,2026-11-09T10:00:00Z\n" +
		"q3,en-wind-farm,How tall will they be?,QUERY,NEUTRAL,2026-11-09T10:00:00Z\n"
	writeFile(t, comments, []byte(rows))
	pred := filepath.Join(dir, "pred.csv")
	// Untuned, so that every fold model is trained with balanced weights and gives each class
	// it knows a probability that shows in 4 decimals (a tuned fold may weigh none, and round
	// the 3 QUERY rows' class to 0.0000 without lacking it).
	mustStance(t, "", "evaluate", "-q", "--no-tune", "--cv", "8", "--group-by", "article", "--max-iter", "20", "--data", comments, "--articles", sampleArticles, "--predictions", pred)
	recs := readCSV(t, string(readFile(t, pred)))
	wantHeader := []string{"id", "sentiment", "sentiment_NEGATIVE", "sentiment_NEUTRAL", "sentiment_POSITIVE", "sentiment_score",
		"stance", "stance_AGAINST", "stance_FAVOR", "stance_NONE", "stance_QUERY", "stance_score"}
	if !slices.Equal(recs[0], wantHeader) {
		t.Fatalf("header %v, want %v", recs[0], wantHeader)
	}
	articleOf := map[string]string{}
	for i, id := range column(t, comments, "id") {
		articleOf[id] = column(t, comments, "article_id")[i]
	}
	for _, r := range recs[1:] {
		// Columns 7 to 10 are stance's probabilities, in header order.
		var sum float64
		best, bestP := "", -1.0
		for k := 7; k <= 10; k++ {
			p := mustFloat(t, r[k])
			sum += p
			if p > bestP {
				best, bestP = strings.TrimPrefix(recs[0][k], "stance_"), p
			}
		}
		if math.Abs(sum-1) > 0.0003 {
			t.Errorf("row %s: stance probabilities sum to %v", r[0], sum)
		}
		if r[6] != best {
			t.Errorf("row %s: label %s, but the likeliest class is %s (%v)", r[0], r[6], best, r[7:11])
		}
		// Only en-wind-farm has QUERY rows: its fold's model never saw the class.
		if lacks := articleOf[r[0]] == "en-wind-farm"; lacks != (r[10] == "0.0000") {
			t.Errorf("row %s of %s: stance_QUERY %s", r[0], articleOf[r[0]], r[10])
		}
		// Each of the three figures is rounded to 4 decimals.
		if d := mustFloat(t, r[11]) - (mustFloat(t, r[8]) - mustFloat(t, r[7])); math.Abs(d) > 1.5e-4 {
			t.Errorf("row %s: stance_score %s, P(FAVOR) %s - P(AGAINST) %s", r[0], r[11], r[8], r[7])
		}
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// evaluate --by article gives each head's figures on each article's rows, in order of first
// appearance: what evaluating a file of that article's rows alone reports (every sample article
// has every class), and their unweighted mean.
func TestEvaluateBy(t *testing.T) {
	dir := t.TempDir()
	// Two iterations leave a model that errs, so that the articles' figures differ.
	model := filepath.Join(dir, "m.stance")
	mustStance(t, "", "train", "-q", "--max-iter", "2", "--data", sampleComments, "--articles", sampleArticles, "--model", model)
	type groupJSON struct {
		Key      string  `json:"key"`
		N        int     `json:"n"`
		Official float64 `json:"official"`
		Accuracy float64 `json:"accuracy"`
		MacroF1  float64 `json:"macro_f1"`
	}
	minMax := func(gs []groupJSON) (lo, hi float64) {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, g := range gs {
			lo, hi = min(lo, g.Official), max(hi, g.Official)
		}
		return lo, hi
	}
	type byJSON struct {
		Heads []struct {
			Head   string `json:"head"`
			Report struct {
				Classes  []string `json:"classes"`
				N        int      `json:"n"`
				Official float64  `json:"official"`
				Accuracy float64  `json:"accuracy"`
				MacroF1  float64  `json:"macro_f1"`
			} `json:"report"`
			By     string      `json:"by"`
			Groups []groupJSON `json:"by_groups"`
			Mean   struct {
				Official float64 `json:"official"`
				Accuracy float64 `json:"accuracy"`
				MacroF1  float64 `json:"macro_f1"`
			} `json:"by_mean"`
		} `json:"heads"`
	}
	eval := func(data string, extra ...string) byJSON {
		t.Helper()
		r := mustStance(t, "", append([]string{"evaluate", "--model", model, "--data", data, "--articles", sampleArticles, "--format", "json"}, extra...)...)
		var v byJSON
		if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
			t.Fatalf("--format json does not parse: %v\n%.400s", err, r.stdout)
		}
		return v
	}
	all := eval(sampleComments, "--by", "article")

	// The sample's rows of each article, in a file of their own.
	rows := readCSV(t, string(readFile(t, sampleComments)))
	col := slices.Index(rows[0], "article_id")
	var order []string
	files := map[string][][]string{}
	for _, row := range rows[1:] {
		a := row[col]
		if files[a] == nil {
			order = append(order, a)
			files[a] = [][]string{rows[0]}
		}
		files[a] = append(files[a], row)
	}
	alone := map[string]byJSON{}
	for _, a := range order {
		p := filepath.Join(dir, a+".csv")
		writeCSV(t, p, files[a])
		alone[a] = eval(p)
	}

	for hi, h := range all.Heads {
		if h.By != "article" || len(h.Groups) != len(order) {
			t.Fatalf("head %s: by %q, %d groups; want article and %d", h.Head, h.By, len(h.Groups), len(order))
		}
		var mean [3]float64
		n := 0
		for gi, g := range h.Groups {
			if g.Key != order[gi] {
				t.Errorf("head %s: group %d is %q, want %q (order of first appearance)", h.Head, gi, g.Key, order[gi])
				continue
			}
			want := alone[g.Key].Heads[hi]
			if !slices.Equal(want.Report.Classes, h.Report.Classes) {
				t.Fatalf("head %s: article %s alone has the classes %v, the whole sample %v", h.Head, g.Key, want.Report.Classes, h.Report.Classes)
			}
			got := [4]float64{float64(g.N), g.Official, g.Accuracy, g.MacroF1}
			if w := [4]float64{float64(want.Report.N), want.Report.Official, want.Report.Accuracy, want.Report.MacroF1}; got != w {
				t.Errorf("head %s, article %s: n, official, accuracy, macro-F1 %v; evaluated alone %v", h.Head, g.Key, got, w)
			}
			mean[0] += g.Official / float64(len(h.Groups))
			mean[1] += g.Accuracy / float64(len(h.Groups))
			mean[2] += g.MacroF1 / float64(len(h.Groups))
			n += g.N
		}
		if n != h.Report.N {
			t.Errorf("head %s: the groups hold %d rows, the evaluation %d", h.Head, n, h.Report.N)
		}
		if got := [3]float64{h.Mean.Official, h.Mean.Accuracy, h.Mean.MacroF1}; math.Abs(got[0]-mean[0]) > 1e-12 || math.Abs(got[1]-mean[1]) > 1e-12 || math.Abs(got[2]-mean[2]) > 1e-12 {
			t.Errorf("head %s: mean %v, want %v", h.Head, got, mean)
		}
		if lo, hi := minMax(h.Groups); lo == hi {
			t.Errorf("head %s: every article has the same figure %v: the model should err more on some", h.Head, lo)
		}
	}

	t.Run("table", func(t *testing.T) {
		r := mustStance(t, "", "evaluate", "--model", model, "--by", "article", "--data", sampleComments, "--articles", sampleArticles)
		if n := strings.Count(r.stdout, "\nby article\narticle "); n != 2 {
			t.Errorf("%d heads show the articles, want 2:\n%s", n, r.stdout)
		}
		if !strings.Contains(r.stdout, "\nunweighted mean of 8 ") {
			t.Errorf("no mean line:\n%s", r.stdout)
		}
	})
	t.Run("html report", func(t *testing.T) {
		p := filepath.Join(dir, "r.html")
		mustStance(t, "", "evaluate", "--model", model, "--by", "article", "--report", p, "--data", sampleComments, "--articles", sampleArticles)
		page := string(readFile(t, p))
		if n := strings.Count(page, `<table class="by">`); n != 2 {
			t.Errorf("%d tables by article, want one per head", n)
		}
		for _, a := range order {
			if n := strings.Count(page, `<td dir="auto">`+a+`</td>`); n != 2 {
				t.Errorf("article %s is in %d rows, want one per head", a, n)
			}
		}
	})
	t.Run("usage", func(t *testing.T) {
		r := stance(t, "", "evaluate", "--model", model, "--by", "target", "--data", sampleComments)
		if r.code != exitUsage || lastLine(r.stderr) != `stance: --by "target": want article or group` {
			t.Errorf("exit %d, stderr %q; want a usage error", r.code, r.stderr)
		}
	})
}
