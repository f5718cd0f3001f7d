package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/commentstance/stance/evaluation"
)

// node is an element of a parsed report: encoding/xml in strict mode reads the page, which
// checks that it is well-formed (every element closed, every entity one of XML's).
type node struct {
	name     string
	attr     map[string]string
	children []*node
	text     strings.Builder // all text inside, children's included
}

func (n *node) class(c string) bool { return slices.Contains(strings.Fields(n.attr["class"]), c) }

// all returns the elements under n (n included) for which keep is true, in document order.
func (n *node) all(keep func(*node) bool) []*node {
	var out []*node
	if keep(n) {
		out = append(out, n)
	}
	for _, c := range n.children {
		out = append(out, c.all(keep)...)
	}
	return out
}

func (n *node) byClass(name, class string) []*node {
	return n.all(func(m *node) bool { return m.name == name && m.class(class) })
}

func (n *node) String() string { return strings.TrimSpace(n.text.String()) }

// parseReport parses an HTML report as XML and returns its root element.
func parseReport(t *testing.T, page []byte) *node {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = true
	var root *node
	var stack []*node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the report is not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attr: map[string]string{}}
			for _, a := range tok.Attr {
				n.attr[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.children = append(top.children, n)
			} else if root != nil {
				t.Fatal("the report has two root elements")
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			for _, n := range stack {
				n.text.Write(tok)
			}
		}
	}
	if root == nil || root.name != "html" {
		t.Fatal("the report has no html root element")
	}
	return root
}

// checkSelfContained fails if the page would run a script or fetch anything: no script element,
// no event handler, no src, and links only to the page's own anchors.
func checkSelfContained(t *testing.T, root *node) {
	t.Helper()
	for _, n := range root.all(func(*node) bool { return true }) {
		if n.name == "script" || n.name == "link" || n.name == "img" || n.name == "iframe" {
			t.Errorf("the report has a <%s> element", n.name)
		}
		for k, v := range n.attr {
			switch {
			case strings.HasPrefix(k, "on"), k == "src":
				t.Errorf("<%s %s=%q>: the report must need no script and no external asset", n.name, k, v)
			case k == "href" && !strings.HasPrefix(v, "#"):
				t.Errorf("<%s href=%q> leaves the page", n.name, v)
			case k == "style" && strings.Contains(v, "url(") && !strings.Contains(v, "url(#"):
				t.Errorf("<%s style=%q> fetches a resource", n.name, v)
			}
		}
	}
}

// reportHead is what the report shows of one head.
type reportHead struct {
	name      string
	confusion [][]int      // the count cells, row by row
	grand     int          // the bottom-right total
	ece       float64      // the ECE figure
	bins      [][4]float64 // per bin: n, accuracy, mean confidence, gap (NaN for an empty bin)
}

// readReport parses a report, checks what holds for any report, and returns its heads.
func readReport(t *testing.T, page []byte) (*node, []reportHead) {
	t.Helper()
	root := parseReport(t, page)
	checkSelfContained(t, root)
	var heads []reportHead
	for _, sec := range root.byClass("section", "head") {
		var h reportHead
		names := sec.byClass("span", "headname")
		if len(names) != 1 {
			t.Fatalf("section %s: %d head names, want 1", sec.attr["id"], len(names))
		}
		h.name = names[0].String()
		for _, tr := range sec.all(func(n *node) bool { return n.name == "tr" }) {
			var row []int
			for _, c := range tr.byClass("span", "count") {
				x, err := strconv.Atoi(c.String())
				if err != nil {
					t.Fatalf("head %s: confusion count %q: %v", h.name, c, err)
				}
				row = append(row, x)
			}
			if row != nil {
				h.confusion = append(h.confusion, row)
			}
		}
		grand := sec.byClass("td", "grand")
		if len(grand) != 1 {
			t.Fatalf("head %s: %d grand totals, want 1", h.name, len(grand))
		}
		h.grand, _ = strconv.Atoi(grand[0].String())
		eces := sec.byClass("span", "ece")
		if len(eces) != 1 {
			t.Fatalf("head %s: %d ECE figures, want 1", h.name, len(eces))
		}
		var err error
		if h.ece, err = strconv.ParseFloat(eces[0].String(), 64); err != nil || h.ece < 0 || h.ece > 1 {
			t.Errorf("head %s: ECE %q, want a number in [0, 1] (%v)", h.name, eces[0], err)
		}
		for _, table := range sec.byClass("table", "bins") {
			for _, tr := range table.all(func(n *node) bool { return n.name == "tr" })[1:] {
				var cells []string
				for _, td := range tr.children {
					cells = append(cells, td.String())
				}
				var bin [4]float64
				for k := range bin {
					if bin[k], err = strconv.ParseFloat(cells[k+1], 64); err != nil {
						bin[k] = math.NaN()
					}
				}
				h.bins = append(h.bins, bin)
			}
		}
		heads = append(heads, h)
	}
	return root, heads
}

