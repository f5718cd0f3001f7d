package classifier

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/commentstance/stance/features"
	"github.com/commentstance/stance/internal/atomicfile"
	"github.com/commentstance/stance/models"
)

// The model file, version 2, little-endian:
//
//	magic      8 bytes  "STANCE\x00M"
//	version    uint32   FormatVersion
//	header     uint32 length, then JSON: the training Config, each head's name and classes, the
//	           keys of the training articles and the record of tuning
//	idf        features.Extractor.WriteTo
//	heads      models.Softmax.WriteTo, one per head in header order, each followed by its model
//	           for unseen articles where the header says it has one (version 2)
//	checksum   32 bytes SHA-256 of everything before it
//
// The whole file is checked against its checksum before anything in it is trusted. Version 1
// files (no unseen-article models, no article keys) still load.
const FormatVersion = 2

var magic = [8]byte{'S', 'T', 'A', 'N', 'C', 'E', 0, 'M'}

// Errors a loader acts on; each is wrapped with the file's name and what was found.
var (
	ErrNotModel    = errors.New("not a stance model file")
	ErrNewerFormat = errors.New("model file is of a newer format")
	ErrChecksum    = errors.New("model file is corrupted (checksum mismatch)")
	ErrTruncated   = errors.New("model file is truncated")
)

type fileHeader struct {
	Config     Config            `json:"config"`
	Heads      []headHeader      `json:"heads"`
	Dictionary map[uint32]string `json:"dictionary,omitempty"`
	Articles   []uint64          `json:"articles,omitempty"` // sorted keys of the training articles
	Tuning     *Tuning           `json:"tuning,omitempty"`
}

type headHeader struct {
	Name    string           `json:"name"`
	Classes []string         `json:"classes"`
	Info    models.TrainInfo `json:"train"`
	Counts  []int            `json:"class_counts,omitempty"`  // training rows per class
	Weights []float64        `json:"class_weights,omitempty"` // training class weights; absent: none
	Unseen  *headHeader      `json:"unseen,omitempty"`        // its model for unseen articles
}

func newHeadHeader(hd Head) headHeader {
	h := headHeader{Name: hd.Name, Classes: hd.Classes, Info: hd.Info, Counts: hd.Counts, Weights: hd.Weights}
	if hd.Unseen != nil {
		u := newHeadHeader(*hd.Unseen)
		h.Unseen = &u
	}
	return h
}

// WriteTo writes the model in the format above.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	if m.scoreOnly {
		return 0, ErrScoreOnly
	}
	var body bytes.Buffer
	body.Write(magic[:])
	binary.Write(&body, binary.LittleEndian, uint32(FormatVersion))
	h := fileHeader{Config: m.Config, Dictionary: m.Dictionary, Articles: m.Articles, Tuning: m.Tuning}
	for _, hd := range m.Heads {
		h.Heads = append(h.Heads, newHeadHeader(hd))
	}
	js, err := json.Marshal(h)
	if err != nil {
		return 0, err
	}
	binary.Write(&body, binary.LittleEndian, uint32(len(js)))
	body.Write(js)
	if _, err := m.Extractor.WriteTo(&body); err != nil {
		return 0, err
	}
	for _, hd := range m.Heads {
		if _, err := hd.Model.WriteTo(&body); err != nil {
			return 0, err
		}
		if hd.Unseen != nil {
			if _, err := hd.Unseen.Model.WriteTo(&body); err != nil {
				return 0, err
			}
		}
	}
	sum := sha256.Sum256(body.Bytes())
	body.Write(sum[:])
	return body.WriteTo(w)
}

// Save writes the model to path through a temporary file renamed into place, so that path holds
// either its previous content or the whole new model, never part of one.
func (m *Model) Save(path string) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := m.WriteTo(f); err != nil {
		return fmt.Errorf("writing model %s: %w", path, err)
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("writing model %s: %w", path, err)
	}
	return nil
}

// Load reads a model file written by Save.
func Load(path string) (*Model, error) {
	return LoadWith(path, LoadOptions{})
}

// LoadScoreOnly reads a model file for scoring alone: the model is as Load's after ScoreOnly,
// but its heads' dense weight matrices are never made. They are most of a loaded model (50 MB
// for SemEval-2016's two heads), and made only to be released they were the peak of an export's
// memory.
func LoadScoreOnly(path string) (*Model, error) {
	return LoadWith(path, LoadOptions{ScoreOnly: true})
}

// Read reads a model from r (the whole of it), within the default LoadLimits.
func Read(r io.Reader) (*Model, error) {
	return read(r, LoadOptions{size: -1})
}

// readHead reads one head's weights, checking them against its header: as stored, for scoring
// alone, when o.ScoreOnly.
func readHead(rest io.Reader, hh headHeader, ex *features.Extractor, o LoadOptions) (Head, *models.Stored, error) {
	var sm *models.Softmax
	var st *models.Stored
	var err error
	if o.ScoreOnly {
		sm, st, err = models.ReadStored(rest)
	} else {
		sm, err = models.ReadSoftmax(rest)
	}
	if err != nil {
		return Head{}, nil, fmt.Errorf("head %q: %w", hh.Name, err)
	}
	if sm.Classes != len(hh.Classes) || sm.Dim != ex.Dim() {
		return Head{}, nil, fmt.Errorf("head %q: weights for %d classes over %d features, header says %d classes over %d",
			hh.Name, sm.Classes, sm.Dim, len(hh.Classes), ex.Dim())
	}
	if hh.Counts != nil && len(hh.Counts) != sm.Classes || hh.Weights != nil && len(hh.Weights) != sm.Classes {
		return Head{}, nil, fmt.Errorf("%w: head %q: %d class counts and %d class weights for %d classes", ErrNotModel, hh.Name, len(hh.Counts), len(hh.Weights), sm.Classes)
	}
	for _, w := range hh.Weights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return Head{}, nil, fmt.Errorf("%w: head %q: class weight %v", ErrNotModel, hh.Name, w)
		}
	}
	return Head{Name: hh.Name, Classes: hh.Classes, Model: sm, Info: hh.Info, Counts: hh.Counts, Weights: hh.Weights}, st, nil
}

