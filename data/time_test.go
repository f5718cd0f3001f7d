package data

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/commentstance/stance/timestamp"
)

// TestTime checks Schema.Time: each comment's time is read into Comment.Time in UTC, from CSV
// and JSONL alike (an Excel serial as a JSON number); a row with an empty or unreadable time is
// a reported skip naming file, line and column (an error under Strict), and a file without the
// column is an error naming Schema.Time.
func TestTime(t *testing.T) {
	in := "id,text,created_at\n" +
		"1,a,2026-11-02T08:14:05+03:00\n" +
		"2,b,\n" +
		"3,c,02/11/2026\n" +
		"4,d,46328.5\n"
	r, err := NewReader(strings.NewReader(in), "c.csv", Schema{Time: "created_at"})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := drain(r)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{time.Date(2026, 11, 2, 5, 14, 5, 0, time.UTC), time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)}
	if len(cs) != 2 || !cs[0].Time.Equal(want[0]) || !cs[1].Time.Equal(want[1]) || cs[0].Time.Location() != time.UTC {
		t.Fatalf("comments %+v, want times %v", cs, want)
	}
	skips := r.Skipped()
	if len(skips) != 2 || r.SkipCount() != 2 {
		t.Fatalf("skips %v, want lines 3 and 4", skips)
	}
	for i, tt := range []struct {
		line int
		msg  string
		err  error
	}{
		{3, `c.csv:3: field "created_at": bad time: empty; want RFC 3339`, timestamp.ErrEmpty},
		{4, `c.csv:4: field "created_at": bad time: ambiguous day and month order: write ISO 8601's 2026-01-02`, timestamp.ErrAmbiguous},
	} {
		var pe *ParseError
		s := skips[i]
		if s.Line != tt.line || !errors.As(s.Reason, &pe) || pe.Column != 5 || !errors.Is(s.Reason, ErrTime) || !errors.Is(s.Reason, tt.err) ||
			!strings.HasPrefix(s.Reason.Error(), tt.msg) {
			t.Errorf("skip %d: line %d: %v; want line %d, column 5, %q, wrapping ErrTime and %v", i, s.Line, s.Reason, tt.line, tt.msg, tt.err)
		}
	}
	if !strings.HasSuffix(skips[1].Reason.Error(), `; got "02/11/2026"`) {
		t.Errorf("the message does not show the value: %v", skips[1].Reason)
	}

	t.Run("jsonl", func(t *testing.T) {
		in := `{"text": "a", "t": 46328.5}` + "\n" + `{"text": "b", "t": "2026-11-02"}` + "\n"
		cs, err := drain(mustReader(t, []byte(in), "c.jsonl", Schema{Time: "t", Strict: true}))
		if err != nil || len(cs) != 2 || !cs[0].Time.Equal(want[1]) || !cs[1].Time.Equal(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("comments %+v, %v", cs, err)
		}
	})
	t.Run("strict", func(t *testing.T) {
		_, err := drain(mustReader(t, []byte(in), "c.csv", Schema{Time: "created_at", Strict: true}))
		if !errors.Is(err, ErrTime) || !strings.HasPrefix(err.Error(), `c.csv:3: field "created_at": bad time: empty`) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("missing column", func(t *testing.T) {
		_, err := NewReader(strings.NewReader("id,text\n1,a\n"), "c.csv", Schema{Time: "created_at"})
		if !errors.Is(err, ErrMissingColumn) || !strings.Contains(err.Error(), `"created_at" for the comment's time`) || !strings.Contains(err.Error(), "Schema.Time") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("no time column asked", func(t *testing.T) {
		cs, err := drain(mustReader(t, []byte(in), "c.csv", Schema{}))
		if err != nil || len(cs) != 4 || !cs[0].Time.IsZero() {
			t.Errorf("comments %+v, %v; want 4 without times", cs, err)
		}
	})
}
