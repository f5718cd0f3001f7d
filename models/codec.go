package models

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"slices"
)

// Binary format, version 1. All integers and floats are little-endian.
//
//	offset  size        field
//	0       4           magic "SMAX"
//	4       4           version, uint32 = 1
//	8       4           classes K, uint32, 2..MaxClasses
//	12      8           dim, uint64, dim*K <= MaxParams
//	20      8           n, number of stored features, uint64, <= dim
//	28      4*K         biases B, float32
//	28+4K   n*(4+4K)    per stored feature, in strictly ascending index order:
//	                    index uint32 < dim, then its K weights W[index][0..K-1], float32
//	end     4           CRC-32C (Castagnoli) of all preceding bytes, uint32
//
// Only features with at least one nonzero weight are stored (hashed feature spaces are mostly
// empty); all others read back as zero. Every float must be finite and at most MaxWeight in
// magnitude. The encoding of a model is unique, so equal models give equal bytes.
const (
	codecMagic   = "SMAX"
	codecVersion = 1
	headerSize   = 28
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrFormat is wrapped by every FormatError: the input is not a valid serialised Softmax.
var ErrFormat = errors.New("invalid softmax model")

// A FormatError reports where a serialised Softmax is malformed. It unwraps to ErrFormat and to
// Err, which is io.ErrUnexpectedEOF when the input ends early.
type FormatError struct {
	Offset int64  // byte offset of the offending field
	Field  string // the field, e.g. "classes" or "feature 12 index"
	Err    error
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("models: %v: byte %d (%s): %v", ErrFormat, e.Offset, e.Field, e.Err)
}

func (e *FormatError) Unwrap() []error { return []error{ErrFormat, e.Err} }

// check reports whether m is a model WriteTo can store and ReadSoftmax would accept.
func (m *Softmax) check() error {
	k := m.Classes
	switch {
	case k < 2 || k > MaxClasses:
		return fmt.Errorf("models: Softmax.Classes = %d, want 2..%d", k, MaxClasses)
	case m.Dim < 0 || m.Dim > MaxParams/k:
		return fmt.Errorf("models: Softmax.Dim = %d with %d classes, want 0 <= Dim and Dim*Classes <= %d", m.Dim, k, MaxParams)
	case len(m.W) != m.Dim*k:
		return fmt.Errorf("models: len(Softmax.W) = %d, want Dim*Classes = %d", len(m.W), m.Dim*k)
	case len(m.B) != k:
		return fmt.Errorf("models: len(Softmax.B) = %d, want Classes = %d", len(m.B), k)
	}
	for j, b := range m.B {
		if !sane(b) {
			return fmt.Errorf("models: Softmax.B[%d] = %v, want a finite value of at most %g in magnitude", j, b, MaxWeight)
		}
	}
	for i, w := range m.W {
		if !sane(w) {
			return fmt.Errorf("models: Softmax.W[%d] (feature %d, class %d) = %v, want a finite value of at most %g in magnitude", i, i/k, i%k, w, MaxWeight)
		}
	}
	return nil
}

func finite32(f float32) bool {
	return !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0)
}

// MaxWeight bounds the magnitude of every weight and bias WriteTo writes and ReadSoftmax
// accepts. Finite is not enough: weights near float32's maximum (3.4e38) overflow the first
// sum they enter and give NaN probabilities. Below 1e20, a sum over all 2^28 parameters of
// feature values up to 1e6 stays below 1e35, so no score overflows float32; trained weights
// are many orders smaller (L2-regularised; a logit of 40 is already probability 1 - 4e-18).
const MaxWeight = 1e20

// sane is what every stored float must be: finite and within MaxWeight.
func sane(f float32) bool { return finite32(f) && math.Abs(float64(f)) <= float64(float32(MaxWeight)) }

