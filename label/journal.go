package label

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/commentstance/stance/data"
)

// Header is the first line of a labels file: its columns, in order. id, head and label are the
// columns `stance train --labels` reads; the others say who answered, when, and how.
var Header = []string{"id", "head", "label", "annotator", "time", "note", "action"}

// Action is what a row of a labels file records.
type Action string

// The actions. A row never changes once written: an undo is a row of its own, so that the
// file is an append-only journal and every state it went through can be replayed.
const (
	// Answer gives comment ID the class Label on head Head.
	Answer Action = "label"
	// Skip passes over comment ID without an answer (Head and Label empty).
	Skip Action = "skip"
	// Undo withdraws the latest answer of comment ID on head Head (or, with Head empty, its
	// latest skip): the comment is unlabelled on that head again.
	Undo Action = "undo"
)

// Row is one row of a labels file.
type Row struct {
	ID, Head, Label, Annotator string
	Time                       time.Time
	Note                       string
	Action                     Action
}

// ErrRow marks a complete line of a labels file that is not a valid row; a *data.ParseError
// wraps it with the file, line, field and value.
var ErrRow = errors.New("not a labels-file row")

// Torn says what ReadJournal found after the last complete line of a labels file: bytes of a
// row whose write was cut short (the process was killed inside write(2), or the disk filled),
// which are ignored. Line is the line they start on; Bytes 0 means none.
type Torn struct {
	Line  int
	Bytes int64
}

// ReadJournal reads the rows of a labels file from r, named name in errors. Every row is one
// line ending in '\n' (the writer puts no line break inside a field): a last line without one is
// a torn write, reported in Torn and ignored, never an error, so that a kill at any moment
// leaves a file that reads. A complete line that is not a valid row is an error naming the
// line and field: that is not something a kill does, and guessing past it would lose answers.
// The end of the last complete line is Torn's offset: Open truncates the file there.
func ReadJournal(r io.Reader, name string) ([]Row, Torn, error) {
	br := bufio.NewReader(r)
	var rows []Row
	var offset int64
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if err == io.EOF {
			if len(b) > 0 {
				return rows, Torn{Line: line, Bytes: int64(len(b))}, nil
			}
			if line == 1 {
				return nil, Torn{}, &data.ParseError{File: name, Line: 1, Err: data.ErrEmptyFile}
			}
			return rows, Torn{}, nil
		}
		if err != nil {
			return nil, Torn{}, fmt.Errorf("%s: %w", name, err)
		}
		offset += int64(len(b))
		rec, perr := parseLine(b)
		if perr != nil {
			return nil, Torn{}, &data.ParseError{File: name, Line: line, Err: fmt.Errorf("%w: %v", ErrRow, perr)}
		}
		if line == 1 {
			if !slices.Equal(rec, Header) {
				return nil, Torn{}, &data.ParseError{File: name, Line: 1, Value: strings.Join(rec, ","),
					Err: fmt.Errorf("%w: the header is %q, want %q", ErrRow, strings.Join(rec, ","), strings.Join(Header, ","))}
			}
			continue
		}
		row, field, value, err := rowOf(rec)
		if err != nil {
			return nil, Torn{}, &data.ParseError{File: name, Line: line, Field: field, Value: value, Err: fmt.Errorf("%w: %v", ErrRow, err)}
		}
		rows = append(rows, row)
	}
}

func parseLine(b []byte) ([]string, error) {
	if !utf8.Valid(b) {
		return nil, data.ErrInvalidUTF8
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = len(Header)
	rec, err := cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.Err
		}
		return nil, err
	}
	return rec, nil
}

