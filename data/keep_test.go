package data

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestKeep checks Schema.Keep: the named input columns come through in Comment.Kept, in the
// order Keep names them, from CSV and JSONL alike (a JSONL number as its literal); a column the
// file lacks is an error naming it and the file's columns.
func TestKeep(t *testing.T) {
	for _, tt := range []struct {
		name, file, in string
		want           [][]string
	}{
		{"csv", "c.csv", "id,text,created_at,author\n1,hello,2026-12-01T10:00:00Z,ann\n2,\"a, b\",,bob\n",
			[][]string{{"ann", "2026-12-01T10:00:00Z"}, {"bob", ""}}},
		{"jsonl", "c.jsonl", `{"id": 1, "text": "hello", "created_at": "2026-12-01", "author": "ann"}` + "\n" + `{"id": 2, "text": "x", "created_at": 1733047200}` + "\n",
			[][]string{{"ann", "2026-12-01"}, {"", "1733047200"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.in), tt.file, Schema{Keep: []string{"author", "created_at"}})
			if err != nil {
				t.Fatal(err)
			}
			cs, err := drain(r)
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, c := range cs {
				got = append(got, c.Kept)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("kept %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("missing column", func(t *testing.T) {
		_, err := NewReader(strings.NewReader("id,text\n1,hello\n"), "c.csv", Schema{Keep: []string{"created_at"}})
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, ErrMissingColumn) || pe.Line != 1 ||
			!strings.Contains(err.Error(), `"created_at"`) || !strings.Contains(err.Error(), `"id", "text"`) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("none kept", func(t *testing.T) {
		r, _ := NewReader(strings.NewReader("text,x\nhello,1\n"), "c.csv", Schema{})
		if c, _ := r.Read(); c.Kept != nil {
			t.Errorf("kept %q without Keep", c.Kept)
		}
	})
}