// WriteTo writes m to w in the binary format described above and returns the number of bytes
// written. It refuses a model whose fields are inconsistent or hold NaN or infinite values, so
// that everything it writes can be read back by ReadSoftmax. It buffers up to 64 KiB at a time
// and returns the first write error.
func (m *Softmax) WriteTo(w io.Writer) (int64, error) {
	if err := m.check(); err != nil {
		return 0, err
	}
	k := m.Classes
	nstored := 0
	for f := range m.Dim {
		if anyNonzero(m.W[f*k : f*k+k]) {
			nstored++
		}
	}

	e := encoder{w: w, buf: make([]byte, 0, 64<<10)}
	e.bytes([]byte(codecMagic))
	e.u32(codecVersion)
	e.u32(uint32(k))
	e.u64(uint64(m.Dim))
	e.u64(uint64(nstored))
	for _, b := range m.B {
		e.f32(b)
	}
	for f := range m.Dim {
		ws := m.W[f*k : f*k+k]
		if !anyNonzero(ws) {
			continue
		}
		e.u32(uint32(f))
		for _, x := range ws {
			e.f32(x)
		}
	}
	e.flush()
	e.u32Raw(e.crc)
	return e.n, e.err
}

func anyNonzero(ws []float32) bool {
	for _, x := range ws {
		if x != 0 {
			return true
		}
	}
	return false
}

// encoder appends little-endian fields to buf, writing it out (and folding it into the CRC)
// whenever it fills.
type encoder struct {
	w   io.Writer
	buf []byte
	crc uint32
	n   int64
	err error
}

func (e *encoder) room(n int) {
	if len(e.buf)+n > cap(e.buf) {
		e.flush()
	}
}

func (e *encoder) flush() {
	if e.err == nil && len(e.buf) > 0 {
		e.crc = crc32.Update(e.crc, castagnoli, e.buf)
		var n int
		n, e.err = e.w.Write(e.buf)
		e.n += int64(n)
	}
	e.buf = e.buf[:0]
}

func (e *encoder) bytes(b []byte) { e.room(len(b)); e.buf = append(e.buf, b...) }
func (e *encoder) u32(v uint32)   { e.room(4); e.buf = binary.LittleEndian.AppendUint32(e.buf, v) }
func (e *encoder) u64(v uint64)   { e.room(8); e.buf = binary.LittleEndian.AppendUint64(e.buf, v) }
func (e *encoder) f32(v float32)  { e.u32(math.Float32bits(v)) }

