package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// onATerminal makes the commands draw progress as on a terminal, for the test's length.
func onATerminal(t *testing.T) {
	t.Helper()
	was := isTerminal
	isTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { isTerminal = was })
}

// draws splits stderr into the progress lines drawn ("\r\x1b[K" LINE), the cleared ones left out.
func draws(stderr string) []string {
	var out []string
	for _, d := range strings.Split(stderr, "\r\x1b[K")[1:] {
		if d, _, _ = strings.Cut(d, "\n"); d != "" {
			out = append(out, d)
		}
	}
	return out
}

func drew(ds []string, parts ...string) bool {
	for _, d := range ds {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(d, p)
		}
		if all {
			return true
		}
	}
	return false
}

// TestTrainProgress: on a terminal, train shows reading, features with an ETA, tuning's fits
// with an ETA, and each head's iterations; elsewhere, nothing but its notes.
func TestTrainProgress(t *testing.T) {
	dir := t.TempDir()
	args := []string{"train", "--data", sampleComments, "--articles", sampleArticles, "--model", filepath.Join(dir, "m.stance")}
	plain := mustStance(t, "", args...)
	if strings.Contains(plain.stderr, "\r") || strings.Contains(plain.stderr, "\x1b") {
		t.Errorf("progress drawn on a stderr that is not a terminal:\n%q", plain.stderr)
	}
	onATerminal(t)
	r := mustStance(t, "", args...)
	ds := draws(r.stderr)
	for _, want := range [][]string{
		{"reading " + sampleComments + ": "},
		{"features [", "/281", "ETA"},
		{"tuning (models fitted) [", "ETA"},
		{"training sentiment (training articles), L-BFGS iterations of at most 300: "},
		{"training stance (training articles), L-BFGS iterations of at most 300: "},
		{"training stance (unseen articles), L-BFGS iterations of at most 300: "},
	} {
		if !drew(ds, want...) {
			t.Errorf("no progress line with %q among %d drawn:\n%s", want, len(ds), strings.Join(ds, "\n"))
		}
	}
	// The notes are those of the run without a terminal, each on a line of its own.
	var notes []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if i := strings.LastIndex(l, "\r\x1b[K"); i >= 0 {
			l = l[i+len("\r\x1b[K"):]
		}
		notes = append(notes, l)
	}
	strip := func(s string) string { // the timings differ between runs
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.Contains(l, " in ") {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
	if strip(strings.Join(notes, "\n")) != strip(plain.stderr) {
		t.Errorf("the notes on a terminal:\n%s\nwithout one:\n%s", strings.Join(notes, "\n"), plain.stderr)
	}
	if q := mustStance(t, "", append([]string{"-q"}, args...)...); q.stderr != "" {
		t.Errorf("-q on a terminal printed %q", q.stderr)
	}
}

// TestCrossValidationProgress: evaluate --cv draws its line from the start and redraws it while
// the first fold trains, then counts the folds with an ETA.
func TestCrossValidationProgress(t *testing.T) {
	onATerminal(t)
	was := progressTick
	progressTick = 20 * time.Millisecond
	t.Cleanup(func() { progressTick = was })
	r := mustStance(t, "", "evaluate", "--cv", "3", "--no-tune", "--data", sampleComments, "--articles", sampleArticles)
	ds := draws(r.stderr)
	before := 0 // lines drawn before the first fold ended
	for _, d := range ds {
		if strings.Contains(d, "cross-validation folds [") && strings.Contains(d, "] 0/3") {
			before++
		}
	}
	if before < 2 {
		t.Errorf("%d lines drawn before the first fold ended, want the line redrawn while it trains:\n%s", before, strings.Join(ds, "\n"))
	}
	if !drew(ds, "] 1/3 ETA") || !drew(ds, "] 2/3 ETA") {
		t.Errorf("the folds are not counted with an ETA:\n%s", strings.Join(ds, "\n"))
	}
	if !strings.Contains(r.stdout, "3-fold cross-validation") {
		t.Errorf("stdout: %.200s", r.stdout)
	}
}
