package classifier

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Hostile model files (issue 17): files whose checksums are valid but whose contents demand
// too much memory or would make scores overflow.

var smallModel struct {
	sync.Once
	b []byte
}

// smallModelFile is a model trained on the first 24 rows of the sample, once per test binary:
// the tests here need a valid file, not a good model, and fuzzing workers train it again
// under coverage instrumentation, where the whole sample takes minutes.
func smallModelFile(t testing.TB) []byte {
	t.Helper()
	smallModel.Do(func() { smallModel.b = modelBytes(t, train(t, sample(t)[:24], smallConfig())) })
	if smallModel.b == nil {
		t.Fatal("training the small model failed")
	}
	return smallModel.b
}

// parts splits a model file into its header JSON and what follows it up to the checksum.
func parts(t testing.TB, b []byte) (js, rest []byte) {
	t.Helper()
	n := int(binary.LittleEndian.Uint32(b[12:16]))
	return b[16 : 16+n], b[16+n : len(b)-sha256.Size]
}

// assemble makes a model file of a header and the rest, with a valid checksum.
func assemble(js, rest []byte) []byte {
	var b bytes.Buffer
	b.Write(magic[:])
	binary.Write(&b, binary.LittleEndian, uint32(FormatVersion))
	binary.Write(&b, binary.LittleEndian, uint32(len(js)))
	b.Write(js)
	b.Write(rest)
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:])
	return b.Bytes()
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// repair gives a mutated model file valid checksums: each head's CRC-32C (models' format), as
// far as the file can be parsed, and then the file's SHA-256, so that a fuzzer's mutation
// reaches the loader's checks behind them instead of stopping at a checksum.
func repair(b []byte) []byte {
	b = bytes.Clone(b)
	if len(b) < 16+sha256.Size || !bytes.Equal(b[:8], magic[:]) {
		return b
	}
	body := b[:len(b)-sha256.Size]
	n := uint64(binary.LittleEndian.Uint32(body[12:16]))
	var h fileHeader
	if off := 16 + n; off+12 <= uint64(len(body)) && json.Unmarshal(body[16:off], &h) == nil {
		kept := uint64(binary.LittleEndian.Uint32(body[off+8:]))
		at := off + 12 + 8*kept
		for range h.Heads {
			if at+28 > uint64(len(body)) {
				break
			}
			k := uint64(binary.LittleEndian.Uint32(body[at+8:]))
			nst := binary.LittleEndian.Uint64(body[at+20:])
			if k > 1<<16 || nst > 1<<32 {
				break
			}
			size := 28 + 4*k + nst*(4+4*k) + 4
			if at+size > uint64(len(body)) {
				break
			}
			sec := body[at : at+size]
			binary.LittleEndian.PutUint32(sec[size-4:], crc32.Checksum(sec[:size-4], castagnoli))
			at += size
		}
	}
	sum := sha256.Sum256(body)
	copy(b[len(body):], sum[:])
	return b
}

// withHeader rewrites the header JSON of a good model file by edit.
func withHeader(t testing.TB, good []byte, edit func(h map[string]any)) []byte {
	t.Helper()
	js, rest := parts(t, good)
	var h map[string]any
	if err := json.Unmarshal(js, &h); err != nil {
		t.Fatal(err)
	}
	edit(h)
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return assemble(js, rest)
}

func manyHeads(n, classes int) func(h map[string]any) {
	return func(h map[string]any) {
		heads := make([]any, n)
		for i := range heads {
			cs := make([]string, classes)
			for k := range cs {
				cs[k] = "c" + string(rune('a'+k%26)) + strings.Repeat("x", k/26)
			}
			heads[i] = map[string]any{"name": "h" + string(rune('a'+i)), "classes": cs}
		}
		h["heads"] = heads
	}
}

