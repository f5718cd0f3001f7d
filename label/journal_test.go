package label

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/commentstance/stance/data"
)

var t0 = time.Date(2026, 12, 2, 9, 30, 0, 123, time.UTC)

func rowsOf(t *testing.T, path string) []Row {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, torn, err := ReadJournal(f, path)
	if err != nil {
		t.Fatal(err)
	}
	if torn.Bytes != 0 {
		t.Fatalf("torn line %+v in %s", torn, path)
	}
	return rows
}

// A file written by Append reads back row for row, notes with line breaks and commas included,
// and reopening appends after the rows already there.
func TestJournalRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "labels.csv")
	j, rows, _, err := OpenJournal(path)
	if err != nil || len(rows) != 0 {
		t.Fatalf("new file: rows %v, err %v", rows, err)
	}
	want := []Row{
		{ID: "c1", Head: "stance", Label: "FAVOR", Annotator: "amal", Time: t0, Note: "sarcastic, \"I think\"\nsecond line", Action: Answer},
		{ID: "c1", Head: "stance", Annotator: "amal", Time: t0.Add(time.Second), Action: Undo},
		{ID: "ت٢", Annotator: "amal", Time: t0.Add(2 * time.Second), Note: "لا أعرف", Action: Skip},
	}
	for _, r := range want[:2] {
		if err := j.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	j, rows, _, err = OpenJournal(path)
	if err != nil || len(rows) != 2 {
		t.Fatalf("reopened: %d rows, err %v", len(rows), err)
	}
	if err := j.Append(want[2]); err != nil {
		t.Fatal(err)
	}
	j.Close()
	want[0].Note = "sarcastic, \"I think\" second line" // one row, one line
	if got := rowsOf(t, path); !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, want)
	}
	b, _ := os.ReadFile(path)
	if lines := strings.Count(string(b), "\n"); lines != 4 {
		t.Errorf("%d lines, want the header and 3 rows:\n%s", lines, b)
	}
}

// A write cut short leaves a last line without its line feed, at any byte of it: it is
// reported and cut off when the file is opened, the rows before it are kept byte for byte, and
// the next answer starts on a line of its own.
func TestJournalTornLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "labels.csv")
	j, _, _, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range []string{"FAVOR", "AGAINST"} {
		if err := j.Append(Row{ID: "c" + string(rune('1'+i)), Head: "stance", Label: l, Annotator: "a", Time: t0, Action: Answer}); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	good, _ := os.ReadFile(path)
	next := encode(Row{ID: "c3", Head: "stance", Label: "NONE", Annotator: "a", Time: t0, Note: "a note", Action: Answer}.record())
	for cut := 1; cut < len(next); cut++ {
		if err := os.WriteFile(path, append(bytes.Clone(good), next[:cut]...), 0o644); err != nil {
			t.Fatal(err)
		}
		j, rows, torn, err := OpenJournal(path)
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if len(rows) != 2 || torn.Line != 4 || torn.Bytes != int64(cut) {
			t.Fatalf("cut at %d: %d rows, torn %+v; want 2 rows and line 4 of %d bytes torn", cut, len(rows), torn, cut)
		}
		if err := j.Append(Row{ID: "c4", Head: "stance", Label: "NONE", Annotator: "a", Time: t0, Action: Answer}); err != nil {
			t.Fatal(err)
		}
		j.Close()
		b, _ := os.ReadFile(path)
		if !bytes.HasPrefix(b, good) {
			t.Fatalf("cut at %d: the rows before the torn line changed:\n%s", cut, b)
		}
		if got := rowsOf(t, path); len(got) != 3 || got[2].ID != "c4" {
			t.Fatalf("cut at %d: after the restart the rows are %+v", cut, got)
		}
	}
}

// A complete line that is not a row is an error naming the file, line and field: a kill does
// not write one, so it is never dropped as if torn.
func TestJournalBadRows(t *testing.T) {
	header := strings.Join(Header, ",") + "\n"
	ok := "c1,stance,FAVOR,a,2026-12-02T09:30:00Z,,label\n"
	for _, tc := range []struct {
		name, text, field string
		line              int
	}{
		{"empty file", "", "", 1},
		{"other header", "id,label\n", "", 1},
		{"bad time", header + ok + "c1,stance,FAVOR,a,yesterday,,label\n", "time", 3},
		{"no id", header + ",stance,FAVOR,a,2026-12-02T09:30:00Z,,label\n", "id", 2},
		{"answer without label", header + "c1,stance,,a,2026-12-02T09:30:00Z,,label\n", "label", 2},
		{"skip with head", header + "c1,stance,,a,2026-12-02T09:30:00Z,,skip\n", "head", 2},
		{"undo with label", header + "c1,stance,FAVOR,a,2026-12-02T09:30:00Z,,undo\n", "label", 2},
		{"unknown action", header + "c1,stance,FAVOR,a,2026-12-02T09:30:00Z,,relabel\n", "action", 2},
		{"field count", header + ok + "c1,stance,FAVOR\n", "", 3},
		{"quoting", header + "\"c1,stance,FAVOR,a,2026-12-02T09:30:00Z,,label\n", "", 2},
		{"not UTF-8", header + "c\xff,stance,FAVOR,a,2026-12-02T09:30:00Z,,label\n", "", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadJournal(strings.NewReader(tc.text), "labels.csv")
			var pe *data.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err %v, want a *data.ParseError", err)
			}
			if pe.File != "labels.csv" || pe.Line != tc.line || pe.Field != tc.field {
				t.Errorf("error at %s line %d field %q, want line %d field %q: %v", pe.File, pe.Line, pe.Field, tc.line, tc.field, err)
			}
		})
	}
}

// FuzzReadJournal: whatever the bytes, ReadJournal does not panic; what it reads writes back
// to a file that reads to the same rows (read -> write -> read).
func FuzzReadJournal(f *testing.F) {
	header := strings.Join(Header, ",") + "\n"
	f.Add(header + "c1,stance,FAVOR,a,2026-12-02T09:30:00Z,,label\nc1,stance,,a,2026-12-02T09:30:01Z,\"x, y\",undo\n")
	f.Add(header + "c2,,,a,2026-12-02T09:30:00.5+03:00,note,skip\nc3,stan")
	f.Add(header)
	f.Fuzz(func(t *testing.T, text string) {
		rows, torn, err := ReadJournal(strings.NewReader(text), "fuzz")
		if err != nil {
			return
		}
		if torn.Bytes > 0 && strings.HasSuffix(text, "\n") {
			t.Fatalf("torn %+v in a text ending in a line feed", torn)
		}
		var b bytes.Buffer
		b.Write(encode(Header))
		for _, r := range rows {
			b.Write(encode(r.record()))
		}
		again, torn2, err := ReadJournal(&b, "again")
		if err != nil || torn2.Bytes != 0 {
			t.Fatalf("rewritten rows do not read: %v %+v", err, torn2)
		}
		if len(again) != len(rows) {
			t.Fatalf("%d rows, then %d", len(rows), len(again))
		}
		for i := range rows {
			a, b := rows[i], again[i]
			if !a.Time.Equal(b.Time) {
				t.Fatalf("row %d: time %v, then %v", i, a.Time, b.Time)
			}
			a.Time, b.Time = time.Time{}, time.Time{}
			clean := strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ")
			a.ID, a.Head, a.Label, a.Annotator, a.Note = clean.Replace(a.ID), clean.Replace(a.Head), clean.Replace(a.Label), clean.Replace(a.Annotator), clean.Replace(a.Note)
			if a != b {
				t.Fatalf("row %d: %+v, then %+v", i, a, b)
			}
		}
	})
}
