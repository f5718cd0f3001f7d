package cell

import "testing"

func TestClip(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"one  two\nthree", 40, "one two three"},
		{"a longer comment", 8, "a longe…"},
		{"كلامه صحيح تماما", 6, "كلامه…"},
	} {
		if got := Clip(tt.s, tt.n); got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

func TestPad(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"ab", 4, "ab  "},
		{"abcd", 2, "abcd"},
		{"صح", 3, "صح "},
	} {
		if got := Pad(tt.s, tt.n); got != tt.want {
			t.Errorf("Pad(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
