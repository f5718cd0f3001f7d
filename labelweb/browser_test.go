package labelweb

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/label"
)

// chromium is the browser the tests drive: Debian's chromium package (.ci/run installs it).
func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("drives a browser; skipped with -short")
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium not found on PATH: apt-get install -y chromium (the browser tests need it)")
	return ""
}

var heads = []string{"stance", "sentiment"}
var classes = map[string][]string{"stance": {"AGAINST", "FAVOR", "NONE"}, "sentiment": {"NEGATIVE", "NEUTRAL", "POSITIVE"}}

// server is a labelling page on the sample data and a labels file, as stance label serves it.
type server struct {
	url   string
	close func()
}

func start(t *testing.T, pool []data.Comment, path string) server {
	t.Helper()
	j, rows, _, err := label.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	// No training in this test: the page's answers, undo and restart are under test, not the
	// model (package label's tests train).
	s, err := label.NewSession(pool, j, rows, label.Options{Heads: heads, Classes: classes, Annotator: "browser", RetrainEvery: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(Handler(s, nil))
	return server{hs.URL, func() { hs.Close(); s.Close(); j.Close() }}
}

// wantDir is the direction a text should be shown in, by its first letter's script: the test
// does not share Dir's code.
func wantDir(text string) string {
	for _, r := range text {
		if unicode.IsLetter(r) {
			if unicode.Is(unicode.Arabic, r) {
				return "rtl"
			}
			return "ltr"
		}
	}
	return "ltr"
}

type shown struct {
	ID, Text, Dir, ArticleDir string
	Chosen                    []string // the classes shown as answered
}

func read(ctx context.Context) (shown, error) {
	if err := chromedp.Do(ctx, chromedp.WaitVisible("#text")); err != nil {
		return shown{}, err
	}
	return chromedp.Run(ctx, chromedp.Evaluate[shown](`({ID: document.getElementById("card").dataset.id, Text: document.getElementById("text").textContent,
			Dir: document.getElementById("text").dir, ArticleDir: document.getElementById("article").dir,
			Chosen: [...document.querySelectorAll("button.chosen")].map(b => b.closest(".head").dataset.head + "=" + b.dataset.class)})`))
}

// waitFor waits until the page shows comment id (or, with id "", any comment other than not).
func waitFor(ctx context.Context, id, not string) error {
	cond := fmt.Sprintf(`document.getElementById("card").dataset.id === %q`, id)
	if id == "" {
		cond = fmt.Sprintf(`document.getElementById("card").dataset.id !== %q`, not)
	}
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(10*time.Second)))
	return err
}

