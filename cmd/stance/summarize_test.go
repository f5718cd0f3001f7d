package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/commentstance/stance/classifier"
)

// TestSummarize checks summarize against export's rows for the same comments: per article, in
// order of first appearance, and for all, each class's share is the mean of its probability with
// the balanced class weights of training undone, its count the rows labelled with it, and the
// score the share of the positive class less that of the negative one.
func TestSummarize(t *testing.T) {
	model := sampleModel(t)
	common := []string{"--model", model, "--data", sampleNew, "--articles", sampleArticles}
	ex := readCSV(t, mustStance(t, "", append([]string{"export", "--out", "-"}, common...)...).stdout)
	head, rows := ex[0], ex[1:]
	col := func(name string) int {
		t.Helper()
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("export has no column %q: %v", name, head)
		}
		return i
	}
	// A head that tuning trained with balanced class weights, n / (classes * n_k), has them
	// undone: a comment's probability of class k is then proportional to P(k) * n_k, with n_k
	// counted here in the training file. A head trained without weights has nothing to undo.
	// (The new comments answer the sample's articles, which the model knows.)
	trained := readCSV(t, string(readFile(t, sampleComments)))
	m := loadModelFile(t, model)
	nk := map[string]map[string]float64{}
	for _, mh := range m.Heads {
		h := mh.Name
		nk[h] = map[string]float64{}
		j := slices.Index(trained[0], h)
		for _, r := range trained[1:] {
			if mh.Weights == nil {
				nk[h][r[j]] = 1
			} else {
				nk[h][r[j]]++
			}
		}
	}
	// want[article][column] sums export's figures, undone: HEAD_CLASS_share, HEAD_CLASS_count
	// (rows whose label is CLASS) and HEAD_score.
	want := map[string]map[string]float64{}
	var order []string
	n := map[string]int{}
	for _, r := range rows {
		a := r[col("article_id")]
		for _, key := range []string{a, "*all*"} {
			if want[key] == nil {
				want[key] = map[string]float64{}
				if key != "*all*" {
					order = append(order, a)
				}
			}
			n[key]++
			for h, classes := range sampleClasses {
				p := map[string]float64{}
				z := 0.0
				for _, c := range classes {
					v, err := strconv.ParseFloat(r[col(h+"_"+c)], 64)
					if err != nil {
						t.Fatal(err)
					}
					p[c] = v * nk[h][c]
					z += p[c]
				}
				for _, c := range classes {
					want[key][h+"_"+c+"_share"] += p[c] / z
					if r[col(h)] == c {
						want[key][h+"_"+c+"_count"]++
					}
				}
				pos, neg := "FAVOR", "AGAINST"
				if h == "sentiment" {
					pos, neg = "POSITIVE", "NEGATIVE"
				}
				want[key][h+"_score"] += (p[pos] - p[neg]) / z
			}
		}
	}
	if len(order) < 2 {
		t.Fatalf("the sample's new comments answer %d articles; the test wants several", len(order))
	}
	// check compares one group's figures; export prints 4 decimals, so figures from them are
	// within about 1e-4 of the exact ones.
	check := func(t *testing.T, key string, comments int, got map[string]float64) {
		t.Helper()
		if comments != n[key] {
			t.Errorf("%s: %d comments, want %d", key, comments, n[key])
		}
		for name, sum := range want[key] {
			w := sum
			if !strings.HasSuffix(name, "_count") {
				w /= float64(n[key])
			}
			g, ok := got[name]
			if !ok || math.Abs(g-w) > 2.5e-4 {
				t.Errorf("%s: %s = %v (present: %v), want %.4f", key, name, g, ok, w)
			}
		}
	}

	t.Run("csv", func(t *testing.T) {
		recs := readCSV(t, mustStance(t, "", append([]string{"summarize", "--format", "csv"}, common...)...).stdout)
		if recs[0][0] != "article" || recs[0][1] != "comments" {
			t.Fatalf("header %v", recs[0])
		}
		if len(recs)-1 != len(order) {
			t.Fatalf("%d rows, want one per article (%d)", len(recs)-1, len(order))
		}
		for i, r := range recs[1:] {
			if r[0] != order[i] {
				t.Errorf("row %d: article %q, want %q (order of first appearance)", i+1, r[0], order[i])
			}
			got := map[string]float64{}
			for j, v := range r[2:] {
				got[recs[0][j+2]], _ = strconv.ParseFloat(v, 64)
			}
			c, _ := strconv.Atoi(r[1])
			check(t, r[0], c, got)
		}
	})
	t.Run("json", func(t *testing.T) {
		type tallyJSON struct {
			Comments int `json:"comments"`
			Heads    map[string]struct {
				Share map[string]float64 `json:"share"`
				Count map[string]int     `json:"count"`
				Score *float64           `json:"score"`
			} `json:"heads"`
		}
		var v struct {
			By     string `json:"by"`
			Groups []struct {
				Key string `json:"key"`
				tallyJSON
			} `json:"groups"`
			All tallyJSON `json:"all"`
		}
		out := mustStance(t, "", append([]string{"summarize", "--format", "json"}, common...)...).stdout
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("json does not parse: %v\n%.400s", err, out)
		}
		flat := func(tj tallyJSON) map[string]float64 {
			got := map[string]float64{}
			for h, hs := range tj.Heads {
				sum := 0.0
				for c, p := range hs.Share {
					got[h+"_"+c+"_share"] = p
					sum += p
				}
				if math.Abs(sum-1) > 1e-9 {
					t.Errorf("head %s: shares add up to %v", h, sum)
				}
				for c, k := range hs.Count {
					got[h+"_"+c+"_count"] = float64(k)
				}
				if hs.Score != nil {
					got[h+"_score"] = *hs.Score
				}
			}
			return got
		}
		if v.By != "article" || len(v.Groups) != len(order) {
			t.Fatalf("by %q, %d groups; want article, %d", v.By, len(v.Groups), len(order))
		}
		for i, g := range v.Groups {
			if g.Key != order[i] {
				t.Errorf("group %d: %q, want %q", i, g.Key, order[i])
			}
			check(t, g.Key, g.Comments, flat(g.tallyJSON))
		}
		check(t, "*all*", v.All.Comments, flat(v.All))
	})
	t.Run("table", func(t *testing.T) {
		out := mustStance(t, "", append([]string{"summarize"}, common...)...).stdout
		for _, h := range []string{"sentiment", "stance"} {
			if !strings.Contains(out, "== "+h+": share of the comments (mean probability), and label count ==\n") {
				t.Errorf("no block for head %s:\n%s", h, out)
			}
		}
		if n := strings.Count(out, "\nall 8 articles "); n != 2 {
			t.Errorf("%d lines for all comments, want one per head:\n%s", n, out)
		}
		for _, a := range order {
			if n := strings.Count(out, "\n"+a+" "); n != 2 {
				t.Errorf("article %s on %d lines, want one per head:\n%s", a, n, out)
			}
		}
	})
	t.Run("by group", func(t *testing.T) {
		// No group column: every row is in the group "".
		out := mustStance(t, "", append([]string{"summarize", "--by", "group", "--format", "csv"}, common...)...).stdout
		recs := readCSV(t, out)
		if len(recs) != 2 || recs[0][0] != "group" || recs[1][0] != "" || recs[1][1] != strconv.Itoa(len(rows)) {
			t.Errorf("want one row, for the group \"\" with all %d comments:\n%s", len(rows), out)
		}
	})
}

