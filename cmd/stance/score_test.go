package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sampleClasses are the classes of the sample model's heads (data/sample/README.md).
var sampleClasses = map[string][]string{
	"sentiment": {"NEGATIVE", "NEUTRAL", "POSITIVE"},
	"stance":    {"AGAINST", "FAVOR", "NONE"},
}

// scored is one comment of score's output, whatever the format.
type scored struct {
	id    string
	label map[string]string             // head -> label
	prob  map[string]float64            // head -> probability of label
	probs map[string]map[string]float64 // head -> class -> probability; nil for the table
	score map[string]float64            // head -> P(positive) - P(negative), where printed
}

func newScored(id string) scored {
	return scored{id: id, label: map[string]string{}, prob: map[string]float64{}, probs: map[string]map[string]float64{}, score: map[string]float64{}}
}

// parseScores parses score's output in format.
func parseScores(t *testing.T, format, out string) []scored {
	t.Helper()
	var recs []scored
	switch format {
	case "table":
		// comment  HEAD  p  HEAD  p; tabwriter pads cells with at least two spaces, and the
		// comment is clipped to one line with single spaces.
		cells := regexp.MustCompile(`\s{2,}`)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		header := cells.Split(lines[0], -1)
		if !slices.Equal(header, []string{"comment", "sentiment", "p", "stance", "p"}) {
			t.Fatalf("table header %q", lines[0])
		}
		for _, line := range lines[1:] {
			f := cells.Split(strings.TrimRight(line, " "), -1)
			if len(f) != len(header) {
				t.Fatalf("table row %q has %d cells, want %d", line, len(f), len(header))
			}
			s := newScored("")
			s.probs = nil
			for i := 1; i < len(f); i += 2 {
				p, err := strconv.ParseFloat(f[i+1], 64)
				if err != nil {
					t.Fatalf("table row %q: %v", line, err)
				}
				s.label[header[i]], s.prob[header[i]] = f[i], p
			}
			recs = append(recs, s)
		}
	case "csv":
		rows := readCSV(t, out)
		want := []string{"id", "article_id", "text",
			"sentiment", "sentiment_NEGATIVE", "sentiment_NEUTRAL", "sentiment_POSITIVE", "sentiment_score",
			"stance", "stance_AGAINST", "stance_FAVOR", "stance_NONE", "stance_score"}
		if !slices.Equal(rows[0], want) {
			t.Fatalf("csv header %v,\nwant %v", rows[0], want)
		}
		for _, row := range rows[1:] {
			recs = append(recs, scoredFromColumns(t, rows[0], row))
		}
	case "jsonl", "json":
		type headJSON struct {
			Label string             `json:"label"`
			Prob  float64            `json:"probability"`
			Probs map[string]float64 `json:"probabilities"`
			Score *float64           `json:"score"`
		}
		type rec struct {
			ID    string              `json:"id"`
			Text  string              `json:"text"`
			Heads map[string]headJSON `json:"heads"`
		}
		var all []rec
		if format == "json" {
			if err := json.Unmarshal([]byte(out), &all); err != nil {
				t.Fatalf("--format json does not parse: %v\n%.400s", err, out)
			}
		} else {
			sc := bufio.NewScanner(strings.NewReader(out))
			for sc.Scan() {
				var r rec
				if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
					t.Fatalf("--format jsonl: line %q: %v", sc.Text(), err)
				}
				all = append(all, r)
			}
		}
		for _, r := range all {
			if r.Text == "" {
				t.Errorf("record %q without its text", r.ID)
			}
			s := newScored(r.ID)
			for h, hj := range r.Heads {
				s.label[h], s.prob[h], s.probs[h] = hj.Label, hj.Prob, hj.Probs
				if hj.Score != nil {
					s.score[h] = *hj.Score
				}
			}
			recs = append(recs, s)
		}
	default:
		t.Fatalf("no parser for format %q", format)
	}
	return recs
}

