package evaluation

import (
	"errors"
	"fmt"

	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/metrics"
)

// GroupBy says which rows cross-validation keeps in one fold.
type GroupBy string

const (
	ByArticle GroupBy = "article" // rows of one article: its id, or else its text
	ByGroup   GroupBy = "group"   // rows with one value of the group column
	ByNone    GroupBy = "none"    // no grouping: rows are assigned one by one
)

// ErrGroupBy is returned for a GroupBy that is none of ByArticle, ByGroup and ByNone.
var ErrGroupBy = errors.New("want article, group or none")

// ConfigError is a field of a configuration (CVConfig) or an argument whose value
// this package cannot use. Field is the Go name; a front end says it in its own terms (a flag,
// a config.yaml key).
type ConfigError struct {
	Field string
	Value any
	Err   error
}

func (e *ConfigError) Error() string {
	if s, ok := e.Value.(fmt.Stringer); ok {
		return fmt.Sprintf("%s %q: %v", e.Field, s.String(), e.Err)
	}
	if s, ok := e.Value.(string); ok {
		return fmt.Sprintf("%s %q: %v", e.Field, s, e.Err)
	}
	return fmt.Sprintf("%s %v: %v", e.Field, e.Value, e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }

// String is g as config.yaml and the flags spell it.
func (g GroupBy) String() string { return string(g) }

// Valid reports whether g is one of the known groupings.
func (g GroupBy) Valid() bool { return g == ByArticle || g == ByGroup || g == ByNone }

// GroupOf is the key that keeps a comment with others under g: its article id, or else the
// article's text (ByArticle), or its group column (ByGroup); "" under ByNone.
func GroupOf(c data.Comment, g GroupBy) string {
	switch g {
	case ByArticle:
		if c.ArticleID != "" {
			return c.ArticleID
		}
		return c.Article
	case ByGroup:
		return c.Group
	}
	return ""
}

// FoldError is a fold assignment that metrics.Folds refused (too few rows or groups for K).
type FoldError struct {
	K       int
	GroupBy GroupBy
	Err     error
}

func (e *FoldError) Error() string {
	return fmt.Sprintf("%d folds grouped by %s: %v", e.K, e.GroupBy, e.Err)
}

func (e *FoldError) Unwrap() error { return e.Err }

// Folds assigns the rows of set to k folds, stratified by the first head's labels, keeping
// together the rows that g groups (metrics.Folds, after scikit-learn's StratifiedGroupKFold).
// The same set, k, g and seed give the same folds.
func Folds(set *Set, k int, g GroupBy, seed int64) ([]int, error) {
	if !g.Valid() {
		return nil, &ConfigError{Field: "GroupBy", Value: g, Err: ErrGroupBy}
	}
	var groups []string
	if g != ByNone {
		for _, c := range set.Comments {
			groups = append(groups, GroupOf(c, g))
		}
	}
	first := set.Heads[0]
	index := map[string]int{}
	y := make([]int, len(set.Comments))
	for i, c := range set.Comments {
		lab := c.Labels[first]
		if _, ok := index[lab]; !ok {
			index[lab] = len(index)
		}
		y[i] = index[lab]
	}
	folds, err := metrics.Folds(y, groups, k, seed)
	if err != nil {
		return nil, &FoldError{K: k, GroupBy: g, Err: err}
	}
	return folds, nil
}

// Partition numbers the folds of an assignment in order of first appearance, so that two
// assignments that split the rows alike are equal whatever their folds' numbers.
func Partition(folds []int) []int {
	seen := map[int]int{}
	out := make([]int, len(folds))
	for i, f := range folds {
		n, ok := seen[f]
		if !ok {
			n = len(seen)
			seen[f] = n
		}
		out[i] = n
	}
	return out
}
