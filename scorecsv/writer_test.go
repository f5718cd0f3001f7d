package scorecsv

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/commentstance/stance/abstain"
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

func TestWriterAbstain(t *testing.T) {
	heads := []Head{
		{Name: "stance", Classes: []string{"AGAINST", "FAVOR", "NONE"}},
		{Name: "sentiment", Classes: []string{"NEGATIVE", "POSITIVE"}},
	}
	half := 0.5
	// stance: 0.75 (its top class FAVOR has 0.7: withheld); sentiment: 0.5 of its own
	// (POSITIVE 0.75: given), but NEGATIVE only from 0.8.
	th := abstain.Thresholds{MinProb: 0.75, Heads: map[string]abstain.Head{"sentiment": {MinProb: &half, Classes: map[string]float64{"NEGATIVE": 0.8}}}}
	rows := []classifier.Scores{
		{Best: []int{1, 1}, Probs: [][]float64{{0.1, 0.7, 0.2}, {0.25, 0.75}}},
		{Best: []int{2, 0}, Probs: [][]float64{{0.05, 0.15, 0.8}, {0.79, 0.21}}},
		{Best: []int{0, 0}, Probs: [][]float64{{0.75, 0.15, 0.1}, {0.8, 0.2}}},
	}
	for _, tt := range []struct {
		label, want string
	}{
		{"", "c1,,0.1000,0.7000,0.2000,0.6000,POSITIVE,0.2500,0.7500,0.5000\n" +
			"c2,NONE,0.0500,0.1500,0.8000,0.1000,,0.7900,0.2100,-0.5800\n" +
			"c3,AGAINST,0.7500,0.1500,0.1000,-0.6000,NEGATIVE,0.8000,0.2000,-0.6000\n"},
		{"not, sure", "c1,\"not, sure\",0.1000,0.7000,0.2000,0.6000,POSITIVE,0.2500,0.7500,0.5000\n" +
			"c2,NONE,0.0500,0.1500,0.8000,0.1000,\"not, sure\",0.7900,0.2100,-0.5800\n" +
			"c3,AGAINST,0.7500,0.1500,0.1000,-0.6000,NEGATIVE,0.8000,0.2000,-0.6000\n"},
	} {
		t.Run(tt.label, func(t *testing.T) {
			th.Label = tt.label
			p, err := Policy(th, heads)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			w := NewWriter(&buf, heads)
			w.Abstain(p)
			for i, s := range rows {
				if err := w.Write([]string{"c" + strconv.Itoa(i+1)}, &s); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("wrote\n%s\nwant\n%s", buf.String(), tt.want)
			}
		})
	}
}
