// Package atomicfile writes output files so that readers see either the old file or the whole
// new one, never a partial result (project convention 5).
//
// Create opens a temporary file ".<base>.tmp-*" in the destination's directory (so the final
// rename stays on one file system and is atomic, rename(2) in POSIX); Write buffers into it;
// Commit flushes, fsyncs, closes and renames it into place; Abort removes it. AbortAll removes
// the temporary files of every File not yet committed, for a signal handler to call before the
// process exits.
//
// Only a regular file (or a new one) is replaced. A path that names a device (/dev/null), a
// FIFO or a socket, or one of the process's own descriptors (/dev/stdout, /dev/fd/N,
// /proc/self/fd/N), is written through, as a shell redirection would: renaming over it would
// replace the node by a regular file. A symbolic link is followed, and its target is written
// atomically, so the link stays a link. A directory is refused at once (Check, for callers
// that want to know before their work).
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
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
	path string        // destination
	dest string        // where the rename goes: path with symbolic links resolved
	out  *os.File      // the special file written through, closed by Commit; nil otherwise
	tmp  *os.File      // nil when writing to standard output or through a special file
	w    *bufio.Writer // over tmp or os.Stdout
	err  error         // first write error, reported again by Commit
	done bool          // committed or aborted by this File's owner

	aborted atomic.Bool // set by AbortAll
}

// registry holds the Files not yet committed or aborted, for AbortAll.
var registry struct {
	sync.Mutex
	files   map[*File]struct{}
	stopped bool // by Stop: Create refuses
}

