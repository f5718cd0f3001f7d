package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Targets that renaming into place would destroy or cannot handle (issue 17, class 5): each is
// written through, followed, or refused before any work.

func TestDevNullIsWrittenThrough(t *testing.T) {
	f, err := Create("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	writeString(t, f, strings.Repeat("x", 100000))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat("/dev/null")
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is now %v (%v)", st.Mode(), err)
	}
	if m, _ := filepath.Glob("/dev/.null.tmp-*"); len(m) > 0 {
		t.Errorf("temporary files %v", m)
	}
}

func TestFIFOIsWrittenThrough(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip(err)
	}
	got := make(chan string)
	go func() {
		r, err := os.Open(p)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(r)
		r.Close()
		got <- string(b)
	}()
	f, err := Create(p)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Repeat("row\n", 50000) // more than a pipe holds
	writeString(t, f, want)
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if g := <-got; g != want {
		t.Errorf("the reader got %d bytes, want %d", len(g), len(want))
	}
	if st, err := os.Lstat(p); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO is now %v (%v)", st.Mode(), err)
	}
	if tm := temps(t, dir); len(tm) > 0 {
		t.Errorf("temporary files %v", tm)
	}
}

func TestSymlinkIsFollowed(t *testing.T) {
	for _, tt := range []struct {
		name     string
		existing bool // the link's target exists
		relative bool
	}{
		{"to an existing file", true, false},
		{"relative, to an existing file", true, true},
		{"dangling", false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			real := filepath.Join(dir, "real", "out.csv")
			if err := os.Mkdir(filepath.Dir(real), 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.existing {
				if err := os.WriteFile(real, []byte("old"), 0o640); err != nil {
					t.Fatal(err)
				}
			}
			link := filepath.Join(dir, "link.csv")
			to := real
			if tt.relative {
				to = filepath.Join("real", "out.csv")
			}
			if err := os.Symlink(to, link); err != nil {
				t.Fatal(err)
			}
			f, err := Create(link)
			if err != nil {
				t.Fatal(err)
			}
			writeString(t, f, "new")
			if err := f.Commit(); err != nil {
				t.Fatal(err)
			}
			if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("the link is now %v (%v)", st.Mode(), err)
			}
			if got := content(t, real); got != "new" {
				t.Errorf("the target holds %q", got)
			}
			if st, _ := os.Stat(real); tt.existing && st.Mode().Perm() != 0o640 {
				t.Errorf("the target's mode is %v, want the old 0640", st.Mode().Perm())
			}
			if tm := append(temps(t, dir), temps(t, filepath.Dir(real))...); len(tm) > 0 {
				t.Errorf("temporary files %v", tm)
			}
		})
	}
}

func TestSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.Symlink(b, a)
	os.Symlink(a, b)
	if _, err := Create(a); err == nil || !strings.Contains(err.Error(), "too many levels of symbolic links") {
		t.Errorf("Create of a link loop: %v", err)
	}
}

func TestDirectoryRefusedAtOnce(t *testing.T) {
	dir := t.TempDir()
	for _, check := range []func(string) error{Check, func(p string) error { _, err := Create(p); return err }} {
		if err := check(dir); err == nil || !strings.Contains(err.Error(), "is a directory; want a file name") {
			t.Errorf("%s: %v", dir, err)
		}
	}
	if tm := temps(t, dir); len(tm) > 0 {
		t.Errorf("temporary files %v", tm)
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		path string
		ok   bool
	}{
		{"-", true},
		{"/dev/null", true},
		{filepath.Join(dir, "new.csv"), true},
		{filepath.Join(dir, "no", "such", "dir.csv"), false},
		{dir, false},
	} {
		if err := Check(tt.path); (err == nil) != tt.ok {
			t.Errorf("Check(%q) = %v, want ok %v", tt.path, err, tt.ok)
		}
	}
}

// A valid name of 255 bytes (NAME_MAX) is written: its temporary name is shortened.
func TestLongName(t *testing.T) {
	dir := t.TempDir()
	for _, base := range []string{strings.Repeat("n", nameMax), strings.Repeat("é", nameMax/2)} {
		p := filepath.Join(dir, base)
		f, err := Create(p)
		if err != nil {
			t.Fatal(err)
		}
		writeString(t, f, "x")
		if err := f.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := content(t, p); got != "x" {
			t.Errorf("holds %q", got)
		}
	}
	if tm := temps(t, dir); len(tm) > 0 {
		t.Errorf("temporary files %v", tm)
	}
}

func TestDevStdoutIsStandardOutput(t *testing.T) {
	for _, path := range []string{"/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout := os.Stdout
		os.Stdout = w
		f, err := Create(path)
		if err != nil {
			os.Stdout = stdout
			t.Fatal(err)
		}
		writeString(t, f, "rows\n")
		err = f.Commit()
		os.Stdout = stdout
		w.Close()
		b, _ := io.ReadAll(r)
		if err != nil || string(b) != "rows\n" {
			t.Errorf("%s: %q, %v", path, b, err)
		}
	}
}
