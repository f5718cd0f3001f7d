package models

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"testing/iotest"
)

// handModel is small enough to lay out by hand (see the offsets in TestReadSoftmaxErrors).
func handModel() *Softmax {
	return &Softmax{Classes: 2, Dim: 4,
		W: []float32{0, 0, 1, -1, 0, 0, 0.5, 0},
		B: []float32{0.25, -0.25}}
}

func encode(t testing.TB, m *Softmax) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := m.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo returned %d, wrote %d bytes", n, buf.Len())
	}
	return buf.Bytes()
}

// fixCRC returns a copy of b whose last 4 bytes are the checksum of the rest, so that a test can
// reach the checks behind the checksum.
func fixCRC(b []byte) []byte {
	c := bytes.Clone(b)
	binary.LittleEndian.PutUint32(c[len(c)-4:], crc32.Checksum(c[:len(c)-4], castagnoli))
	return c
}

func TestWriteToLayout(t *testing.T) {
	got := encode(t, handModel())
	want := []byte("SMAX")
	want = binary.LittleEndian.AppendUint32(want, 1)                // version
	want = binary.LittleEndian.AppendUint32(want, 2)                // classes
	want = binary.LittleEndian.AppendUint64(want, 4)                // dim
	want = binary.LittleEndian.AppendUint64(want, 2)                // stored features
	for _, f := range []float32{0.25, -0.25, 0, 1, -1, 0, 0.5, 0} { // biases; records take indices below
		want = binary.LittleEndian.AppendUint32(want, math.Float32bits(f))
	}
	binary.LittleEndian.PutUint32(want[36:], 1) // record 0: index 1 (weights 1, -1)
	binary.LittleEndian.PutUint32(want[48:], 3) // record 1: index 3 (weights 0.5, 0)
	want = binary.LittleEndian.AppendUint32(want, crc32.Checksum(want, castagnoli))
	if !bytes.Equal(got, want) {
		t.Fatalf("WriteTo =\n% x\nwant\n% x", got, want)
	}
}

func TestRoundTrip(t *testing.T) {
	s := makeSynth(synthSpec{rows: 400, dim: 1 << 10, nnz: 15, classes: 4, noise: 1, seed: 31})
	m, _, err := Train(s.x, s.y, 4, 1<<10, TrainConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		m    *Softmax
	}{{"trained", m}, {"hand", handModel()}, {"no features", &Softmax{Classes: 3, W: []float32{}, B: []float32{1, 2, 3}}}} {
		t.Run(tt.name, func(t *testing.T) {
			b := encode(t, tt.m)
			r := bytes.NewReader(append(bytes.Clone(b), "TAIL"...))
			got, err := ReadSoftmax(r)
			if err != nil {
				t.Fatal(err)
			}
			if rest, _ := io.ReadAll(r); string(rest) != "TAIL" {
				t.Errorf("ReadSoftmax left %q unread, want exactly the model consumed", rest)
			}
			if !reflect.DeepEqual(got, tt.m) {
				t.Errorf("ReadSoftmax(WriteTo(m)) differs from m")
			}
			if b2 := encode(t, got); !bytes.Equal(b2, b) {
				t.Errorf("WriteTo(ReadSoftmax(b)) differs from b")
			}
			var p1, p2 []float64
			for i, x := range s.x {
				p1, p2 = tt.m.Probs(p1, x), got.Probs(p2, x)
				if !reflect.DeepEqual(p1, p2) {
					t.Fatalf("row %d: Probs %v after the round trip, %v before", i, p2, p1)
				}
			}
		})
	}
}

