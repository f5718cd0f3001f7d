package classifier

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"

	"github.com/commentstance/stance/features"
	"github.com/commentstance/stance/models"
)

// A model file's checksum proves only that the file is whole, not that it is sane: a 1 MB file
// with a valid checksum can declare 16 heads of 2,047 classes, whose weights and scoring table
// take 8 GiB. The loader therefore bounds what it will read and allocate, from the header,
// before allocating (checkBounds), and refuses values that would make scores overflow
// (checkValues).

// LoadLimits bound what loading a model may read and allocate. The zero value means the
// defaults. A model over one is a *LimitError, which names the field.
type LoadLimits struct {
	// FileBytes bounds the model file, which is read whole to check its checksum.
	// 0 means DefaultModelFileBytes.
	FileBytes int64
	// MemoryBytes bounds what the loaded model takes: the file, the IDF table, and the heads'
	// weight matrices or, for scoring only, the scoring table. 0 means DefaultModelMemoryBytes.
	MemoryBytes int64
}

// LimitError is a model over a bound of LoadLimits. Limit names the field ("FileBytes",
// "MemoryBytes"); Err says by how much and wraps ErrTooLarge. A front end that sets the limits
// by other names (the CLI: config.yaml's limits.model_file_bytes) says the message with Say.
type LimitError struct {
	Limit string
	Err   error
}

func (e *LimitError) Error() string { return e.Say("LoadLimits." + e.Limit) }

// Say is the message with the limit named name.
func (e *LimitError) Say(name string) string {
	return fmt.Sprintf("%v; raise %s if it is a model", e.Err, name)
}

func (e *LimitError) Unwrap() error { return e.Err }

const (
	// DefaultModelFileBytes is 512 MiB, some 20 times the largest model the benchmarks train
	// (bench/configs at features.bits 20 write 10 to 25 MB).
	DefaultModelFileBytes = 512 << 20
	// DefaultModelMemoryBytes is 1.5 GiB: a model at the default features.bits 20 with two
	// heads of three classes takes 50 MB loaded whole; the bound leaves room for bits 23 and
	// keeps a load, with the garbage collector's slack, under 4 GB of address space.
	DefaultModelMemoryBytes = 1536 << 20

	// MaxHeads bounds the heads of a model: each head is a label column of the data.
	MaxHeads = 64
	// MaxConjoinWeight bounds features.Config.ConjoinWeight and HeadConfig's weights. A weight of 1e6 already makes the
	// conjoined copies all that counts; larger ones only bring scores near overflow.
	MaxConjoinWeight = 1e6
	// maxIDF bounds a loaded IDF. Smoothed IDF is 1 + ln((1+n)/(1+df)) (scikit-learn's
	// TfidfTransformer), below 1 + ln(2^64) = 45.4 for any count of documents n.
	maxIDF = 64
)

// ErrTooLarge is wrapped by the errors of a model over a LoadLimits bound or MaxHeads.
var ErrTooLarge = errors.New("model is over a limit")

func (l LoadLimits) file() int64 {
	if l.FileBytes > 0 {
		return l.FileBytes
	}
	return DefaultModelFileBytes
}

func (l LoadLimits) memory() int64 {
	if l.MemoryBytes > 0 {
		return l.MemoryBytes
	}
	return DefaultModelMemoryBytes
}

// LoadOptions say how to load a model file.
type LoadOptions struct {
	// ScoreOnly loads the model as LoadScoreOnly does.
	ScoreOnly bool
	Limits    LoadLimits

	size int64 // the file's size when known, else -1
}

// LoadWith reads a model file written by Save, as Load or LoadScoreOnly do, within o.Limits.
func LoadWith(path string, o LoadOptions) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	o.size = -1
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		o.size = st.Size()
	}
	m, err := read(f, o)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	return m, nil
}

