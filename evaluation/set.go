package evaluation

import (
	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
)

// Set is a labelled data set: its comments in input order, the same rows as training examples,
// and the label heads that every row's source has.
type Set struct {
	Comments []data.Comment
	Examples []classifier.Example
	Heads    []string
}

// Add appends a comment and its example.
func (s *Set) Add(c data.Comment) {
	s.Comments = append(s.Comments, c)
	s.Examples = append(s.Examples, classifier.Example{Text: c.Text, Article: c.Article, Labels: c.Labels})
}
