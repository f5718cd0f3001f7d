package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSummarizeByTime runs summarize --by-time day on the sample's labelled comments (281 under
// 8 articles, created_at over the days after each article): a row per article and UTC day, in
// order of first appearance and then of time, with as many comments as the file has on that
// day (counted here from the file itself); each row's shares add up to 1, and a day's shares
// weighted by its comments give the article's shares of plain summarize.
func TestSummarizeByTime(t *testing.T) {
	model := sampleModel(t)
	common := []string{"--model", model, "--data", sampleComments, "--articles", sampleArticles}

	// What the file says: comments per article and UTC date.
	in := readCSV(t, string(readFile(t, sampleComments)))
	aCol, tCol := slices.Index(in[0], "article_id"), slices.Index(in[0], "created_at")
	type key struct{ article, day string }
	n := map[key]int{}
	var order []string
	for _, r := range in[1:] {
		at, err := time.Parse(time.RFC3339, r[tCol])
		if err != nil {
			t.Fatalf("the sample's created_at %q: %v", r[tCol], err)
		}
		if !slices.Contains(order, r[aCol]) {
			order = append(order, r[aCol])
		}
		n[key{r[aCol], at.UTC().Format("2006-01-02")}]++
	}

	out := mustStance(t, "", append([]string{"summarize", "--by-time", "day", "--format", "csv"}, common...)...)
	recs := readCSV(t, out.stdout)
	head, rows := recs[0], recs[1:]
	if !slices.Equal(head[:5], []string{"article", "day", "comments", "sentiment_NEGATIVE_share", "sentiment_NEGATIVE_count"}) {
		t.Fatalf("header %v", head)
	}
	if len(rows) != len(n) {
		t.Fatalf("%d rows, want one per article and day (%d)", len(rows), len(n))
	}
	// The sample's first article: 23 comments on 2 November, 12 on the 3rd (data/sample/README.md).
	if got := strings.Join(rows[0][:3], ",") + " " + strings.Join(rows[1][:3], ","); got != "ar-syria-iraq,2026-11-02,23 ar-syria-iraq,2026-11-03,12" {
		t.Errorf("first rows %q", got)
	}
	weighted := map[string]map[string]float64{} // article -> share column -> sum of n * share
	var seen []string
	for i, r := range rows {
		k := key{r[0], r[1]}
		c, _ := strconv.Atoi(r[2])
		if c != n[k] {
			t.Errorf("%s on %s: %d comments, the file has %d", k.article, k.day, c, n[k])
		}
		if i > 0 && rows[i-1][0] == r[0] && rows[i-1][1] >= r[1] {
			t.Errorf("row %d: %s after %s: want time order", i+1, r[1], rows[i-1][1])
		}
		if !slices.Contains(seen, r[0]) {
			seen = append(seen, r[0])
		}
		if weighted[r[0]] == nil {
			weighted[r[0]] = map[string]float64{}
		}
		sums := map[string]float64{}
		for j, name := range head {
			if h, ok := strings.CutSuffix(name, "_share"); ok {
				v, _ := strconv.ParseFloat(r[j], 64)
				sums[strings.SplitN(h, "_", 2)[0]] += v
				weighted[r[0]][name] += float64(c) * v
			}
		}
		for h, s := range sums {
			if math.Abs(s-1) > 3e-4 {
				t.Errorf("%s on %s: head %s's shares add up to %v", k.article, k.day, h, s)
			}
		}
	}
	if !slices.Equal(seen, order) {
		t.Errorf("articles in the order %q, want the file's %q", seen, order)
	}
	plain := readCSV(t, mustStance(t, "", append([]string{"summarize", "--format", "csv"}, common...)...).stdout)
	for _, r := range plain[1:] {
		total, _ := strconv.ParseFloat(r[1], 64)
		for j, name := range plain[0] {
			if !strings.HasSuffix(name, "_share") {
				continue
			}
			want, _ := strconv.ParseFloat(r[j], 64)
			if got := weighted[r[0]][name] / total; math.Abs(got-want) > 2e-4 {
				t.Errorf("%s %s: the days' weighted mean %.4f, plain summarize %.4f", r[0], name, got, want)
			}
		}
	}

	t.Run("table", func(t *testing.T) {
		out := mustStance(t, "", append([]string{"summarize", "--by-time", "week"}, common...)...).stdout
		for _, want := range []string{
			"== stance: share of the comments (mean probability) per week, and label count ==\n",
			"\narticle                 week of     comments  AGAINST",
			// ar-exam-reform, published on Saturday 7 November: 30 comments that week, 5 the next.
			"\nar-exam-reform          2026-11-02  30  ",
			"\n                        2026-11-09  5   ",
			"\nall 8 articles          all         281 ",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("no %q in\n%s", want, out)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		var v struct {
			By, Period string
			Groups     []struct {
				Key      string
				Comments int
				Periods  []struct {
					Period, Start string
					Comments      int
				}
			}
			All struct{ Comments int }
		}
		out := mustStance(t, "", append([]string{"summarize", "--by-time", "month", "--format", "json"}, common...)...).stdout
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%v\n%.400s", err, out)
		}
		if v.By != "article" || v.Period != "month" || len(v.Groups) != 8 || v.All.Comments != 281 {
			t.Fatalf("by %q, period %q, %d groups, %d comments", v.By, v.Period, len(v.Groups), v.All.Comments)
		}
		for _, g := range v.Groups {
			if len(g.Periods) != 1 || g.Periods[0].Period != "2026-11" || g.Periods[0].Start != "2026-11-01T00:00:00Z" || g.Periods[0].Comments != g.Comments {
				t.Errorf("%s: periods %+v, want November alone with all %d comments", g.Key, g.Periods, g.Comments)
			}
		}
	})
	t.Run("report", func(t *testing.T) {
		page := filepath.Join(t.TempDir(), "trends.html")
		r := mustStance(t, "", append([]string{"summarize", "--by-time", "day", "--format", "csv", "--report", page}, common...)...)
		if r.stdout != out.stdout || !strings.Contains(r.stderr, "trends drawn in "+page) {
			t.Errorf("with --report the figures changed, or no note:\n%s", r.stderr)
		}
		html := string(readFile(t, page))
		d := xml.NewDecoder(strings.NewReader(strings.TrimPrefix(html, "<!DOCTYPE html>\n")))
		for {
			_, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("the page is not well-formed: %v", err)
			}
		}
		for _, a := range order {
			if !strings.Contains(html, `<span class="headname" dir="auto">`+a+`</span>`) {
				t.Errorf("no section for %s", a)
			}
		}
		if n := strings.Count(html, "<svg "); n != 16 {
			t.Errorf("%d charts, want 16: one per article and head", n)
		}
		// --report - puts the page on standard output and the figures on standard error.
		r = mustStance(t, "", append([]string{"summarize", "--by-time", "day", "--report", "-"}, common...)...)
		if !strings.HasPrefix(r.stdout, "<!DOCTYPE html>") || !strings.Contains(r.stderr, "== stance: share of the comments (mean probability) per day") {
			t.Errorf("--report -: stdout %.60q, stderr %.200q", r.stdout, r.stderr)
		}
	})
}