func rowOf(rec []string) (Row, string, string, error) {
	r := Row{ID: rec[0], Head: rec[1], Label: rec[2], Annotator: rec[3], Note: rec[5], Action: Action(rec[6])}
	t, err := time.Parse(time.RFC3339Nano, rec[4])
	if err != nil {
		return r, "time", rec[4], errors.New("want a time such as 2026-12-02T09:30:00Z")
	}
	r.Time = t
	if r.ID == "" {
		return r, "id", "", errors.New("empty comment id")
	}
	switch r.Action {
	case Answer:
		if r.Head == "" || r.Label == "" {
			return r, "label", r.Label, errors.New("an answer names a head and a label")
		}
	case Skip:
		if r.Head != "" || r.Label != "" {
			return r, "head", r.Head, errors.New("a skip names no head nor label")
		}
	case Undo:
		if r.Label != "" {
			return r, "label", r.Label, errors.New("an undo names no label")
		}
	default:
		return r, "action", rec[6], fmt.Errorf("want %s, %s or %s", Answer, Skip, Undo)
	}
	return r, "", "", nil
}

// record is r as the fields of a CSV record. Line breaks in any field become spaces (the note
// is free text), so that a row is one line and a torn write is always a last line without '\n'.
func (r Row) record() []string {
	clean := func(s string) string { return strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s) }
	return []string{clean(r.ID), clean(r.Head), clean(r.Label), clean(r.Annotator), r.Time.UTC().Format(time.RFC3339Nano), clean(r.Note), string(r.Action)}
}

func encode(records ...[]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(records) // a bytes.Buffer does not fail
	return b.Bytes()
}

// Journal appends rows to a labels file. Each Append is one write(2) of one line followed by
// fsync, so that an answer the page has been told is saved survives a kill or a power cut.
type Journal struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// OpenJournal opens the labels file at path, creating it (with its header) if it does not
// exist, and returns its rows. A torn last line (see ReadJournal) is cut off the file before
// anything is appended, and reported in Torn: the rows before it are untouched.
func OpenJournal(path string) (*Journal, []Row, Torn, error) {
	// O_APPEND: every write lands at the end, whatever else has the file open.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, Torn{}, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, Torn{}, err
	}
	var rows []Row
	var torn Torn
	if st.Size() == 0 {
		if _, err := f.Write(encode(Header)); err != nil {
			f.Close()
			return nil, nil, Torn{}, fmt.Errorf("%s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, nil, Torn{}, fmt.Errorf("%s: %w", path, err)
		}
		syncDir(filepath.Dir(path))
	} else {
		rows, torn, err = ReadJournal(f, path)
		if err != nil {
			f.Close()
			return nil, nil, Torn{}, err
		}
		if torn.Bytes > 0 {
			if err := f.Truncate(st.Size() - torn.Bytes); err != nil {
				f.Close()
				return nil, nil, Torn{}, fmt.Errorf("%s: cutting off the torn line %d: %w", path, torn.Line, err)
			}
			if err := f.Sync(); err != nil {
				f.Close()
				return nil, nil, Torn{}, fmt.Errorf("%s: %w", path, err)
			}
		}
	}
	return &Journal{f: f, path: path}, rows, torn, nil
}

// Append writes r as one line and syncs it to disk before returning.
func (j *Journal) Append(r Row) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.f.Write(encode(r.record())); err != nil {
		return fmt.Errorf("%s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("%s: %w", j.path, err)
	}
	return nil
}

// Close closes the file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.f.Close()
}

// syncDir makes a new file's directory entry durable (best effort: not every file system can).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Labels replays rows into the labels they leave: comment id -> head -> class, the last answer
// per comment and head winning, and an undo withdrawing it. This is how `stance train --labels`
// reads a labels file.
func Labels(rows []Row) map[string]map[string]string {
	var s State
	for _, r := range rows {
		s.Apply(r)
	}
	return s.Labels()
}

// ReadLabels reads the labels file at path and replays it (Labels). A torn last line is
// ignored, as on restart; the file is not changed.
func ReadLabels(path string) (map[string]map[string]string, Torn, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Torn{}, err
	}
	defer f.Close()
	rows, torn, err := ReadJournal(f, path)
	if err != nil {
		return nil, torn, err
	}
	return Labels(rows), torn, nil
}
