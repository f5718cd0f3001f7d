package classifier

import (
	"context"
	"errors"
	"sync"
)

// Item is one comment to score, with whatever the caller needs to write it out.
type Item struct {
	Text, Article string
	Ref           any // the caller's record, handed back untouched
}

// ScoreStream scores the items that next yields (io.EOF-style: next returns ok=false at the end)
// on workers goroutines and hands each item with its scores to emit, in input order. At most a
// few batches are in flight, so memory does not grow with the input. The output is the same for
// any number of workers. It stops at the first error from next or emit, or when ctx is done.
// emit must not keep the Scores it is handed: their storage is reused for later items.
func (m *Model) ScoreStream(ctx context.Context, workers int, next func() (Item, bool, error), emit func(Item, *Scores) error) error {
	if workers < 1 {
		workers = 1
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st := &stream{
		ctx:     ctx,
		next:    next,
		jobs:    make(chan *batch, workers),
		ordered: make(chan *batch, 2*workers),
		free:    make(chan *batch, 3*workers+1),
	}
	go st.read()
	var wg sync.WaitGroup
	for range workers {
		s, err := m.NewScorer()
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			st.score(s)
		}()
	}
	err := st.write(emit, cancel)
	cancel()
	wg.Wait()
	if err == nil {
		err = st.readErr
	}
	if err == nil && st.cut {
		// Cancelled while the writer waited for the next batch: the output is short.
		err = context.Cause(parent)
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil && st.readErr != nil {
		err = st.readErr
	}
	return err
}

const batchSize = 256

// batch is a run of consecutive items and, once done is closed, their scores.
type batch struct {
	seq    int
	items  []Item
	scores []Scores
	done   chan struct{}
}

// stream is one ScoreStream: a reader goroutine cuts the input into batches and queues each for
// a worker (jobs) and, in order, for the writer (ordered), which is ScoreStream's own goroutine.
type stream struct {
	ctx           context.Context
	next          func() (Item, bool, error)
	jobs, ordered chan *batch
	// free holds batches the writer is done with, for the reader to fill again: their items'
	// and scores' storage is reused, so scoring allocates nothing per comment.
	free chan *batch
	// Set by the reader, read once ordered is closed: the error of next, and whether the
	// reader stopped before the end of the input.
	readErr error
	cut     bool
}

// read is the reader.
func (st *stream) read() {
	defer close(st.jobs)
	defer close(st.ordered)
	for seq := 0; ; seq++ {
		b := st.batch(seq)
		for len(b.items) < batchSize {
			it, ok, err := st.next()
			if err != nil {
				st.readErr = err
				break
			}
			if !ok {
				break
			}
			b.items = append(b.items, it)
		}
		if len(b.items) > 0 && !st.queue(b) {
			st.cut = true
			return
		}
		if st.readErr != nil || len(b.items) < batchSize {
			return
		}
	}
}

// batch is a free batch, or a new one.
func (st *stream) batch(seq int) *batch {
	select {
	case b := <-st.free:
		b.seq, b.items, b.done = seq, b.items[:0], make(chan struct{})
		return b
	default:
		return &batch{seq: seq, done: make(chan struct{})}
	}
}

// queue hands b to the writer and to a worker; it reports false if ctx was done first.
func (st *stream) queue(b *batch) bool {
	select {
	case st.ordered <- b:
	case <-st.ctx.Done():
		return false
	}
	select {
	case st.jobs <- b:
	case <-st.ctx.Done():
		return false
	}
	return true
}

// score is a worker: it scores the batches of jobs with s.
func (st *stream) score(s *Scorer) {
	for b := range st.jobs {
		if cap(b.scores) < len(b.items) {
			b.scores = make([]Scores, len(b.items))
		}
		b.scores = b.scores[:len(b.items)]
		for i, it := range b.items {
			s.Score(&b.scores[i], it.Text, it.Article)
		}
		close(b.done)
	}
}

// write is the writer: it hands the scored batches to emit in order until the first error,
// then cancels the others and drains the batches still queued.
func (st *stream) write(emit func(Item, *Scores) error, cancel context.CancelFunc) error {
	var err error
	for b := range st.ordered {
		scored := false
		select {
		case <-b.done:
			scored = true
		case <-st.ctx.Done():
		}
		if err == nil {
			err = st.ctx.Err()
			for i := range b.items {
				if err != nil {
					break
				}
				err = emit(b.items[i], &b.scores[i])
			}
		}
		if scored { // else a worker may still be at it
			clear(b.items) // let the texts go
			select {
			case st.free <- b:
			default:
			}
		}
		if err != nil {
			cancel()
		}
	}
	return err
}
