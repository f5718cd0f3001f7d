package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestServeUsage(t *testing.T) {
	model := sampleModel(t)
	for _, tt := range []struct {
		name string
		env  string
		args []string
		says string
	}{
		{"bad timeout from the environment", "STANCE_SERVE_READ_TIMEOUT=0s", []string{"serve", "--model", model}, "serve.read_timeout 0s: want a positive duration such as 30s"},
		{"no model", "", []string{"serve"}, "no model: give --model FILE"},
		{"half of TLS", "", []string{"serve", "--model", model, "--tls-cert", "c.pem"}, "give both --tls-cert and --tls-key, or neither"},
		{"missing TLS files", "", []string{"serve", "--model", model, "--tls-cert", "c.pem", "--tls-key", "k.pem"}, "--tls-cert c.pem, --tls-key k.pem: open c.pem: no such file or directory"},
		{"bad limit", "", []string{"serve", "--model", model, "--max-batch", "0"}, "serve.max_batch 0: want a positive number"},
		{"bad address", "", []string{"serve", "--model", model, "--addr", "127.0.0.1:99999"}, "--addr 127.0.0.1:99999: listen tcp: address 99999: invalid port"},
		// serve loads within config.yaml's limits, and says them in its terms.
		{"model over limits.model_file_bytes", "STANCE_LIMITS_MODEL_FILE_BYTES=2048", []string{"serve", "--model", model},
			fmt.Sprintf("model %s: model is over a limit: the file is %d bytes, more than 2048; raise limits.model_file_bytes if it is a model", model, fileSize(t, model))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				k, v, _ := strings.Cut(tt.env, "=")
				t.Setenv(k, v)
			}
			r := stance(t, "", tt.args...)
			if r.code != exitUsage || lastLine(r.stderr) != "stance: "+tt.says {
				t.Errorf("%v: want exit 2 saying %q", r, tt.says)
			}
		})
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestServeSignals runs stance serve as a process of its own: it answers on the port it logs,
// reloads on SIGHUP, and on SIGTERM shuts down and exits 0.
func TestServeSignals(t *testing.T) {
	bin := stanceBinary(t)
	model := sampleModel(t)
	cmd := exec.Command(bin, "serve", "--model", model, "--addr", "127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan map[string]any, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var v map[string]any
			if json.Unmarshal(sc.Bytes(), &v) == nil {
				lines <- v
			}
		}
	}()
	next := func(msg string) map[string]any {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case v, ok := <-lines:
				if !ok {
					t.Fatalf("stance serve ended before logging %q", msg)
				}
				if v["msg"] == msg {
					return v
				}
			case <-timeout:
				t.Fatalf("no %q logged in 20s", msg)
			}
		}
	}
	url := next("listening")["url"].(string)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("listening on %s: want loopback", url)
	}
	resp, err := http.Post(url+"/v1/score", "application/json", strings.NewReader(`{"text":"About time!","article":"Council approves congestion charge"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"stance_score":`) {
		t.Errorf("/v1/score: %d %s", resp.StatusCode, b)
	}
	if v := next("request"); v["status"] != 200.0 || v["path"] != "/v1/score" || strings.Contains(toJSON(v), "About time") {
		t.Errorf("access log %v: want the request, without its text", v)
	}
	cmd.Process.Signal(syscall.SIGHUP)
	next("model reloaded")
	cmd.Process.Signal(syscall.SIGTERM)
	next("shut down")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("after SIGTERM: %v, want exit 0", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("still running 20s after SIGTERM")
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestScoreLineProtocol drives stance score --data - --input-format jsonl as a stream processor
// does (Redpanda Connect's subprocess processor, Spark's RDD.pipe()): it writes one line, waits
// for its answer, and only then writes the next.
func TestScoreLineProtocol(t *testing.T) {
	bin := stanceBinary(t)
	model := sampleModel(t)
	cmd := exec.Command(bin, "score", "--model", model, "--data", "-", "--input-format", "jsonl", "--format", "jsonl")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	answers := make(chan string)
	go func() {
		defer close(answers)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			answers <- sc.Text()
		}
	}()
	for i, text := range []string{"About time they did something", "كلامه صحيح", "This is nonsense"} {
		line, _ := json.Marshal(map[string]string{"id": fmt.Sprint(i), "text": text, "article": "Council approves congestion charge"})
		if _, err := stdin.Write(append(line, '\n')); err != nil {
			t.Fatal(err)
		}
		select {
		case a, ok := <-answers:
			if !ok {
				t.Fatalf("output ended before the answer to line %d; stderr: %s", i+1, stderr.String())
			}
			var v struct {
				ID    string         `json:"id"`
				Text  string         `json:"text"`
				Heads map[string]any `json:"heads"`
			}
			if err := json.Unmarshal([]byte(a), &v); err != nil || v.ID != fmt.Sprint(i) || v.Text != text || v.Heads["stance"] == nil {
				t.Errorf("answer to line %d: %s (%v)", i+1, a, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("no answer to line %d within 20s while the input stays open: not flushed per line", i+1)
		}
	}
	stdin.Close()
	if _, ok := <-answers; ok {
		t.Error("an answer more than the lines written")
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit: %v; stderr: %s", err, stderr.String())
	}
}

func TestScoreInputFormatUsage(t *testing.T) {
	model := sampleModel(t)
	r := stance(t, "", "score", "--model", model, "--input-format", "xml")
	if r.code != exitUsage || lastLine(r.stderr) != "stance: --input-format \"xml\": want text, csv, tsv or jsonl" {
		t.Errorf("--input-format xml: %v", r)
	}
	// On standard input a bad line ends the run at once, naming it, rather than being skipped.
	r = stance(t, `{"text":"fine"}`+"\n"+`{"text":`+"\n", "score", "--model", model, "--input-format", "jsonl", "--format", "jsonl")
	if r.code != exitUsage || strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stderr, ":2") {
		t.Errorf("a bad second line: %v; want one answer, then exit 2 naming line 2", r)
	}
}
