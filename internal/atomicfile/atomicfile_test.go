package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// temps lists the temporary files Create leaves in dir while writing.
func temps(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func content(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeString(t *testing.T, f *File, s string) {
	t.Helper()
	if _, err := io.WriteString(f, s); err != nil {
		t.Fatal(err)
	}
}

func TestCommitRenames(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.bin")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	if f.Name() != path {
		t.Errorf("Name() = %q, want %q", f.Name(), path)
	}
	writeString(t, f, strings.Repeat("new data\n", 20000)) // more than the buffer
	if got := content(t, path); got != "old" {
		t.Errorf("before Commit the file holds %.20q, want the old content", got)
	}
	tm := temps(t, dir)
	if len(tm) != 1 || !strings.HasPrefix(filepath.Base(tm[0]), ".model.bin.tmp-") {
		t.Errorf("temporary files %v, want one .model.bin.tmp-*", tm)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := content(t, path); got != strings.Repeat("new data\n", 20000) {
		t.Errorf("after Commit the file holds %d bytes", len(got))
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the old file's 0600", st.Mode().Perm())
	}
	if tm := temps(t, dir); len(tm) != 0 {
		t.Errorf("temporary files left: %v", tm)
	}
	f.Abort() // no-op after Commit
	if got := content(t, path); !strings.HasPrefix(got, "new data") {
		t.Errorf("Abort after Commit changed the file")
	}
	if err := f.Commit(); !errors.Is(err, ErrDone) {
		t.Errorf("second Commit: %v, want ErrDone", err)
	}
	if _, err := f.Write([]byte("x")); !errors.Is(err, ErrDone) {
		t.Errorf("Write after Commit: %v, want ErrDone", err)
	}
}

func TestNewFileInWorkingDir(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	f, err := Create("out.csv")
	if err != nil {
		t.Fatal(err)
	}
	writeString(t, f, "a,b\n")
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := content(t, "out.csv"); got != "a,b\n" {
		t.Errorf("content %q", got)
	}
	if st, _ := os.Stat("out.csv"); st.Mode().Perm() != newFileMode {
		t.Errorf("mode %v, want %v", st.Mode().Perm(), newFileMode)
	}
}

func TestAbortKeepsPrevious(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	writeString(t, f, "partial")
	f.Abort()
	f.Abort() // twice is fine
	if got := content(t, path); got != "previous" {
		t.Errorf("content %q, want previous", got)
	}
	if tm := temps(t, dir); len(tm) != 0 {
		t.Errorf("temporary files left: %v", tm)
	}
	if err := f.Commit(); !errors.Is(err, ErrDone) {
		t.Errorf("Commit after Abort: %v, want ErrDone", err)
	}
}

func TestAbortNewFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	writeString(t, f, "partial")
	f.Abort()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("aborted new file exists: %v", err)
	}
	if tm := temps(t, dir); len(tm) != 0 {
		t.Errorf("temporary files left: %v", tm)
	}
}

func TestWriteErrorSurfacesAtCommit(t *testing.T) {
	for _, tt := range []struct {
		name string
		size int // bytes written after the failure: within the buffer, or more
	}{
		{"error at flush", 10},
		{"error at write", 1 << 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.csv")
			if err := os.WriteFile(path, []byte("previous"), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := Create(path)
			if err != nil {
				t.Fatal(err)
			}
			f.tmp.Close() // every write to the file now fails, as on a full disk
			f.Write(make([]byte, tt.size))
			err = f.Commit()
			if !errors.Is(err, os.ErrClosed) {
				t.Errorf("Commit: %v, want the write error", err)
			}
			if got := content(t, path); got != "previous" {
				t.Errorf("content %q, want previous", got)
			}
			if tm := temps(t, dir); len(tm) != 0 {
				t.Errorf("temporary files left: %v", tm)
			}
		})
	}
}

func TestCreateInMissingDir(t *testing.T) {
	if _, err := Create(filepath.Join(t.TempDir(), "no", "such", "out.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Create in a missing directory: %v", err)
	}
}

func TestAbortAll(t *testing.T) {
	dir := t.TempDir()
	done, err := Create(filepath.Join(dir, "done.csv"))
	if err != nil {
		t.Fatal(err)
	}
	writeString(t, done, "complete")
	if err := done.Commit(); err != nil {
		t.Fatal(err)
	}
	var open []*File
	for _, name := range []string{"a.csv", "b.csv", "c.csv"} {
		f, err := Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		writeString(t, f, "partial")
		open = append(open, f)
	}
	AbortAll()
	AbortAll() // nothing left to do
	if tm := temps(t, dir); len(tm) != 0 {
		t.Errorf("temporary files left: %v", tm)
	}
	for _, f := range open {
		if _, err := f.Write([]byte("more")); !errors.Is(err, ErrAborted) {
			t.Errorf("Write after AbortAll: %v, want ErrAborted", err)
		}
		if err := f.Commit(); !errors.Is(err, ErrAborted) {
			t.Errorf("Commit after AbortAll: %v, want ErrAborted", err)
		}
		f.Abort()
	}
	m, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(m) != 1 || content(t, m[0]) != "complete" {
		t.Errorf("files %v, want only the committed one", m)
	}
}

// TestAbortAllConcurrent races AbortAll against writers, as a signal handler would (run with
// -race). Each output must end either absent or complete, and no temporary file may remain.
func TestAbortAllConcurrent(t *testing.T) {
	dir := t.TempDir()
	want := strings.Repeat("0123456789", 10000)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := Create(filepath.Join(dir, string(rune('a'+i))+".txt"))
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Abort()
			for range 10 {
				io.WriteString(f, want[:len(want)/10])
			}
			f.Commit()
		}()
	}
	AbortAll()
	wg.Wait()
	AbortAll()
	if tm := temps(t, dir); len(tm) != 0 {
		t.Errorf("temporary files left: %v", tm)
	}
	m, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, p := range m {
		if got := content(t, p); got != want {
			t.Errorf("%s holds %d bytes, want all %d", p, len(got), len(want))
		}
	}
}
