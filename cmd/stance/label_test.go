package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/label"
)

func sampleGold(t *testing.T) ([]data.Comment, map[string]map[string]string) {
	t.Helper()
	cs, _, err := data.ReadAll(sampleComments, data.Schema{})
	if err != nil {
		t.Fatal(err)
	}
	gold := map[string]map[string]string{}
	for _, c := range cs {
		gold[c.ID] = c.Labels
	}
	return cs, gold
}

// labelProcess is a running stance label.
type labelProcess struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
}

var listening = regexp.MustCompile(`open (http://127\.0\.0\.1:\d+)/`)

func startLabel(t *testing.T, bin, labels string) *labelProcess {
	t.Helper()
	cmd := exec.Command(bin, "label", "--data", sampleComments, "--articles", sampleArticles, "--labels", labels,
		"--addr", "127.0.0.1:0", "--retrain-every", "4", "--annotator", "kill-test")
	cmd.Dir = "."
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &labelProcess{cmd: cmd, stderr: &bytes.Buffer{}}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			p.stderr.WriteString(sc.Text() + "\n") // read by the test only after Wait
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case p.url = <-found:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("stance label did not start listening: %s", p.stderr)
	}
	return p
}

func (p *labelProcess) kill(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
}

type apiState struct {
	Comment *struct {
		ID     string            `json:"id"`
		Labels map[string]string `json:"labels"`
	} `json:"comment"`
	Status label.Status `json:"status"`
}

