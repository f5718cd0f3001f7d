package main

// Bad inputs, faults and interruptions, end to end: each case gets the exit code of README.md's
// table, a message that names the file, line and field, or a reported skip, and never a partial
// output file. docs/BAD_INPUTS.md lists every case with the test that tries it; the readers'
// own cases are in data/reader_test.go, interruptions in signal_test.go.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/commentstance/stance/classifier"
)

// badInput is one command run on a bad input.
type badInput struct {
	name string
	// files are written to the test's directory; "@NAME" in args and stderr is the path of
	// file NAME.
	files map[string]string
	// args may name "$MODEL" (the sample model), "$ARTICLES" (the sample's articles), "$OUT"
	// (out.csv in the test's directory, which must not exist after a failed run) and the
	// generated files of TestBadInputs.
	args   []string
	stdin  string
	code   int
	stderr []string // each in stderr
	stdout []string // each in stdout
	// rows, if not -1, is the number of data rows export --out - must print.
	rows int
}

func TestBadInputs(t *testing.T) {
	model := sampleModel(t)
	gen := t.TempDir()
	// A training file whose stance column holds one class (RARE) on one row only: it is in the
	// test part of one fold and so in no training part of that fold.
	rare := repeatComments(t, gen, "rare.csv", sampleComments, 90, []string{"x1", "ar-water-prices", "كلام نادر", "RARE", "NEUTRAL", "2026-11-04T10:00:00Z"})
	oneClass := filepath.Join(gen, "one-class.csv")
	writeFile(t, oneClass, []byte("id,text,stance\n1,a,FAVOR\n2,b,FAVOR\n3,c,FAVOR\n4,d,FAVOR\n5,e,FAVOR\n6,f,FAVOR\n"))
	vars := map[string]string{"$MODEL": model, "$ARTICLES": sampleArticles, "$SAMPLE": sampleComments, "$RARE": rare, "$ONECLASS": oneClass}

	const header = "id,text\n"
	none := -1
	for _, tt := range []badInput{
		// CSV and TSV.
		{name: "csv unbalanced quote", files: map[string]string{"q.csv": header + "1,\"open\n2,b\n"},
			args: []string{"export", "--model", "$MODEL", "--data", "@q.csv", "--out", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"q.csv:3:5: syntax error", "(the record starts on line 2)", "want RFC 4180 quoting"}},
		{name: "csv wrong field count is a reported skip", files: map[string]string{"n.csv": header + "1,a\n2,b,extra\n3,c\n"},
			args: []string{"export", "--model", "$MODEL", "--data", "@n.csv", "--out", "-"}, code: exitOK, rows: 2,
			stderr: []string{`skipped @n.csv:3: wrong number of fields: the record has 3, the header has 2 ("id", "text"); got "2,b,extra"`, "scored 2 comments"}},
		{name: "csv wrong field count with --strict", files: map[string]string{"n.csv": header + "1,a\n2,b,extra\n"},
			args: []string{"export", "--strict", "--model", "$MODEL", "--data", "@n.csv", "--out", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"n.csv:3: wrong number of fields: the record has 3, the header has 2"}},
		{name: "csv header missing (first row is data)", files: map[string]string{"h.csv": "c1,hello\nc2,world\n"},
			args: []string{"export", "--model", "$MODEL", "--data", "@h.csv", "--out", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{`h.csv:1: missing column "text" for the comment text: the columns are "c1", "hello"`}},
		{name: "csv duplicate column", files: map[string]string{"d.csv": "id,text,text\n1,a,b\n"},
			args: []string{"score", "--model", "$MODEL", "--data", "@d.csv"}, code: exitUsage, rows: none,
			stderr: []string{`d.csv:1: duplicate column "text": header columns 2 and 3; want each column name once`}},
		{name: "csv byte-order mark and CRLF", files: map[string]string{"b.csv": "\ufeffid,text\r\nc1,hello\r\nc2,\"two\r\nlines\"\r\n"},
			args: []string{"export", "--model", "$MODEL", "--data", "@b.csv", "--out", "-"}, code: exitOK, rows: 2,
			stdout: []string{"id,article_id,", "\nc1,", "\nc2,"}},
		{name: "csv bare CR line ends", files: map[string]string{"r.csv": "id,text\rc1,hello\rc2,world\r"},
			args: []string{"export", "--model", "$MODEL", "--data", "@r.csv", "--out", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"r.csv:1: bare carriage return in the header", "bare CR (classic Mac); want LF or CRLF line ends"}},
		{name: "csv header only: export writes the header", files: map[string]string{"e.csv": header},
			args: []string{"export", "--model", "$MODEL", "--data", "@e.csv", "--out", "-"}, code: exitOK, rows: 0,
			stdout: []string{"id,article_id,sentiment,"}, stderr: []string{"scored 0 comments"}},
		{name: "csv header only: train has nothing to learn", files: map[string]string{"e.csv": "id,text,stance\n"},
			args: []string{"train", "--data", "@e.csv", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"no labelled examples: no usable rows in", "e.csv"}},
		{name: "csv header only: score has nothing to score", files: map[string]string{"e.csv": header},
			args: []string{"score", "--model", "$MODEL", "--data", "@e.csv"}, code: exitUsage, rows: none,
			stderr: []string{"no comments to score"}},
		{name: "csv empty file", files: map[string]string{"z.csv": ""},
			args: []string{"export", "--model", "$MODEL", "--data", "@z.csv", "--out", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"z.csv: empty file, expected a header row naming the columns"}},
		{name: "tsv wrong field count is a reported skip", files: map[string]string{"t.tsv": "id\ttext\n1\ta\tb\n2\tc\n"},
			args: []string{"export", "--model", "$MODEL", "--data", "@t.tsv", "--out", "-"}, code: exitOK, rows: 1,
			stderr: []string{"skipped @t.tsv:2: wrong number of fields: the line has 3 tab-separated fields, the header has 2"}},
		{name: "tsv bare CR line ends", files: map[string]string{"t.tsv": "id\ttext\r1\ta\r"},
			args: []string{"export", "--model", "$MODEL", "--data", "@t.tsv", "--out", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"t.tsv:1: bare carriage return in the header"}},

		// JSONL.
		{name: "jsonl bad lines are reported skips", files: map[string]string{"j.jsonl": `{"id": "a", "text": "hello"}` + "\nnot json\n" +
			`{"id": "b", "text": 5}` + "\n" + `{"id": "c", "text": "x"} junk` + "\n" + `{"id": "d", "text": "last, without a newline"}`},
			args: []string{"export", "--model", "$MODEL", "--data", "@j.jsonl", "--out", "-"}, code: exitOK, rows: 2,
			stdout: []string{"\na,", "\nd,"},
			stderr: []string{
				`skipped @j.jsonl:2:2: syntax error: invalid character 'o' in literal null (expecting 'u'); want one JSON object per line; got "not json"`,
				`skipped @j.jsonl:3: field "text": wrong JSON type: want a string; got "5"`,
				`skipped @j.jsonl:4:26: syntax error: text after the JSON object`,
				"scored 2 comments"}},
		{name: "jsonl not JSON with --strict", files: map[string]string{"j.jsonl": `{"text": "a"}` + "\nnot json\n"},
			args: []string{"export", "--strict", "--model", "$MODEL", "--data", "@j.jsonl", "--out", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"j.jsonl:2:2: syntax error"}},
		{name: "jsonl wrong type for a label", files: map[string]string{"j.jsonl": `{"text": "a", "stance": 1}` + "\n"},
			args: []string{"train", "--strict", "--data", "@j.jsonl", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{`j.jsonl:1: field "stance": wrong JSON type: want a string; got "1"`}},
		{name: "jsonl trailing garbage", files: map[string]string{"j.jsonl": `{"text": "a"} {"text": "b"}` + "\n"},
			args: []string{"score", "--model", "$MODEL", "--data", "@j.jsonl"}, code: exitUsage, rows: none,
			// score has no --strict: the only line is skipped, and a file whose every row is
			// skipped is an error, which names the first.
			stderr: []string{"@j.jsonl: every record was skipped as bad: all 1 records; the first: @j.jsonl:1:15: syntax error: text after the JSON object"}},
		{name: "jsonl empty file: export writes a header", files: map[string]string{"z.jsonl": "\n"},
			args: []string{"export", "--model", "$MODEL", "--data", "@z.jsonl", "--out", "-"}, code: exitOK, rows: 0,
			stdout: []string{"article_id,sentiment,"}, stderr: []string{"scored 0 comments"}},
		{name: "jsonl final line cut off without newline", files: map[string]string{"j.jsonl": `{"text": "a"}` + "\n" + `{"text": "b`},
			args: []string{"export", "--model", "$MODEL", "--data", "@j.jsonl", "--out", "-"}, code: exitOK, rows: 1,
			stderr: []string{"skipped @j.jsonl:2:9: syntax error: the line ends inside the object"}},

		// Text.
		{name: "invalid UTF-8 is a reported skip", files: map[string]string{"u.csv": header + "1,caf\xe9\n2,ok\n"},
			args: []string{"export", "--model", "$MODEL", "--data", "@u.csv", "--out", "-"}, code: exitOK, rows: 1,
			stderr: []string{`skipped @u.csv:2: field "text": invalid UTF-8 at byte 3; want UTF-8 text (convert the file with iconv); got "caf\xe9"`}},
		{name: "invalid UTF-8 with --strict", files: map[string]string{"u.csv": "id,text,stance\n1,caf\xe9,FAVOR\n"},
			args: []string{"train", "--strict", "--data", "@u.csv", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{`u.csv:2: field "text": invalid UTF-8 at byte 3`}},
		{name: "NUL byte is a reported skip", files: map[string]string{"n.csv": header + "1,a\x00b\n2,ok\n"},
			args: []string{"export", "--model", "$MODEL", "--data", "@n.csv", "--out", "-"}, code: exitOK, rows: 1,
			stderr: []string{`skipped @n.csv:2: field "text": NUL byte at byte 1; want text (is the file UTF-16 or binary?)`}},
		{name: "UTF-16 file", files: map[string]string{"w.csv": "\xff\xfei\x00d\x00,\x00t\x00e\x00x\x00t\x00\n\x001\x00,\x00a\x00\n\x00"},
			args: []string{"export", "--model", "$MODEL", "--data", "@w.csv", "--out", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"w.csv:1: invalid UTF-8: the file starts with a UTF-16 byte-order mark; set encoding: utf-16"}},
		{name: "only whitespace is a reported skip", files: map[string]string{"s.csv": header + "1,\"  \t \"\n2,ok\n"},
			args: []string{"export", "--model", "$MODEL", "--data", "@s.csv", "--out", "-"}, code: exitOK, rows: 1,
			stderr: []string{`skipped @s.csv:2: field "text": empty text; want some text after removing (none) and spaces`}},
		{name: "score: invalid UTF-8 on standard input", args: []string{"score", "--model", "$MODEL"}, stdin: "fine\ncaf\xe9\n",
			code: exitUsage, rows: none, stderr: []string{"standard input line 2: not valid UTF-8"}},
		{name: "score: NUL byte on standard input", args: []string{"score", "--model", "$MODEL"}, stdin: "fine\na\x00b\n",
			code: exitUsage, rows: none, stderr: []string{"standard input line 2: NUL byte at byte 1"}},
		{name: "score: invalid UTF-8 argument", args: []string{"score", "--model", "$MODEL", "ok", "caf\xe9"},
			code: exitUsage, rows: none, stderr: []string{`argument 2 "caf\xe9": not valid UTF-8`}},
		{name: "score: NUL byte in an argument", args: []string{"score", "--model", "$MODEL", "a\x00b"},
			code: exitUsage, rows: none, stderr: []string{`argument 1 "a\x00b": NUL byte at byte 1`}},
		{name: "score: only whitespace as an argument", args: []string{"score", "--model", "$MODEL", "ok", " \t "},
			code: exitUsage, rows: none, stderr: []string{`argument 2 " \t ": empty comment; want some text`}},
		{name: "score: invalid UTF-8 in --article", args: []string{"score", "--model", "$MODEL", "--article", "caf\xe9", "ok"},
			code: exitUsage, rows: none, stderr: []string{"--article: not valid UTF-8"}},
		{name: "score: NUL byte in --article-file", files: map[string]string{"a.txt": "a\x00b"},
			args: []string{"score", "--model", "$MODEL", "--article-file", "@a.txt", "ok"},
			code: exitUsage, rows: none, stderr: []string{"a.txt: NUL byte at byte 1"}},

		// Labels.
		{name: "evaluate: a label the model never saw",
			files: map[string]string{"l.csv": "id,text,stance,sentiment\n1,hello there,UNRELATED,POSITIVE\n2,good idea,FAVOR,POSITIVE\n3,bad idea,AGAINST,NEGATIVE\n4,whatever,UNRELATED,NEUTRAL\n"},
			args:  []string{"evaluate", "--model", "$MODEL", "--data", "@l.csv"}, code: exitOK, rows: none,
			stdout: []string{"note: gold labels the scoring model never saw in training, so cannot predict (recall 0 on those rows): UNRELATED (2 rows)",
				"UNRELATED     0.0000  0.0000  0.0000        2"}},
		{name: "evaluate: a head of the model missing from the data",
			files: map[string]string{"l.csv": "id,text,stance\n1,good idea,FAVOR\n2,bad idea,AGAINST\n"},
			args:  []string{"evaluate", "--model", "$MODEL", "--data", "@l.csv"}, code: exitOK, rows: none,
			stderr: []string{"note: the data has no labels for the model's head sentiment; head not evaluated"},
			stdout: []string{"== stance =="}},
		{name: "evaluate --cv: a class with one example", args: []string{"evaluate", "--cv", "3", "--group-by", "none", "--max-iter", "5", "--data", "$RARE"},
			code: exitOK, rows: none,
			stdout: []string{"note: gold labels the scoring model never saw in training, so cannot predict (recall 0 on those rows): RARE (1 row)"}},
		{name: "train: a class with one example is learnt", args: []string{"train", "--max-iter", "5", "--data", "$RARE", "--model", "$OUT"},
			code: exitOK, rows: none, stderr: []string{"stance [AGAINST FAVOR NONE RARE]"}},
		{name: "evaluate --cv: a single class", args: []string{"evaluate", "--cv", "3", "--group-by", "none", "--data", "$ONECLASS"},
			code: exitUsage, rows: none, stderr: []string{`fold 1 of 3: train: head "stance" has a single class, "FAVOR", in the training data: a classifier needs at least two`}},

		// Articles.
		{name: "score: join key with no article", files: map[string]string{"c.csv": "id,article_id,text\n1,en-wind-farm,ok\n2,no-such-article,hello\n"},
			args: []string{"score", "--model", "$MODEL", "--data", "@c.csv", "--articles", "$ARTICLES"}, code: exitUsage, rows: none,
			stderr: []string{`c.csv:3: field "article_id": no article with this id in ../../data/sample/articles.csv`, `got "no-such-article"`}},
		{name: "duplicate article id, different text",
			files: map[string]string{"c.csv": "id,article_id,text\n1,a1,ok\n", "art.csv": "article_id,article\na1,one text\na2,other\na1,another text\n"},
			args:  []string{"export", "--model", "$MODEL", "--data", "@c.csv", "--articles", "@art.csv", "--out", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{`art.csv:4: field "article_id": duplicate article id with a different text: lines 2 and 4; want each id once, or the same text for both; got "a1"`}},
		{name: "duplicate article id, same text",
			files: map[string]string{"c.csv": "id,article_id,text\n1,a1,ok\n", "art.csv": "article_id,article\na1,one text\na1,one text\n"},
			args:  []string{"export", "--model", "$MODEL", "--data", "@c.csv", "--articles", "@art.csv", "--out", "-"}, code: exitOK, rows: 1},

		// Configuration.
		{name: "config: misspelt key of a head", files: map[string]string{"c.yaml": "model:\n  heads:\n    stance:\n      cc: 3\n"},
			args: []string{"train", "--config", "@c.yaml", "--data", "$SAMPLE", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{`c.yaml: unknown key "model.heads.stance.cc"; did you mean "model.heads.stance.c"?`}},
		{name: "config: misspelt head", files: map[string]string{"c.yaml": "model:\n  heads:\n    stanse: {c: 3}\n"},
			args: []string{"train", "--config", "@c.yaml", "--data", "$SAMPLE", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{`c.yaml: model.heads.stanse: no head "stanse"; the heads are the keys of labels (sentiment, stance); did you mean "stance"?`}},
		{name: "config: class weights of a misspelt head", files: map[string]string{"c.yaml": "model:\n  class_weights:\n    sentimnt: {POSITIVE: 2}\n"},
			args: []string{"score", "--config", "@c.yaml", "--model", "$MODEL", "x"}, code: exitUsage, rows: none,
			stderr: []string{`model.class_weights.sentimnt: no head "sentimnt"`, `did you mean "sentiment"?`}},
		{name: "config: a label column of the wrong type", files: map[string]string{"c.yaml": "labels:\n  stance: [a, b]\n"},
			args: []string{"train", "--config", "@c.yaml", "--data", "$SAMPLE", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"c.yaml", "labels[stance]", "expected type 'string'"}},
		{name: "config: a head the data lacks is left out, and said so",
			files: map[string]string{"c.yaml": "labels: {stance: stance, sentiment: sentiment, sarcasm: sarcasm}\n"},
			args:  []string{"train", "--max-iter", "3", "--config", "@c.yaml", "--data", "$SAMPLE", "--model", "$OUT"}, code: exitOK, rows: none,
			stderr: []string{`note: no column "sarcasm" for head sarcasm in ../../data/sample/comments.csv; head left out`}},
		{name: "config: only heads the data lacks", files: map[string]string{"c.yaml": "labels: {sarcasm: sarcasm}\n"},
			args: []string{"train", "--config", "@c.yaml", "--data", "$SAMPLE", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{`comments.csv:1: missing column: labels are required but the columns are "id", "article_id", "text", "stance", "sentiment", "created_at"; want at least one of "sarcasm"`}},

		// Model files.
		{name: "model: empty file", files: map[string]string{"m.stance": ""},
			args: []string{"score", "--model", "@m.stance", "x"}, code: exitUsage, rows: none,
			stderr: []string{"m.stance: not a stance model file: it does not start with the model file signature"}},
		{name: "model: a directory", args: []string{"score", "--model", ".", "x"}, code: exitUsage, rows: none,
			stderr: []string{"model .: read .: is a directory"}},
	} {
		t.Run(tt.name, func(t *testing.T) { runBadInput(t, tt, vars) })
	}
}

// runBadInput runs tt, with vars naming the generated files, and checks what it gave.
func runBadInput(t *testing.T, tt badInput, vars map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range tt.files {
		writeFile(t, filepath.Join(dir, name), []byte(content))
	}
	out := filepath.Join(dir, "out.csv")
	args := make([]string, len(tt.args))
	for i, a := range tt.args {
		switch {
		case a == "$OUT":
			args[i] = out
		case strings.HasPrefix(a, "@"):
			args[i] = filepath.Join(dir, a[1:])
		case vars[a] != "":
			args[i] = vars[a]
		default:
			args[i] = a
		}
	}
	r := stance(t, tt.stdin, args...)
	if r.code != tt.code {
		t.Fatalf("exit %d, want %d\n%v", r.code, tt.code, r)
	}
	for _, w := range tt.stderr {
		w = strings.ReplaceAll(w, "@", dir+string(filepath.Separator))
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
	for _, w := range tt.stdout {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout lacks %q:\n%.1000s", w, r.stdout)
		}
	}
	if tt.rows >= 0 {
		if got := len(readCSV(t, r.stdout)) - 1; got != tt.rows {
			t.Errorf("export printed %d rows, want %d:\n%.1000s", got, tt.rows, r.stdout)
		}
	}
	if tt.code != exitOK {
		// One message, after any skips reported before it (a wrapped library error may
		// add lines after it).
		if !strings.HasPrefix(r.stderr, "stance: ") && !strings.Contains(r.stderr, "\nstance: ") {
			t.Errorf("no line of stderr starts with \"stance: \":\n%s", r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("a failed run printed on stdout:\n%.400s", r.stdout)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("the failed run created its output file (%v)", err)
		}
	}
	checkNoTempFiles(t, dir)
}

// TestScoreUnknownFeatures scores comments that hold nothing the sample model knows: emoji it
// never saw, diacritics and tatweel (removed by the normaliser), right-to-left and other
// invisible control characters. Each must score, and get the model's prior: the probabilities
// of a comment without any feature. Mixed Arabic and Latin script must score too.
func TestScoreUnknownFeatures(t *testing.T) {
	model := sampleModel(t)
	sc, err := loadModelFile(t, model).NewScorer()
	if err != nil {
		t.Fatal(err)
	}
	var prior classifier.Scores
	sc.Score(&prior, "", "")
	for _, tt := range []struct {
		name, text string
		isPrior    bool
	}{
		{"only emoji", "😀😀🎉", true},
		{"only diacritics and tatweel", "ـــَُِّْ", true},
		{"right-to-left marks and control characters", "\u200f\u202e\u200b\u2066\u0007\u001b\u200e", true},
		{"mixed Arabic and Latin script", "مرحبا hello عالم world 123 ٤٥", false},
		{"Arabic with diacritics and a right-to-left mark", "\u200fكَلامُه صحيح", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := mustStance(t, "", "score", "--model", model, "--format", "jsonl", tt.text)
			var rec scoreJSON
			if err := json.Unmarshal([]byte(r.stdout), &rec); err != nil {
				t.Fatalf("score --format jsonl: %v\n%s", err, r.stdout)
			}
			if rec.Text != tt.text {
				t.Errorf("text %q came back as %q", tt.text, rec.Text)
			}
			m := loadModelFile(t, model)
			for hi, h := range m.Heads {
				sum := 0.0
				for k, c := range h.Classes {
					p := rec.Heads[h.Name].Probs[c]
					if math.IsNaN(p) || p <= 0 || p >= 1 {
						t.Errorf("head %s: P(%s) = %v", h.Name, c, p)
					}
					sum += p
					if tt.isPrior && math.Abs(p-prior.Probs[hi][k]) > 1e-12 {
						t.Errorf("head %s: P(%s) = %v, want the prior %v", h.Name, c, p, prior.Probs[hi][k])
					}
				}
				if math.Abs(sum-1) > 1e-9 {
					t.Errorf("head %s: probabilities add up to %v", h.Name, sum)
				}
			}
		})
	}
}

// TestHugeComment scores one 10 MB comment (1 MB with -short) with export and score, from a
// file and, for score, from standard input: it must work, and the row after it too. A comment
// read from standard input is held whole, so a line over maxStdinLine is an input error.
func TestHugeComment(t *testing.T) {
	model := sampleModel(t)
	size := 10 << 20
	if testing.Short() {
		size = 1 << 20
	}
	words := []string{"hello", "world", "الله", "يبارك", "كلامه", "صحيح", "nonsense", "🙂", "جمييييل", "about", "time"}
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		b.WriteString(words[i*7%len(words)])
		b.WriteByte(' ')
	}
	huge := b.String()
	dir := t.TempDir()
	data := filepath.Join(dir, "huge.csv")
	writeCSV(t, data, [][]string{{"id", "text"}, {"huge", huge}, {"small", "hello"}})

	start := time.Now()
	out := filepath.Join(dir, "scores.csv")
	mustStance(t, "", "export", "-q", "--model", model, "--data", data, "--out", out)
	if got := column(t, out, "id"); !slices.Equal(got, []string{"huge", "small"}) {
		t.Errorf("export ids %v, want [huge small]", got)
	}
	r := mustStance(t, "", "score", "-q", "--model", model, "--data", data, "--format", "jsonl")
	if n := strings.Count(r.stdout, "\n"); n != 2 {
		t.Errorf("score printed %d lines, want 2", n)
	}
	r = mustStance(t, huge+"\nhello\n", "score", "-q", "--model", model, "--format", "csv")
	if n := len(readCSV(t, r.stdout)); n != 3 {
		t.Errorf("score from standard input printed %d CSV records, want 3", n)
	}
	t.Logf("%d-byte comment exported and scored three times in %v", len(huge), time.Since(start))

	if testing.Short() {
		return
	}
	r = stance(t, strings.Repeat("x", maxStdinLine+1)+"\n", "score", "--model", model)
	if r.code != exitUsage || lastLine(r.stderr) != "stance: standard input line 1: longer than 12582912 bytes; raise limits.record_bytes if it is real text" {
		t.Errorf("a line over 64 MiB on standard input: %v", r)
	}
}

// failingWriter accepts limit bytes, then fails every write as a full disk does.
type failingWriter struct {
	limit, n int
}

var errDiskFull = errors.New("no space left on device (simulated)")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > w.limit {
		k := max(0, w.limit-w.n)
		w.n += k
		return k, errDiskFull
	}
	w.n += len(p)
	return len(p), nil
}

// TestStdoutWriteError runs the commands that write to standard output with a standard output
// that fails, at once or part way: each must exit 1 with the write error as its message, not 0.
func TestStdoutWriteError(t *testing.T) {
	model := sampleModel(t)
	many := repeatComments(t, t.TempDir(), "many.csv", sampleNew, 2000) // some 190 kB of scores
	for _, tt := range []struct {
		name  string
		limit int
		args  []string
	}{
		{"export --out -", 0, []string{"export", "--model", model, "--data", sampleNew, "--out", "-"}},
		{"export --out - failing part way", 100_000, []string{"export", "--model", model, "--data", many, "--out", "-"}},
		{"score table", 0, []string{"score", "--model", model, "--data", sampleNew}},
		{"score csv", 0, []string{"score", "--model", model, "--data", sampleNew, "--format", "csv"}},
		{"score jsonl", 0, []string{"score", "--model", model, "--data", sampleNew, "--format", "jsonl"}},
		{"score json", 0, []string{"score", "--model", model, "--data", sampleNew, "--format", "json"}},
		{"evaluate table", 0, []string{"evaluate", "--model", model, "--data", sampleComments}},
		{"evaluate json", 0, []string{"evaluate", "--model", model, "--data", sampleComments, "--format", "json"}},
		{"explain", 0, []string{"explain", "--model", model, "hello"}},
		{"config", 0, []string{"config"}},
		{"version", 0, []string{"version"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			w := &failingWriter{limit: tt.limit}
			code := run(context.Background(), tt.args, strings.NewReader(""), w, &stderr)
			if code != exitFailure {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, exitFailure, stderr.String())
			}
			if !strings.Contains(stderr.String(), "stance: ") || !strings.Contains(stderr.String(), errDiskFull.Error()) {
				t.Errorf("stderr does not report the write error:\n%s", stderr.String())
			}
			if strings.Contains(stderr.String(), "written to") {
				t.Errorf("stderr claims the output was written:\n%s", stderr.String())
			}
		})
	}
}

// TestBrokenPipe runs the built binary the way `stance export --out - | head -1` does, and with
// standard output on a full disk (/dev/full). On a closed pipe a Go program that writes to its
// standard output is killed by SIGPIPE (os/signal, "SIGPIPE"), which is what GNU tools do too
// (the shell shows exit status 141): the run must end so, at once, with no panic or message on
// stderr. On /dev/full the write error is a runtime failure: exit 1, and the error named.
func TestBrokenPipe(t *testing.T) {
	bin := stanceBinary(t)
	model, err := filepath.Abs(sampleModel(t))
	if err != nil {
		t.Fatal(err)
	}
	data := repeatComments(t, t.TempDir(), "many.csv", sampleNew, 20_000) // 2 MB of scores, far more than a pipe holds
	for _, args := range [][]string{
		{"export", "--model", model, "--data", data, "--out", "-"},
		{"score", "--model", model, "--data", data, "--format", "jsonl"},
	} {
		t.Run(args[0]+" | head -1", func(t *testing.T) {
			cmd := exec.Command(bin, args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			first := make([]byte, 64)
			if _, err := io.ReadFull(stdout, first); err != nil {
				t.Fatalf("reading the first bytes: %v", err)
			}
			stdout.Close() // as head does after its line
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err = <-done:
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 60s after its reader went away")
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("%v, want death by SIGPIPE", err)
			}
			ws, ok := ee.Sys().(syscall.WaitStatus)
			if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGPIPE {
				t.Errorf("%v, want death by SIGPIPE\n%s", err, stderr.String())
			}
			if stderr.Len() > 0 {
				t.Errorf("stderr on a closed pipe:\n%s", stderr.String())
			}
		})
	}
	t.Run("export --out - on a full disk", func(t *testing.T) {
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Skipf("no /dev/full: %v", err)
		}
		defer full.Close()
		cmd := exec.Command(bin, "export", "--model", model, "--data", data, "--out", "-")
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = full, &stderr
		err = cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitFailure {
			t.Errorf("%v, want exit status %d", err, exitFailure)
		}
		if want := "stance: write /dev/stdout: no space left on device\n"; stderr.String() != want {
			t.Errorf("stderr %q, want %q", stderr.String(), want)
		}
	})
}

// TestModelNeverEnding gives --model an endless stream: the signature check must refuse
// it at once instead of reading it into memory.
func TestModelNeverEnding(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	r := stance(t, "", "score", "--model", "/dev/zero", "x")
	if r.code != exitUsage || lastLine(r.stderr) != "stance: model /dev/zero: not a stance model file: it does not start with the model file signature" {
		t.Errorf("--model /dev/zero: %v", r)
	}
}
