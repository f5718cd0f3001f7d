package scorecsv

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/commentstance/stance/data"
)

// Lead says which of a comment's input fields lead its score row, in this order: its id, its
// article id, its text, then the input columns it kept (data.Schema.Keep). stance export writes
// id (when the input has an id column), article_id and --keep's columns; score --format csv
// writes id, article_id and text; evaluate --predictions writes id.
type Lead struct {
	ID, ArticleID, Text bool
	Keep                []string // the kept columns' names, as data.Schema.Keep has them
}

// Columns are the lead columns' names.
func (l Lead) Columns() []string {
	var cols []string
	if l.ID {
		cols = append(cols, "id")
	}
	if l.ArticleID {
		cols = append(cols, "article_id")
	}
	if l.Text {
		cols = append(cols, "text")
	}
	return append(cols, l.Keep...)
}

// Fields appends c's lead fields to dst. The article id is c's own, or else, for a comment
// whose article is given inline (an article column, score --article), ArticleKey of the
// article's text, so that the rows under one article share an id.
func (l Lead) Fields(dst []string, c data.Comment) []string {
	if l.ID {
		dst = append(dst, c.ID)
	}
	if l.ArticleID {
		id := c.ArticleID
		if id == "" {
			id = ArticleKey(c.Article)
		}
		dst = append(dst, id)
	}
	if l.Text {
		dst = append(dst, c.Text)
	}
	for k := range l.Keep {
		v := ""
		if k < len(c.Kept) {
			v = c.Kept[k]
		}
		dst = append(dst, v)
	}
	return dst
}

// ArticleKey is the article id of an article given by its text alone: "sha256:" and the first
// 16 hex digits of the SHA-256 of the text without its leading and trailing spaces; "" for no
// article. The same text gets the same key in every run and file; 64 bits make two articles'
// keys collide with odds of about n^2 / 2^65 among n articles.
func ArticleKey(article string) string {
	article = strings.TrimSpace(article)
	if article == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(article))
	return "sha256:" + hex.EncodeToString(sum[:8])
}
