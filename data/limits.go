package data

import (
	"errors"
	"fmt"
	"io"
)

// Limits bound what a Reader holds in memory at once, so that a hostile or broken input (a file
// of endless zeros, one 200 MB "comment", /dev/zero given as the file) ends in an error naming
// the limit instead of exhausting memory: a *SettingError whose Setting is the field
// ("Limits.RecordBytes"), within a *ParseError. The zero value means the defaults.
type Limits struct {
	// RecordBytes bounds one record: a CSV record with all its lines, or a TSV or JSONL line.
	// A longer record is an error (ErrTooLong), whether or not Schema.Strict is set: reading
	// past it to the next record could take for ever. 0 means DefaultRecordBytes.
	RecordBytes int64
	// ArticleFileBytes bounds the article file of Schema.Articles, which is read whole.
	// 0 means DefaultArticleFileBytes. An .xlsx article file is bounded by it twice over: the
	// file, and the sum of its unzipped parts.
	ArticleFileBytes int64
	// XLSXBytes bounds an .xlsx comments file: the file itself, and the sum of the unzipped sizes
	// of its parts (a zip bomb is refused before anything is unzipped). 0 means DefaultXLSXBytes.
	XLSXBytes int64
}

const (
	// DefaultRecordBytes is 12 MiB: above the largest comment the CLI is tested on (10 MiB,
	// TestHugeComment), and what scoring holds under 4 GB of address space. Measured with
	// export under ulimit -v 4000000: a 12.6 MB comment of random words peaks at 1.6 to 1.75
	// GB (two in a row too); at 16 MB the peak is 2.05 GB and one run in three failed to
	// allocate a 1 GB block.
	DefaultRecordBytes = 12 << 20
	// DefaultArticleFileBytes is 256 MiB, some 20 times FNC-1's training bodies (13 MB).
	DefaultArticleFileBytes = 256 << 20
	// DefaultXLSXBytes is 512 MiB unzipped: a sheet of Excel's most rows (1,048,576) of
	// tweet-sized comments, with their shared strings, unzips to about 400 MB. The parts other
	// than the sheet and its strings are held in memory, and one row is decoded whole before
	// RecordBytes can refuse it, so this also bounds what a hostile workbook makes a
	// Reader allocate.
	DefaultXLSXBytes = 512 << 20
	// KeptSkips is how many skipped records a Reader keeps for Skipped; the rest are only
	// counted (SkipCount), so that a file of millions of bad rows is read in constant memory.
	KeptSkips = 100
)

func (l Limits) record() int64 {
	if l.RecordBytes > 0 {
		return l.RecordBytes
	}
	return DefaultRecordBytes
}

func (l Limits) xlsx() int64 {
	if l.XLSXBytes > 0 {
		return l.XLSXBytes
	}
	return DefaultXLSXBytes
}

func (l Limits) articleFile() int64 {
	if l.ArticleFileBytes > 0 {
		return l.ArticleFileBytes
	}
	return DefaultArticleFileBytes
}

// errTooLong is what the readers below return, for the sources to turn into a ParseError
// with the record's place.
var errTooLong = errors.New("record over the size limit")

// tooLong is the error of a record over limit, which setting (a field of Limits) sets.
func tooLong(limit int64, setting string) error {
	return &SettingError{Setting: setting, Err: fmt.Errorf("%w: longer than %s", ErrTooLong, sizeString(limit)), remedy: raise}
}

// sizeString writes n bytes the way the user would set the limit.
func sizeString(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB (%d bytes)", n>>20, n)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB (%d bytes)", n>>10, n)
	}
	return fmt.Sprintf("%d bytes", n)
}

// csvBound sits between the buffered file and encoding/csv, which accumulates a record of any
// length: it fails a read once more than max bytes, plus the 4 KiB that encoding/csv's own
// bufio.Reader may hold ahead, have been read since the end of the last record (mark, set by
// the csvSource from csv.Reader.InputOffset). So a record of up to max bytes always reads and
// one of more than max+8 KiB never does.
type csvBound struct {
	r       io.Reader
	n, mark int64
	max     int64
}

// csvLookahead is the size of the bufio.Reader that csv.NewReader wraps a plain reader in
// (bufio.NewReader's default).
const csvLookahead = 4096

func (b *csvBound) Read(p []byte) (int, error) {
	if b.n-b.mark > b.max+csvLookahead {
		return 0, errTooLong
	}
	if room := b.max + 2*csvLookahead - (b.n - b.mark); int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, err
}

// boundedReader fails once more than max bytes have been read: for inputs read whole.
type boundedReader struct {
	r   io.Reader
	n   int64
	max int64
	err error // returned past the limit
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.n >= b.max+1 {
		return 0, b.err
	}
	if room := b.max + 1 - b.n; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > b.max {
		return n, b.err
	}
	return n, err
}