// u32Raw appends v without folding it into the CRC: it is the CRC itself.
func (e *encoder) u32Raw(v uint32) {
	if e.err != nil {
		return
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	var n int
	n, e.err = e.w.Write(b[:])
	e.n += int64(n)
}

// ReadSoftmax reads a model written by WriteTo. It reads exactly the model's bytes and no
// further, so a model may be followed by other data in the same stream.
//
// Malformed input (wrong magic or version, sizes out of range, feature indices not strictly
// ascending or >= dim, a stored feature without a nonzero weight, a NaN or infinite float, a
// checksum mismatch, or an early end) gives a *FormatError naming the byte offset and field.
// Errors from r other than io.EOF are returned wrapped. ReadSoftmax allocates in proportion to
// the bytes actually read until the checksum has been verified, so garbage cannot make it
// allocate a large model.
func ReadSoftmax(r io.Reader) (*Softmax, error) {
	m, st, err := ReadStored(r)
	if err != nil {
		return nil, err
	}
	m.W = make([]float32, m.Dim*m.Classes)
	for i, f := range st.Idx {
		copy(m.W[int(f)*m.Classes:int(f)*m.Classes+m.Classes], st.W[i*m.Classes:(i+1)*m.Classes])
	}
	return m, nil
}

// Stored is a model's weights as its file holds them: the features with a nonzero weight, in
// ascending order, and each one's Classes weights.
type Stored struct {
	Classes int
	Idx     []uint32
	W       []float32 // Classes per feature of Idx
	pos     int       // where At last looked
}

// At returns the weights of feature f, or nil if it has none. Calls in ascending order of f
// cost amortised constant time; others, a binary search.
func (s *Stored) At(f uint32) []float32 {
	i := s.pos
	if i > 0 && s.Idx[i-1] >= f {
		i = 0
	}
	for steps := 0; i < len(s.Idx) && s.Idx[i] < f; i++ {
		if steps++; steps == 8 { // far ahead
			j, _ := slices.BinarySearch(s.Idx[i:], f)
			i += j
			break
		}
	}
	s.pos = i
	if i < len(s.Idx) && s.Idx[i] == f {
		return s.W[i*s.Classes : (i+1)*s.Classes]
	}
	return nil
}

// ReadStored reads what ReadSoftmax reads, with the same checks, but leaves the weights as the
// file stores them: the model it returns has W nil (and the dense matrix of a model of 2^20
// features and 3 classes, 25 MB, is never made). For what scores from a table of its own.
func ReadStored(r io.Reader) (*Softmax, *Stored, error) {
	d := decoder{r: r}
	h, err := d.header()
	if err != nil {
		return nil, nil, err
	}
	b, err := d.biases(h.classes)
	if err != nil {
		return nil, nil, err
	}
	st, err := d.storedFeatures(h)
	if err != nil {
		return nil, nil, err
	}
	if err := d.checksum(); err != nil {
		return nil, nil, err
	}
	return &Softmax{Classes: h.classes, Dim: int(h.dim), B: b}, st, nil
}

// fileHeader is what a model file's header says of the model, checked to be in range.
type fileHeader struct {
	classes int
	dim     uint64
	stored  uint64 // features stored, each with its weights
}

// header reads and checks the magic, the version and the model's sizes.
func (d *decoder) header() (fileHeader, error) {
	var hdr [headerSize]byte
	if err := d.read(hdr[:], "header"); err != nil {
		return fileHeader{}, err
	}
	if string(hdr[0:4]) != codecMagic {
		return fileHeader{}, d.errAt(0, "magic", fmt.Errorf("got %q, want %q", hdr[0:4], codecMagic))
	}
	if v := binary.LittleEndian.Uint32(hdr[4:8]); v != codecVersion {
		return fileHeader{}, d.errAt(4, "version", fmt.Errorf("got %d, want %d", v, codecVersion))
	}
	k64 := uint64(binary.LittleEndian.Uint32(hdr[8:12]))
	if k64 < 2 || k64 > MaxClasses {
		return fileHeader{}, d.errAt(8, "classes", fmt.Errorf("got %d, want 2..%d", k64, MaxClasses))
	}
	k := int(k64)
	dim := binary.LittleEndian.Uint64(hdr[12:20])
	if dim > MaxParams/k64 {
		return fileHeader{}, d.errAt(12, "dim", fmt.Errorf("got %d with %d classes, want dim*classes <= %d", dim, k, MaxParams))
	}
	nstored := binary.LittleEndian.Uint64(hdr[20:28])
	if nstored > dim {
		return fileHeader{}, d.errAt(20, "features", fmt.Errorf("got %d stored features, more than dim %d", nstored, dim))
	}
	return fileHeader{classes: k, dim: dim, stored: nstored}, nil
}

// biases reads and checks the k biases.
func (d *decoder) biases(k int) ([]float32, error) {
	b := make([]float32, k)
	buf := make([]byte, 4*k)
	if err := d.read(buf, "biases"); err != nil {
		return nil, err
	}
	for j := range b {
		b[j] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*j:]))
		if !sane(b[j]) {
			return nil, d.errAt(d.off-int64(4*k-4*j), fmt.Sprintf("bias %d", j), fmt.Errorf("got %v, want a finite value of at most %g in magnitude", b[j], MaxWeight))
		}
	}
	return b, nil
}