// scoredFromColumns reads a row of the score/export CSV layout: per head the label, HEAD_CLASS
// probabilities and HEAD_score.
func scoredFromColumns(t *testing.T, header, row []string) scored {
	t.Helper()
	if len(row) != len(header) {
		t.Fatalf("row %v has %d fields, header %d", row, len(row), len(header))
	}
	s := newScored(row[indexOf(header, "id")])
	for head, classes := range sampleClasses {
		s.label[head] = row[indexOf(header, head)]
		s.probs[head] = map[string]float64{}
		for _, c := range classes {
			i := indexOf(header, head+"_"+c)
			if i < 0 {
				t.Fatalf("no column %s_%s in %v", head, c, header)
			}
			p, err := strconv.ParseFloat(row[i], 64)
			if err != nil {
				t.Fatalf("%s_%s = %q: %v", head, c, row[i], err)
			}
			s.probs[head][c] = p
		}
		s.prob[head] = s.probs[head][s.label[head]]
		v, err := strconv.ParseFloat(row[indexOf(header, head+"_score")], 64)
		if err != nil {
			t.Fatalf("%s_score: %v", head, err)
		}
		s.score[head] = v
	}
	return s
}

// checkScored checks one comment's scores: a label of the head's classes for each head; where
// the probabilities are printed, they add up to 1 (to within tol, for rounded output), the label
// is the most probable class and the signed score is P(positive) - P(negative).
func checkScored(t *testing.T, s scored, tol float64) {
	t.Helper()
	signed := map[string][2]string{"stance": {"FAVOR", "AGAINST"}, "sentiment": {"POSITIVE", "NEGATIVE"}}
	for head, classes := range sampleClasses {
		label := s.label[head]
		if !slices.Contains(classes, label) {
			t.Errorf("%q: %s label %q, want one of %v", s.id, head, label, classes)
			continue
		}
		if p := s.prob[head]; p < 1/float64(len(classes))-tol || p > 1+tol {
			t.Errorf("%q: %s: probability of the best class %v, want in [1/%d, 1]", s.id, head, p, len(classes))
		}
		if s.probs == nil {
			continue
		}
		probs := s.probs[head]
		if len(probs) != len(classes) {
			t.Errorf("%q: %s: probabilities %v, want one per class of %v", s.id, head, probs, classes)
			continue
		}
		sum := 0.0
		for c, p := range probs {
			sum += p
			if p > probs[label]+tol {
				t.Errorf("%q: %s: label %s (%v) but %s has %v", s.id, head, label, probs[label], c, p)
			}
		}
		if math.Abs(sum-1) > tol {
			t.Errorf("%q: %s: probabilities %v add up to %v", s.id, head, probs, sum)
		}
		pair := signed[head]
		if sc, ok := s.score[head]; !ok || math.Abs(sc-(probs[pair[0]]-probs[pair[1]])) > tol {
			t.Errorf("%q: %s: score %v (printed: %v), want P(%s) - P(%s) = %v", s.id, head, sc, ok, pair[0], pair[1], probs[pair[0]]-probs[pair[1]])
		}
	}
}

func TestScore(t *testing.T) {
	model := sampleModel(t)
	newIDs := column(t, sampleNew, "id")
	inputs := []struct {
		name  string
		stdin string
		args  []string
		ids   []string // expected ids, in order; "" for comments without one
	}{
		{
			name: "arguments",
			args: []string{"--article", "Council approves a £12 daily congestion charge downtown",
				"About time they did something about the traffic", "This is nonsense", "كلامه صحيح"},
			ids: []string{"", "", ""},
		},
		{
			name:  "standard input lines",
			stdin: "About time!\n\n   \nكم مرة سمعنا عن غرفة عمليات مشتركة؟\nGreat, another tax 🙄\n",
			args:  []string{"--article", "الحكومة ترفع تعرفة الكهرباء والمياه"},
			ids:   []string{"", "", ""},
		},
		{
			name: "data file joined to articles",
			args: []string{"--data", sampleNew, "--articles", sampleArticles},
			ids:  newIDs,
		},
		{
			name:  "data on standard input",
			stdin: string(readFile(t, sampleNew)),
			args:  []string{"--data", "-", "--articles", sampleArticles},
			ids:   newIDs,
		},
	}
	formats := []struct {
		name string
		tol  float64 // the csv prints probabilities to 4 decimals
	}{{"table", 0.005}, {"csv", 3e-4}, {"jsonl", 1e-9}, {"json", 1e-9}}

	for _, in := range inputs {
		for _, f := range formats {
			t.Run(in.name+"/"+f.name, func(t *testing.T) {
				args := append([]string{"score", "--model", model, "--format", f.name}, in.args...)
				r := mustStance(t, in.stdin, args...)
				recs := parseScores(t, f.name, r.stdout)
				if len(recs) != len(in.ids) {
					t.Fatalf("%d records, want %d:\n%s", len(recs), len(in.ids), r.stdout)
				}
				for i, s := range recs {
					if f.name != "table" && s.id != in.ids[i] {
						t.Errorf("record %d: id %q, want %q", i, s.id, in.ids[i])
					}
					checkScored(t, s, f.tol)
				}
			})
		}
	}
}

