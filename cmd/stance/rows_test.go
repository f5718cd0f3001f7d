package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sampleArticleText maps each sample article's id to its text.
func sampleArticleText(t *testing.T) map[string]string {
	t.Helper()
	recs := readCSV(t, string(readFile(t, sampleArticles)))
	id, text := indexOf(recs[0], "article_id"), indexOf(recs[0], "article")
	if id < 0 || text < 0 {
		t.Fatalf("%s header %q", sampleArticles, recs[0])
	}
	out := map[string]string{}
	for _, r := range recs[1:] {
		out[r[id]] = r[text]
	}
	return out
}

// inlineArticles writes the sample's new comments with each article's text in an article
// column instead of an article_id, and a created_at column; it returns the path and, per row,
// the article text.
func inlineArticles(t *testing.T, dir string) (string, []string) {
	t.Helper()
	text := sampleArticleText(t)
	recs := readCSV(t, string(readFile(t, sampleNew)))
	id, aid, tx := indexOf(recs[0], "id"), indexOf(recs[0], "article_id"), indexOf(recs[0], "text")
	out := [][]string{{"id", "article", "text", "created_at"}}
	var arts []string
	for i, r := range recs[1:] {
		a := text[r[aid]]
		if a == "" {
			t.Fatalf("no article %q in %s", r[aid], sampleArticles)
		}
		arts = append(arts, a)
		out = append(out, []string{r[id], a, r[tx], time.Date(2026, 12, 1, 0, i, 0, 0, time.UTC).Format(time.RFC3339)})
	}
	p := filepath.Join(dir, "inline.csv")
	writeCSV(t, p, out)
	return p, arts
}

// TestExportKeepAndInlineArticles: export --keep carries input columns through after
// article_id, in the order given; with inline articles article_id is "sha256:" and the first 16
// hex digits of the SHA-256 of the article's text, shared by the rows under one article.
func TestExportKeepAndInlineArticles(t *testing.T) {
	model := sampleModel(t)
	dir := t.TempDir()
	inline, arts := inlineArticles(t, dir)
	r := mustStance(t, "", "export", "--model", model, "--data", inline, "--keep", "created_at,text", "--out", "-")
	recs := readCSV(t, r.stdout)
	if want := []string{"id", "article_id", "created_at", "text", "sentiment"}; !slices.Equal(recs[0][:5], want) {
		t.Fatalf("header %q, want it to begin %q", recs[0], want)
	}
	if got, want := column(t, inline, "created_at"), colOf(recs, "created_at"); !slices.Equal(got, want) {
		t.Errorf("created_at %q, want the input's %q", want, got)
	}
	if got, want := colOf(recs, "text"), column(t, inline, "text"); !slices.Equal(got, want) {
		t.Errorf("text not the input's")
	}
	ids := colOf(recs, "article_id")
	for i, a := range arts {
		sum := sha256.Sum256([]byte(a))
		if want := "sha256:" + hex.EncodeToString(sum[:8]); ids[i] != want {
			t.Errorf("row %d: article_id %q, want %q", i, ids[i], want)
		}
	}
	for i := range arts {
		for j := range i {
			if (ids[i] == ids[j]) != (arts[i] == arts[j]) {
				t.Errorf("rows %d and %d: article ids %q and %q, articles the same: %v", i, j, ids[i], ids[j], arts[i] == arts[j])
			}
		}
	}
	// The scores are those of the same comments joined to their articles by id.
	joined := readCSV(t, mustStance(t, "", "export", "--model", model, "--data", sampleNew, "--articles", sampleArticles, "--out", "-").stdout)
	for i := range joined {
		if !slices.Equal(joined[i][2:], recs[i][4:]) {
			t.Errorf("row %d: inline %q, joined %q", i, recs[i][4:], joined[i][2:])
		}
	}

	for _, tt := range []struct {
		keep, want string
	}{
		{"nosuch", sampleComments + `:1: missing column "nosuch" to keep: the columns are "id", "article_id", "text", "stance", "sentiment", "created_at"; want one of them`},
		{"stance", `--keep stance: the output has a column "stance" already; rename the input's column (columns.* or a copy of the file)`},
		{"id", `--keep id: the output has a column "id" already; rename the input's column (columns.* or a copy of the file)`},
	} {
		r := stance(t, "", "export", "--model", model, "--data", sampleComments, "--articles", sampleArticles, "--keep", tt.keep, "--out", filepath.Join(dir, "x.csv"))
		if r.code != exitUsage || lastLine(r.stderr) != "stance: "+tt.want {
			t.Errorf("--keep %s: want exit 2 and %q: %v", tt.keep, tt.want, r)
		}
	}
}

func colOf(recs [][]string, name string) []string {
	i := indexOf(recs[0], name)
	if i < 0 {
		return nil
	}
	var out []string
	for _, r := range recs[1:] {
		out = append(out, r[i])
	}
	return out
}