// readRest reads the rest of a model file after its signature (already in buf) into buf,
// refusing a file over the limit before reading it when its size is known, and after reading
// one byte past the limit when it is not (a FIFO, or /dev/zero after a signature). The buffer
// grows by doubling up to the limit and no further, so a limit of L costs at most 1.5 L at
// once (bytes.Buffer's own growth reached 4 L).
func readRest(buf *bytes.Buffer, r io.Reader, o LoadOptions) error {
	limit := o.Limits.file()
	if o.size > limit {
		return &LimitError{"FileBytes", fmt.Errorf("%w: the file is %d bytes, more than %d", ErrTooLarge, o.size, limit)}
	}
	size := 64 << 10
	if o.size > 0 {
		size = int(o.size) + 1 // + 1: room to see the end
	}
	b := make([]byte, buf.Len(), max(size, buf.Len()+1))
	copy(b, buf.Bytes())
	for {
		if len(b) == cap(b) {
			if int64(len(b)) > limit {
				return &LimitError{"FileBytes", fmt.Errorf("%w: the input is longer than %d bytes", ErrTooLarge, limit)}
			}
			nb := make([]byte, len(b), min(2*int64(cap(b)), limit+1))
			copy(nb, b)
			b = nb
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if int64(len(b)) > limit {
		return &LimitError{"FileBytes", fmt.Errorf("%w: the input is longer than %d bytes", ErrTooLarge, limit)}
	}
	*buf = *bytes.NewBuffer(b)
	return nil
}

// loadedBytes is what a model of these dimensions takes loaded: the file itself, the IDF
// table, and either the heads' dense weight matrices or (score only) the scoring table and
// the heads' stored weights. classes holds each head's class count; kept is the count of
// nonzero IDFs. It is an upper bound of what newTable and models.ReadSoftmax allocate.
func loadedBytes(fc features.Config, classes []int, kept, fileBytes int64, scoreOnly bool) (total int64, what string) {
	ex, err := features.New(fc)
	if err != nil {
		return math.MaxInt64, "features"
	}
	dim := int64(ex.Dim())
	total = fileBytes + 4<<fc.Bits // the file, and the IDF array features.Read makes
	var ncol int64
	for _, k := range classes {
		ncol += int64(k)
	}
	if !scoreOnly {
		// models.ReadSoftmax: Dim*Classes float32 per head.
		return total + 4*dim*ncol, "weight matrices"
	}
	width := 1 + ncol
	if width <= 16 {
		width = 16
	}
	// newTable: a row per kept feature, conjoined rows (at most one per stored feature, and
	// those are fewer than the file's bytes over 8), and the stored weights (the file again).
	rows := (kept + 1) * width
	crows := (fileBytes/8 + 1) * ncol
	rel := (dim - 2<<fc.Bits) * ncol
	return total + 4*(rows+crows+rel) + fileBytes, "scoring table"
}

// WeightBytes is what the dense weight matrices of a model with these features and heads take:
// the least that training or loading it whole needs.
func WeightBytes(fc features.Config, classes []int) int64 {
	b, _ := loadedBytes(fc, classes, 0, 0, false)
	return b
}

// checkBounds checks what the header says against the limits, before anything is allocated
// from it. idf is the file from the IDF table on.
func checkBounds(h *fileHeader, idf []byte, fileBytes int, o LoadOptions) error {
	if len(h.Heads) > MaxHeads {
		return fmt.Errorf("%w: %d heads, want at most %d", ErrTooLarge, len(h.Heads), MaxHeads)
	}
	var classes []int
	for _, hh := range h.Heads {
		if k := len(hh.Classes); k < 2 || k > models.MaxClasses {
			return fmt.Errorf("%w: head %q has %d classes, want 2 to %d", ErrNotModel, hh.Name, k, models.MaxClasses)
		}
		classes = append(classes, len(hh.Classes))
		if hh.Unseen != nil { // the head's model for unseen articles: as many weights again
			classes = append(classes, len(hh.Classes))
		}
	}
	if err := checkConfigValues(h.Config); err != nil {
		return fmt.Errorf("model configuration: %w", err)
	}
	if len(idf) < 12 {
		return fmt.Errorf("%w: %d bytes left for the IDF table", ErrTruncated, len(idf))
	}
	// features.Read fails on a count the file has no room for; bound by the room.
	kept := min(int64(binary.LittleEndian.Uint32(idf[8:12])), int64(len(idf)/8))
	need, what := loadedBytes(h.Config.Features, classes, kept, int64(fileBytes), o.ScoreOnly)
	if limit := o.Limits.memory(); need > limit {
		return &LimitError{"MemoryBytes", fmt.Errorf("%w: %d heads of %v classes over 2^%d features need %s for the %s, more than %d MiB",
			ErrTooLarge, len(classes), classes, h.Config.Features.Bits, mib(need), what, limit>>20)}
	}
	return nil
}

func mib(n int64) string {
	if n >= 1<<30 {
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%d MiB", (n+1<<20-1)>>20)
}

// checkConfigValues refuses settings that would make scores overflow or divide by zero, which
// Config.Validate lets through (NaN compares false with every bound). Its errors are those of
// Validate: a *features.ConfigError or a *ConfigError. Of several bad heads or class weights,
// the first by name is reported.
func checkConfigValues(c Config) error {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	weight := fmt.Errorf("want a number above 0 and at most %g (or 0 for 1)", float64(MaxConjoinWeight))
	if f := c.Features; f.Conjoin && !(f.ConjoinWeight > 0 && f.ConjoinWeight <= MaxConjoinWeight) {
		return &features.ConfigError{Field: "ConjoinWeight", Value: f.ConjoinWeight,
			Err: fmt.Errorf("want a number above 0 and at most %g", float64(MaxConjoinWeight))}
	}
	if !finite(c.C) {
		return &ConfigError{Field: "C", Value: c.C, Err: errors.New("want a finite number above 0")}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Heads)) {
		h := c.Heads[name]
		if !finite(h.C) || h.C < 0 {
			return &ConfigError{Head: name, Field: "C", Value: h.C, Err: ErrHeadFiniteC}
		}
		if !finite(h.WordWeight) || h.WordWeight < 0 || h.WordWeight > MaxConjoinWeight {
			return &ConfigError{Head: name, Field: "WordWeight", Value: h.WordWeight, Err: weight}
		}
		if !finite(h.ConjoinWeight) || h.ConjoinWeight < 0 || h.ConjoinWeight > MaxConjoinWeight {
			return &ConfigError{Head: name, Field: "ConjoinWeight", Value: h.ConjoinWeight, Err: weight}
		}
	}
	for _, head := range slices.Sorted(maps.Keys(c.ClassWeights)) {
		ws := c.ClassWeights[head]
		for _, class := range slices.Sorted(maps.Keys(ws)) {
			if w := ws[class]; !(w > 0) || !finite(w) {
				return &ConfigError{Field: classWeightsField(head, class), Value: w, Err: errors.New("want a finite number above 0")}
			}
		}
	}
	return nil
}

// classWeightsField is the ConfigError.Field of Config.ClassWeights[head], or of
// Config.ClassWeights[head][class] when class is given.
func classWeightsField(head string, class ...string) string {
	f := fmt.Sprintf("ClassWeights[%q]", head)
	for _, c := range class {
		f += fmt.Sprintf("[%q]", c)
	}
	return f
}

// checkValues checks the loaded numbers that scoring multiplies: IDFs and class weights.
// The weights themselves are bounded by models.ReadStored (models.MaxWeight).
func checkValues(m *Model) error {
	lo, _ := m.Extractor.ConjoinRange()
	for f := range lo {
		if idf := m.Extractor.IDF(f); idf > maxIDF {
			return fmt.Errorf("%w: feature %d has IDF %g, want at most %d", ErrNotModel, f, idf, maxIDF)
		}
	}
	heads := slices.Clone(m.Heads)
	for _, h := range m.Heads {
		if h.Unseen != nil {
			heads = append(heads, *h.Unseen)
		}
	}
	for _, h := range heads {
		for k, w := range h.Weights {
			// Summarize divides by them to undo them.
			if !(w > 0) || math.IsInf(w, 0) {
				return fmt.Errorf("%w: head %q: class weight %v for class %q, want a finite number above 0", ErrNotModel, h.Name, w, h.Classes[k])
			}
		}
	}
	return nil
}