func read(r io.Reader, o LoadOptions) (*Model, error) {
	h, body, err := readHeader(r, o)
	if err != nil {
		return nil, err
	}
	ex, err := features.Read(h.Config.Features, body)
	if err != nil {
		return nil, err
	}
	if !slices.IsSorted(h.Articles) {
		return nil, fmt.Errorf("%w: the training articles' keys are not sorted", ErrNotModel)
	}
	m := &Model{Config: h.Config, Extractor: ex, Dictionary: h.Dictionary, Articles: h.Articles, Tuning: h.Tuning}
	if err := m.readHeads(body, h.Heads, o); err != nil {
		return nil, err
	}
	if body.Len() != 0 {
		return nil, fmt.Errorf("%w: %d unexpected bytes after the last head", ErrNotModel, body.Len())
	}
	if len(m.Heads) == 0 {
		return nil, fmt.Errorf("%w: it has no heads", ErrNotModel)
	}
	if err := checkValues(m); err != nil {
		return nil, err
	}
	if o.ScoreOnly {
		m.scoringTable()
		m.scoreOnly = true
	}
	return m, nil
}

// readHeader reads a model file's signature, version and header, checking the whole file
// against its checksum and the header against the bounds of o first; body is the rest of the
// file, from the IDF table up to the checksum.
func readHeader(r io.Reader, o LoadOptions) (h fileHeader, body *bytes.Reader, err error) {
	// The signature is checked before the rest is read: --model given a large data file (or
	// /dev/zero) by mistake must fail at once, not after reading all of it into memory.
	var buf bytes.Buffer
	if _, err := io.CopyN(&buf, r, int64(len(magic))); err != nil && err != io.EOF {
		return h, nil, err
	}
	if !bytes.Equal(buf.Bytes(), magic[:]) {
		return h, nil, fmt.Errorf("%w: it does not start with the model file signature", ErrNotModel)
	}
	if err := readRest(&buf, r, o); err != nil {
		return h, nil, err
	}
	data := buf.Bytes()
	if len(data) < len(magic)+4+4+sha256.Size {
		return h, nil, fmt.Errorf("%w: %d bytes", ErrTruncated, len(data))
	}
	version := binary.LittleEndian.Uint32(data[8:12])
	if version > FormatVersion {
		return h, nil, fmt.Errorf("%w: format %d, and this program reads format %d; use a newer stance", ErrNewerFormat, version, FormatVersion)
	}
	if version < 1 {
		return h, nil, fmt.Errorf("%w: format version %d", ErrNotModel, version)
	}
	all, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if got := sha256.Sum256(all); !bytes.Equal(got[:], sum) {
		return h, nil, fmt.Errorf("%w, or truncated: %d bytes", ErrChecksum, len(data))
	}
	rest := bytes.NewReader(all[12:])
	var n uint32
	if err := binary.Read(rest, binary.LittleEndian, &n); err != nil || int(n) > rest.Len() {
		return h, nil, fmt.Errorf("%w: header length %d", ErrTruncated, n)
	}
	js := make([]byte, n)
	io.ReadFull(rest, js)
	// Settings added after a file was written take their defaults.
	h = fileHeader{Config: DefaultConfig()}
	if err := json.Unmarshal(js, &h); err != nil {
		return h, nil, fmt.Errorf("%w: header: %v", ErrNotModel, err)
	}
	if err := h.Config.Validate(); err != nil {
		return h, nil, fmt.Errorf("model configuration: %w", err)
	}
	if err := checkBounds(&h, all[len(all)-rest.Len():], len(data), o); err != nil {
		return h, nil, err
	}
	return h, rest, nil
}

// readHeads reads the heads' weights that the header hs describes into m, each followed by its
// model for unseen articles where it has one. Loaded for scoring alone (o.ScoreOnly), m keeps
// them as stored, in the order of Model.scoring, until its table is built.
func (m *Model) readHeads(body io.Reader, hs []headHeader, o LoadOptions) error {
	var unseenStored []*models.Stored
	for _, hh := range hs {
		hd, st, err := readHead(body, hh, m.Extractor, o)
		if err != nil {
			return err
		}
		m.stored = append(m.stored, st)
		if hh.Unseen != nil {
			if hh.Unseen.Name != hh.Name || !slices.Equal(hh.Unseen.Classes, hh.Classes) || hh.Unseen.Unseen != nil {
				return fmt.Errorf("%w: head %q: its model for unseen articles names another head or other classes", ErrNotModel, hh.Name)
			}
			u, st, err := readHead(body, *hh.Unseen, m.Extractor, o)
			if err != nil {
				return err
			}
			hd.Unseen = &u
			unseenStored = append(unseenStored, st)
		}
		m.Heads = append(m.Heads, hd)
	}
	if o.ScoreOnly {
		m.stored = append(m.stored, unseenStored...) // the order of Model.scoring
	} else {
		m.stored = nil
	}
	return nil
}