func waitChosen(ctx context.Context, n int) error {
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.querySelectorAll("button.chosen").length === %d`, n), chromedp.WithPollingTimeout(10*time.Second)))
	return err
}

// key is the shortcut of head's class: digits for stance, the row below for sentiment.
func key(head, class string) string {
	i := slices.Index(classes[head], class)
	if head == "stance" {
		return "123"[i : i+1]
	}
	return "qwe"[i : i+1]
}

// A user labels the sample comments with the keyboard alone in Chromium: both heads of each
// comment, a note, an undo, a skip; the server is stopped and started again on the same
// labels file and the page resumes on the half-answered comment; Arabic comments and articles
// are shown right to left, English ones left to right; and the labels file holds exactly the
// rows of those key presses.
func TestBrowserLabelling(t *testing.T) {
	exe := chromium(t)
	pool, _, err := data.ReadAll("../data/sample/comments.csv", data.Schema{
		Articles: &data.ArticleSource{Path: "../data/sample/articles.csv", Key: "article_id", Text: "article"}})
	if err != nil {
		t.Fatal(err)
	}
	gold := map[string]map[string]string{}
	for _, c := range pool {
		gold[c.ID] = c.Labels
	}
	path := filepath.Join(t.TempDir(), "labels.csv")
	srv := start(t, pool, path)
	defer func() { srv.close() }()

	actx, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU)...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url)); err != nil {
		t.Fatal(err)
	}

	type want struct {
		id, head, label, note string
		action                label.Action
	}
	var rows []want
	dirs := map[string]int{}
	var done []string
	// Eight comments, both heads each: the cold start shows each of the sample's 8 articles once,
	// four Arabic and four English.
	for n := 0; n < 8; n++ {
		c, err := read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.Dir != wantDir(c.Text) {
			t.Errorf("comment %s %q shown dir=%s, want %s", c.ID, c.Text, c.Dir, wantDir(c.Text))
		}
		dirs[c.Dir]++
		note := ""
		if n == 2 {
			note = "a note, with a comma"
			if err := chromedp.Do(ctx, chromedp.SendKeys("#note", note), chromedp.Blur("#note")); err != nil {
				t.Fatal(err)
			}
		}
		for _, h := range heads {
			if err := chromedp.Do(ctx, chromedp.KeyEvent(key(h, gold[c.ID][h]))); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, want{c.ID, h, gold[c.ID][h], note, label.Answer})
			if h == "stance" {
				if err := waitChosen(ctx, 1); err != nil {
					t.Fatalf("comment %s: the stance answer is not shown: %v", c.ID, err)
				}
			}
		}
		if err := waitFor(ctx, "", c.ID); err != nil {
			t.Fatalf("after answering %s: %v", c.ID, err)
		}
		done = append(done, c.ID)
	}
	if dirs["rtl"] != 4 || dirs["ltr"] != 4 {
		t.Errorf("directions shown %v, want 4 rtl and 4 ltr", dirs)
	}
	// Undo: the last comment comes back with its stance and without its sentiment.
	last := done[len(done)-1]
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Backspace)); err != nil {
		t.Fatal(err)
	}
	rows = append(rows, want{last, "sentiment", "", "", label.Undo})
	if err := waitFor(ctx, last, ""); err != nil {
		t.Fatalf("undo did not bring back %s: %v", last, err)
	}
	if c, _ := read(ctx); !slices.Equal(c.Chosen, []string{"stance=" + gold[last]["stance"]}) {
		t.Errorf("after the undo %s shows %v answered, want its stance alone", last, c.Chosen)
	}
	// Answer it again, then skip the next one.
	if err := chromedp.Do(ctx, chromedp.KeyEvent(key("sentiment", gold[last]["sentiment"]))); err != nil {
		t.Fatal(err)
	}
	rows = append(rows, want{last, "sentiment", gold[last]["sentiment"], "", label.Answer})
	if err := waitFor(ctx, "", last); err != nil {
		t.Fatal(err)
	}
	skipped, _ := read(ctx)
	if err := chromedp.Do(ctx, chromedp.KeyEvent(" ")); err != nil {
		t.Fatal(err)
	}
	rows = append(rows, want{skipped.ID, "", "", "", label.Skip})
	if err := waitFor(ctx, "", skipped.ID); err != nil {
		t.Fatal(err)
	}
	// Half an answer, then the server stops and starts again on the same file.
	half, _ := read(ctx)
	if err := chromedp.Do(ctx, chromedp.KeyEvent(key("stance", gold[half.ID]["stance"]))); err != nil {
		t.Fatal(err)
	}
	rows = append(rows, want{half.ID, "stance", gold[half.ID]["stance"], "", label.Answer})
	if err := waitChosen(ctx, 1); err != nil {
		t.Fatal(err)
	}
	srv.close()
	srv = start(t, pool, path)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url)); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(ctx, half.ID, ""); err != nil {
		t.Fatalf("after the restart the page does not resume on the half-answered %s: %v", half.ID, err)
	}
	if c, _ := read(ctx); !slices.Equal(c.Chosen, []string{"stance=" + gold[half.ID]["stance"]}) || c.Dir != wantDir(c.Text) {
		t.Errorf("after the restart %s shows %v answered, dir %s", half.ID, c.Chosen, c.Dir)
	}
	totals, err := chromedp.Run(ctx, chromedp.Text("#totals"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(totals, "9 of 281 comments labelled, 1 skipped") {
		t.Errorf("progress after the restart: %q, want 9 of 281 labelled, 1 skipped", totals)
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, torn, err := label.ReadJournal(f, path)
	if err != nil || torn.Bytes != 0 {
		t.Fatalf("labels file: %v, torn %+v", err, torn)
	}
	if len(got) != len(rows) {
		t.Fatalf("labels file has %d rows, want %d", len(got), len(rows))
	}
	for i, w := range rows {
		g := got[i]
		if g.ID != w.id || g.Head != w.head || g.Label != w.label || g.Note != w.note || g.Action != w.action || g.Annotator != "browser" || time.Since(g.Time) > 5*time.Minute {
			t.Errorf("row %d: %+v, want %+v", i+1, g, w)
		}
	}
}
