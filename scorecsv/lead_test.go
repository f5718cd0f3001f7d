package scorecsv

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"testing"

	"github.com/commentstance/stance/data"
)

// TestLead checks the input columns that lead a score row: their names, and each comment's
// values, the article id being the row's own or else a key of its inline article's text.
func TestLead(t *testing.T) {
	article := "Council approves a congestion charge"
	sum := sha256.Sum256([]byte(article))
	key := "sha256:" + hex.EncodeToString(sum[:8])
	joined := data.Comment{ID: "c1", ArticleID: "en-congestion", Article: article, Text: "About time", Kept: []string{"2026-12-01", "ann"}}
	inline := data.Comment{ID: "c2", Article: "  " + article + "\n", Text: "No", Kept: []string{"", "bob"}}
	bare := data.Comment{Text: "hello", Kept: []string{"", ""}}
	for _, tt := range []struct {
		name string
		lead Lead
		cols []string
		rows [][]string // of joined, inline, bare
	}{
		{"export", Lead{ID: true, ArticleID: true}, []string{"id", "article_id"},
			[][]string{{"c1", "en-congestion"}, {"c2", key}, {"", ""}}},
		{"export without ids", Lead{ArticleID: true}, []string{"article_id"},
			[][]string{{"en-congestion"}, {key}, {""}}},
		{"score", Lead{ID: true, ArticleID: true, Text: true}, []string{"id", "article_id", "text"},
			[][]string{{"c1", "en-congestion", "About time"}, {"c2", key, "No"}, {"", "", "hello"}}},
		{"kept", Lead{ID: true, ArticleID: true, Keep: []string{"created_at", "author"}}, []string{"id", "article_id", "created_at", "author"},
			[][]string{{"c1", "en-congestion", "2026-12-01", "ann"}, {"c2", key, "", "bob"}, {"", "", "", ""}}},
		{"predictions", Lead{ID: true}, []string{"id"}, [][]string{{"c1"}, {"c2"}, {""}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.lead.Columns(); !reflect.DeepEqual(got, tt.cols) {
				t.Errorf("columns %q, want %q", got, tt.cols)
			}
			var dst []string
			for i, c := range []data.Comment{joined, inline, bare} {
				dst = tt.lead.Fields(dst[:0], c)
				if !reflect.DeepEqual(dst, tt.rows[i]) {
					t.Errorf("row %d: %q, want %q", i, dst, tt.rows[i])
				}
			}
		})
	}
	if ArticleKey("") != "" || ArticleKey(" \n") != "" {
		t.Errorf("a comment without an article has a key: %q", ArticleKey(""))
	}
	if ArticleKey(article) != ArticleKey(article+" ") || ArticleKey(article) == ArticleKey(article+".") {
		t.Errorf("the key is not of the article's trimmed text")
	}
}