func TestLoadBounds(t *testing.T) {
	good := smallModelFile(t)
	for _, tt := range []struct {
		name      string
		data      []byte
		scoreOnly bool
		want      error
		msg       string
	}{
		{"16 heads of 2047 classes, loaded whole", withHeader(t, good, manyHeads(16, 2047)), false, ErrTooLarge,
			"16 heads of [2047 2047 2047 2047 2047 2047 2047 2047 2047 2047 2047 2047 2047 2047 2047 2047] classes over 2^16 features need 16.0 GiB for the weight matrices, more than 1536 MiB; raise LoadLimits.MemoryBytes if it is a model"},
		{"16 heads of 2047 classes, for scoring", withHeader(t, good, manyHeads(16, 2047)), true, ErrTooLarge, "for the scoring table, more than 1536 MiB"},
		{"65 heads", withHeader(t, good, manyHeads(65, 2)), true, ErrTooLarge, "65 heads, want at most 64"},
		{"a head of one class", withHeader(t, good, manyHeads(2, 1)), true, ErrNotModel, `head "ha" has 1 classes, want 2 to 65536`},
		{"conjoin weight 1e308", withHeader(t, good, func(h map[string]any) {
			h["config"].(map[string]any)["features"].(map[string]any)["conjoin_weight"] = 1e308
		}), true, nil, "model configuration: features.Config.ConjoinWeight = 1e+308: want a number above 0 and at most 1e+06"},
		{"all-zero class weights", withHeader(t, good, func(h map[string]any) {
			hd := h["heads"].([]any)[0].(map[string]any)
			hd["class_weights"] = []float64{0, 0, 0}
		}), true, ErrNotModel, `class weight 0 for class`},
		{"class weights in the config of zero", withHeader(t, good, func(h map[string]any) {
			h["config"].(map[string]any)["class_weights"] = map[string]any{"stance": map[string]any{"FAVOR": 0}}
		}), false, nil, `model configuration: classifier.Config.ClassWeights["stance"]["FAVOR"] = 0: want a finite number above 0`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(bytes.NewReader(tt.data), LoadOptions{ScoreOnly: tt.scoreOnly, size: -1})
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("error %v\nwant %v containing %q", err, tt.want, tt.msg)
			}
		})
	}
}

// TestExtremeValuesRefused: an IDF or a weight near float32's maximum, with every checksum
// valid, is refused on load: scoring with it gave NaN.
func TestExtremeValuesRefused(t *testing.T) {
	good := smallModelFile(t)
	js, rest := parts(t, good)
	kept := binary.LittleEndian.Uint32(rest[8:12])
	if kept == 0 {
		t.Fatal("the sample model keeps no features")
	}
	idf := bytes.Clone(rest)
	binary.LittleEndian.PutUint32(idf[12+4:], math.Float32bits(math.MaxFloat32)) // entry 0's IDF
	if _, err := read(bytes.NewReader(repair(assemble(js, idf))), LoadOptions{size: -1}); err == nil || !strings.Contains(err.Error(), "has IDF 3.4028235e+38, want at most 64") {
		t.Errorf("IDF near float32's maximum: %v", err)
	}
	w := bytes.Clone(rest)
	head := 12 + 8*int(kept)
	k := int(binary.LittleEndian.Uint32(w[head+8:]))
	// The first stored feature's first weight: after the head's header, biases and index.
	binary.LittleEndian.PutUint32(w[head+28+4*k+4:], math.Float32bits(-math.MaxFloat32))
	_, err := read(bytes.NewReader(repair(assemble(js, w))), LoadOptions{size: -1})
	if err == nil || !strings.Contains(err.Error(), "want a finite value of at most 1e+20 in magnitude") {
		t.Errorf("weight near float32's maximum: %v", err)
	}
	// And the repaired but unchanged file still loads: repair is right.
	if _, err := read(bytes.NewReader(repair(good)), LoadOptions{size: -1}); err != nil {
		t.Fatalf("repaired good file: %v", err)
	}
}

// zeroReader is /dev/zero.
type zeroReader struct{ n int64 }

func (z *zeroReader) Read(p []byte) (int, error) { clear(p); z.n += int64(len(p)); return len(p), nil }

