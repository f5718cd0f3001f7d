package abstain

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func ptr(p float64) *float64 { return &p }

var heads = []HeadClasses{
	{Name: "sentiment", Classes: []string{"NEGATIVE", "NEUTRAL", "POSITIVE"}},
	{Name: "stance", Classes: []string{"AGAINST", "FAVOR", "NONE"}},
}

// configured is a configuration as config.yaml gives it (keys lowercased): 0.6 for every head,
// stance 0.5 of its own, and NONE 0.8 when it is stance's top class.
var configured = Thresholds{
	MinProb: 0.6,
	Heads:   map[string]Head{"stance": {MinProb: ptr(0.5), Classes: map[string]float64{"none": 0.8}}},
	Label:   "UNSURE",
}

func TestOf(t *testing.T) {
	for _, tt := range []struct {
		name        string
		t           Thresholds
		head, class string
		want        float64
	}{
		{"zero value", Thresholds{}, "stance", "FAVOR", 0},
		{"every head", configured, "sentiment", "POSITIVE", 0.6},
		{"the head's own", configured, "stance", "FAVOR", 0.5},
		{"the class's own, without case", configured, "stance", "NONE", 0.8},
		{"the head without case", configured, "STANCE", "AGAINST", 0.5},
		{"a head with classes only keeps MinProb", Thresholds{MinProb: 0.3, Heads: map[string]Head{"stance": {Classes: map[string]float64{"NONE": 0.9}}}}, "stance", "FAVOR", 0.3},
		{"a head's 0 never withholds", Thresholds{MinProb: 0.3, Heads: map[string]Head{"stance": {MinProb: ptr(0)}}}, "stance", "FAVOR", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.t.Of(tt.head, tt.class); got != tt.want {
				t.Errorf("Of(%s, %s) = %v, want %v", tt.head, tt.class, got, tt.want)
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	p, err := configured.Compile(heads)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		head, class int
		prob        float64
		withheld    bool
	}{
		{0, 2, 0.59, true},   // sentiment POSITIVE: under 0.6
		{0, 2, 0.6, false},   // at the threshold: given
		{1, 1, 0.55, false},  // stance FAVOR: 0.5 of its own
		{1, 1, 0.49, true},   //
		{1, 2, 0.79, true},   // stance NONE: 0.8
		{1, 2, 0.8, false},   //
		{1, 0, 0.334, true},  // stance AGAINST, the least a top class of three can have
		{0, 0, 1.0, false},   // certain
		{0, 1, 0.0001, true}, // never a top class, but still under
	} {
		label, withheld := p.LabelOf(tt.head, tt.class, heads[tt.head].Classes[tt.class], tt.prob)
		if withheld != tt.withheld || p.Withholds(tt.head, tt.class, tt.prob) != tt.withheld {
			t.Errorf("head %d class %d p %v: withheld %v, want %v", tt.head, tt.class, tt.prob, withheld, tt.withheld)
		}
		want := heads[tt.head].Classes[tt.class]
		if tt.withheld {
			want = "UNSURE"
		}
		if label != want {
			t.Errorf("head %d class %d p %v: label %q, want %q", tt.head, tt.class, tt.prob, label, want)
		}
	}
	if got := p.MinProb(1, 2); got != 0.8 {
		t.Errorf("MinProb(stance, NONE) = %v, want 0.8", got)
	}

	var none *Policy // a nil Policy withholds nothing
	if none.Withholds(0, 0, 0) || none.MinProb(0, 0) != 0 || none.Label() != "" {
		t.Error("a nil Policy withholds")
	}
	if zero, err := (Thresholds{}).Compile(heads); err != nil || zero.Withholds(1, 1, 0.01) {
		t.Errorf("the zero Thresholds withhold, or fail: %v", err)
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		t    Thresholds
		err  error
		msg  string
	}{
		{"MinProb above 1", Thresholds{MinProb: 1.5}, ErrRange, "1.5: want a probability from 0 to 1"},
		{"MinProb NaN", Thresholds{MinProb: math.NaN()}, ErrRange, "NaN: want a probability"},
		{"a head's below 0", Thresholds{Heads: map[string]Head{"stance": {MinProb: ptr(-0.1)}}}, ErrRange, "-0.1: want"},
		{"a class's above 1", Thresholds{Heads: map[string]Head{"stance": {Classes: map[string]float64{"NONE": 2}}}}, ErrRange, "2: want"},
		{"unknown head", Thresholds{Heads: map[string]Head{"stanse": {MinProb: ptr(0.5)}}}, ErrUnknownHead,
			`head "stanse": no such head; the heads are sentiment, stance`},
		{"unknown class", Thresholds{Heads: map[string]Head{"stance": {Classes: map[string]float64{"NONEE": 0.5}}}}, ErrUnknownClass,
			`head stance, class "NONEE": no such class; its classes are AGAINST, FAVOR, NONE`},
		{"label a class", Thresholds{MinProb: 0.5, Label: "NONE"}, ErrLabel,
			`"NONE" is a class of head stance: a withheld label would read as that class; want another label, or none`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.t.Compile(heads)
			var e *Error
			if !errors.Is(err, tt.err) || !errors.As(err, &e) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want %v saying %q", err, tt.err, tt.msg)
			}
		})
	}
}

