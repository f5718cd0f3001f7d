package main

import (
	"errors"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strings"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/evaluation"
	"github.com/commentstance/stance/label"
)

// labelled is a whole labelled data set, as training and evaluation need it.
type labelled struct {
	evaluation.Set // Heads are the label heads present in every file
	// lacking maps a head of the schema that is not in heads to the files without its column.
	lacking map[string][]string
	columns map[string]string // head -> its label column, for messages
}

// readLabelled reads every file of paths (in order) with schema. Bad rows are skipped and
// reported, or are errors with --strict.
func (e *env) readLabelled(paths []string, schema data.Schema) (*labelled, error) {
	if len(paths) == 0 {
		return nil, usageErr("no data: give --data FILE")
	}
	out := &labelled{lacking: map[string][]string{}, columns: map[string]string{}}
	for i, p := range paths {
		r, err := e.openData(p, schema)
		if err != nil {
			return nil, asUsage(err)
		}
		heads := r.Heads()
		for h, col := range schema.Labels {
			if col == "" {
				col = h // as data.Schema.Labels reads ""
			}
			out.columns[h] = col
			if !slices.Contains(heads, h) {
				out.lacking[h] = append(out.lacking[h], p)
			}
		}
		if i == 0 {
			out.Heads = heads
		} else {
			out.Heads = slices.DeleteFunc(out.Heads, func(h string) bool { return !slices.Contains(heads, h) })
		}
		bar := e.progress("reading "+p, 0)
		for n := 1; ; n++ {
			c, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				bar.done()
				r.Close()
				return nil, asUsage(err)
			}
			out.Add(c)
			bar.set(n)
		}
		bar.done()
		e.reportSkips(r)
		if err := r.Close(); err != nil {
			return nil, err
		}
	}
	if len(out.Comments) == 0 {
		return nil, usageErr("%v: no usable rows in %v", classifier.ErrNoExamples, paths)
	}
	return out, nil
}

// setGroups gives each example the group that tuning's grouped folds keep together: its
// article (by id, else by text), or its group column, as groupBy says (see groupOf).
func (l *labelled) setGroups(groupBy string) {
	for i, c := range l.Comments {
		l.Examples[i].Group = evaluation.GroupOf(c, evaluation.GroupBy(groupBy))
	}
}

// noteLeftOut tells the user which heads of the configuration (labels) are not learnt because
// the data has no column for them: leaving them out is not an error (a file may hold only some
// of the labels), but it must not go unsaid.
func (e *env) noteLeftOut(l *labelled) {
	heads := slices.Sorted(maps.Keys(l.lacking))
	for _, h := range heads {
		e.notef("note: no column %q for head %s in %s; head left out", l.columns[h], h, strings.Join(l.lacking[h], ", "))
	}
}

// noteNoArticleText tells the user that rows with article ids but no article text (no article
// column, no --articles) train a model that knows nothing of their articles: the ids alone are
// only a grouping.
func (e *env) noteNoArticleText(l *labelled, s *settings) {
	ids, text := false, false
	for _, c := range l.Comments {
		ids = ids || c.ArticleID != ""
		text = text || c.Article != ""
	}
	if ids && !text {
		e.notef("note: the rows have article ids (column %q) but no article text, so the model learns nothing of their articles; give --articles FILE (or articles.file) to join their text", s.Columns.ArticleID)
	}
}

// noteNoGroups tells the user that --by group found no group column: every row falls in one
// group with no name.
func (e *env) noteNoGroups(s *settings) {
	e.notef("note: --by group: the data has no group column (%q, columns.group), so every row is in one group with no name; --by article gives each article's", s.Columns.Group)
}

// reportSkips tells the user which rows were left out and why: the first few, and a count;
// and which setting to try when most rows are not UTF-8.
func (e *env) reportSkips(r *data.Reader) {
	const show = 5
	for i, s := range r.Skipped() {
		if i == show {
			break
		}
		e.notef("skipped %s", s)
	}
	if n := r.SkipCount(); n > show {
		e.notef("... and %d more rows skipped", n-show)
	}
	if hint := r.EncodingHint(); hint != "" {
		e.notef("note: %s (--encoding)", hint)
	}
}