func TestReadSoftmaxErrors(t *testing.T) {
	// Layout of handModel: header 0..27 (magic 0, version 4, classes 8, dim 12, features 20),
	// biases 28 and 32, record 0 at 36 (index, weights at 40 and 44), record 1 at 48 (index,
	// weights at 52 and 56), checksum at 60; 64 bytes.
	valid := encode(t, handModel())
	if len(valid) != 64 {
		t.Fatalf("hand model is %d bytes, want 64", len(valid))
	}
	put32 := func(off int, v uint32) []byte {
		b := bytes.Clone(valid)
		binary.LittleEndian.PutUint32(b[off:], v)
		return fixCRC(b)
	}
	put64 := func(off int, v uint64) []byte {
		b := bytes.Clone(valid)
		binary.LittleEndian.PutUint64(b[off:], v)
		return fixCRC(b)
	}
	flipped := bytes.Clone(valid)
	flipped[41] ^= 1 // a bit of weight 0 of record 0, caught only by the checksum
	nan := math.Float32bits(float32(math.NaN()))
	inf := math.Float32bits(float32(math.Inf(-1)))
	for _, tt := range []struct {
		name   string
		in     []byte
		offset int64
		field  string
		msg    string
	}{
		{"empty", nil, 0, "header", "input ends 0 bytes into a 28-byte field: unexpected EOF"},
		{"magic", append([]byte("SMAx"), valid[4:]...), 0, "magic", `got "SMAx", want "SMAX"`},
		{"version", put32(4, 2), 4, "version", "got 2, want 1"},
		{"one class", put32(8, 1), 8, "classes", "got 1, want 2..65536"},
		{"too many classes", put32(8, 1<<16+1), 8, "classes", "got 65537, want 2..65536"},
		{"dim", put64(12, 1<<40), 12, "dim", "got 1099511627776 with 2 classes, want dim*classes <= 268435456"},
		{"features", put64(20, 5), 20, "features", "got 5 stored features, more than dim 4"},
		{"bias NaN", put32(28, nan), 28, "bias 0", "got NaN, want a finite value of at most 1e+20 in magnitude"},
		{"bias Inf", put32(32, inf), 32, "bias 1", "got -Inf, want a finite value of at most 1e+20 in magnitude"},
		{"index beyond dim", put32(48, 4), 48, "feature 1 index", "got 4, want < dim 4"},
		{"index repeated", put32(48, 1), 48, "feature 1 index", "got 1 after 1, want strictly ascending"},
		{"weight NaN", put32(44, nan), 44, "feature 0 weight 1", "got NaN, want a finite value of at most 1e+20 in magnitude"},
		// Finite but extreme: a weight or bias near float32's maximum overflows the first sum.
		{"weight near float32's maximum", put32(40, math.Float32bits(math.MaxFloat32)), 40, "feature 0 weight 0", "got 3.4028235e+38, want a finite value of at most 1e+20 in magnitude"},
		{"bias past MaxWeight", put32(28, math.Float32bits(-2e20)), 28, "bias 0", "got -2e+20, want a finite value of at most 1e+20 in magnitude"},
		{"zero record", put32(52, 0), 48, "feature 1", "index 3 stored with all weights zero"},
		{"checksum", flipped, 60, "checksum", fmt.Sprintf("got 0x%08x, computed 0x%08x",
			binary.LittleEndian.Uint32(valid[60:]), binary.LittleEndian.Uint32(fixCRC(flipped)[60:]))},
		{"no checksum", valid[:60], 60, "checksum", "input ends 0 bytes into a 4-byte field: unexpected EOF"},
		{"short record", valid[:40], 36, "feature 0", "input ends 4 bytes into a 12-byte field: unexpected EOF"},
		{"short second record", valid[:50], 48, "feature 1", "input ends 2 bytes into a 12-byte field: unexpected EOF"},
		{"no records", valid[:36], 36, "feature 0", "input ends 0 bytes into a 12-byte field: unexpected EOF"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ReadSoftmax(bytes.NewReader(tt.in))
			if m != nil {
				t.Errorf("ReadSoftmax returned a model with an error")
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("ReadSoftmax error = %v, want a *FormatError", err)
			}
			if fe.Offset != tt.offset || fe.Field != tt.field || fe.Err.Error() != tt.msg {
				t.Errorf("error at byte %d (%s): %q; want byte %d (%s): %q", fe.Offset, fe.Field, fe.Err, tt.offset, tt.field, tt.msg)
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("errors.Is(err, ErrFormat) = false for %v", err)
			}
		})
	}

	// The full message names the package, the byte and the field.
	_, err := ReadSoftmax(bytes.NewReader(put32(4, 9)))
	if want := "models: invalid softmax model: byte 4 (version): got 9, want 1"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}

	// Every truncation is an unexpected EOF.
	for n := range len(valid) {
		_, err := ReadSoftmax(bytes.NewReader(valid[:n]))
		if !errors.Is(err, io.ErrUnexpectedEOF) || !errors.Is(err, ErrFormat) {
			t.Errorf("first %d of %d bytes: error %v, want a FormatError wrapping io.ErrUnexpectedEOF", n, len(valid), err)
		}
	}

	// A failing reader is an I/O error, not a format error.
	boom := errors.New("boom")
	_, err = ReadSoftmax(io.MultiReader(bytes.NewReader(valid[:30]), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) || errors.Is(err, ErrFormat) {
		t.Errorf("error %v, want the reader's error and no ErrFormat", err)
	}
}

func TestWriteToErrors(t *testing.T) {
	nanW := handModel()
	nanW.W[3] = float32(math.NaN())
	for _, tt := range []struct {
		name string
		m    *Softmax
		want string
	}{
		{"classes", &Softmax{Classes: 1, B: []float32{0}}, "models: Softmax.Classes = 1, want 2..65536"},
		{"W length", &Softmax{Classes: 2, Dim: 3, W: make([]float32, 5), B: make([]float32, 2)}, "models: len(Softmax.W) = 5, want Dim*Classes = 6"},
		{"B length", &Softmax{Classes: 2, B: make([]float32, 3)}, "models: len(Softmax.B) = 3, want Classes = 2"},
		{"NaN weight", nanW, "models: Softmax.W[3] (feature 1, class 1) = NaN, want a finite value of at most 1e+20 in magnitude"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			n, err := tt.m.WriteTo(&buf)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("WriteTo error = %v, want %q", err, tt.want)
			}
			if n != 0 || buf.Len() != 0 {
				t.Errorf("WriteTo wrote %d bytes before refusing", buf.Len())
			}
		})
	}

	// A writer that fails is reported with the bytes it accepted.
	boom := errors.New("boom")
	n, err := handModel().WriteTo(failAfter{n: 0, err: boom})
	if !errors.Is(err, boom) || n != 0 {
		t.Errorf("WriteTo = %d, %v; want 0, %v", n, err, boom)
	}
}

