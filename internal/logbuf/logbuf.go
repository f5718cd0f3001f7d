// Package logbuf gathers what a server logs for a moment and writes it out at once.
//
// A server that logs one line per request (stance serve's access log) would otherwise make one
// write(2) per line: on loopback, as many system calls as it answers requests. A Writer keeps
// the lines in memory and writes them out together, at most Delay after the first of them, or
// at once when MaxBuffered bytes are waiting; Flush writes out what is left. The lines come out
// whole and in order; what a crash loses is the last Delay of them.
package logbuf

import (
	"io"
	"sync"
	"time"
)

// MaxBuffered is how many bytes a Writer keeps before it writes them out without waiting.
const MaxBuffered = 64 << 10

// Writer is an io.Writer that writes to another in batches; it is safe for concurrent use.
// Make it with New.
type Writer struct {
	mu      sync.Mutex
	w       io.Writer
	delay   time.Duration
	buf     []byte
	timer   *time.Timer
	pending bool  // timer is set to write buf out
	err     error // the first error of w
}

// New returns a Writer to w that writes what it is given within delay.
func New(w io.Writer, delay time.Duration) *Writer {
	b := &Writer{w: w, delay: delay, buf: make([]byte, 0, MaxBuffered)}
	b.timer = time.AfterFunc(time.Hour, func() { b.Flush() })
	b.timer.Stop()
	return b
}

// Write keeps a copy of p to write out within the Writer's delay. Its error is the first that
// writing out has met, if any; p is kept all the same.
func (b *Writer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) >= MaxBuffered {
		b.flush()
	} else if !b.pending {
		b.pending = true
		b.timer.Reset(b.delay)
	}
	return len(p), b.err
}

// Flush writes out what is waiting, and returns the first error writing out has met.
func (b *Writer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flush()
	return b.err
}

func (b *Writer) flush() {
	if b.pending {
		b.timer.Stop()
		b.pending = false
	}
	if len(b.buf) == 0 {
		return
	}
	if _, err := b.w.Write(b.buf); err != nil && b.err == nil {
		b.err = err
	}
	if cap(b.buf) > 4*MaxBuffered { // one huge line: do not keep its memory
		b.buf = make([]byte, 0, MaxBuffered)
	}
	b.buf = b.buf[:0]
}
