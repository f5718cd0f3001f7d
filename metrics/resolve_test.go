package metrics

import "testing"

func TestResolve(t *testing.T) {
	tests := []struct {
		spec    string
		classes []string
		want    string
		noted   bool
	}{
		{"f_avg(FAVOR,AGAINST)", []string{"Against", "Favor", "None"}, "f_avg(Favor,Against)", false},
		{"f_avg(FAVOR, AGAINST)", []string{"AGAINST", "FAVOR", "NONE"}, "f_avg(FAVOR,AGAINST)", false},
		{"f_avg(FAVOR,AGAINST)", []string{"No", "Yes"}, "macro_f1", true},
		{"fnc_score", []string{"agree", "disagree", "discuss", "unrelated"}, "fnc_score", false},
		{"fnc_score", []string{"AGAINST", "FAVOR"}, "macro_f1", true},
		{"accuracy", []string{"a", "b"}, "accuracy", false},
		{"", []string{"a", "b"}, "macro_f1", false},
		{"bogus", []string{"a", "b"}, "macro_f1", true},
	}
	for _, tt := range tests {
		got, note := Resolve(tt.spec, tt.classes)
		if got != tt.want || (note != "") != tt.noted {
			t.Errorf("Resolve(%q, %v) = %q, %q; want %q (note: %v)", tt.spec, tt.classes, got, note, tt.want, tt.noted)
		}
		if _, err := ParseMetric(got, tt.classes); err != nil {
			t.Errorf("Resolve(%q) gave %q, which ParseMetric refuses: %v", tt.spec, got, err)
		}
	}
}
