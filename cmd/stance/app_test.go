package main

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commentstance/stance/classifier"
)

// TestExitCodes runs mistakes users make and checks the exit code (0 success, 2 a usage or
// input error, 1 a runtime failure; app.go) and that the one-line message says what is wrong.
func TestExitCodes(t *testing.T) {
	model := sampleModel(t)
	dir := t.TempDir()
	good := readFile(t, model)
	put := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		writeFile(t, p, b)
		return p
	}
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0xff
	newer := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(newer[8:12], 99) // the format version (classifier/file.go)
	models := map[string]string{
		"$TRUNCATED": put("truncated.stance", good[:len(good)/2]),
		"$SHORT":     put("short.stance", good[:20]),
		"$CORRUPTED": put("corrupted.stance", flipped),
		"$NEWER":     put("newer.stance", newer),
	}
	configs := map[string]string{
		"$TYPO":    put("typo.yaml", []byte("featurs:\n  bits: 18\n")),
		"$TYPE":    put("type.yaml", []byte("model:\n  c: abc\n")),
		"$RANGE":   put("range.yaml", []byte("features:\n  bits: 8\n")),
		"$SECTION": put("section.yaml", []byte("features: 3\n")),
		"$YAML":    put("broken.yaml", []byte("model: [c\n")),
		"$GOOD":    put("good.yaml", []byte("model:\n  c: 2\n")),
	}
	noText := put("no-text.csv", []byte("id,article_id,body,stance,sentiment\nc1,en-wind-farm,hello,FAVOR,POSITIVE\n"))
	missingDir := filepath.Join(dir, "no", "such", "dir")

	for _, tt := range []struct {
		name    string
		args    []string
		env     map[string]string
		stdin   string
		code    int
		line    string   // stderr's last line after "stance: ", $DIR for the test's directory
		want    []string // in stderr, where the whole message is not known (a library's parse error)
		notWant []string
	}{
		// Success.
		{name: "version", args: []string{"version"}, code: exitOK},
		{name: "score", args: []string{"score", "--model", model, "hello"}, code: exitOK},
		{name: "good config", args: []string{"score", "--config", "$GOOD", "--model", model, "hello"}, code: exitOK},

		// Flags and commands.
		{name: "unknown flag", args: []string{"train", "--bogus"}, code: exitUsage,
			line: `unknown flag: --bogus (see 'stance train --help')`},
		{name: "bad flag value", args: []string{"evaluate", "--cv", "x", "--data", sampleComments}, code: exitUsage,
			line: `invalid argument "x" for "--cv" flag: strconv.ParseInt: parsing "x": invalid syntax (see 'stance evaluate --help')`},
		{name: "unknown command", args: []string{"tran"}, code: exitUsage,
			line: `unknown command "tran"; did you mean "train"? (see 'stance --help')`},
		{name: "stray argument", args: []string{"train", "comments.csv"}, code: exitUsage,
			line: `stance train takes no arguments, got "comments.csv" (see 'stance train --help')`},
		{name: "train without --model", args: []string{"train", "--data", sampleComments}, code: exitUsage,
			line: `no model: give --model FILE`},
		{name: "train without --data", args: []string{"train", "--model", filepath.Join(dir, "m.stance")}, code: exitUsage,
			line: `no data: give --data FILE`},
		{name: "score without --model", args: []string{"score", "hello"}, code: exitUsage,
			line: `no model: give --model FILE`},
		{name: "export without --model", args: []string{"export", "--data", sampleNew, "--out", filepath.Join(dir, "o.csv")}, code: exitUsage,
			line: `no model: give --model FILE`},
		{name: "export without --out", args: []string{"export", "--model", model, "--data", sampleNew}, code: exitUsage,
			line: `export needs --data FILE and --out FILE`},
		{name: "evaluate without --model or --cv", args: []string{"evaluate", "--data", sampleComments}, code: exitUsage,
			line: `evaluate: give either --model FILE or --cv K`},
		{name: "evaluate with --model and --cv", args: []string{"evaluate", "--model", model, "--cv", "5", "--data", sampleComments}, code: exitUsage,
			line: `evaluate: give either --model FILE or --cv K`},
		{name: "evaluate --format bogus", args: []string{"evaluate", "--model", model, "--data", sampleComments, "--format", "bogus"}, code: exitUsage,
			line: `--format "bogus": want table, json, jsonl or csv`},
		{name: "evaluate --group-by bogus", args: []string{"evaluate", "--cv", "5", "--group-by", "bogus", "--data", sampleComments}, code: exitUsage,
			line: `--group-by "bogus": want article, group or none`},
		{name: "score --format bogus", args: []string{"score", "--model", model, "--format", "bogus", "hello"}, code: exitUsage,
			line: `--format "bogus": want table, csv, jsonl or json`},
		{name: "score arguments and --data", args: []string{"score", "--model", model, "--data", sampleNew, "hello"}, code: exitUsage,
			line: `give comments as arguments or --data, not both`},
		{name: "score --article and --article-file", args: []string{"score", "--model", model, "--article", "a", "--article-file", sampleArticles, "hello"}, code: exitUsage,
			line: `give --article or --article-file, not both`},
		{name: "score with nothing on standard input", args: []string{"score", "--model", model}, stdin: "\n  \n", code: exitUsage,
			line: `no comments to score: give them as arguments, with --data FILE, or on standard input`},

		// Configuration.
		{name: "config key typo", args: []string{"train", "--config", "$TYPO", "--data", sampleComments, "--model", filepath.Join(dir, "m.stance")}, code: exitUsage,
			line: `config $DIR/typo.yaml: unknown key "featurs.bits"; did you mean "features.bits"?`},
		{name: "config value of the wrong type", args: []string{"train", "--config", "$TYPE", "--data", sampleComments, "--model", filepath.Join(dir, "m.stance")}, code: exitUsage,
			want: []string{"type.yaml", "model.c", "cannot parse"}},
		{name: "environment value of the wrong type", args: []string{"train", "--data", sampleComments, "--model", filepath.Join(dir, "m.stance")},
			env: map[string]string{"STANCE_MODEL_C": "abc"}, code: exitUsage,
			want: []string{"STANCE_", "model.c", "cannot parse"}, notWant: []string{"config.yaml"}},
		{name: "config value out of range", args: []string{"train", "--config", "$RANGE", "--data", sampleComments, "--model", filepath.Join(dir, "m.stance")}, code: exitUsage,
			line: `features.bits = 8: want 16 to 26`},
		{name: "config section given a value", args: []string{"score", "--config", "$SECTION", "--model", model, "x"}, code: exitUsage,
			line: `config $DIR/section.yaml: "features" is a section, not a value; set its keys, such as "features.article_tokens"`},
		{name: "config not YAML", args: []string{"score", "--config", "$YAML", "--model", model, "x"}, code: exitUsage,
			line: `config $DIR/broken.yaml: While parsing config: yaml: line 1: did not find expected ',' or ']'`},
		{name: "config file missing", args: []string{"score", "--config", filepath.Join(dir, "none.yaml"), "--model", model, "x"}, code: exitUsage,
			line: `config: open $DIR/none.yaml: no such file or directory`},

		// Data.
		{name: "train: no text column", args: []string{"train", "--data", noText, "--model", filepath.Join(dir, "m.stance")}, code: exitUsage,
			line: `$DIR/no-text.csv:1: missing column "text" for the comment text: the columns are "id", "article_id", "body", "stance", "sentiment"; want a column named "text", or set columns.text to one of them`},
		{name: "evaluate: no text column", args: []string{"evaluate", "--model", model, "--data", noText}, code: exitUsage,
			line: `$DIR/no-text.csv:1: missing column "text" for the comment text: the columns are "id", "article_id", "body", "stance", "sentiment"; want a column named "text", or set columns.text to one of them`},
		{name: "score: no text column", args: []string{"score", "--model", model, "--data", noText}, code: exitUsage,
			line: `$DIR/no-text.csv:1: missing column "text" for the comment text: the columns are "id", "article_id", "body", "stance", "sentiment"; want a column named "text", or set columns.text to one of them`},
		{name: "export: no text column", args: []string{"export", "--model", model, "--data", noText, "--out", filepath.Join(dir, "o.csv")}, code: exitUsage,
			line: `$DIR/no-text.csv:1: missing column "text" for the comment text: the columns are "id", "article_id", "body", "stance", "sentiment"; want a column named "text", or set columns.text to one of them`},
		{name: "data file missing", args: []string{"train", "--data", filepath.Join(dir, "none.csv"), "--model", filepath.Join(dir, "m.stance")}, code: exitUsage,
			line: `open $DIR/none.csv: no such file or directory`},

		// Model files.
		{name: "model truncated", args: []string{"score", "--model", "$TRUNCATED", "x"}, code: exitUsage,
			line: fmt.Sprintf(`model $DIR/truncated.stance: model file is corrupted (checksum mismatch), or truncated: %d bytes`, len(good)/2)},
		{name: "model truncated to its first bytes", args: []string{"score", "--model", "$SHORT", "x"}, code: exitUsage,
			line: `model $DIR/short.stance: model file is truncated: 20 bytes`},
		{name: "model corrupted", args: []string{"score", "--model", "$CORRUPTED", "x"}, code: exitUsage,
			line: fmt.Sprintf(`model $DIR/corrupted.stance: model file is corrupted (checksum mismatch), or truncated: %d bytes`, len(flipped))},
		{name: "model of a newer format", args: []string{"export", "--model", "$NEWER", "--data", sampleNew, "--out", filepath.Join(dir, "o.csv")}, code: exitUsage,
			line: fmt.Sprintf(`model $DIR/newer.stance: model file is of a newer format: format 99, and this program reads format %d; use a newer stance`, classifier.FormatVersion)},
		{name: "not a model", args: []string{"evaluate", "--model", sampleComments, "--data", sampleComments}, code: exitUsage,
			line: "model " + sampleComments + ": not a stance model file: it does not start with the model file signature"},
		{name: "model missing", args: []string{"score", "--model", filepath.Join(dir, "none.stance"), "x"}, code: exitUsage,
			line: `model: open $DIR/none.stance: no such file or directory`},

		// Runtime failures: the output's directory does not exist. The data and model are
		// checked first, and nothing is written.
		{name: "export into a missing directory", args: []string{"export", "--model", model, "--data", sampleNew, "--out", filepath.Join(missingDir, "o.csv")}, code: exitFailure,
			line: `--out: cannot write $DIR/no/such/dir/o.csv: stat $DIR/no/such/dir: no such file or directory`},
		{name: "train into a missing directory", args: []string{"train", "--max-iter", "2", "--data", sampleComments, "--model", filepath.Join(missingDir, "m.stance")}, code: exitFailure,
			line: `--model: cannot write $DIR/no/such/dir/m.stance: stat $DIR/no/such/dir: no such file or directory`},
		{name: "predictions into a missing directory", args: []string{"evaluate", "-q", "--model", model, "--data", sampleComments, "--predictions", filepath.Join(missingDir, "p.csv")}, code: exitFailure,
			line: `--predictions: cannot write $DIR/no/such/dir/p.csv: stat $DIR/no/such/dir: no such file or directory`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args := append([]string(nil), tt.args...)
			for i, a := range args {
				if p, ok := models[a]; ok {
					args[i] = p
				}
				if p, ok := configs[a]; ok {
					args[i] = p
				}
			}
			r := stance(t, tt.stdin, args...)
			t.Log(r.stderr)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\n%v", r.code, tt.code, r)
			}
			if tt.code == exitOK {
				return
			}
			// One message on one line (a wrapped library error may add lines after it).
			if !strings.HasPrefix(r.stderr, "stance: ") {
				t.Errorf("stderr %q does not start with \"stance: \"", r.stderr)
			}
			if got := strings.ReplaceAll(lastLine(r.stderr), dir, "$DIR"); tt.line != "" && got != "stance: "+tt.line {
				t.Errorf("stderr's last line\n%s\nwant\nstance: %s", got, tt.line)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(r.stderr, w) {
					t.Errorf("stderr has %q:\n%s", w, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("a failed run printed on stdout:\n%.400s", r.stdout)
			}
		})
	}
	checkNoTempFiles(t, dir)
}

// TestHelp checks that the root command and every subcommand show examples: cobra prints a
// command's Example under "Examples:".
func TestHelp(t *testing.T) {
	for _, cmd := range []string{"", "train", "evaluate", "score", "export", "summarize", "explain", "config", "version"} {
		for _, args := range [][]string{{cmd, "--help"}, {"help", cmd}, {cmd, "-h"}} {
			args = strings.Fields(strings.Join(args, " "))
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				r := mustStance(t, "", args...)
				for _, want := range []string{"Usage:", "Examples:\n  stance " + cmd} {
					if !strings.Contains(r.stdout, want) {
						t.Errorf("help lacks %q:\n%s", want, r.stdout)
					}
				}
			})
		}
	}
	// Without a command, stance shows its help too.
	if r := mustStance(t, "", []string{}...); !strings.Contains(r.stdout, "Available Commands:") {
		t.Errorf("stance alone:\n%s", r.stdout)
	}
}
