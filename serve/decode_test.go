package serve

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decodeSeeds are bodies as clients write them, and the edges of what the decoders take.
var decodeSeeds = []string{
	`{"comment":{"text":"About time!"},"context":{"entries":[{"text":"Council approves congestion charge"}]},"requestedAttributes":{"STANCE_FAVOR":{},"SENTIMENT_NEGATIVE":{"scoreThreshold":0.5}}}`,
	`{"comment": {"text": "Tab\there \"quoted\" \\ back\/slash \u003cb\u003e \ud83d\udc4f", "type": "PLAIN_TEXT"}, "languages": ["en", "ar"], "doNotStore": true, "clientToken": "t-1", "spanAnnotations": false, "sessionId": "s", "communityId": "c"}`,
	`{"comment":{"text":"كلامه صحيح 👏"},"context":{"articleAndParentComment":{"article":{"text":"مقال"},"parentComment":{"text":"p"}}},"requestedAttributes":{"STANCE_AGAINST":{"scoreType":"PROBABILITY","scoreThreshold":-1.5e-3}}}`,
	`{"comment":{"text":"bad \xff utf8"}}`, `{"comment":{"text":"x"},"comment":{"type":"HTML"}}`,
	`{"Comment":{"text":"x"}}`, `{"comment":null}`, `{"comment":{"text":"x"},"extra":1}`, `{"comment":{"text":"\u0000"}}`,
	`{"requestedAttributes":{"A":{},"A":{"scoreThreshold":1}}}`, `{"requestedAttributes":{"A":{"scoreThreshold":1e400}}}`,
	`{"requestedAttributes":{"A":{"scoreThreshold":01}}}`, `{"languages":[]}`, `{"context":{"entries":[]}}`, `{}`, ` {} `, `{} x`,
	`{"text":"About time!","article":"Council approves congestion charge"}`, `{"text":"t","article_id":"a-1","id":17}`,
	`{"id":"c-9","text":"t"}`, `{"id":{"n":1},"text":"t"}`, `{"id":-0.5e+2,"text":"t"}`, `{"text":null}`, `{"text":""}`,
	`[{"text":"a","article":"x"},{"text":"b","article_id":"y"}]`, `[]`, `[ ]`, `[{"text":"a"},]`, `[1]`, `[{"text":"a"}`, `"text"`, ``,
	`{"text":"a\qb"}`, `{"text":"a` + "\n" + `b"}`, `{"t\u0065xt":"a"}`,
}

// FuzzDecode checks the hand-written decoders against encoding/json: whenever one takes a body,
// encoding/json takes it too and decodes it to the same value.
func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var q analyzeRequest
		if decodeAnalyze(b, &q) {
			var want analyzeRequest
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatalf("decodeAnalyze took %q, which encoding/json refuses: %v", b, err)
			}
			if !reflect.DeepEqual(q, want) {
				t.Fatalf("decodeAnalyze(%q) = %s, encoding/json makes %s", b, dump(q), dump(want))
			}
		}
		var it scoreItem
		if decodeItem(b, &it) {
			var want scoreItem
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatalf("decodeItem took %q, which encoding/json refuses: %v", b, err)
			}
			if !reflect.DeepEqual(it, want) {
				t.Fatalf("decodeItem(%q) = %s, encoding/json makes %s", b, dump(it), dump(want))
			}
		}
		if items := decodeItems(b); items != nil {
			var want []scoreItem
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatalf("decodeItems took %q, which encoding/json refuses: %v", b, err)
			}
			if !reflect.DeepEqual(items, want) {
				t.Fatalf("decodeItems(%q) = %s, encoding/json makes %s", b, dump(items), dump(want))
			}
		}
	})
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestDecodeTakesClientBodies: the decoders take the bodies that clients send, so that the
// server's requests do not all fall back to encoding/json (which would still answer them, but
// at the cost that the decoders exist to save): the sample's comments in the Perspective
// requests and /v1/score batches that the tests send, encoded by encoding/json (which escapes
// <, > and &), and bench/serve.sh's (Python's json.dumps, which escapes no letter).
func TestDecodeTakesClientBodies(t *testing.T) {
	var items []string
	for i, c := range sampleRows {
		body := analyzeBody(c.Text, c.Article, "STANCE_FAVOR", "SENTIMENT_NEGATIVE")
		var q analyzeRequest
		if !decodeAnalyze([]byte(body), &q) {
			t.Fatalf("row %d: decodeAnalyze refuses %s", i, body)
		}
		if q.Comment == nil || q.Comment.Text != c.Text || q.article() != c.Article || len(q.RequestedAttributes) != 2 {
			t.Fatalf("row %d: decodeAnalyze(%s) = %s", i, body, dump(q))
		}
		items = append(items, `{"text":`+quote(c.Text)+`,"article":`+quote(c.Article)+`,"id":`+quote(c.ID)+`}`)
		var it scoreItem
		if !decodeItem([]byte(items[i]), &it) || *it.Text != c.Text || it.Article != c.Article {
			t.Fatalf("row %d: decodeItem(%s) = %s", i, items[i], dump(it))
		}
	}
	batch := "[" + strings.Join(items, ",\n ") + "]"
	got := decodeItems([]byte(batch))
	if len(got) != len(sampleRows) {
		t.Fatalf("decodeItems takes %d of a batch of %d", len(got), len(sampleRows))
	}
	python := `{"comment": {"text": "@user It's \"time\" \u2014 no? \ud83d\ude00"}, "context": {"entries": [{"text": "Atheism"}]}, "requestedAttributes": {"STANCE_FAVOR": {}, "STANCE_AGAINST": {}}}`
	var q analyzeRequest
	if !decodeAnalyze([]byte(python), &q) || q.Comment.Text != "@user It's \"time\" \u2014 no? \U0001F600" {
		t.Fatalf("decodeAnalyze(%s) = %s", python, dump(q))
	}
}
