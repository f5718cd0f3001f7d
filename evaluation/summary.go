package evaluation

import "github.com/commentstance/stance/classifier"

// Tally sums the scores of some comments.
type Tally struct {
	N     int
	Probs [][]float64 // per head and class, the sum of the class's probability
	Count [][]int     // per head and class, the comments whose label it is
}

func newTally(m *classifier.Model) *Tally {
	t := &Tally{}
	for _, h := range m.Heads {
		t.Probs = append(t.Probs, make([]float64, len(h.Classes)))
		t.Count = append(t.Count, make([]int, len(h.Classes)))
	}
	return t
}

// add counts one comment: its labels, and its probabilities p (per head, with the class weights
// undone).
func (t *Tally) add(s *classifier.Scores, p [][]float64) {
	t.N++
	for hi, ph := range p {
		for k, v := range ph {
			t.Probs[hi][k] += v
		}
		t.Count[hi][s.Best[hi]]++
	}
}

// Share is head hi's share of class k among t's comments: the mean of its probability.
func (t *Tally) Share(hi, k int) float64 { return t.Probs[hi][k] / float64(t.N) }

// Summary is the tallies of a model's scores per article (or group), in order of first
// appearance, and over all comments: what stance summarize prints.
//
// A class's share is the mean of its probability with the class weights of training undone
// (classifier.Head.Unweighted): balanced weights make rare classes likelier in each comment's
// scores, as they should be for picking labels, but summed over many comments they would
// inflate the rare classes' shares.
type Summary struct {
	Model  *classifier.Model
	By     GroupBy
	Keys   []string // in order of first appearance
	Groups map[string]*Tally
	All    *Tally
	signed [][2]int // per head, its positive and negative class (Head.Signed), or -1s
	p      [][]float64
}

// NewSummary starts the tallies of m's scores grouped by by (ByArticle or ByGroup).
func NewSummary(m *classifier.Model, by GroupBy) *Summary {
	s := &Summary{Model: m, By: by, Groups: map[string]*Tally{}, All: newTally(m), p: make([][]float64, len(m.Heads))}
	for _, h := range m.Heads {
		pn := [2]int{-1, -1}
		if pos, neg, ok := h.Signed(); ok {
			pn = [2]int{pos, neg}
		}
		s.signed = append(s.signed, pn)
	}
	return s
}

// Add counts the scores of one comment whose group key (GroupOf) is key.
func (s *Summary) Add(key string, sc *classifier.Scores) { s.add(key, sc) }

// add counts the scores of one comment, and returns its probabilities with the class weights
// undone, which stay valid until the next call.
func (s *Summary) add(key string, sc *classifier.Scores) [][]float64 {
	t := s.Groups[key]
	if t == nil {
		t = newTally(s.Model)
		s.Groups[key] = t
		s.Keys = append(s.Keys, key)
	}
	for hi := range s.Model.Heads {
		// The weights undone are those of the model that scored it (Head.Unseen's differ).
		s.p[hi] = sc.Scorer(s.Model, hi).Unweighted(s.p[hi], sc.Probs[hi])
	}
	t.add(sc, s.p)
	s.All.add(sc, s.p)
	return s.p
}

// Signed reports whether head hi has a signed score (classifier.Head.Signed).
func (s *Summary) Signed(hi int) bool { return s.signed[hi][0] >= 0 }

// MeanScore is head hi's mean signed score over t's comments: the share of its positive class
// less that of its negative one; ok is false for a head without such a pair.
func (s *Summary) MeanScore(hi int, t *Tally) (v float64, ok bool) {
	pn := s.signed[hi]
	if pn[0] < 0 {
		return 0, false
	}
	return (t.Probs[hi][pn[0]] - t.Probs[hi][pn[1]]) / float64(t.N), true
}

// Name is how a group is called: its key, or a placeholder for the rows without one.
func (s *Summary) Name(key string) string {
	if key == "" {
		return "(no " + string(s.By) + ")"
	}
	return key
}
