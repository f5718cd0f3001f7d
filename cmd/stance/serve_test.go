package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
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
		args []string
		says string
	}{
		{"no model", []string{"serve"}, "no model"},
		{"half of TLS", []string{"serve", "--model", model, "--tls-cert", "c.pem"}, "both --tls-cert and --tls-key"},
		{"missing TLS files", []string{"serve", "--model", model, "--tls-cert", "c.pem", "--tls-key", "k.pem"}, "--tls-cert c.pem"},
		{"bad limit", []string{"serve", "--model", model, "--max-batch", "0"}, "serve.max_batch"},
		{"bad address", []string{"serve", "--model", model, "--addr", "127.0.0.1:99999"}, "--addr 127.0.0.1:99999"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := stance(t, "", tt.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.says) {
				t.Errorf("%v: want exit 2 saying %q", r, tt.says)
			}
		})
	}
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
