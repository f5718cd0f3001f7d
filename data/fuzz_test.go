package data

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Seeds shared by the fuzz targets: the ways real files go wrong.
var fuzzSeeds = []string{
	"",
	"\ufeff",
	"text\n",
	"id,text\n",
	"\ufeffid,text,stance\r\n1,a,FAVOR\r\n",
	"id,text\r1,a\r2,b\r",            // bare CR line ends
	"id,text\n1,\"unbalanced\n2,b\n", // unbalanced quote
	"id,text\n1,a \"bare\" quote\n",  // bare quote
	"id,text\n1,\"multi\r\nline \"\"q\"\"\"\n2,b\n", // quoted multi-line
	"id,text\n1,ab\xffcd\n",                         // invalid UTF-8
	"id,text\n1,a\x00b\n",                           // NUL
	"id,text,stance\n1,a\n2,b,c,d\n3,c,\n",          // field counts, empty label
	"text,text\na,b\n",                              // duplicate column
	"id,body\n1,a\n",                                // no text column
	"ID\tTarget\tTweet\tStance\r\n1\tAtheism\t\"quoted #SemST\tFAVOR\r\n",
	"id\ttext\tstance\n1\ta\n\n2\tb\tAGAINST",
	"{\"id\": 1, \"text\": \"a\", \"stance\": \"FAVOR\"}\n",
	"{\"text\": \"a\"} x\nnot json\n\n{\"text\": 5}\n{\"text\": \"\\u0000\"}\n{\"text\": \"caf\xe9\"}",
	"{\"text\": \"a\", \"text\": \"b\"}\n{\"text\": null, \"id\": [1]}\n",
	"\ufeff{\"text\": \"bom\"}\r\n",
	"id,text,created_at\n1,a,2026-11-02T08:14:05.5+03:00\n2,b,02/01/2026\n3,c,\n4,d,45996.5\n5,e,2026-11-02 08:14\n",
	"{\"text\": \"a\", \"created_at\": 45996.5}\n{\"text\": \"b\", \"created_at\": \"2026-11-02\"}\n{\"text\": \"c\", \"created_at\": true}\n",
}

// readFuzz reads in and asserts what every comment must satisfy, whatever the input; it returns the
// comments for the round trip. It also checks that reading never panics or loops.
func readFuzz(t *testing.T, in []byte, name string, s Schema) ([]Comment, []string, bool) {
	r, err := NewReader(bytes.NewReader(in), name, s)
	if err != nil {
		if err.Error() == "" {
			t.Fatal("empty error message")
		}
		return nil, nil, false
	}
	defer r.Close()
	cs, err := drain(r)
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("Read error %v (%T) is not a *ParseError", err, err)
		}
		if pe.File != name {
			t.Fatalf("error names file %q, want %q", pe.File, name)
		}
	}
	if _, again := r.Read(); err == nil && again != io.EOF {
		t.Fatalf("Read after io.EOF: %v", again)
	}
	heads := r.Heads()
	last := 0
	for _, c := range cs {
		if c.Text == "" || c.Text != strings.TrimSpace(c.Text) {
			t.Fatalf("text %q is empty or untrimmed", c.Text)
		}
		for _, v := range []string{c.ID, c.ArticleID, c.Article, c.Text, c.Group} {
			if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
				t.Fatalf("bad value %q passed", v)
			}
		}
		if lim := s.Limits.RecordBytes; lim > 0 && !strings.HasSuffix(name, ".csv") && int64(len(c.Text)) > lim {
			// (A CSV record's bound is exact only to within encoding/csv's read-ahead.)
			t.Fatalf("a text of %d bytes passed a record limit of %d", len(c.Text), lim)
		}
		if strings.HasSuffix(name, ".csv") || strings.HasSuffix(name, ".tsv") {
			for _, v := range []string{c.ID, c.ArticleID, c.Article, c.Text, c.Group} {
				if strings.IndexByte(v, '\r') >= 0 {
					t.Fatalf("a bare CR passed in %q", v)
				}
			}
		}
		if c.Line <= last {
			t.Fatalf("line %d after line %d", c.Line, last)
		}
		last = c.Line
		if (s.Time == "" && !c.Time.IsZero()) || c.Time.Location() != time.UTC {
			t.Fatalf("time %v read with Schema.Time %q", c.Time, s.Time)
		}
		if len(c.Labels) != len(heads) {
			t.Fatalf("labels %v, heads %v", c.Labels, heads)
		}
		for _, h := range heads {
			v, ok := c.Labels[h]
			if !ok || !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 || (s.RequireLabels && v == "") {
				t.Fatalf("label %q = %q for heads %v", h, v, heads)
			}
		}
	}
	for _, sk := range r.Skipped() {
		if s.Strict {
			t.Fatal("skip under Strict")
		}
		var pe *ParseError
		if !errors.As(sk.Reason, &pe) || sk.Line < 1 {
			t.Fatalf("skip %+v", sk)
		}
	}
	return cs, heads, true
}

var fuzzSchemas = []Schema{
	{},
	{Strict: true, RequireLabels: true, Strip: []string{"#SemST"}},
	{Delimiter: ';', Limits: Limits{RecordBytes: fuzzRecordLimit}},
	{Time: "created_at"},
}

// fuzzRecordLimit is small enough for the fuzzer's inputs to pass it.
const fuzzRecordLimit = 64

