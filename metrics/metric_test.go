package metrics

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestParseMetric(t *testing.T) {
	stance := []string{"FAVOR", "AGAINST", "NONE"}
	fnc := []string{"Agree", "Disagree", "Discuss", "Unrelated"}
	tests := []struct {
		spec    string
		classes []string
		name    string // "" if the spec is rejected
		canon   string
		err     error
	}{
		{"f_avg(FAVOR,AGAINST)", stance, "f_avg", "f_avg(FAVOR,AGAINST)", nil},
		{"f_avg( AGAINST ,\tFAVOR )", stance, "f_avg", "f_avg(AGAINST,FAVOR)", nil},
		{"f_avg(NONE)", stance, "f_avg", "f_avg(NONE)", nil},
		{"f_avg(\x1cNONE\u3000)", stance, "f_avg", "f_avg(NONE)", nil}, // Python strips both
		{"macro_f1", stance, "macro_f1", "macro_f1", nil},
		{"accuracy", stance, "accuracy", "accuracy", nil},
		{"fnc_score", fnc, "fnc_score", "fnc_score", nil},
		// Rejected as score.py rejects them.
		{"f_avg(favor,AGAINST)", stance, "", "", ErrUnknownClass}, // names are case-sensitive
		{"f_avg(FAVOR,)", stance, "", "", ErrUnknownClass},
		{"f_avg()", stance, "", "", ErrMetric},
		{"f_avg(FAVOR\n)", stance, "", "", ErrMetric},
		{" macro_f1", stance, "", "", ErrMetric},
		{"Accuracy", stance, "", "", ErrMetric},
		{"f_avg(FAVOR,AGAINST", stance, "", "", ErrMetric},
		{"fnc_score", stance, "", "", ErrUnknownClass},
		// Rejected beyond score.py.
		{"f_avg(FAVOR,FAVOR)", stance, "", "", ErrMetric},
		{"fnc_score", append(slices.Clone(fnc), "agree"), "", "", ErrClasses},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			m, err := ParseMetric(tt.spec, tt.classes)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Errorf("err = %v; want %v", err, tt.err)
				}
				return
			}
			if err != nil || m.Name() != tt.name || m.String() != tt.canon {
				t.Errorf("ParseMetric = %q, %q, %v; want %q, %q", m.Name(), m, err, tt.name, tt.canon)
			}
		})
	}
}

var fAvgRE = regexp.MustCompile(`^f_avg\((.+)\)$`)

// pyWhitespace is what Python's str.strip() strips: the characters for which str.isspace() is
// true (Python 3.11: bidirectional class WS, B or S, or category Zs).
const pyWhitespace = "\t\n\v\f\r\x1c\x1d\x1e\x1f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005" +
	"\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

// scorePyAccepts is score.py's head_report test of an official metric, transcribed: the same
// regular expression (Go's "." also stops at a newline), the same split and strip, and the same
// dictionary look-up, which raises KeyError for an unknown class.
func scorePyAccepts(spec string, classes []string) bool {
	if spec == "fnc_score" || spec == "macro_f1" || spec == "accuracy" {
		return true
	}
	m := fAvgRE.FindStringSubmatch(spec)
	if m == nil {
		return false
	}
	for _, c := range strings.Split(m[1], ",") {
		if !slices.Contains(classes, strings.Trim(c, pyWhitespace)) {
			return false
		}
	}
	return true
}

// FuzzParseMetric checks ParseMetric against score.py's rules, and that an accepted spec's
// canonical form parses back to the same metric.
func FuzzParseMetric(f *testing.F) {
	for _, s := range []string{"f_avg(FAVOR,AGAINST)", "f_avg( NONE , FAVOR)", "macro_f1", "accuracy",
		"fnc_score", "f_avg()", "f_avg(,)", "f_avg(FAVOR,FAVOR)", "f_avg(A)(B)", "f_avg(\n)", "f_avg(FAVOR", "f_avg( )", "f_avg(a b)", "f_avg(\x1cNONE\u3000)"} {
		f.Add(s)
	}
	classes := []string{"FAVOR", "AGAINST", "NONE", "A)(B", "a b"}
	f.Fuzz(func(t *testing.T, spec string) {
		m, err := ParseMetric(spec, classes)
		want := scorePyAccepts(spec, classes)
		if spec == "fnc_score" {
			want = false // the head has no FNC-1 classes; score.py would score it anyway
		}
		if err == nil && !want {
			t.Fatalf("ParseMetric(%q) accepted what score.py rejects", spec)
		}
		if err != nil {
			// The only rejections score.py does not make: a class named twice, and fnc_score.
			if want && !errors.Is(err, ErrMetric) && spec != "fnc_score" {
				t.Fatalf("ParseMetric(%q) = %v; score.py accepts it", spec, err)
			}
			return
		}
		back, err := ParseMetric(m.String(), classes)
		if err != nil || back.String() != m.String() || back.Name() != m.Name() || !slices.Equal(back.classes, m.classes) {
			t.Fatalf("ParseMetric(%q) = %q, which parses back to %q, %v", spec, m, back, err)
		}
	})
}