// Create starts writing the file at path. Every path names a file, "-" too: a command that
// reads "-" as its standard output writes there itself, through its own io.Writer.
func Create(path string) (*File, error) {
	t, err := classify(path)
	if err != nil {
		return nil, err
	}
	switch {
	case t.fd != nil:
		return &File{path: path, w: bufio.NewWriter(t.fd)}, nil
	case t.special:
		// O_WRONLY without O_CREATE or O_TRUNC: what "> /dev/null" or "> fifo" does.
		out, err := os.OpenFile(t.dest, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		return &File{path: path, out: out, w: bufio.NewWriterSize(out, 64<<10)}, nil
	}
	dir, base := filepath.Split(t.dest)
	if dir == "" {
		dir = "."
	}
	// Create the file under the registry lock, so that an AbortAll cannot run between its
	// creation and its registration and miss it.
	registry.Lock()
	defer registry.Unlock()
	if registry.stopped {
		return nil, ErrAborted
	}
	tmp, err := os.CreateTemp(dir, tempPattern(base))
	if err != nil {
		return nil, fmt.Errorf("creating a temporary file for %s: %w", path, err)
	}
	f := &File{path: path, dest: t.dest, tmp: tmp, w: bufio.NewWriterSize(tmp, 64<<10)}
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
	if f.tmp == nil { // standard output, or written through
		if f.err != nil {
			f.closeOut()
			return f.err
		}
		if err := f.w.Flush(); err != nil {
			f.err = fmt.Errorf("writing %s: %w", f.path, err)
			f.closeOut()
			return f.err
		}
		if err := f.closeOut(); err != nil {
			return fmt.Errorf("writing %s: %w", f.path, err)
		}
		return nil
	}
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
	if st, err := os.Stat(f.dest); err == nil {
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
	if err := os.Rename(f.tmp.Name(), f.dest); err != nil {
		return fmt.Errorf("writing %s: %w", f.path, err)
	}
	syncDir(filepath.Dir(f.dest))
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
	if f.tmp == nil {
		f.closeOut() // what was written through cannot be taken back
		return
	}
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

// closeOut closes the special file written through, once; standard output is left open.
func (f *File) closeOut() error {
	if f.out == nil {
		return nil
	}
	out := f.out
	f.out = nil
	return out.Close()
}

// target is what a destination path turns out to be.
type target struct {
	dest    string   // the path with symbolic links resolved: where a new file goes
	special bool     // dest exists and is not a regular file: write through it
	fd      *os.File // the path names one of the process's descriptors: write to it
}

// maxLinks bounds how many symbolic links classify follows, as Linux's ELOOP does (40).
const maxLinks = 40

// classify resolves path: its symbolic links, and what the final name is.
func classify(path string) (target, error) {
	dest := path
	for i := 0; ; i++ {
		if fd := ownDescriptor(dest); fd != nil {
			return target{dest: dest, fd: fd}, nil
		}
		st, err := os.Lstat(dest)
		if errors.Is(err, fs.ErrNotExist) {
			return target{dest: dest}, nil // a new file (or a dangling link's target)
		}
		if err != nil {
			return target{}, err
		}
		switch m := st.Mode(); {
		case m&fs.ModeSymlink != 0:
			if i == maxLinks {
				return target{}, fmt.Errorf("%s: too many levels of symbolic links", path)
			}
			link, err := os.Readlink(dest)
			if err != nil {
				return target{}, err
			}
			if !filepath.IsAbs(link) {
				link = filepath.Join(filepath.Dir(dest), link)
			}
			dest = link
		case m.IsDir():
			return target{}, fmt.Errorf("%s is a directory; want a file name", path)
		case m.IsRegular():
			return target{dest: dest}, nil
		default: // a device, FIFO or socket
			return target{dest: dest, special: true}, nil
		}
	}
}

// ownDescriptor returns the open file that path names when it is one of the process's own
// descriptors (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N), so that writing to it
// writes to the descriptor itself: reopening standard output redirected to a file would start
// at its beginning, and renaming over it would cut it from the shell's redirection.
func ownDescriptor(path string) *os.File {
	switch path = filepath.Clean(path); path {
	case "/dev/stdout":
		return os.Stdout
	case "/dev/stderr":
		return os.Stderr
	}
	for _, dir := range []string{"/dev/fd/", "/proc/self/fd/"} {
		if n, ok := strings.CutPrefix(path, dir); ok {
			switch n {
			case "1":
				return os.Stdout
			case "2":
				return os.Stderr
			}
			if fd, err := strconv.Atoi(n); err == nil && fd > 2 {
				return os.NewFile(uintptr(fd), path)
			}
		}
	}
	return nil
}

// nameMax is the longest file name most file systems take (NAME_MAX of ext4, XFS, btrfs, APFS
// and NTFS, in bytes or UTF-16 units).
const nameMax = 255

// tempPattern is the os.CreateTemp pattern for a temporary file beside base: ".base.tmp-*",
// with base shortened (at a UTF-8 boundary) when the name would pass nameMax, so that a valid
// long file name does not fail for its temporary name. CreateTemp puts up to 20 digits for *.
func tempPattern(base string) string {
	const extra = len(".") + len(".tmp-") + 20
	if len(base)+extra > nameMax {
		cut := nameMax - extra
		for cut > 0 && !utf8.RuneStart(base[cut]) {
			cut--
		}
		base = base[:cut]
	}
	return "." + base + ".tmp-*"
}

// Check reports, without creating anything, an error Create would give for path at once: a
// directory, or a parent directory that does not exist. Commands call it before their work,
// so that a bad output path fails before an hour of training rather than after it.
func Check(path string) error {
	t, err := classify(path)
	if err != nil || t.fd != nil || t.special {
		return err
	}
	dir := filepath.Dir(t.dest)
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("cannot write %s: %w", path, err)
	case !st.IsDir():
		return fmt.Errorf("cannot write %s: %s is not a directory", path, dir)
	}
	return nil
}

// Stop is AbortAll for a process about to exit: it removes every temporary file and makes
// every later Create fail with ErrAborted, so that a goroutine still working when main calls
// os.Exit cannot leave a temporary file behind in the moment between the two.
func Stop() {
	registry.Lock()
	registry.stopped = true
	registry.Unlock()
	AbortAll()
}
