package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress draws a one-line progress report with rate and ETA on stderr, redrawn in place, when
// stderr is a terminal and --quiet is off; otherwise it draws nothing, so that pipes, files and
// CI logs get only the final summary line.
type progress struct {
	w     io.Writer
	on    bool
	what  string
	total int // 0: unknown
	start time.Time
	mu    sync.Mutex
	last  time.Time
}

// isTerminal reports whether w is a character device (a terminal), without a dependency.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (e *env) progress(what string, total int) *progress {
	return &progress{w: e.stderr, on: !e.quiet && isTerminal(e.stderr), what: what, total: total, start: time.Now()}
}

// set reports that done units are finished; redraws at most ten times a second.
func (p *progress) set(done int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond && done != p.total {
		return
	}
	p.last = now
	secs := now.Sub(p.start).Seconds()
	rate := float64(done) / max(secs, 1e-9)
	line := fmt.Sprintf("%s: %d", p.what, done)
	if p.total > 0 {
		const width = 24
		filled := min(width, done*width/p.total)
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = '.'
			if i < filled {
				bar[i] = '#'
			}
		}
		line = fmt.Sprintf("%s [%s] %d/%d", p.what, bar, done, p.total)
		if done > 0 && done < p.total {
			eta := time.Duration(float64(p.total-done) / rate * float64(time.Second)).Round(time.Second)
			line += fmt.Sprintf(" ETA %s", eta)
		}
	}
	line += fmt.Sprintf(" (%.1f/s, %s)", rate, now.Sub(p.start).Round(time.Second))
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
}

// setTotal is set for work whose total is an estimate that changes as it goes.
func (p *progress) setTotal(done, total int) {
	p.mu.Lock()
	p.total = total
	p.mu.Unlock()
	p.set(done)
}

// done clears the progress line.
func (p *progress) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