// A summary written with --out appears whole or not at all; bad calls are usage errors.
func TestSummarizeOutAndUsage(t *testing.T) {
	model := sampleModel(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "summary.csv")
	writeFile(t, out, []byte("previous\n"))
	bad := filepath.Join(dir, "bad.csv")
	writeFile(t, bad, []byte("id,text\n1,fine\n2,caf\xe9\n"))
	r := stance(t, "", "summarize", "--strict", "--model", model, "--data", bad, "--format", "csv", "--out", out)
	if r.code != exitUsage || lastLine(r.stderr) != "stance: "+bad+`:3: field "text": invalid UTF-8 at byte 3; want UTF-8 text (convert the file with iconv); got "caf\xe9"` {
		t.Errorf("exit %d, stderr %q; want a usage error naming bad.csv:3", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "previous\n" {
		t.Errorf("a failed summarize changed %s: %q", out, b)
	}
	mustStance(t, "", "summarize", "--model", model, "--data", sampleNew, "--articles", sampleArticles, "--format", "csv", "--out", out)
	if b := readFile(t, out); !strings.HasPrefix(string(b), "article,comments,") {
		t.Errorf("%s holds %q", out, b)
	}
	empty := filepath.Join(dir, "empty.csv")
	writeFile(t, empty, []byte("id,text\n"))
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"summarize", "--model", model}, "summarize needs --data FILE"},
		{[]string{"summarize", "--model", model, "--data", sampleNew, "--by", "thread"}, `--by "thread": want article or group`},
		{[]string{"summarize", "--model", model, "--data", sampleNew, "--format", "jsonl"}, `--format "jsonl": want table, csv or json`},
		{[]string{"summarize", "--model", model, "--data", empty}, "no comments to summarize in " + empty},
	} {
		if r := stance(t, "", tt.args...); r.code != exitUsage || lastLine(r.stderr) != "stance: "+tt.want {
			t.Errorf("%v: exit %d, stderr %q; want a usage error %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

// A model file from before class weights were recorded still summarizes, with a note that its
// shares keep the weights.
func TestSummarizeOlderModel(t *testing.T) {
	m, err := classifier.Load(sampleModel(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.Heads {
		m.Heads[i].Counts, m.Heads[i].Weights = nil, nil
	}
	old := filepath.Join(t.TempDir(), "old.stance")
	if err := m.Save(old); err != nil {
		t.Fatal(err)
	}
	common := []string{"--model", old, "--data", sampleNew, "--articles", sampleArticles}
	r := mustStance(t, "", append([]string{"summarize", "--format", "json"}, common...)...)
	for _, h := range []string{"sentiment", "stance"} {
		if !strings.Contains(r.stderr, "does not record the class weights head "+h+" was trained with") {
			t.Errorf("no note for head %s:\n%s", h, r.stderr)
		}
	}
	var v struct {
		All struct {
			Heads map[string]struct {
				Share map[string]float64 `json:"share"`
			} `json:"heads"`
		} `json:"all"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatal(err)
	}
	ex := readCSV(t, mustStance(t, "", append([]string{"export", "--out", "-"}, common...)...).stdout)
	for h, classes := range sampleClasses {
		for _, c := range classes {
			j := slices.Index(ex[0], h+"_"+c)
			sum := 0.0
			for _, row := range ex[1:] {
				p, _ := strconv.ParseFloat(row[j], 64)
				sum += p
			}
			if want := sum / float64(len(ex)-1); math.Abs(v.All.Heads[h].Share[c]-want) > 1e-4 {
				t.Errorf("%s %s: share %v, want the weighted probabilities' mean %v", h, c, v.All.Heads[h].Share[c], want)
			}
		}
	}
}