// TestScoreCSVArticleID: score --format csv has export's article_id column, from the data's
// article ids, or the key of --article's text.
func TestScoreCSVArticleID(t *testing.T) {
	model := sampleModel(t)
	recs := readCSV(t, mustStance(t, "", "score", "--model", model, "--format", "csv", "--data", sampleNew, "--articles", sampleArticles).stdout)
	if want := []string{"id", "article_id", "text"}; !slices.Equal(recs[0][:3], want) {
		t.Fatalf("header %q", recs[0])
	}
	if got, want := colOf(recs, "article_id"), column(t, sampleNew, "article_id"); !slices.Equal(got, want) {
		t.Errorf("article_id %q, want %q", got, want)
	}
	article := "Council approves a congestion charge"
	recs = readCSV(t, mustStance(t, "", "score", "--model", model, "--format", "csv", "--article", article, "About time", "No way").stdout)
	sum := sha256.Sum256([]byte(article))
	if got := colOf(recs, "article_id"); !slices.Equal(got, []string{"sha256:" + hex.EncodeToString(sum[:8]), "sha256:" + hex.EncodeToString(sum[:8])}) {
		t.Errorf("article_id of --article comments: %q", got)
	}
	recs = readCSV(t, mustStance(t, "", "score", "--model", model, "--format", "csv", "About time").stdout)
	if got := colOf(recs, "article_id"); !slices.Equal(got, []string{""}) {
		t.Errorf("article_id of a comment without an article: %q", got)
	}
}

// TestArticleFileStdin: --article-file - reads the article from standard input, and then the
// comments come from the arguments.
func TestArticleFileStdin(t *testing.T) {
	model := sampleModel(t)
	article := "Council approves a £12 daily congestion charge for the city centre"
	want := mustStance(t, "", "score", "--model", model, "--format", "csv", "--article", article, "About time").stdout
	r := mustStance(t, article+"\n", "score", "--model", model, "--format", "csv", "--article-file", "-", "About time")
	if r.stdout != want {
		t.Errorf("--article-file - scored\n%s\nwant, as --article gives,\n%s", r.stdout, want)
	}
	// Standard input cannot hold both the article and the comments.
	r = stance(t, article, "score", "--model", model, "--article-file", "-")
	if r.code != exitUsage || lastLine(r.stderr) != "stance: --article-file - reads standard input, so the comments cannot come from it too: give them as arguments or with --data FILE" {
		t.Errorf("--article-file - without comments: %v", r)
	}
	// Its text is checked as a file's is.
	r = stance(t, "bad \xff", "score", "--model", model, "--article-file", "-", "x")
	if r.code != exitUsage || lastLine(r.stderr) != "stance: --article-file -: not valid UTF-8; want UTF-8 text (convert it with iconv)" {
		t.Errorf("--article-file - with invalid UTF-8: %v", r)
	}
}

// TestWrittenToStandardOutput: the note after writing to "-" says where, in words.
func TestWrittenToStandardOutput(t *testing.T) {
	model := sampleModel(t)
	r := mustStance(t, "", "export", "--model", model, "--data", sampleNew, "--articles", sampleArticles, "--out", "-")
	if !strings.Contains(r.stderr, "scores written to standard output") || strings.Contains(r.stderr, "written to -") {
		t.Errorf("export --out -: %s", r.stderr)
	}
	r = mustStance(t, "", "evaluate", "--model", model, "--data", sampleComments, "--articles", sampleArticles, "--predictions", "-")
	if !strings.Contains(r.stderr, "predictions written to standard output") || strings.Contains(r.stderr, "written to -") {
		t.Errorf("evaluate --predictions -: %.300s", r.stderr)
	}
}

// TestEvaluateCSVRowsOnce: a head whose official metric is macro_f1 (or accuracy) gets that
// row once, not again under its own name; every (head, class, n, metric) row is unique.
func TestEvaluateCSVRowsOnce(t *testing.T) {
	model := sampleModel(t)
	r := mustStance(t, "", "evaluate", "--model", model, "--data", sampleComments, "--articles", sampleArticles, "--by", "article", "--format", "csv")
	recs := readCSV(t, r.stdout)
	seen := map[string]bool{}
	official := map[string]int{}
	for _, rec := range recs[1:] {
		k := strings.Join([]string{rec[0], rec[1], rec[5], rec[6]}, "|")
		if seen[k] {
			t.Errorf("row repeated: %q", rec)
		}
		seen[k] = true
		if rec[1] == "" && (rec[6] == "macro_f1" || rec[6] == "accuracy" || strings.HasPrefix(rec[6], "f_avg")) {
			official[rec[0]+" "+rec[6]]++
		}
	}
	for _, k := range []string{"sentiment macro_f1", "sentiment accuracy", "stance macro_f1", "stance accuracy", "stance f_avg(FAVOR,AGAINST)"} {
		if official[k] != 1 {
			t.Errorf("%s: %d rows, want 1", k, official[k])
		}
	}
}

// TestInterruptedScoreWritesNoFile: Ctrl-C while score waits for standard input at a terminal
// says it was interrupted, and claims no output files, since score writes none; export's
// message still names its output's fate.
func TestInterruptedScoreWritesNoFile(t *testing.T) {
	model := sampleModel(t)
	stdin, w := io.Pipe() // a terminal no one types at
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	var stdout, stderr strings.Builder
	code := run(ctx, []string{"score", "--model", model, "--article", "x"}, stdin, &stdout, &stderr)
	if code != exitFailure || stderr.String() != "stance: interrupted\n" {
		t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, stderr.String(), "stance: interrupted\n")
	}
	stdin2, w2 := io.Pipe()
	defer w2.Close()
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	stderr.Reset()
	out := filepath.Join(t.TempDir(), "scores.csv")
	code = run(ctx, []string{"export", "--model", model, "--data", "-", "--out", out}, stdin2, &stdout, &stderr)
	if code != exitFailure || !strings.Contains(stderr.String(), "interrupted; output files were left as they were: "+out) {
		t.Errorf("export: exit %d, stderr %q", code, stderr.String())
	}
}