func TestActive(t *testing.T) {
	for _, tt := range []struct {
		t    Thresholds
		want bool
	}{
		{Thresholds{}, false},
		{Thresholds{Label: "UNSURE"}, false},
		{Thresholds{Heads: map[string]Head{"stance": {MinProb: ptr(0)}}}, false},
		{Thresholds{MinProb: 0.1}, true},
		{Thresholds{Heads: map[string]Head{"stance": {Classes: map[string]float64{"NONE": 0.9}}}}, true},
	} {
		if got := tt.t.Active(); got != tt.want {
			t.Errorf("%+v: Active %v, want %v", tt.t, got, tt.want)
		}
	}
}

func TestParseFlag(t *testing.T) {
	for _, tt := range []struct {
		in   string
		head string
		p    float64
		err  string
	}{
		{in: "0.6", p: 0.6},
		{in: "stance=0.6", head: "stance", p: 0.6},
		{in: " stance = 0.5 ", head: "stance", p: 0.5},
		{in: "1", p: 1},
		{in: "0", p: 0},
		{in: "1.2", err: `"1.2": want a probability from 0 to 1`},
		{in: "stance=-0.1", err: `"stance=-0.1": want a probability`},
		{in: "NaN", err: `want a probability`},
		{in: "=0.5", err: `"=0.5": no head before =`},
		{in: "stance", err: `"stance": "stance" is not a number`},
		{in: "0.6abc", err: `is not a number`},
		{in: "stance=", err: `"" is not a number`},
	} {
		t.Run(tt.in, func(t *testing.T) {
			head, p, err := ParseFlag(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil || head != tt.head || p != tt.p {
				t.Errorf("(%q, %v, %v), want (%q, %v)", head, p, err, tt.head, tt.p)
			}
		})
	}
}

// FuzzParseFlag checks that whatever ParseFlag accepts is a probability, and that writing it
// back as HEAD=P parses to the same.
func FuzzParseFlag(f *testing.F) {
	for _, s := range []string{"0.6", "stance=0.6", "=1", "x=y=0.5", "1e-3", "inf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		head, p, err := ParseFlag(s)
		if err != nil {
			return
		}
		if !(p >= 0 && p <= 1) {
			t.Fatalf("%q: accepted %v", s, p)
		}
		if head == "" {
			return
		}
		h2, p2, err := ParseFlag(head + "=" + strings.TrimSpace(s[strings.IndexByte(s, '=')+1:]))
		if err != nil || h2 != head || p2 != p {
			t.Fatalf("%q: (%q, %v) parses back as (%q, %v, %v)", s, head, p, h2, p2, err)
		}
	})
}