func (p *labelProcess) call(t *testing.T, path string, body any) apiState {
	t.Helper()
	st, err := apiCall(p.url, path, body)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// apiCall GETs path (body nil) or POSTs body as JSON, and decodes the state answered.
func apiCall(url, path string, body any) (apiState, error) {
	var res *http.Response
	var err error
	if body == nil {
		res, err = http.Get(url + path)
	} else {
		b, _ := json.Marshal(body)
		res, err = http.Post(url+path, "application/json", bytes.NewReader(b))
	}
	if err != nil {
		return apiState{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return apiState{}, err
	}
	if res.StatusCode != http.StatusOK {
		return apiState{}, fmt.Errorf("%s: %d %s", path, res.StatusCode, b)
	}
	var st apiState
	err = json.Unmarshal(b, &st)
	return st, err
}

type sent struct{ id, head, label string }

func fileRows(t *testing.T, path string) ([]label.Row, label.Torn) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, torn, err := label.ReadJournal(f, path)
	if err != nil {
		t.Fatalf("the labels file does not read after a kill: %v", err)
	}
	return rows, torn
}

func checkRows(t *testing.T, path string, want []sent) {
	t.Helper()
	rows, _ := fileRows(t, path)
	if len(rows) != len(want) {
		t.Fatalf("labels file has %d rows, want the %d answered", len(rows), len(want))
	}
	for i, w := range want {
		if r := rows[i]; r.ID != w.id || r.Head != w.head || r.Label != w.label || r.Action != label.Answer {
			t.Fatalf("row %d: %+v, want %+v", i+1, r, w)
		}
	}
}

// TestLabelKill kills stance label with SIGKILL, which no handler sees, between answers
// (after a whole comment, and after one head of a comment), while trainings run in the
// background every 4 answers, and starts it again on the same labels file each time: every
// answer the page was told is saved is in the file, and the page resumes on the half-answered
// comment. Then a write is torn, as a kill inside write(2) leaves it: the last line cut short.
// The restart drops it, says so, keeps every row before it byte for byte and appends the next
// answer on a line of its own.
func TestLabelKill(t *testing.T) {
	bin := stanceBinary(t)
	_, gold := sampleGold(t)
	labels := filepath.Join(t.TempDir(), "labels.csv")
	var want []sent
	for round := 0; round < 6; round++ {
		p := startLabel(t, bin, labels)
		st := p.call(t, "/api/state", nil)
		if round > 0 && round%2 == 0 {
			// The previous round was killed after the stance of a comment: it is shown again.
			last := want[len(want)-1]
			if st.Comment == nil || st.Comment.ID != last.id || st.Comment.Labels["stance"] != last.label {
				t.Fatalf("round %d: after the kill the page shows %+v, want %s with its stance %s", round, st.Comment, last.id, last.label)
			}
			want = append(want, sent{last.id, "sentiment", gold[last.id]["sentiment"]})
			st = p.call(t, "/api/answer", map[string]string{"id": last.id, "head": "sentiment", "label": gold[last.id]["sentiment"]})
		}
		for n := 0; n < 3; n++ {
			id := st.Comment.ID
			for _, h := range []string{"stance", "sentiment"} {
				want = append(want, sent{id, h, gold[id][h]})
				st = p.call(t, "/api/answer", map[string]string{"id": id, "head": h, "label": gold[id][h]})
			}
		}
		if round%2 == 1 {
			id := st.Comment.ID
			want = append(want, sent{id, "stance", gold[id]["stance"]})
			p.call(t, "/api/answer", map[string]string{"id": id, "head": "stance", "label": gold[id]["stance"]})
		}
		p.kill(t)
		checkRows(t, labels, want)
	}

	// Kills at random moments while answers stream in, so that some land inside a request:
	// the file reads, holds every answer acknowledged, and at most the one in flight besides.
	for round := 0; round < 8; round++ {
		p := startLabel(t, bin, labels)
		acked := make(chan sent, 1000)
		go func() {
			defer close(acked)
			for {
				st, err := apiCall(p.url, "/api/state", nil)
				if err != nil || st.Comment == nil {
					return
				}
				for _, h := range []string{"stance", "sentiment"} {
					if st.Comment.Labels[h] != "" {
						continue
					}
					s := sent{st.Comment.ID, h, gold[st.Comment.ID][h]}
					if _, err := apiCall(p.url, "/api/answer", map[string]string{"id": s.id, "head": h, "label": s.label}); err != nil {
						return
					}
					acked <- s
				}
			}
		}()
		// The kill comes after a count of acknowledged answers, not after a time: a fast
		// machine answered the whole pool within a few sleeps, and a slow one none.
		for n := 0; n < 3+5*round; n++ {
			s, ok := <-acked
			if !ok {
				break
			}
			want = append(want, s)
		}
		p.kill(t)
		for s := range acked {
			want = append(want, s)
		}
		rows, _ := fileRows(t, labels)
		if len(rows) < len(want) || len(rows) > len(want)+1 {
			t.Fatalf("kill %d while answering: %d rows in the file, %d answers acknowledged", round, len(rows), len(want))
		}
		if len(rows) == len(want)+1 { // written, then killed before the answer reached the client
			r := rows[len(rows)-1]
			want = append(want, sent{r.ID, r.Head, r.Label})
		}
		checkRows(t, labels, want)
	}

	// A torn write: half of the next row, without its line feed.
	good, err := os.ReadFile(labels)
	if err != nil {
		t.Fatal(err)
	}
	torn := "c0281,stance,FAV"
	if err := os.WriteFile(labels, append(bytes.Clone(good), torn...), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startLabel(t, bin, labels)
	st := p.call(t, "/api/state", nil)
	ids := map[string]bool{}
	for _, w := range want {
		ids[w.id] = true
	}
	if st.Status.Labelled != len(ids) {
		t.Errorf("after the torn write %d comments are labelled, want %d", st.Status.Labelled, len(ids))
	}
	id := st.Comment.ID
	want = append(want, sent{id, "stance", gold[id]["stance"]})
	p.call(t, "/api/answer", map[string]string{"id": id, "head": "stance", "label": gold[id]["stance"]})
	p.kill(t)
	if !strings.Contains(p.stderr.String(), fmt.Sprintf("line %d was cut short (%d bytes", len(want)+1, len(torn))) {
		t.Errorf("the restart did not say it dropped the torn line %d:\n%s", len(want)+1, p.stderr)
	}
	after, _ := os.ReadFile(labels)
	if !bytes.HasPrefix(after, good) {
		t.Fatal("the rows before the torn line changed")
	}
	checkRows(t, labels, want)
}

// TestTrainLabels: a model trained on a labels file (answers changed, undone and skipped on
// the way) is the model trained on a data file whose label columns hold the labels the file
// ends with, byte for byte.
func TestTrainLabels(t *testing.T) {
	cs, gold := sampleGold(t)
	dir := t.TempDir()
	labels := filepath.Join(dir, "labels.csv")
	j, _, _, err := label.OpenJournal(labels)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	add := func(id, head, l string, a label.Action) {
		if err := j.Append(label.Row{ID: id, Head: head, Label: l, Annotator: "t", Time: now, Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	var kept []data.Comment
	for i, c := range cs {
		if i%3 != 0 {
			continue
		}
		switch i % 9 {
		case 0: // answered, changed, then the change undone
			add(c.ID, "stance", gold[c.ID]["stance"], label.Answer)
			add(c.ID, "stance", "NONE", label.Answer)
			add(c.ID, "stance", "", label.Undo)
			add(c.ID, "sentiment", gold[c.ID]["sentiment"], label.Answer)
			kept = append(kept, c)
		case 3: // skipped
			add(c.ID, "", "", label.Skip)
		default: // answered, then changed
			add(c.ID, "sentiment", "NEUTRAL", label.Answer)
			add(c.ID, "stance", gold[c.ID]["stance"], label.Answer)
			add(c.ID, "sentiment", gold[c.ID]["sentiment"], label.Answer)
			kept = append(kept, c)
		}
	}
	j.Close()
	// The same comments, their labels in columns.
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"id", "article_id", "text", "stance", "sentiment"})
	for _, c := range kept {
		w.Write([]string{c.ID, c.ArticleID, c.Text, gold[c.ID]["stance"], gold[c.ID]["sentiment"]})
	}
	w.Flush()
	columns := filepath.Join(dir, "columns.csv")
	if err := os.WriteFile(columns, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	fromLabels, fromColumns := filepath.Join(dir, "labels.stance"), filepath.Join(dir, "columns.stance")
	r := mustStance(t, "", "train", "--no-tune", "--data", sampleComments, "--articles", sampleArticles, "--labels", labels, "--model", fromLabels)
	mustStance(t, "", "train", "--no-tune", "-q", "--data", columns, "--articles", sampleArticles, "--model", fromColumns)
	if !strings.Contains(r.stderr, fmt.Sprintf("trained on %d comments", len(kept))) {
		t.Errorf("train --labels: want %d comments trained on:\n%s", len(kept), r.stderr)
	}
	a, _ := os.ReadFile(fromLabels)
	c, _ := os.ReadFile(fromColumns)
	if !bytes.Equal(a, c) {
		t.Errorf("the model trained on the labels file (%d bytes) differs from the one trained on its labels in columns (%d bytes)", len(a), len(c))
	}

	// A bad row is an error naming its line and field; the model is not written.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte(strings.Join(label.Header, ",")+"\nc0001,stance,FAVOR,t,yesterday,,label\n"), 0o644)
	r = stance(t, "", "train", "--no-tune", "--data", sampleComments, "--labels", bad, "--model", filepath.Join(dir, "bad.stance"))
	if r.code != exitUsage || lastLine(r.stderr) != "stance: "+bad+`:2: field "time": not a labels-file row: want a time such as 2026-12-02T09:30:00Z; got yesterday` {
		t.Errorf("a bad labels file: %v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.stance")); err == nil {
		t.Error("a model was written from a bad labels file")
	}
}

// TestLabelUsage: what stance label refuses before it opens a port, each a usage error that
// says what to give.
func TestLabelUsage(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte(strings.Join(label.Header, ",")+"\nc0001,stance,FAVOR,t,2026-12-02T09:00:00Z,,label\nc0002,stance,,t,2026-12-02T09:00:00Z,,label\n"), 0o644)
	labels := filepath.Join(dir, "labels.csv")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no labels file", []string{"--data", sampleComments}, "no labels file: give --labels FILE (created if missing)"},
		{"no data", []string{"--labels", labels}, "no data: give --data FILE"},
		{"no classes anywhere", []string{"--data", sampleNew, "--labels", labels}, "no classes to ask about: give --model FILE, or --classes HEAD=A,B,C for each head (the data has no labels to take them from)"},
		{"one class", []string{"--data", sampleComments, "--labels", labels, "--classes", "stance=FAVOR"}, `--classes "stance=FAVOR": want HEAD=CLASS,CLASS[,...] with two classes or more`},
		{"a head twice", []string{"--data", sampleComments, "--labels", labels, "--classes", "stance=A,B", "--classes", "stance=C,D"}, "--classes: head stance given twice"},
		{"a bad labels file", []string{"--data", sampleComments, "--labels", bad}, bad + `:3: field "label": not a labels-file row: an answer names a head and a label`},
		{"a bad address", []string{"--data", sampleComments, "--labels", labels, "--addr", "127.0.0.1:99999"}, "--addr 127.0.0.1:99999: listen tcp: address 99999: invalid port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := stance(t, "", append([]string{"label"}, tc.args...)...)
			if r.code != exitUsage || lastLine(r.stderr) != "stance: "+tc.want {
				t.Errorf("want exit 2 saying %q; got %v", tc.want, r)
			}
		})
	}
}