// storedFeatures reads and checks the header's stored features. They are read a block of
// records at a time and kept in slices that grow with the input, not with the count the header
// claims.
func (d *decoder) storedFeatures(h fileHeader) (*Stored, error) {
	k, nstored := h.classes, h.stored
	recSize := 4 + 4*k
	perBlock := int(min(uint64(max(1, (64<<10)/recSize)), nstored))
	block := make([]byte, perBlock*recSize)
	st := &Stored{Classes: k}
	for done := uint64(0); done < nstored; {
		nrec := int(min(uint64(perBlock), nstored-done))
		start := d.off
		if err := d.read(block[:nrec*recSize], "features"); err != nil {
			if fe, ok := err.(*FormatError); ok {
				// Name the record the input ended in, not the block.
				got := d.off - start
				rec := got / int64(recSize)
				fe.Offset = start + rec*int64(recSize)
				fe.Field = fmt.Sprintf("feature %d", done+uint64(rec))
				fe.Err = fmt.Errorf("input ends %d bytes into a %d-byte field: %w", got%int64(recSize), recSize, io.ErrUnexpectedEOF)
			}
			return nil, err
		}
		for r := range nrec {
			if err := d.storedFeature(st, h.dim, block[r*recSize:(r+1)*recSize], start+int64(r*recSize), done+uint64(r)); err != nil {
				return nil, err
			}
		}
		done += uint64(nrec)
	}
	return st, nil
}

// storedFeature checks record rec, stored feature n at offset at, and appends it to st: its
// index must be below dim and above the one before, its weights sane and not all zero.
func (d *decoder) storedFeature(st *Stored, dim uint64, rec []byte, at int64, n uint64) error {
	f := binary.LittleEndian.Uint32(rec)
	switch {
	case uint64(f) >= dim:
		return d.errAt(at, fmt.Sprintf("feature %d index", n), fmt.Errorf("got %d, want < dim %d", f, dim))
	case len(st.Idx) > 0 && f <= st.Idx[len(st.Idx)-1]:
		return d.errAt(at, fmt.Sprintf("feature %d index", n), fmt.Errorf("got %d after %d, want strictly ascending", f, st.Idx[len(st.Idx)-1]))
	}
	st.Idx = append(st.Idx, f)
	nonzero := false
	for j := range st.Classes {
		w := math.Float32frombits(binary.LittleEndian.Uint32(rec[4+4*j:]))
		if !sane(w) {
			return d.errAt(at+int64(4+4*j), fmt.Sprintf("feature %d weight %d", n, j), fmt.Errorf("got %v, want a finite value of at most %g in magnitude", w, MaxWeight))
		}
		nonzero = nonzero || w != 0
		st.W = append(st.W, w)
	}
	if !nonzero {
		return d.errAt(at, fmt.Sprintf("feature %d", n), fmt.Errorf("index %d stored with all weights zero", f))
	}
	return nil
}

// checksum reads the CRC that ends the file and checks it against the one computed over the
// bytes before it.
func (d *decoder) checksum() error {
	want := d.crc
	var sum [4]byte
	if err := d.read(sum[:], "checksum"); err != nil {
		return err
	}
	if got := binary.LittleEndian.Uint32(sum[:]); got != want {
		return d.errAt(d.off-4, "checksum", fmt.Errorf("got 0x%08x, computed 0x%08x", got, want))
	}
	return nil
}

// decoder reads whole fields from r, keeping the offset and the running CRC.
type decoder struct {
	r   io.Reader
	off int64
	crc uint32
}

func (d *decoder) read(p []byte, field string) error {
	n, err := io.ReadFull(d.r, p)
	d.crc = crc32.Update(d.crc, castagnoli, p[:n])
	at := d.off
	d.off += int64(n)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return &FormatError{Offset: at, Field: field, Err: fmt.Errorf("input ends %d bytes into a %d-byte field: %w", n, len(p), io.ErrUnexpectedEOF)}
	case err != nil:
		return fmt.Errorf("models: reading softmax model at byte %d (%s): %w", at+int64(n), field, err)
	}
	return nil
}

func (d *decoder) errAt(off int64, field string, err error) error {
	return &FormatError{Offset: off, Field: field, Err: err}
}