// columnsOf is the header a round trip writes: the default columns, then the label heads
// (whose default columns are named like the heads), the time as RFC 3339 when s reads one, then
// the text last, because a TSV line loses a trailing CR and only the text is trimmed.
func columnsOf(c Comment, heads []string, s Schema) []string {
	row := []string{c.ID, c.ArticleID, c.Article, c.Group}
	for _, h := range heads {
		row = append(row, c.Labels[h])
	}
	if s.Time != "" {
		row = append(row, c.Time.Format(time.RFC3339Nano))
	}
	return append(row, c.Text)
}

func header(heads []string, s Schema) []string {
	h := append([]string{"id", "article_id", "article", "group"}, heads...)
	if s.Time != "" {
		h = append(h, s.Time)
	}
	return append(h, "text")
}

// sameComments compares the fields a round trip must keep; norm maps a first-read value to
// what the second read can give.
func sameComments(t *testing.T, first, second []Comment, norm func(string) string) {
	t.Helper()
	if len(first) != len(second) {
		t.Fatalf("first read %d comments, second %d\nfirst  %+v\nsecond %+v", len(first), len(second), first, second)
	}
	for i := range first {
		a, b := first[i], second[i]
		a.File, a.Line, b.File, b.Line = "", 0, "", 0
		a.ID, a.ArticleID, a.Article, a.Text, a.Group = norm(a.ID), norm(a.ArticleID), norm(a.Article), norm(a.Text), norm(a.Group)
		for h, v := range a.Labels {
			a.Labels[h] = norm(v)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("comment %d changed:\nfirst  %+v\nsecond %+v", i, a, b)
		}
	}
}

func FuzzCSV(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, s := range fuzzSchemas {
			cs, heads, ok := readFuzz(t, in, "f.csv", s)
			if !ok || len(cs) == 0 {
				continue
			}
			// Round trip: write the comments with encoding/csv and read them back.
			var buf bytes.Buffer
			w := csv.NewWriter(&buf)
			w.Write(header(heads, s))
			for _, c := range cs {
				w.Write(columnsOf(c, heads, s))
			}
			w.Flush()
			if err := w.Error(); err != nil {
				t.Fatal(err)
			}
			back, err := drain(mustReader(t, buf.Bytes(), "back.csv", Schema{Strict: true, Time: s.Time}))
			if err != nil {
				t.Fatalf("reading back %q: %v", buf.Bytes(), err)
			}
			// encoding/csv turns \r\n inside a quoted field into \n (see its FuzzRoundtrip).
			sameComments(t, cs, back, func(v string) string { return strings.ReplaceAll(v, "\r\n", "\n") })
		}
	})
}

func FuzzTSV(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, s := range fuzzSchemas {
			cs, heads, ok := readFuzz(t, in, "f.tsv", s)
			if !ok || len(cs) == 0 {
				continue
			}
			// Round trip: a value read from TSV holds no tab or LF, so joining with tabs is exact.
			var buf bytes.Buffer
			buf.WriteString(strings.Join(header(heads, s), "\t") + "\n")
			for _, c := range cs {
				buf.WriteString(strings.Join(columnsOf(c, heads, s), "\t") + "\r\n")
			}
			back, err := drain(mustReader(t, buf.Bytes(), "back.tsv", Schema{Strict: true, Time: s.Time}))
			if err != nil {
				t.Fatalf("reading back %q: %v", buf.Bytes(), err)
			}
			sameComments(t, cs, back, func(v string) string { return v })
		}
	})
}

func FuzzJSONL(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, s := range fuzzSchemas {
			cs, heads, ok := readFuzz(t, in, "f.jsonl", s)
			if !ok || len(cs) == 0 {
				continue
			}
			// Round trip: every value as a JSON string (ids read from numbers included).
			var buf bytes.Buffer
			cols := header(heads, s)
			for _, c := range cs {
				obj := map[string]string{}
				for i, v := range columnsOf(c, heads, s) {
					obj[cols[i]] = v
				}
				b, err := json.Marshal(obj)
				if err != nil {
					t.Fatal(err)
				}
				buf.Write(append(b, '\n'))
			}
			back, err := drain(mustReader(t, buf.Bytes(), "back.jsonl", Schema{Strict: true, Time: s.Time}))
			if err != nil {
				t.Fatalf("reading back %q: %v", buf.Bytes(), err)
			}
			sameComments(t, cs, back, func(v string) string { return v })
		}
	})
}

func mustReader(t *testing.T, in []byte, name string, s Schema) *Reader {
	t.Helper()
	r, err := NewReader(bytes.NewReader(in), name, s)
	if err != nil {
		t.Fatalf("%q: %v", in, err)
	}
	return r
}

// FuzzEncoded reads any bytes as a file in another encoding: whatever they are, what comes out
// is UTF-8 and the reader never panics.
func FuzzEncoded(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte("\xff\xfei\x00d\x00,\x00t\x00e\x00x\x00t\x00\n\x001\x00,\x00a\x00\n\x00"))
	f.Add([]byte("id,text\n1,\xe3\xd1\xcd\xc8\xc7\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, enc := range []string{"windows-1256", "iso-8859-6", "utf-16"} {
			for _, name := range []string{"f.csv", "f.tsv", "f.jsonl"} {
				readFuzz(t, in, name, Schema{Encoding: enc})
			}
		}
	})
}