// TestScoreMatchesExport checks that score --data and export agree on every probability.
func TestScoreMatchesExport(t *testing.T) {
	model := sampleModel(t)
	common := []string{"--model", model, "--data", sampleNew, "--articles", sampleArticles}
	sc := readCSV(t, mustStance(t, "", append([]string{"score", "--format", "csv"}, common...)...).stdout)
	ex := readCSV(t, mustStance(t, "", append([]string{"export", "--out", "-"}, common...)...).stdout)
	if len(sc) != len(ex) {
		t.Fatalf("score gave %d rows, export %d", len(sc), len(ex))
	}
	for i := range sc {
		// score: id, article_id, text, scores...; export: id, article_id, scores...
		if !slices.Equal(sc[i][:2], ex[i][:2]) || !slices.Equal(sc[i][3:], ex[i][2:]) {
			t.Errorf("row %d:\nscore  %v\nexport %v", i, sc[i], ex[i])
		}
	}
}

// TestScoreStreamsStandardInput feeds comments one line at a time, as a live feed would, and
// checks that each line's score is printed before the next line is sent.
func TestScoreStreamsStandardInput(t *testing.T) {
	model := sampleModel(t)
	for _, format := range []string{"jsonl", "csv"} {
		t.Run(format, func(t *testing.T) {
			inR, inW := io.Pipe()
			outR, outW := io.Pipe()
			code := make(chan int, 1)
			go func() {
				var stderr bytes.Buffer
				code <- run(context.Background(), []string{"score", "--model", model, "--format", format, "--article", "Council approves a congestion charge"}, inR, outW, &stderr)
				outW.Close()
			}()
			lines := make(chan string)
			go func() {
				sc := bufio.NewScanner(outR)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			next := func(what string) string {
				t.Helper()
				select {
				case l, ok := <-lines:
					if !ok {
						t.Fatalf("output ended before %s was printed", what)
					}
					return l
				case <-time.After(time.Minute):
					// Not a timing test: the line never comes while score waits for the end of
					// its input.
					t.Fatalf("%s not printed while standard input stays open", what)
				}
				return ""
			}
			for i, comment := range []string{"About time they did something", "This is nonsense"} {
				if _, err := io.WriteString(inW, comment+"\n"); err != nil {
					t.Fatal(err)
				}
				// The csv header comes with the first record, so that input without a
				// comment prints nothing.
				if format == "csv" && i == 0 {
					if h := next("the header"); !strings.HasPrefix(h, "id,article_id,text,") {
						t.Fatalf("header %q", h)
					}
				}
				if l := next("the score of " + strconv.Quote(comment)); !strings.Contains(l, comment) {
					t.Fatalf("for %q, printed %q", comment, l)
				}
			}
			inW.Close()
			if c := <-code; c != exitOK {
				t.Fatalf("exit %d", c)
			}
			if l, ok := <-lines; ok {
				t.Errorf("more output after the last comment: %q", l)
			}
		})
	}
}

// TestScoreStopsAtABadLine checks what a bad line in the middle of the input leaves on standard
// output: csv and jsonl hold the scores of the lines before it, table and json nothing at all.
func TestScoreStopsAtABadLine(t *testing.T) {
	model := sampleModel(t)
	stdin := "About time they did something\ncaf\xe9\nThis is nonsense\n"
	for _, tt := range []struct {
		format  string
		records int // lines of output
	}{{"csv", 2}, {"jsonl", 1}, {"table", 0}, {"json", 0}} {
		t.Run(tt.format, func(t *testing.T) {
			r := stance(t, stdin, "score", "--model", model, "--format", tt.format, "--article", "x")
			if r.code != exitUsage || lastLine(r.stderr) != "stance: standard input line 2: not valid UTF-8; want UTF-8 text (convert it with iconv)" {
				t.Fatalf("exit %d, stderr %q; want a usage error naming line 2", r.code, r.stderr)
			}
			if n := strings.Count(r.stdout, "\n"); n != tt.records || strings.Contains(r.stdout, "nonsense") {
				t.Errorf("stdout has %d lines, want %d (none after the bad line):\n%s", n, tt.records, r.stdout)
			}
			if tt.records > 0 && !strings.Contains(r.stdout, "About time") {
				t.Errorf("the score of the line before the bad one is missing:\n%s", r.stdout)
			}
		})
	}
}