// TestSummarizeByTimeInput: a row with a bad time is skipped and reported with its file, line
// and value (an error with --strict); --time-column names another column, and a file without
// it is an error naming columns.time; bad flags are usage errors.
func TestSummarizeByTimeInput(t *testing.T) {
	model := sampleModel(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "c.csv")
	writeFile(t, data, []byte("id,text,posted\n"+
		"1,About time they fixed the buses,2026-11-02 08:00\n"+
		"2,Waste of money,02/11/2026\n"+
		"3,Not again,46328.75\n"+ // 2026-11-02 18:00
		"4,Fine by me,\n"))
	r := mustStance(t, "", "summarize", "--model", model, "--data", data, "--by-time", "day", "--time-column", "posted", "--format", "csv")
	recs := readCSV(t, r.stdout)
	if len(recs) != 2 || recs[1][0] != "" || recs[1][1] != "2026-11-02" || recs[1][2] != "2" {
		t.Errorf("want one row, 2026-11-02 with comments 1 and 3:\n%s", r.stdout)
	}
	for _, want := range []string{
		data + `:3: field "posted": bad time: ambiguous day and month order`,
		data + `:5: field "posted": bad time: empty`,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
		}
	}
	t.Setenv("STANCE_COLUMNS_TIME", "posted")
	if r := stance(t, "", "summarize", "--model", model, "--data", data, "--by-time", "day", "--strict"); r.code != exitUsage ||
		!strings.Contains(r.stderr, data+`:3: field "posted": bad time: ambiguous day and month order`) {
		t.Errorf("--strict, columns.time from the environment: %v", r)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--by-time", "hour"}, `--by-time "hour": want day, week or month`},
		{[]string{"--report", filepath.Join(dir, "r.html")}, "--report draws the articles' trends: give --by-time"},
		{[]string{"--by-time", "week", "--time-column", "created"}, `missing column "created" for the comment's time`},
		{[]string{"--by-time", "week", "--time-column", ""}, "--by-time needs the column of the comments' times"},
	} {
		args := append([]string{"summarize", "--model", model, "--data", data}, tt.args...)
		if r := stance(t, "", args...); r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: %v; want a usage error %q", tt.args, r, tt.want)
		}
	}
}
