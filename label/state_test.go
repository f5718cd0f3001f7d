package label

import (
	"reflect"
	"testing"
)

func TestStateUndo(t *testing.T) {
	ans := func(id, head, l string) Row { return Row{ID: id, Head: head, Label: l, Action: Answer} }
	undo := func(id, head string) Row { return Row{ID: id, Head: head, Action: Undo} }
	skip := func(id string) Row { return Row{ID: id, Action: Skip} }
	for _, tc := range []struct {
		name     string
		rows     []Row
		want     map[string]map[string]string
		skipped  []string
		lastID   string
		lastHead string
	}{
		{"last answer wins", []Row{ans("a", "stance", "FAVOR"), ans("a", "stance", "AGAINST"), ans("a", "sentiment", "NEG")},
			map[string]map[string]string{"a": {"stance": "AGAINST", "sentiment": "NEG"}}, nil, "a", "sentiment"},
		{"undo gives back the answer before", []Row{ans("a", "stance", "FAVOR"), ans("a", "stance", "AGAINST"), undo("a", "stance")},
			map[string]map[string]string{"a": {"stance": "FAVOR"}}, nil, "a", "stance"},
		{"undo of the only answer leaves none", []Row{ans("a", "stance", "FAVOR"), ans("b", "stance", "NONE"), undo("b", "stance")},
			map[string]map[string]string{"a": {"stance": "FAVOR"}}, nil, "a", "stance"},
		{"undo of a skip", []Row{ans("a", "stance", "FAVOR"), skip("b"), skip("c"), undo("c", "")},
			map[string]map[string]string{"a": {"stance": "FAVOR"}}, []string{"b"}, "b", ""},
		{"undo with nothing to withdraw", []Row{undo("a", "stance"), undo("b", ""), ans("a", "stance", "FAVOR")},
			map[string]map[string]string{"a": {"stance": "FAVOR"}}, nil, "a", "stance"},
		{"undo of everything", []Row{ans("a", "stance", "FAVOR"), undo("a", "stance")},
			map[string]map[string]string{}, nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s State
			for _, r := range tc.rows {
				s.Apply(r)
			}
			if got := s.Labels(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("labels %v, want %v", got, tc.want)
			}
			if got := Labels(tc.rows); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Labels %v, want %v", got, tc.want)
			}
			for _, id := range []string{"a", "b", "c"} {
				want := false
				for _, w := range tc.skipped {
					want = want || w == id
				}
				if s.Skipped(id) != want {
					t.Errorf("Skipped(%s) = %v, want %v", id, !want, want)
				}
			}
			id, head, ok := s.Last()
			if id != tc.lastID || head != tc.lastHead || ok != (tc.lastID != "") {
				t.Errorf("Last() = %q %q %v, want %q %q", id, head, ok, tc.lastID, tc.lastHead)
			}
		})
	}
}
