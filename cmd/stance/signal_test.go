package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// stanceBinary builds the command once into the shared directory: a signal must reach a
// process of its own.
func stanceBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and scores large inputs; skipped with -short")
	}
	binOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			binErr = err
			return
		}
		p := filepath.Join(shared, "stance")
		out, err := exec.Command(goTool, "build", "-o", p, ".").CombinedOutput()
		if err != nil {
			binErr = errors.New("go build: " + err.Error() + "\n" + string(out))
			return
		}
		binPath = p
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// TestSignal interrupts long runs and checks that they stop at once with exit 1, leave their
// existing output file byte-identical, and leave no temporary file (project convention 5).
func TestSignal(t *testing.T) {
	bin := stanceBinary(t)
	model := sampleModel(t)
	big := t.TempDir()
	// 200,000 comments to export take minutes; 20,000 to train on take seconds at least.
	toExport := repeatComments(t, big, "export.csv", sampleNew, 200_000)
	toTrain := repeatComments(t, big, "train.csv", sampleComments, 20_000)
	articles, err := filepath.Abs(sampleArticles) // the runs start in their own directory
	if err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name   string
		sig    syscall.Signal
		args   func(out string) []string
		out    string // the output file, which exists before the run
		stdin  bool   // keep standard input open and empty
		waitTm bool   // send the signal once the temporary output file exists
	}{
		{
			name: "export SIGTERM", sig: syscall.SIGTERM, out: "scores.csv", waitTm: true,
			args: func(out string) []string {
				return []string{"export", "--model", model, "--data", toExport, "--articles", articles, "--out", out}
			},
		},
		{
			// A closed terminal and Ctrl-\ left a partial temporary file (issue 17).
			name: "export SIGHUP", sig: syscall.SIGHUP, out: "scores.csv", waitTm: true,
			args: func(out string) []string {
				return []string{"export", "--model", model, "--data", toExport, "--articles", articles, "--out", out}
			},
		},
		{
			// A closed terminal and Ctrl-\ left a partial temporary file (issue 17).
			name: "export SIGQUIT", sig: syscall.SIGQUIT, out: "scores.csv", waitTm: true,
			args: func(out string) []string {
				return []string{"export", "--model", model, "--data", toExport, "--articles", articles, "--out", out}
			},
		},
		{
			name: "export to standard output SIGINT", sig: syscall.SIGINT, out: "",
			args: func(string) []string {
				return []string{"export", "--model", model, "--data", toExport, "--articles", articles, "--out", "-"}
			},
		},
		{
			name: "train SIGINT", sig: syscall.SIGINT, out: "model.stance",
			args: func(out string) []string {
				return []string{"train", "--data", toTrain, "--articles", articles, "--model", out}
			},
		},
		{
			name: "evaluate --cv SIGTERM", sig: syscall.SIGTERM, out: "predictions.csv",
			args: func(out string) []string {
				return []string{"evaluate", "--cv", "5", "--data", toTrain, "--articles", articles, "--predictions", out}
			},
		},
		{
			name: "score waiting for standard input SIGINT", sig: syscall.SIGINT, stdin: true,
			args: func(string) []string { return []string{"score", "--model", model} },
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out := ""
			previous := []byte("previous content\n")
			if tt.out != "" {
				out = filepath.Join(dir, tt.out)
				writeFile(t, out, previous)
			}
			cmd := exec.Command(bin, tt.args(out)...)
			cmd.Dir = dir
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = io.Discard, &stderr
			if tt.stdin {
				r, w, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				defer w.Close()
				defer r.Close()
				cmd.Stdin = r
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()

			time.Sleep(300 * time.Millisecond)
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				select {
				case err := <-done:
					t.Fatalf("the run ended before the signal: %v\n%s", err, stderr.String())
				default:
				}
				if !tt.waitTm || len(tempFiles(t, dir)) > 0 {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("no temporary output file after 10s")
				}
			}
			sent := time.Now()
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running 20s after %v\n%s", tt.sig, stderr.String())
			}
			if took := time.Since(sent); took > 5*time.Second {
				t.Errorf("took %v to stop after %v", took, tt.sig)
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitFailure {
				t.Errorf("after %v: %v, want exit status %d", tt.sig, err, exitFailure)
			}
			// Only a run given an output file has one to leave as it was.
			want := "stance: interrupted\n"
			if out != "" {
				want = "stance: interrupted; output files were left as they were: " + out + "\n"
			}
			if !strings.HasSuffix(stderr.String(), want) {
				t.Errorf("stderr:\n%s\nwant it to end %q", stderr.String(), want)
			}
			if out != "" {
				if got := readFile(t, out); !bytes.Equal(got, previous) {
					t.Errorf("the interrupted run changed %s (%d bytes now)", tt.out, len(got))
				}
			}
			checkNoTempFiles(t, dir)
		})
	}
}
