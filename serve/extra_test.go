package serve

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTLS serves HTTPS with a self-signed certificate for 127.0.0.1 made here.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "stance test"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	files := &TLS{CertFile: filepath.Join(dir, "cert.pem"), KeyFile: filepath.Join(dir, "key.pem")}
	os.WriteFile(files.CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(files.KeyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	path := filepath.Join(dir, "m.stance")
	os.WriteFile(path, modelA, 0o644)
	s, err := New(Config{ModelPath: path})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, files) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	tc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer tc.CloseIdleConnections()
	url := "https://" + ln.Addr().String()
	resp, err := tc.Post(url+"/v1alpha1/comments:analyze", "application/json", strings.NewReader(analyzeBody("fine", "", "STANCE_FAVOR")))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "STANCE_FAVOR") || resp.TLS == nil {
		t.Errorf("over TLS: %d %s", resp.StatusCode, b)
	}
	// Plain HTTP to the TLS port is refused.
	if resp, err := client.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		if resp.StatusCode == 200 {
			t.Error("plain HTTP answered 200 on the TLS port")
		}
		resp.Body.Close()
	}
}

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAccessLog: one JSON line per request, without the comment's text unless LogText.
func TestAccessLog(t *testing.T) {
	const secret = "a very private comment"
	for _, logText := range []bool{false, true} {
		var buf syncBuffer
		s := start(t, modelA, Config{Logger: slog.New(slog.NewJSONHandler(&buf, nil)), LogText: logText})
		post(t, s.url+"/v1alpha1/comments:analyze", "application/json", analyzeBody(secret, "the article", "STANCE_FAVOR"))
		post(t, s.url+"/v1/score", "application/json", `{"text":"`+secret+`"}`)
		post(t, s.url+"/v1/score", "application/json", `{"text":""}`)
		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
		var reqs []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			var v map[string]any
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				t.Fatalf("log line %q: %v", line, err)
			}
			if v["msg"] == "request" {
				reqs = append(reqs, v)
			}
		}
		if len(reqs) != 3 {
			t.Fatalf("%d request lines, want 3:\n%s", len(reqs), buf.String())
		}
		for _, k := range []string{"method", "path", "status", "bytes", "duration_ms", "remote"} {
			if _, ok := reqs[0][k]; !ok {
				t.Errorf("no %s in %v", k, reqs[0])
			}
		}
		if reqs[0]["comments"] != 1.0 || reqs[2]["status"] != 400.0 || !strings.Contains(reqs[2]["error"].(string), "text is empty") {
			t.Errorf("log lines %v", reqs)
		}
		if got := strings.Count(buf.String(), secret); logText && got != 2 || !logText && got != 0 {
			t.Errorf("LogText %v: the text appears %d times in the log", logText, got)
		}
	}
}

// TestShutdownDeadline: a request still in flight at ShutdownTimeout does not hold Serve; it
// returns the deadline's error.
func TestShutdownDeadline(t *testing.T) {
	s := start(t, modelA, Config{ShutdownTimeout: 300 * time.Millisecond})
	pr, pw := io.Pipe()
	defer pw.Close()
	req, _ := http.NewRequest("POST", s.url+"/v1/score", pr)
	req.Header.Set("Content-Type", "application/x-ndjson")
	go func() {
		if resp, err := client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	io.WriteString(pw, `{"text":"held open"}`+"\n")
	deadline := time.Now().Add(10 * time.Second)
	for s.metricsInflight() < 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	begin := time.Now()
	err := s.stop()
	if err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("Serve returned %v, want the shutdown deadline's error", err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("Serve took %v to return past a 300ms deadline", d)
	}
}

// TestGoogleClientLibrary drives the server with Google's own Python client library
// (google-api-python-client, Debian's python3-googleapi), built as Perspective's documentation
// builds it, with only the base URL of the discovery document changed. It is skipped where the
// library is not installed.
func TestGoogleClientLibrary(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import googleapiclient.discovery").Run(); err != nil {
		t.Skip("no google-api-python-client (apt-get install python3-googleapi)")
	}
	s := start(t, modelA, Config{Token: "the-api-key"})
	script := `
import json, sys
from googleapiclient import discovery
client = discovery.build("commentanalyzer", "v1alpha1", developerKey="the-api-key",
    discoveryServiceUrl=sys.argv[1] + "/$discovery/rest?version=v1alpha1", cache_discovery=False)
req = {"comment": {"text": "About time they did something"},
       "context": {"entries": [{"text": "Council approves congestion charge"}]},
       "requestedAttributes": {"STANCE_FAVOR": {}}, "clientToken": "t1"}
print(json.dumps(client.comments().analyze(body=req).execute()))
try:
    client.comments().analyze(body={"comment": {"text": "x"}, "requestedAttributes": {"TOXICITY": {}}}).execute()
except Exception as e:
    print(json.dumps({"status": e.resp.status, "error": json.loads(e.content)["error"]}))
`
	out, err := exec.Command(py, "-c", script, s.url).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		t.Fatalf("want two lines:\n%s", out)
	}
	var ok struct {
		AttributeScores map[string]struct{ SummaryScore struct{ Value float64 } } `json:"attributeScores"`
		ClientToken     string                                                    `json:"clientToken"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &ok); err != nil || ok.ClientToken != "t1" {
		t.Fatalf("%v: %s", err, lines[0])
	}
	c, _ := direct(t, modelA, "", "")
	_, res := direct(t, modelA, "About time they did something", "Council approves congestion charge")
	favor := -1
	for k, cl := range c.Heads[0].Classes {
		if cl == "FAVOR" {
			favor = k
		}
	}
	if got := ok.AttributeScores["STANCE_FAVOR"].SummaryScore.Value; got != res.Probs[0][favor] {
		t.Errorf("STANCE_FAVOR %v through the client library, want %v", got, res.Probs[0][favor])
	}
	if !strings.Contains(lines[1], `"status": 400`) || !strings.Contains(lines[1], "INVALID_ARGUMENT") {
		t.Errorf("unknown attribute through the client library: %s", lines[1])
	}
}