// checkReportAgainstJSON checks the report's heads against evaluate's JSON output of the same
// run: the same heads, the same confusion counts (summing to n), and calibration bins that
// account for every comment and every right prediction and give the printed ECE.
func checkReportAgainstJSON(t *testing.T, heads []reportHead, ev evalJSON) {
	t.Helper()
	if len(heads) != len(ev.Heads) {
		t.Fatalf("the report has %d heads, the evaluation %d", len(heads), len(ev.Heads))
	}
	for i, h := range heads {
		want := ev.Heads[i]
		if h.name != want.Head {
			t.Errorf("head %d is %q, want %q", i, h.name, want.Head)
		}
		if fmt.Sprint(h.confusion) != fmt.Sprint(want.Report.Confusion) {
			t.Errorf("head %s: confusion %v, want %v", h.name, h.confusion, want.Report.Confusion)
		}
		sum, trace := 0, 0
		for g, row := range h.confusion {
			for p, x := range row {
				sum += x
				if g == p {
					trace += x
				}
			}
		}
		if sum != want.Report.N || h.grand != want.Report.N {
			t.Errorf("head %s: confusion counts sum to %d, total %d, want n = %d", h.name, sum, h.grand, want.Report.N)
		}
		if len(h.bins) != reportBins {
			t.Fatalf("head %s: %d calibration bins, want %d", h.name, len(h.bins), reportBins)
		}
		// Accuracy and confidence are printed to 3 decimals: n*acc is within n*0.0005 < 0.5 of
		// the bin's count of right predictions, and the ECE recomputed from them is within 1e-3.
		n, right := 0, 0
		ece := 0.0
		for _, b := range h.bins {
			if b[0] == 0 {
				continue
			}
			n += int(b[0])
			right += int(math.Round(b[0] * b[1]))
			ece += b[0] * math.Abs(b[1]-b[2])
		}
		ece /= float64(want.Report.N)
		if n != want.Report.N || right != trace {
			t.Errorf("head %s: the bins hold %d comments, %d right; want %d and %d", h.name, n, right, want.Report.N, trace)
		}
		if math.Abs(ece-h.ece) > 1e-3 {
			t.Errorf("head %s: ECE %.4f, but the bins give %.4f", h.name, h.ece, ece)
		}
	}
}

func TestEvaluateReport(t *testing.T) {
	model := sampleModel(t)
	data := []string{"--data", sampleComments, "--articles", sampleArticles}
	for _, tt := range []struct {
		name   string
		args   []string
		source string // what the header says was evaluated
	}{
		{"model", []string{"--model", model}, model},
		{"cv", []string{"--cv", "5", "--group-by", "article"}, "5-fold CV grouped by article"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "report.html")
			args := append(append([]string{"evaluate", "--format", "json", "--report", path}, tt.args...), data...)
			r := mustStance(t, "", args...)
			if !strings.Contains(r.stderr, "report written to "+path) {
				t.Errorf("stderr does not say where the report went:\n%s", r.stderr)
			}
			checkNoTempFiles(t, dir)
			var ev evalJSON
			if err := json.Unmarshal([]byte(r.stdout), &ev); err != nil {
				t.Fatalf("--format json: %v", err)
			}
			root, heads := readReport(t, readFile(t, path))
			checkReportAgainstJSON(t, heads, ev)
			header := root.byClass("header", "top")
			if len(header) != 1 || !strings.Contains(header[0].String(), tt.source) || !strings.Contains(header[0].String(), ev.Title) {
				t.Errorf("the header should name %q and the title %q", tt.source, ev.Title)
			}
			for _, m := range []string{"f_avg(FAVOR,AGAINST)", "macro_f1", "Guo"} {
				if !strings.Contains(root.String(), m) {
					t.Errorf("the report does not mention %s", m)
				}
			}
		})
	}
}

// TestEvaluateReportECE recomputes the ECE of the sample model's report from the probabilities
// that score prints, with Guo et al.'s formula written out here rather than metrics.Reliability.
func TestEvaluateReportECE(t *testing.T) {
	model := sampleModel(t)
	path := filepath.Join(t.TempDir(), "report.html")
	mustStance(t, "", "evaluate", "-q", "--model", model, "--data", sampleComments, "--articles", sampleArticles, "--report", path)
	_, heads := readReport(t, readFile(t, path))
	if len(heads) != 2 {
		t.Fatalf("%d heads in the report, want 2", len(heads))
	}
	scores := parseScores(t, "jsonl", mustStance(t, "", "score", "--model", model, "--data", sampleComments, "--articles", sampleArticles, "--format", "jsonl").stdout)
	for _, h := range heads {
		gold := column(t, sampleComments, h.name)
		if len(gold) != len(scores) {
			t.Fatalf("%d gold labels, %d scores", len(gold), len(scores))
		}
		var n, right [reportBins]int
		var conf [reportBins]float64
		for i, s := range scores {
			// Bins ((b-1)/10, b/10]; a probability exactly on a bound would need care, and a
			// softmax output almost never is one.
			p := s.prob[h.name]
			b := min(max(int(math.Ceil(p*reportBins))-1, 0), reportBins-1)
			n[b]++
			conf[b] += p
			if s.label[h.name] == gold[i] {
				right[b]++
			}
		}
		ece := 0.0
		for b := range n {
			if n[b] > 0 {
				ece += float64(n[b]) / float64(len(scores)) * math.Abs(float64(right[b])/float64(n[b])-conf[b]/float64(n[b]))
			}
		}
		if math.Abs(ece-h.ece) > 0.5e-4 {
			t.Errorf("head %s: the report's ECE is %.4f, the scores give %.6f", h.name, h.ece, ece)
		}
	}
}