type failAfter struct {
	n   int
	err error
}

func (f failAfter) Write(p []byte) (int, error) { return min(f.n, len(p)), f.err }

// FuzzReadSoftmax: ReadSoftmax never panics; it accepts input only if it is the unique encoding
// of the model it returns. Each input is also tried with its checksum repaired, so that the
// fuzzer reaches the checks behind it.
func FuzzReadSoftmax(f *testing.F) {
	valid := encode(f, handModel())
	s := makeSynth(synthSpec{rows: 50, dim: 64, nnz: 5, classes: 3, noise: 1, seed: 41})
	m, _, err := Train(s.x, s.y, 3, 64, TrainConfig{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(encode(f, m))
	f.Add(encode(f, &Softmax{Classes: 2, B: []float32{0, 0}}))
	f.Add(valid[:30])
	f.Add(valid[:50])
	corrupt := bytes.Clone(valid)
	corrupt[48] = 1 // repeated index
	f.Add(corrupt)
	f.Add(fixCRC(corrupt))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
		if len(data) >= headerSize+4 {
			k := uint64(binary.LittleEndian.Uint32(data[8:]))
			dim := binary.LittleEndian.Uint64(data[12:])
			// A repaired checksum lets a 32-byte input claim a 1 GiB model; keep the fuzzer fast.
			if dim < 1<<16 && k*dim < 1<<18 {
				checkDecode(t, fixCRC(data))
			}
		}
	})
}

func checkDecode(t *testing.T, data []byte) {
	r := bytes.NewReader(data)
	m, err := ReadSoftmax(r)
	if err != nil {
		if !errors.Is(err, ErrFormat) {
			t.Fatalf("error %v from a bytes.Reader is not a format error", err)
		}
		return
	}
	used := data[:len(data)-r.Len()]
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatalf("WriteTo of a model ReadSoftmax accepted: %v", err)
	}
	if !bytes.Equal(buf.Bytes(), used) {
		t.Fatalf("accepted % x, which re-encodes as % x", used, buf.Bytes())
	}
}

// ReadStored keeps what ReadSoftmax reads, and At finds each feature's weights whatever the
// order of the calls.
func TestReadStoredIsReadSoftmax(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m := &Softmax{Classes: 3, Dim: 5000, W: make([]float32, 5000*3), B: []float32{0.1, -0.2, 0.3}}
	for f := 0; f < m.Dim; f += 1 + rng.IntN(40) {
		m.W[f*3+rng.IntN(3)] = float32(rng.NormFloat64())
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	dense, err := ReadSoftmax(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	sm, st, err := ReadStored(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if sm.W != nil || sm.Dim != m.Dim || sm.Classes != 3 || !slices.Equal(sm.B, m.B) {
		t.Fatalf("ReadStored's model: dim %d, classes %d, biases %v, W set %v", sm.Dim, sm.Classes, sm.B, sm.W != nil)
	}
	check := func(f int) {
		want := dense.W[f*3 : f*3+3]
		got := st.At(uint32(f))
		if got == nil {
			got = make([]float32, 3)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("feature %d: At gives %v, ReadSoftmax %v", f, got, want)
		}
	}
	for f := range m.Dim { // ascending, as the scoring table is built
		check(f)
	}
	for range 20000 { // any order
		check(rng.IntN(m.Dim))
	}
	for f := m.Dim - 1; f >= 0; f -= 7 {
		check(f)
	}
}

// A weight of MaxWeight (as float32 rounds it) is kept: the bound refuses only what is beyond.
func TestMaxWeightRoundTrips(t *testing.T) {
	m := handModel()
	m.W[0], m.B[1] = float32(MaxWeight), -float32(MaxWeight)
	back, err := ReadSoftmax(bytes.NewReader(encode(t, m)))
	if err != nil {
		t.Fatal(err)
	}
	if back.W[0] != float32(MaxWeight) || back.B[1] != -float32(MaxWeight) {
		t.Errorf("read back %v and %v", back.W[0], back.B[1])
	}
	m.W[0] = math.Nextafter32(float32(MaxWeight), math.MaxFloat32)
	if _, err := m.WriteTo(io.Discard); err == nil {
		t.Error("WriteTo wrote a weight beyond MaxWeight")
	}
}
