package logbuf

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer that the timer's goroutine and the test can share, counting
// the writes it gets.
type syncBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.buf.Write(p)
}

func (s *syncBuffer) get() (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String(), s.writes
}

// TestLinesComeOutWithinDelay logs as the server does, from many goroutines: every line comes
// out whole, each goroutine's in its order, in fewer writes than lines, and the last ones
// without a Flush once the delay has passed.
func TestLinesComeOutWithinDelay(t *testing.T) {
	var out syncBuffer
	w := New(&out, 20*time.Millisecond)
	log := slog.New(slog.NewJSONHandler(w, nil))
	const goroutines, lines = 8, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				log.Info("request", "g", g, "i", i)
			}
		}()
	}
	wg.Wait()
	var got string
	var writes int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if got, writes = out.get(); strings.Count(got, "\n") == goroutines*lines {
			break
		}
	}
	all := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(all) != goroutines*lines {
		t.Fatalf("%d lines out 10 s after the last was logged, want %d", len(all), goroutines*lines)
	}
	next := make([]int, goroutines)
	for _, line := range all {
		var g, i int
		if _, err := fmt.Sscanf(line[strings.Index(line, `"g":`):], `"g":%d,"i":%d}`, &g, &i); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if i != next[g] {
			t.Fatalf("goroutine %d: line %d after line %d", g, i, next[g]-1)
		}
		next[g]++
	}
	if writes >= len(all) {
		t.Errorf("%d writes for %d lines: want them gathered", writes, len(all))
	}
}

// TestFlush writes out at once, and MaxBuffered bytes go out without waiting.
func TestFlush(t *testing.T) {
	var out syncBuffer
	w := New(&out, time.Hour)
	w.Write([]byte("one\n"))
	if got, _ := out.get(); got != "" {
		t.Fatalf("%q out before the delay", got)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, _ := out.get(); got != "one\n" {
		t.Fatalf("after Flush: %q, want one line", got)
	}
	big := bytes.Repeat([]byte("x"), MaxBuffered)
	w.Write(big)
	if got, _ := out.get(); len(got) != len("one\n")+MaxBuffered {
		t.Fatalf("%d bytes out after a write of MaxBuffered, want them all", len(got))
	}
}

type failing struct{}

func (failing) Write(p []byte) (int, error) { return 0, errors.New("disk full") }

// TestError: the first error of the writer underneath is what Flush and later Writes return.
func TestError(t *testing.T) {
	w := New(failing{}, time.Hour)
	if _, err := w.Write([]byte("a\n")); err != nil {
		t.Fatalf("Write before any writing out: %v", err)
	}
	if err := w.Flush(); err == nil || err.Error() != "disk full" {
		t.Fatalf("Flush: %v, want disk full", err)
	}
	if _, err := w.Write([]byte("b\n")); err == nil {
		t.Fatal("Write after a failure: no error")
	}
}