// TestHTMLReportMarkup renders a hand-made evaluation whose names and texts need escaping or
// are Arabic, and whose rows were scored by models with different class lists, as the fold
// models of cross-validation may be.
func TestHTMLReportMarkup(t *testing.T) {
	head := "الموقف"
	ab := []string{"مؤيد", "معارض"}
	abc := []string{"<b>&x</b>", "مؤيد", "معارض"}
	title := `<script>alert("x")</script> & تقييم`
	ev := &evaluation.Result{
		K:       3,
		GroupBy: evaluation.ByArticle,
		Heads:   []string{head},
		Gold:    map[string][]string{head: {"مؤيد", "معارض", "<b>&x</b>", "مؤيد", ""}},
		Pred:    map[string][]string{head: {"مؤيد", "مؤيد", "<b>&x</b>", "معارض", "مؤيد"}},
		Probs: map[string][]evaluation.ClassProbs{head: {
			{Classes: ab, P: []float64{0.95, 0.05}},        // right, 0.95
			{Classes: ab, P: []float64{0.65, 0.35}},        // wrong, 0.65
			{Classes: abc, P: []float64{0.55, 0.25, 0.20}}, // right, 0.55
			{Classes: abc, P: []float64{0.20, 0.38, 0.42}}, // wrong, 0.42
			{Classes: ab, P: []float64{0.5, 0.5}},          // no gold label: left out
		}},
		IDs:   []string{"a1", "a2", "a3", "a4", "a5"},
		HasID: true,
		Texts: []string{"نص أول", "bad \x01 control and \xff byte", "x", "y", "z"},
	}
	reports, err := evaluation.Reports(ev, map[string]string{head: "f_avg(مؤيد,معارض)"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	r, err := newHTMLReport(title, ev, reports, []string{"تعليقات.csv"}, time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.render(&buf); err != nil {
		t.Fatal(err)
	}
	root, heads := readReport(t, buf.Bytes())
	if h1 := root.all(func(n *node) bool { return n.name == "h1" }); len(h1) != 1 || h1[0].String() != title || len(h1[0].children) != 0 {
		t.Errorf("the title should be text, escaped: %v", h1)
	}
	if len(heads) != 1 || heads[0].name != head {
		t.Fatalf("heads %v, want [%s]", heads, head)
	}
	h := heads[0]
	// Classes sorted: <b>&x</b>, مؤيد, معارض. Row a5 has no gold label.
	if got := fmt.Sprint(h.confusion); got != "[[1 0 0] [0 1 1] [0 1 0]]" {
		t.Errorf("confusion %s", got)
	}
	// Bins: 0.95 right (bin 9), 0.65 wrong (bin 6), 0.55 right (bin 5), 0.42 wrong (bin 4).
	// ECE = (|1-0.95| + |0-0.65| + |1-0.55| + |0-0.42|) / 4 = (0.05+0.65+0.45+0.42)/4 = 0.3925.
	if h.ece != 0.3925 {
		t.Errorf("ECE %v, want 0.3925", h.ece)
	}
	for _, c := range []string{"مؤيد", "معارض", "<b>&x</b>"} {
		found := root.all(func(n *node) bool { return n.name == "th" && n.String() == c && n.attr["dir"] == "auto" })
		if len(found) < 2 { // a column and a row of the confusion matrix
			t.Errorf("class %q: %d headers with dir=auto, want 2", c, len(found))
		}
	}
	mistakes := root.byClass("table", "mistakes")
	if len(mistakes) != 1 {
		t.Fatalf("%d tables of mistakes, want 1", len(mistakes))
	}
	text := mistakes[0].String()
	if !strings.Contains(text, "bad \uFFFD control and \uFFFD byte") {
		t.Errorf("the control character and the bad byte should be replaced:\n%s", text)
	}
	if strings.Index(text, "a2") > strings.Index(text, "a4") {
		t.Errorf("the most confident mistake (a2, 0.65) should come first:\n%s", text)
	}
	if strings.Contains(text, "a5") {
		t.Errorf("a row without a gold label is not a mistake:\n%s", text)
	}
}
