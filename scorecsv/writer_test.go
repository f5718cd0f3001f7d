package scorecsv

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/commentstance/stance/classifier"
)

func TestWriter(t *testing.T) {
	heads := []Head{
		{Name: "stance", Classes: []string{"AGAINST", "FAVOR", "NONE"}}, // signed: FAVOR - AGAINST
		{Name: "topic", Classes: []string{"a,b", `say "x"`}},            // no signed pair; quoted labels
	}
	for _, tt := range []struct {
		name string
		lead []string
		row  []string
		want string
	}{
		{"lead columns", []string{"id", "article_id"}, []string{"c1", "art 1"},
			"id,article_id,stance,stance_AGAINST,stance_FAVOR,stance_NONE,stance_score,topic,\"topic_a,b\",\"topic_say \"\"x\"\"\"\n" +
				"c1,art 1,FAVOR,0.1000,0.7000,0.2000,0.6000,\"say \"\"x\"\"\",0.2500,0.7500\n"},
		{"no lead", nil, nil,
			"stance,stance_AGAINST,stance_FAVOR,stance_NONE,stance_score,topic,\"topic_a,b\",\"topic_say \"\"x\"\"\"\n" +
				"FAVOR,0.1000,0.7000,0.2000,0.6000,\"say \"\"x\"\"\",0.2500,0.7500\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf, heads)
			if err := w.WriteHeader(tt.lead...); err != nil {
				t.Fatal(err)
			}
			s := classifier.Scores{Best: []int{1, 1}, Probs: [][]float64{{0.1, 0.7, 0.2}, {0.25, 0.75}}}
			if err := w.Write(tt.row, &s); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("wrote\n%s\nwant\n%s", buf.String(), tt.want)
			}
			// The header's fields are what encoding/csv writes of Columns.
			var want bytes.Buffer
			cw := csv.NewWriter(&want)
			cw.Write(w.Columns(tt.lead...))
			cw.Flush()
			header, _, _ := strings.Cut(buf.String(), "\n")
			if header+"\n" != want.String() {
				t.Errorf("header %q, encoding/csv writes %q", header, want.String())
			}
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || len(rows[0]) != len(rows[1]) {
				t.Fatalf("rows %q: want a header and a row of as many fields", rows)
			}
			last := rows[1][len(rows[1])-1]
			if v, _ := strconv.ParseFloat(last, 64); v != 0.75 {
				t.Errorf("last field %q, want 0.7500", last)
			}
		})
	}
}
