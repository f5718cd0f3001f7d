// Package atomicfile writes output files so that readers see either the old file or the whole
// new one, never a partial result (project convention 5).
//
// Create opens a temporary file ".<base>.tmp-*" in the destination's directory (so the final
// rename stays on one file system and is atomic, rename(2) in POSIX); Write buffers into it;
// Commit flushes, fsyncs, closes and renames it into place; Abort removes it. AbortAll removes
// the temporary files of every File not yet committed, for a signal handler to call before the
// process exits.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// ErrDone is returned by Write and Commit on a File already committed or aborted.
var ErrDone = errors.New("atomicfile: file already committed or aborted")

// ErrAborted is returned by Commit when AbortAll removed the temporary file first.
var ErrAborted = errors.New("atomicfile: aborted (by AbortAll)")

// newFileMode is the mode of a new output file. os.CreateTemp makes 0600 files, which would
// hide outputs from other users; 0644 is what os.Create gives under the usual umask 022. Reading
// the real umask needs syscall.Umask, which sets it process-wide and so races with other goroutines.
const newFileMode fs.FileMode = 0o644

// File is an output file written to a temporary file in the same directory and renamed into
// place by Commit. A File is used by one goroutine; only AbortAll may run concurrently with it.
type File struct {
	path string // destination
	tmp  *os.File
	w    *bufio.Writer // over tmp
	err  error         // first write error, reported again by Commit
	done bool          // committed or aborted by this File's owner

	aborted atomic.Bool // set by AbortAll
}

// registry holds the Files not yet committed or aborted, for AbortAll.
var registry struct {
	sync.Mutex
	files map[*File]struct{}
}

// Create starts writing the file at path. Every path names a file, "-" too: a command that
// reads "-" as its standard output writes there itself, through its own io.Writer.
func Create(path string) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	// Create the file under the registry lock, so that an AbortAll cannot run between its
	// creation and its registration and miss it.
	registry.Lock()
	defer registry.Unlock()
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary file for %s: %w", path, err)
	}
	f := &File{path: path, tmp: tmp, w: bufio.NewWriterSize(tmp, 64<<10)}
	if registry.files == nil {
		registry.files = make(map[*File]struct{})
	}
	registry.files[f] = struct{}{}
	return f, nil
}

// Name is the destination path given to Create.
func (f *File) Name() string { return f.path }

// Write buffers p. Once a write has failed, every later Write and Commit return that error.
func (f *File) Write(p []byte) (int, error) {
	if f.done {
		return 0, ErrDone
	}
	if f.err != nil {
		return 0, f.err
	}
	if f.aborted.Load() {
		f.err = ErrAborted
		return 0, f.err
	}
	n, err := f.w.Write(p)
	if err != nil {
		f.err = fmt.Errorf("writing %s: %w", f.path, err)
		return n, f.err
	}
	return n, nil
}

// Commit makes the written data the file at the path: it flushes, fsyncs and closes the
// temporary file and renames it over the destination, keeping the destination's permission
// bits if it existed. On any failure, including an earlier failed Write, the temporary file is
// removed, the destination is left as it was, and the error is returned.
func (f *File) Commit() error {
	if f.done {
		return ErrDone
	}
	err := f.commit()
	if err != nil {
		if f.aborted.Load() {
			err = ErrAborted // AbortAll closed the file under us; report why
		}
		f.tmp.Close()
		os.Remove(f.tmp.Name())
	}
	f.done = true
	unregister(f)
	return err
}

func (f *File) commit() error {
	if f.err != nil {
		return f.err
	}
	if f.aborted.Load() {
		return ErrAborted
	}
	if err := f.w.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", f.path, err)
	}
	mode := newFileMode
	if st, err := os.Stat(f.path); err == nil {
		mode = st.Mode().Perm()
	}
	if err := f.tmp.Chmod(mode); err != nil {
		return fmt.Errorf("writing %s: %w", f.path, err)
	}
	// fsync before rename, or a crash may leave the new name on an empty file
	// (the ext4 delayed-allocation problem; see also rename(2) and fsync(2)).
	if err := f.tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", f.path, err)
	}
	if err := f.tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", f.path, err)
	}
	if f.aborted.Load() {
		return ErrAborted
	}
	if err := os.Rename(f.tmp.Name(), f.path); err != nil {
		return fmt.Errorf("writing %s: %w", f.path, err)
	}
	syncDir(filepath.Dir(f.path))
	return nil
}

// syncDir makes the rename durable. It is best effort: some file systems refuse to fsync a
// directory, and the data itself is already safe.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Abort discards what was written: it closes and removes the temporary file, leaving the
// destination as it was. It does nothing after Commit or a previous Abort, so it can be
// deferred right after Create.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.tmp.Close()
	os.Remove(f.tmp.Name())
	unregister(f)
}

func unregister(f *File) {
	registry.Lock()
	delete(registry.files, f)
	registry.Unlock()
}

// AbortAll removes the temporary files of all Files not yet committed or aborted, so that an
// interrupted process leaves no ".name.tmp-*" files behind. It is safe to call from any
// goroutine, e.g. one that waits on signal.Notify, while others are writing: their later
// Writes or Commit fail, and a Commit that won the race has already put its whole file in place.
func AbortAll() {
	registry.Lock()
	files := registry.files
	registry.files = nil
	registry.Unlock()
	for f := range files {
		f.aborted.Store(true)
		// Closing an *os.File is safe while another goroutine uses it; its writes then fail.
		f.tmp.Close()
		os.Remove(f.tmp.Name())
	}
}
