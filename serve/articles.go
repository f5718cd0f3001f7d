package serve

import (
	"container/list"
	"sync"
)

// articleStore holds registered articles by id, within a count and a byte budget, evicting the
// least recently used (registered or named by a comment) first. A comment then carries its
// article's id rather than its text: thousands of comments on one article cost one copy.
type articleStore struct {
	mu       sync.Mutex
	max      int
	maxBytes int64
	bytes    int64
	ll       *list.List // of *article, most recently used first
	byID     map[string]*list.Element
	metrics  *metrics
}

type article struct{ id, text string }

func newArticleStore(max int, maxBytes int64, m *metrics) *articleStore {
	return &articleStore{max: max, maxBytes: maxBytes, ll: list.New(), byID: map[string]*list.Element{}, metrics: m}
}

// cost is what an article counts against the byte budget: its id and text.
func cost(id, text string) int64 { return int64(len(id) + len(text)) }

// put registers text under id, replacing any text it had, and evicts what no longer fits. An
// article larger than the whole budget is refused (false).
func (s *articleStore) put(id, text string) bool {
	if cost(id, text) > s.maxBytes {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byID[id]; ok {
		a := e.Value.(*article)
		s.bytes += cost(id, text) - cost(a.id, a.text)
		a.text = text
		s.ll.MoveToFront(e)
	} else {
		s.byID[id] = s.ll.PushFront(&article{id: id, text: text})
		s.bytes += cost(id, text)
	}
	for s.ll.Len() > s.max || s.bytes > s.maxBytes {
		e := s.ll.Back()
		a := e.Value.(*article)
		s.ll.Remove(e)
		delete(s.byID, a.id)
		s.bytes -= cost(a.id, a.text)
		s.metrics.evictions.Inc()
	}
	s.metrics.articles.Set(float64(s.ll.Len()))
	return true
}

// get returns the text registered under id.
func (s *articleStore) get(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	if !ok {
		return "", false
	}
	s.ll.MoveToFront(e)
	return e.Value.(*article).text, true
}

// delete forgets id, and says whether it was there.
func (s *articleStore) delete(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	if ok {
		a := e.Value.(*article)
		s.ll.Remove(e)
		delete(s.byID, id)
		s.bytes -= cost(a.id, a.text)
		s.metrics.articles.Set(float64(s.ll.Len()))
	}
	return ok
}

func (s *articleStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ll.Len()
}
