package label

import "slices"

// key is a comment and a head; head "" stands for the comment's skips.
type key struct{ id, head string }

// State is what the rows of a labels file add up to: each comment's current class per head,
// its skips, and the order of the answers and skips not undone, for the next undo. The zero
// value is empty and ready to use.
type State struct {
	stacks map[key][]string // per comment and head, the answers given, the latest last
	skips  map[string]int
	order  []key // answers and skips not undone, the latest last
}

// Apply replays one row. An undo withdraws the latest answer of its comment and head (the one
// before it, if any, is the class again) or, with no head, the comment's latest skip; an undo
// with nothing to withdraw changes nothing.
func (s *State) Apply(r Row) {
	if s.stacks == nil {
		s.stacks, s.skips = map[key][]string{}, map[string]int{}
	}
	switch r.Action {
	case Answer:
		k := key{r.ID, r.Head}
		s.stacks[k] = append(s.stacks[k], r.Label)
		s.order = append(s.order, k)
	case Skip:
		s.skips[r.ID]++
		s.order = append(s.order, key{r.ID, ""})
	case Undo:
		k := key{r.ID, r.Head}
		if r.Head == "" {
			if s.skips[r.ID] == 0 {
				return
			}
			s.skips[r.ID]--
		} else {
			st := s.stacks[k]
			if len(st) == 0 {
				return
			}
			if st = st[:len(st)-1]; len(st) == 0 {
				delete(s.stacks, k)
			} else {
				s.stacks[k] = st
			}
		}
		if i := slices.Index(reversed(s.order), k); i >= 0 {
			j := len(s.order) - 1 - i
			s.order = slices.Delete(s.order, j, j+1)
		}
	}
}

func reversed(ks []key) []key {
	out := slices.Clone(ks)
	slices.Reverse(out)
	return out
}

// Label is comment id's class on head, "" if it has none.
func (s *State) Label(id, head string) string {
	st := s.stacks[key{id, head}]
	if len(st) == 0 {
		return ""
	}
	return st[len(st)-1]
}

// Skipped reports whether comment id was skipped (and not undone).
func (s *State) Skipped(id string) bool { return s.skips[id] > 0 }

// Last is the latest answer or skip not undone: the comment and head (head "" for a skip) that
// the next undo withdraws.
func (s *State) Last() (id, head string, ok bool) {
	if len(s.order) == 0 {
		return "", "", false
	}
	k := s.order[len(s.order)-1]
	return k.id, k.head, true
}

// Labels is comment id -> head -> class for every comment with a class on some head.
func (s *State) Labels() map[string]map[string]string {
	out := map[string]map[string]string{}
	for k, st := range s.stacks {
		if len(st) == 0 {
			continue
		}
		if out[k.id] == nil {
			out[k.id] = map[string]string{}
		}
		out[k.id][k.head] = st[len(st)-1]
	}
	return out
}