// requireHeads checks that the data has the label columns that training or evaluation needs.
func requireHeads(l *labelled, want []string, where string) error {
	if len(l.Heads) == 0 {
		return usageErr("%s: the data has none of the label columns; map them with labels.HEAD: COLUMN in config.yaml", where)
	}
	for _, h := range want {
		if !slices.Contains(l.Heads, h) {
			return usageErr("%s: the data has no %q labels (it has %v)", where, h, l.Heads)
		}
	}
	return nil
}

// openData opens a comments file. "-" is the command's standard input rather than os.Stdin,
// which data.Open would read, so that run's caller (a test) can supply it.
func (e *env) openData(path string, s data.Schema) (*data.Reader, error) {
	if path == "-" {
		return data.NewReader(e.stdin, "-", s)
	}
	return data.Open(path, s)
}

// openComments opens a file of comments to score: label columns in it are ignored, and with
// strict any bad row is an error rather than a reported skip. Errors are usage errors.
func (e *env) openComments(s *settings, path, articlesFile string, strict bool) (*data.Reader, error) {
	return e.openCommentsWith(commentSchema(s, articlesFile, strict), path)
}

// commentSchema is the schema of a file of comments to score (openComments).
func commentSchema(s *settings, articlesFile string, strict bool) data.Schema {
	schema := s.schema(articlesFile)
	schema.Labels = map[string]string{}
	schema.Strict = strict
	return schema
}

// openCommentsWith opens a file of comments to score with schema (commentSchema, with what the
// command adds). Errors are usage errors.
func (e *env) openCommentsWith(schema data.Schema, path string) (*data.Reader, error) {
	r, err := e.openData(path, schema)
	if err != nil {
		return nil, asUsage(err)
	}
	return r, nil
}

var errNoModel = errors.New("no model: give --model FILE")

func loadModel(path string) (*classifier.Model, error) {
	return loadModelWith(func(p string) (*classifier.Model, error) {
		return classifier.LoadWith(p, classifier.LoadOptions{Limits: modelLimits})
	}, path)
}

// loadScoringModel loads a model for scoring alone (classifier.LoadScoreOnly).
func loadScoringModel(path string) (*classifier.Model, error) {
	return loadModelWith(func(p string) (*classifier.Model, error) {
		return classifier.LoadWith(p, classifier.LoadOptions{ScoreOnly: true, Limits: modelLimits})
	}, path)
}

func loadModelWith(load func(string) (*classifier.Model, error), path string) (*classifier.Model, error) {
	if path == "" {
		return nil, usageErr("%v", errNoModel)
	}
	m, err := load(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) { // Load's other errors already say "model PATH: ..."
			return nil, usageErr("model: %w", err)
		}
		return nil, asUsage(err)
	}
	return m, nil
}

// withLabels keeps the comments of l that the labels file at path (stance label's) gives a
// class on some head, with those classes as their labels: the last answer per comment and head
// wins, an undone answer is none (label.Labels). The heads are those the file names. Labels of
// ids that the data lacks are counted in a note, not dropped unsaid.
func (e *env) withLabels(l *labelled, path string) (*labelled, error) {
	byID, torn, err := label.ReadLabels(path)
	if err != nil {
		return nil, asUsage(err)
	}
	if torn.Bytes > 0 {
		e.notef("note: %s: line %d was cut short (a write stance label did not finish) and is ignored", path, torn.Line)
	}
	out := &labelled{lacking: map[string][]string{}, columns: map[string]string{}}
	heads := map[string]bool{}
	seen := map[string]bool{}
	for _, c := range l.Comments {
		ls := byID[c.ID]
		if c.ID == "" || len(ls) == 0 {
			continue
		}
		if seen[c.ID] {
			return nil, usageErr("%s:%d: comment id %q appears twice in the data: the labels file names comments by id", c.File, c.Line, c.ID)
		}
		seen[c.ID] = true
		c.Labels = ls
		for h := range ls {
			heads[h] = true
		}
		out.Add(c)
	}
	if missing := len(byID) - len(seen); missing > 0 {
		e.notef("note: %s labels %d comment ids that the data does not have; they are left out", path, missing)
	}
	if len(out.Comments) == 0 {
		return nil, usageErr("%s: %v: none of its ids is in the data", path, classifier.ErrNoExamples)
	}
	out.Heads = slices.Sorted(maps.Keys(heads))
	for _, h := range out.Heads {
		out.columns[h] = h
	}
	return out, nil
}
