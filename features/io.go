package features

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// WriteTo writes the learned IDF compactly: the document count, then the number of kept
// features and, for each in ascending order, its index and IDF (little-endian uint32, float32).
// Dropped features (idf 0) are not written. The Config is not written: the caller stores it.
func (e *Extractor) WriteTo(w io.Writer) (int64, error) {
	if !e.Fitted() {
		return 0, errors.New("features: extractor is not fitted")
	}
	kept := 0
	for _, v := range e.idf {
		if v != 0 {
			kept++
		}
	}
	buf := make([]byte, 0, 12+8*kept)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(e.docs))
	buf = binary.LittleEndian.AppendUint32(buf, uint32(kept))
	for i, v := range e.idf {
		if v != 0 {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(i))
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	}
	n, err := w.Write(buf)
	return int64(n), err
}

// Read returns a fitted Extractor with configuration cfg and the IDF that WriteTo wrote to r.
func Read(cfg Config, r io.Reader) (*Extractor, error) {
	e, err := New(cfg)
	if err != nil {
		return nil, err
	}
	var head [12]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("features: reading IDF header: %w", unexpected(err))
	}
	e.docs = int(binary.LittleEndian.Uint64(head[:8]))
	kept := binary.LittleEndian.Uint32(head[8:])
	if uint64(kept) > 1<<cfg.Bits {
		return nil, fmt.Errorf("features: IDF table claims %d entries for a space of %d", kept, 1<<cfg.Bits)
	}
	e.idf = make([]float32, 1<<cfg.Bits)
	var entry [8]byte
	prev := -1
	for k := uint32(0); k < kept; k++ {
		if _, err := io.ReadFull(r, entry[:]); err != nil {
			return nil, fmt.Errorf("features: reading IDF entry %d of %d: %w", k+1, kept, unexpected(err))
		}
		i := int(binary.LittleEndian.Uint32(entry[:4]))
		v := math.Float32frombits(binary.LittleEndian.Uint32(entry[4:]))
		if i <= prev || i >= len(e.idf) || !(v > 0) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("features: IDF entry %d of %d is invalid (index %d, idf %g)", k+1, kept, i, v)
		}
		e.idf[i], prev = v, i
	}
	return e, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
