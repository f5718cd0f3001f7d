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
// CI logs get only the final summary line. One progress may go through stages (stage): train's
// reading, features, tuning and each head's iterations share one line.
type progress struct {
	w  io.Writer
	on bool

	mu    sync.Mutex
	what  string
	n     int // units done
	total int // 0: unknown
	start time.Time
	last  time.Time     // of the last draw
	stop  chan struct{} // closes tick's goroutine; nil without one
}

// isTerminal reports whether w is a character device (a terminal), without a dependency. It is
// a variable so that tests can draw on a buffer.
var isTerminal = func(w io.Writer) bool {
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
	p.n = done
	p.draw(false)
}

// setTotal is set for work whose total is an estimate that changes as it goes.
func (p *progress) setTotal(done, total int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	p.total = total
	p.mu.Unlock()
	p.set(done)
}

// stage reports done units of total (0: unknown) of the work what: a new stage, timed from now,
// when what is not the work drawn so far.
func (p *progress) stage(what string, done, total int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if what != p.what {
		p.what, p.start, p.last = what, time.Now(), time.Time{}
	}
	p.n, p.total = done, total
	p.draw(false)
}

// tick redraws the line every d until done, so that the elapsed time moves (and the line is
// there) while a long unit of work runs.
func (p *progress) tick(d time.Duration) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draw(true)
	if p.stop != nil {
		return
	}
	p.stop = make(chan struct{})
	go func(stop chan struct{}) {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				p.mu.Lock()
				if p.stop == stop { // not yet done
					p.draw(true)
				}
				p.mu.Unlock()
			}
		}
	}(p.stop)
}

// draw writes the line; p.mu is held. Unless forced, it draws at most ten times a second, and
// always the last unit of a known total.
func (p *progress) draw(force bool) {
	now := time.Now()
	if !force && now.Sub(p.last) < 100*time.Millisecond && (p.total == 0 || p.n != p.total) {
		return
	}
	p.last = now
	elapsed := now.Sub(p.start)
	rate := float64(p.n) / max(elapsed.Seconds(), 1e-9)
	line := fmt.Sprintf("%s: %d", p.what, p.n)
	if p.total > 0 {
		const width = 24
		filled := min(width, p.n*width/p.total)
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = '.'
			if i < filled {
				bar[i] = '#'
			}
		}
		line = fmt.Sprintf("%s [%s] %d/%d", p.what, bar, p.n, p.total)
		if p.n > 0 && p.n < p.total {
			eta := time.Duration(float64(p.total-p.n) / rate * float64(time.Second)).Round(time.Second)
			line += fmt.Sprintf(" ETA %s", eta)
		}
	}
	line += fmt.Sprintf(" (%.1f/s, %s)", rate, elapsed.Round(time.Second))
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
}

// done stops tick's redraws and clears the progress line.
func (p *progress) done() {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		close(p.stop)
		p.stop = nil
	}
	fmt.Fprint(p.w, "\r\x1b[K")
}

// progressTick is how often a progress line with tick redraws.
var progressTick = time.Second
