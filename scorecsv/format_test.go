package scorecsv

import (
	"bytes"
	"encoding/csv"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestFixed4IsFormatFloat(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, 0.03125, -0.03125, 0.00005, -0.00005,
		0.99995, -0.99995, 1e-300, -1e-300, 0.12345, 0.00015, 1.00001, -1.00001, 2, math.NaN(), math.Inf(1), math.Inf(-1),
		math.Nextafter(1, 2), math.Nextafter(-1, -2), math.Nextafter(1, 0)}
	for m := 1; m < 64; m += 2 { // m/32: halfway between two 4-digit decimals, exactly
		vals = append(vals, float64(m)/32, -float64(m)/32)
	}
	for r := 0; r <= 20000; r++ { // the halfway points and their neighbours
		x := (float64(r) + 0.5) / 2e4
		vals = append(vals, x, -x, math.Nextafter(x, 0), math.Nextafter(x, 1), math.Nextafter(-x, 0), math.Nextafter(-x, -1), float64(r)/2e4)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		vals = append(vals, rng.Float64(), -rng.Float64(), rng.Float64()-rng.Float64())
	}
	for _, v := range vals {
		if got, want := fixed4(v), strconv.FormatFloat(v, 'f', 4, 64); got != want {
			t.Fatalf("fixed4(%v) = %q, want %q", v, got, want)
		}
	}
}

func BenchmarkFixed4(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = fixed4(float64(i%10007) / 10007)
	}
}

// FuzzAppendCSVField checks that a row of fields joined by appendCSVFields is byte for byte what
// encoding/csv writes.
func FuzzAppendCSVField(f *testing.F) {
	for _, s := range []string{"", "plain", "a,b", `say "hi"`, "two\nlines", "cr\r\nlf", " lead", "\u00a0nbsp", `\.`, "تعليق، جيد", "\xff"} {
		f.Add(s, "x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		var want bytes.Buffer
		w := csv.NewWriter(&want)
		w.Write([]string{a, b, "0.5000"})
		w.Flush()
		got := append(appendCSVFields(nil, []string{a, b, "0.5000"}), '\n')
		if string(got) != want.String() {
			t.Fatalf("fields %q, %q: wrote %q, encoding/csv %q", a, b, got, want.String())
		}
	})
}