func TestModelFileBounded(t *testing.T) {
	// The signature, then endless zeros: refused after the limit, not after all memory.
	z := &zeroReader{}
	_, err := read(io.MultiReader(bytes.NewReader(magic[:]), z), LoadOptions{size: -1, Limits: LoadLimits{FileBytes: 1 << 20}})
	var le *LimitError
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &le) || le.Limit != "FileBytes" ||
		!strings.HasSuffix(err.Error(), "; raise LoadLimits.FileBytes if it is a model") {
		t.Fatalf("endless zeros: %v", err)
	}
	if z.n > 2<<20 {
		t.Errorf("read %d bytes of zeros for a limit of 1 MiB", z.n)
	}
	// A file over the limit is refused by its size, before it is read.
	p := filepath.Join(t.TempDir(), "big.stance")
	if err := os.WriteFile(p, append(magic[:], make([]byte, 4096)...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadWith(p, LoadOptions{Limits: LoadLimits{FileBytes: 1000}})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "the file is 4104 bytes, more than 1000") {
		t.Fatalf("file over the limit: %v", err)
	}
}

// FuzzReadRepaired mutates model files and repairs their checksums, so that the mutations
// reach the loader's bounds and value checks: whatever the file, the loader stays within its
// memory limit, and a model it accepts scores finite probabilities.
func FuzzReadRepaired(f *testing.F) {
	good := smallModelFile(f)
	f.Add(good)
	// (The seeds of 16 heads of 2,047 classes and of bits 26 are TestLoadBounds cases: as
	// seeds they slow every worker.)
	f.Fuzz(func(t *testing.T, b []byte) {
		Read(bytes.NewReader(b)) // must not panic
		for _, scoreOnly := range []bool{false, true} {
			m, err := read(bytes.NewReader(repair(b)), LoadOptions{ScoreOnly: scoreOnly, size: -1, Limits: LoadLimits{MemoryBytes: 64 << 20}})
			if err != nil {
				continue
			}
			s, err := m.NewScorer()
			if err != nil {
				t.Fatal(err)
			}
			var sc Scores
			for _, text := range []string{"a comment about the article", "مرحبا"} {
				s.Score(&sc, text, "the article")
				for _, p := range sc.Probs {
					for _, v := range p {
						if math.IsNaN(v) || math.IsInf(v, 0) {
							t.Fatalf("score %v", sc.Probs)
						}
					}
				}
			}
		}
	})
}

// TestConfigValuesFirstByName: of several bad heads or class weights in a model's
// configuration, the first by name is named, every time (they are maps).
func TestConfigValuesFirstByName(t *testing.T) {
	c := DefaultConfig()
	c.Heads = map[string]HeadConfig{}
	for _, h := range []string{"sentiment", "emotion", "stance", "topic"} {
		c.Heads[h] = HeadConfig{C: math.NaN()}
	}
	c.ClassWeights = map[string]map[string]float64{"stance": {"NONE": 0, "AGAINST": math.Inf(1), "FAVOR": -1}, "emotion": {"joy": 0}}
	for range 20 {
		err := checkConfigValues(c)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Head != "emotion" || ce.Field != "C" {
			t.Fatalf("bad heads: %v, want emotion's C", err)
		}
	}
	c.Heads = nil
	const want = `classifier.Config.ClassWeights["emotion"]["joy"] = 0: want a finite number above 0`
	for range 20 {
		if err := checkConfigValues(c); err == nil || err.Error() != want {
			t.Fatalf("bad class weights: %v\nwant %s", err, want)
		}
	}
}

// TestClassWeightsMatchTheData: Config.ClassWeights of a head must weigh each of its classes
// and no other; the error names the field as a *ConfigError.
func TestClassWeightsMatchTheData(t *testing.T) {
	classes := []string{"AGAINST", "FAVOR", "NONE"}
	for _, tt := range []struct {
		name    string
		weights map[string]float64
		want    string
	}{
		{"a class without a weight", map[string]float64{"against": 1, "favor": 2},
			`classifier.Config.ClassWeights["stance"]: no weight for class "NONE" (the data has AGAINST, FAVOR, NONE)`},
		{"weights of classes the data lacks", map[string]float64{"against": 1, "favor": 2, "none": 1, "zeta": 1, "beta": 1},
			`classifier.Config.ClassWeights["stance"]["beta"]: the data has no such class (it has AGAINST, FAVOR, NONE)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.ClassWeights = map[string]map[string]float64{"stance": tt.weights}
			for range 10 {
				_, err := trainConfig("stance", classes, nil, cfg.Head("stance"), cfg)
				if err == nil || err.Error() != tt.want || !errors.As(err, new(*ConfigError)) {
					t.Fatalf("error %v\nwant %s", err, tt.want)
				}
			}
		})
	}
}
