package main

// Hostile and messy input, end to end (issue 17): each class of failure an attack on the CLI
// found, with cases of our own. The library's cases are in data/hostile_test.go,
// classifier/bounds_test.go and internal/atomicfile/special_test.go.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

func TestHostileInputs(t *testing.T) {
	model := sampleModel(t)
	gen := t.TempDir()
	// 50,000 malformed rows and one good one.
	var bad strings.Builder
	bad.WriteString("id,text\n")
	for i := range 50_000 {
		fmt.Fprintf(&bad, "%d,a,b\n", i)
	}
	bad.WriteString("good,the one good row\n")
	badRows := filepath.Join(gen, "bad-rows.csv")
	writeFile(t, badRows, []byte(bad.String()))
	// The signature of a model file, then 2 MiB of zeros.
	zeroModel := filepath.Join(gen, "zeros.stance")
	writeFile(t, zeroModel, append([]byte("STANCE\x00M"), make([]byte, 2<<20)...))
	huge := filepath.Join(gen, "huge.stance")
	writeFile(t, huge, manyHeadModel(t, model, 16, 2047))
	// 10,000 labels: a text column mapped as the stance.
	var many strings.Builder
	many.WriteString("id,text,stance\n")
	for i := range 10_000 {
		fmt.Fprintf(&many, "%d,text %d,label%d\n", i, i, i)
	}
	manyLabels := filepath.Join(gen, "many-labels.csv")
	writeFile(t, manyLabels, []byte(many.String()))
	vars := map[string]string{"$MODEL": model, "$ARTICLES": sampleArticles, "$SAMPLE": sampleComments,
		"$BADROWS": badRows, "$ZEROMODEL": zeroModel, "$HUGEMODEL": huge, "$MANYLABELS": manyLabels}
	arabic1256 := "id,text\n" + mustEncode(t, charmap.Windows1256, "1,هذا القرار صحيح\n2,لا أوافق أبدا\n3,شكرا\n")
	none := -1
	for _, tt := range []badInput{
		// 1. Unbounded reads.
		{name: "config /dev/zero", args: []string{"score", "--config", "/dev/zero", "--model", "$MODEL", "x"}, code: exitUsage, rows: none,
			stderr: []string{"config /dev/zero: longer than 1048576 bytes; want a YAML configuration"}},
		{name: "article-file /dev/zero", args: []string{"score", "--model", "$MODEL", "--article-file", "/dev/zero", "x"}, code: exitUsage, rows: none,
			stderr: []string{"--article-file: longer than 12582912 bytes; raise limits.record_bytes"}},
		{name: "a record over limits.record_bytes", files: map[string]string{"c.csv": "id,text\n1," + strings.Repeat("word ", 4000) + "\n", "c.yaml": "limits:\n  record_bytes: 10000\n"},
			args: []string{"export", "--config", "@c.yaml", "--model", "$MODEL", "--data", "@c.csv", "--out", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"c.csv:2: over the size limit: longer than 10000 bytes; raise limits.record_bytes if it is real data"}},
		{name: "model: the signature and zeros", files: map[string]string{"c.yaml": "limits:\n  model_file_bytes: 1048576\n"},
			args: []string{"export", "--config", "@c.yaml", "--model", "$ZEROMODEL", "--data", "$SAMPLE", "--out", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"zeros.stance: model is over a limit: the file is 2097160 bytes, more than 1048576; raise limits.model_file_bytes"}},
		{name: "model: the signature and zeros, default limits", args: []string{"score", "--model", "$ZEROMODEL", "x"}, code: exitUsage, rows: none,
			stderr: []string{"zeros.stance: not a stance model file: format version 0"}},

		// 2. A small model file that demands gigabytes.
		{name: "model: 16 heads of 2047 classes, score", args: []string{"score", "--model", "$HUGEMODEL", "x"}, code: exitUsage, rows: none,
			stderr: []string{"huge.stance: model is over a limit: 16 heads of", "for the scoring table, more than 1536 MiB; raise limits.model_memory_bytes"}},
		{name: "model: 16 heads of 2047 classes, explain", args: []string{"explain", "--model", "$HUGEMODEL", "x"}, code: exitUsage, rows: none,
			stderr: []string{"over 2^20 features need 255.9 GiB for the weight matrices"}},
		{name: "model: 16 heads of 2047 classes, info", args: []string{"info", "--model", "$HUGEMODEL"}, code: exitUsage, rows: none,
			stderr: []string{"model is over a limit"}},

		// 5. Special outputs.
		{name: "export --out /dev/null", args: []string{"export", "--model", "$MODEL", "--data", "$SAMPLE", "--out", "/dev/null"}, code: exitOK, rows: none,
			stderr: []string{"scores written to /dev/null"}},
		{name: "export --out a directory fails before the work", args: []string{"export", "--model", "$MODEL", "--data", "$SAMPLE", "--out", "."}, code: exitFailure, rows: none,
			stderr: []string{"--out: . is a directory; want a file name"}},
		{name: "export --out a 255-byte name", args: []string{"export", "--model", "$MODEL", "--data", "$SAMPLE", "--out", "@" + strings.Repeat("n", 251) + ".csv"}, code: exitOK, rows: none},

		// 7. Configuration that cannot work.
		{name: "config: a head's C of NaN", files: map[string]string{"c.yaml": "model:\n  heads:\n    stance: {c: .nan}\n"},
			args: []string{"train", "--config", "@c.yaml", "--data", "$SAMPLE", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"model.heads.stance.c = NaN: want a number above 0 and at most 1e+10 (or 0 for model.c)"}},
		{name: "config: tune.repeats of a billion", files: map[string]string{"c.yaml": "tune:\n  repeats: 1000000000\n"},
			args: []string{"train", "--tune", "--config", "@c.yaml", "--data", "$SAMPLE", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"tune.repeats = 1000000000: want at least 1 and at most 100"}},
		{name: "config: features.bits 26", files: map[string]string{"c.yaml": "features:\n  bits: 26\n"},
			args: []string{"train", "--config", "@c.yaml", "--data", "$SAMPLE", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"features.bits = 26: a model of 2 heads over 2^26 features needs", "more than limits.model_memory_bytes (1536 MiB)"}},
		{name: "config: features.bits 25 with one head", files: map[string]string{"c.yaml": "features:\n  bits: 25\nlabels:\n  stance: stance\n"},
			args: []string{"train", "--config", "@c.yaml", "--data", "$SAMPLE", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"heads [stance] with [3] classes over 2^25 features (features.bits) need 1792 MiB to train and save, more than limits.model_memory_bytes (1536 MiB)"}},
		{name: "config: conjoin_weight inf", files: map[string]string{"c.yaml": "features:\n  conjoin_weight: .inf\n"},
			args: []string{"train", "--config", "@c.yaml", "--data", "$SAMPLE", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"features.conjoin_weight = +Inf: want a number above 0 and at most 1e+06"}},
		{name: "config: conjoin_weight 1e308", files: map[string]string{"c.yaml": "features:\n  conjoin_weight: 1e308\n"},
			args: []string{"evaluate", "--cv", "3", "--config", "@c.yaml", "--data", "$SAMPLE"}, code: exitUsage, rows: none,
			stderr: []string{"features.conjoin_weight = 1e+308"}},
		{name: "config: all-zero class weights", files: map[string]string{"c.yaml": "model:\n  class_weights:\n    stance: {AGAINST: 0, FAVOR: 0, NONE: 0}\n"},
			args: []string{"train", "--config", "@c.yaml", "--data", "$SAMPLE", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"model.class_weights.stance.against = 0: want a number above 0 and at most 1e+06"}},
		{name: "config: model.c of 1e300", files: map[string]string{"c.yaml": "model:\n  c: 1e300\n"},
			args: []string{"train", "--config", "@c.yaml", "--data", "$SAMPLE", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"model.c = 1e+300: want a number above 0 and at most 1e+10"}},
		{name: "config: a class weight of inf", files: map[string]string{"c.yaml": "model:\n  class_weights:\n    stance: {FAVOR: .inf}\n"},
			args: []string{"train", "--config", "@c.yaml", "--data", "$SAMPLE", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"model.class_weights.stance.favor = +Inf: want a number above 0 and at most 1e+06"}},
		{name: "config: tune.c with NaN", files: map[string]string{"c.yaml": "tune:\n  c: [1, .nan]\n"},
			args: []string{"evaluate", "--cv", "3", "--tune", "--config", "@c.yaml", "--data", "$SAMPLE"}, code: exitUsage, rows: none,
			stderr: []string{"tune.c = [1 NaN]: want numbers above 0"}},
		{name: "config: a limit of 10 bytes", files: map[string]string{"c.yaml": "limits:\n  record_bytes: 10\n"},
			args: []string{"score", "--config", "@c.yaml", "--model", "$MODEL", "x"}, code: exitUsage, rows: none,
			stderr: []string{"limits.record_bytes = 10: want at least 1024 bytes"}},
		// Every run names the same one of several bad limits: the first in config.yaml's order.
		{name: "config: three limits too small", files: map[string]string{"c.yaml": "limits:\n  xlsx_bytes: 5\n  model_file_bytes: 7\n  article_file_bytes: 9\n"},
			args: []string{"score", "--config", "@c.yaml", "--model", "$MODEL", "x"}, code: exitUsage, rows: none,
			stderr: []string{"limits.article_file_bytes = 9: want at least 1024 bytes"}},
		{name: "config: a delimiter of two characters", args: []string{"export", "--delimiter", ";;", "--model", "$MODEL", "--data", "$SAMPLE", "--out", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{`delimiter = ";;": want one character`}},

		// 8. Skips are counted, not kept.
		{name: "50,000 malformed rows and one good", args: []string{"export", "--model", "$MODEL", "--data", "$BADROWS", "--out", "-"}, code: exitOK, rows: 1,
			stderr: []string{"... and 49995 more rows skipped"}},

		// 9. Bare CRs inside rows.
		{name: "bare CR inside a row", files: map[string]string{"c.csv": "id,text\n1,first\r2,second\r3,third\n4,fourth\n"},
			args: []string{"export", "--model", "$MODEL", "--data", "@c.csv", "--out", "-"}, code: exitOK, rows: 1,
			stderr: []string{`c.csv:2: field "text": bare carriage return inside the record`}},

		// 10. Nothing done.
		{name: "windows-1256 without --encoding: every row skipped, with the hint", files: map[string]string{"a.csv": arabic1256},
			args: []string{"export", "--model", "$MODEL", "--data", "@a.csv", "--out", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"every record was skipped as bad: all 3 records", "3 of 3 records are not valid UTF-8", "set encoding, e.g. to windows-1256"}},
		{name: "windows-1256 with --encoding", files: map[string]string{"a.csv": arabic1256},
			args: []string{"export", "--encoding", "windows-1256", "--model", "$MODEL", "--data", "@a.csv", "--out", "-"}, code: exitOK, rows: 3},
		{name: "encoding in the config", files: map[string]string{"a.csv": arabic1256, "c.yaml": "encoding: windows-1256\n"},
			args: []string{"summarize", "--config", "@c.yaml", "--model", "$MODEL", "--data", "@a.csv"}, code: exitOK, rows: none},
		{name: "an unknown encoding", args: []string{"export", "--encoding", "latin-9x", "--model", "$MODEL", "--data", "$SAMPLE", "--out", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{`unknown encoding "latin-9x"`}},
		{name: "semicolons with --delimiter", files: map[string]string{"s.csv": "id;text\n1;\"ok; fine\"\n2;no\n"},
			args: []string{"export", "--delimiter", ";", "--model", "$MODEL", "--data", "@s.csv", "--out", "-"}, code: exitOK, rows: 2},
		{name: "semicolons without --delimiter", files: map[string]string{"s.csv": "id;text\n1;ok\n"},
			args: []string{"export", "--model", "$MODEL", "--data", "@s.csv", "--out", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{`missing column "text" for the comment text: the columns are "id;text"`, "or set columns.text"}},

		// 11. Messages in the user's terms.
		{name: "--cv -3", args: []string{"evaluate", "--cv", "-3", "--data", "$SAMPLE"}, code: exitUsage, rows: none,
			stderr: []string{"--cv -3: want the number of folds, 2 or more"}},
		{name: "--group-by group without a group column", args: []string{"evaluate", "--cv", "3", "--group-by", "group", "--data", "$SAMPLE"}, code: exitUsage, rows: none,
			stderr: []string{"--group-by group: the data has no group column (group) or leaves it empty", "name the column with columns.group"}},
		{name: "10,000 labels", args: []string{"train", "--data", "$MANYLABELS", "--model", "$OUT"}, code: exitUsage, rows: none,
			stderr: []string{"head stance has 10000 distinct labels (column \"stance\"); want classes, at most 1000"}},
	} {
		t.Run(tt.name, func(t *testing.T) { runBadInput(t, tt, vars) })
	}
}

func mustEncode(t *testing.T, e *charmap.Charmap, s string) string {
	t.Helper()
	b, err := e.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// manyHeadModel rewrites the header of the model file at path to declare heads heads of
// classes classes each, with a valid checksum: 1 MB that claimed 8 GiB.
func manyHeadModel(t *testing.T, path string, heads, classes int) []byte {
	t.Helper()
	b := readFile(t, path)
	n := binary.LittleEndian.Uint32(b[12:16])
	var h map[string]any
	if err := json.Unmarshal(b[16:16+n], &h); err != nil {
		t.Fatal(err)
	}
	var hs []any
	for i := range heads {
		cs := make([]string, classes)
		for k := range cs {
			cs[k] = fmt.Sprintf("c%d", k)
		}
		hs = append(hs, map[string]any{"name": fmt.Sprintf("h%d", i), "classes": cs})
	}
	h["heads"] = hs
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	out.Write(b[:12])
	binary.Write(&out, binary.LittleEndian, uint32(len(js)))
	out.Write(js)
	out.Write(b[16+n : len(b)-sha256.Size])
	sum := sha256.Sum256(out.Bytes())
	out.Write(sum[:])
	return out.Bytes()
}

// TestOutputIsAnInput: no command writes through a path that is also one of its inputs, or
// another of its outputs; each is refused before any work, naming both flags, and the input is
// left as it was.
func TestOutputIsAnInput(t *testing.T) {
	model := sampleModel(t)
	for _, tt := range []struct {
		name string
		args func(dir, data, model string) []string
		msg  string
	}{
		{"export --out is --data", func(d, data, m string) []string {
			return []string{"export", "--model", m, "--data", data, "--out", data}
		}, "--out DATA is the same file as --data DATA: writing it would destroy the input"},
		{"export --out is --articles", func(d, data, m string) []string {
			return []string{"export", "--model", m, "--data", data, "--articles", data, "--out", data}
		}, "--out DATA is the same file as --data DATA"},
		{"export --out is --model", func(d, data, m string) []string {
			return []string{"export", "--model", m, "--data", data, "--out", m}
		}, "--out MODEL is the same file as --model MODEL"},
		{"export --out is the config", func(d, data, m string) []string {
			c := filepath.Join(d, "c.yaml")
			writeFile(t, c, []byte("seed: 1\n"))
			return []string{"export", "--config", c, "--model", m, "--data", data, "--out", c}
		}, "is the same file as --config"},
		{"export --out a symbolic link to --data", func(d, data, m string) []string {
			link := filepath.Join(d, "link.csv")
			os.Symlink(data, link)
			return []string{"export", "--model", m, "--data", data, "--out", link}
		}, "is the same file as --data DATA"},
		{"export --out the same file by another path", func(d, data, m string) []string {
			return []string{"export", "--model", m, "--data", data, "--out", filepath.Join(d, ".", "sub", "..", filepath.Base(data))}
		}, "is the same file as --data DATA"},
		{"train --model is --data", func(d, data, m string) []string {
			return []string{"train", "--data", data, "--model", data}
		}, "--model DATA is the same file as --data DATA"},
		{"train --model is the second --data", func(d, data, m string) []string {
			return []string{"train", "--data", sampleComments, "--data", data, "--model", data}
		}, "--model DATA is the same file as --data DATA"},
		{"evaluate --predictions is --data", func(d, data, m string) []string {
			return []string{"evaluate", "--model", m, "--data", data, "--predictions", data}
		}, "--predictions DATA is the same file as --data DATA"},
		{"evaluate --report is --model", func(d, data, m string) []string {
			return []string{"evaluate", "--model", m, "--data", data, "--report", m}
		}, "--report MODEL is the same file as --model MODEL"},
		{"evaluate --report is --predictions", func(d, data, m string) []string {
			p := filepath.Join(d, "p.csv")
			return []string{"evaluate", "--model", m, "--data", data, "--predictions", p, "--report", p}
		}, "--report is the same file as --predictions give each output its own path"},
		{"summarize --out is --data", func(d, data, m string) []string {
			return []string{"summarize", "--model", m, "--data", data, "--out", data}
		}, "--out DATA is the same file as --data DATA"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			data := filepath.Join(dir, "comments.csv")
			writeFile(t, data, readFile(t, sampleComments))
			m := filepath.Join(dir, "m.stance")
			writeFile(t, m, readFile(t, model))
			args := tt.args(dir, data, m)
			r := stance(t, "", args...)
			if r.code != exitUsage {
				t.Fatalf("exit %d, want %d\n%v", r.code, exitUsage, r)
			}
			msg := strings.NewReplacer("DATA", "", "MODEL", "").Replace(tt.msg)
			for _, part := range strings.Fields(msg) {
				if !strings.Contains(r.stderr, part) {
					t.Errorf("stderr lacks %q:\n%s", part, r.stderr)
				}
			}
			if !bytes.Equal(readFile(t, data), readFile(t, sampleComments)) {
				t.Error("the data file changed")
			}
			if !bytes.Equal(readFile(t, m), readFile(t, model)) {
				t.Error("the model file changed")
			}
			checkNoTempFiles(t, dir)
		})
	}
}

func TestUnknownEnvironmentVariable(t *testing.T) {
	model := sampleModel(t)
	t.Setenv("STANCE_FEATURS_BITS", "18")
	r := stance(t, "", "score", "--model", model, "x")
	if r.code != exitUsage || lastLine(r.stderr) != "stance: environment variable STANCE_FEATURS_BITS names no setting; did you mean STANCE_FEATURES_BITS (features.bits)?" {
		t.Fatalf("%v", r)
	}
}

// zeros is /dev/zero as standard input.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestEndlessStandardInput: --data - fed from /dev/zero, as CSV, TSV and JSONL, stops at the
// record limit (1 MiB here, to keep the test short) instead of exhausting memory.
func TestEndlessStandardInput(t *testing.T) {
	model := sampleModel(t)
	for _, format := range []string{"csv", "jsonl", "tsv"} {
		t.Run(format, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "c.yaml")
			writeFile(t, cfg, []byte("format: "+format+"\nlimits:\n  record_bytes: 1048576\n"))
			var stdout, stderr bytes.Buffer
			done := make(chan int, 1)
			go func() {
				done <- run(context.Background(), []string{"export", "--config", cfg, "--model", model, "--data", "-", "--out", "-"}, zeros{}, &stdout, &stderr)
			}()
			select {
			case code := <-done:
				if code != exitUsage || !strings.Contains(stderr.String(), "raise limits.record_bytes") {
					t.Fatalf("exit %d\n%s", code, stderr.String())
				}
			case <-time.After(60 * time.Second):
				t.Fatal("reading endless zeros did not stop")
			}
		})
	}
}

// TestSignalsStopEveryCommand: a FIFO that no one writes, given as an input, blocks open(2);
// INT, TERM and HUP must still stop the command at once, with no temporary file, and an
// interrupted evaluate must not write --predictions afterwards.
func TestSignalsStopEveryCommand(t *testing.T) {
	bin := stanceBinary(t)
	model := sampleModel(t)
	for _, tt := range []struct {
		name    string
		sig     syscall.Signal
		args    func(fifo, out string) []string
		outputs bool // the command was given an output file (info and explain write none)
	}{
		{"export --model FIFO, SIGINT", syscall.SIGINT, func(fifo, out string) []string {
			return []string{"export", "--model", fifo, "--data", sampleComments, "--out", out}
		}, true},
		{"export --data FIFO, SIGTERM", syscall.SIGTERM, func(fifo, out string) []string {
			return []string{"export", "--model", model, "--data", fifo, "--out", out}
		}, true},
		{"train --articles FIFO, SIGHUP", syscall.SIGHUP, func(fifo, out string) []string {
			return []string{"train", "--data", sampleComments, "--articles", fifo, "--model", out}
		}, true},
		{"info --model FIFO, SIGINT", syscall.SIGINT, func(fifo, out string) []string {
			return []string{"info", "--model", fifo}
		}, false},
		{"explain --model FIFO, SIGQUIT", syscall.SIGQUIT, func(fifo, out string) []string {
			return []string{"explain", "--model", fifo, "x"}
		}, false},
		{"evaluate --model FIFO --predictions, SIGINT", syscall.SIGINT, func(fifo, out string) []string {
			return []string{"evaluate", "--model", fifo, "--data", sampleComments, "--predictions", out}
		}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "fifo.csv")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skip(err)
			}
			out := filepath.Join(dir, "out")
			cmd := exec.Command(bin, tt.args(fifo, out)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Into open(2): the process first starts the Go runtime and every package's init
			// (half a second was too short on a busy machine, and the signal then killed it
			// before its handlers were in place).
			time.Sleep(2 * time.Second)
			cmd.Process.Signal(tt.sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("did not stop within 10 s of %v", tt.sig)
			}
			if code := cmd.ProcessState.ExitCode(); code != exitFailure {
				t.Errorf("exit %d, want %d\n%s", code, exitFailure, stderr.String())
			}
			want := "stance: interrupted\n"
			if tt.outputs {
				want = "stance: interrupted; output files were left as they were: " + out + "\n"
			}
			if !strings.HasSuffix(stderr.String(), want) {
				t.Errorf("stderr: %q, want it to end %q", stderr.String(), want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("the output was written after the signal (%v)", err)
			}
			checkNoTempFiles(t, dir)
		})
	}
}
