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
	const batchSize = 256
	type batch struct {
		seq    int
		items  []Item
		scores []Scores
		done   chan struct{}
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *batch, workers)
	ordered := make(chan *batch, 2*workers)
	// Batches the writer is done with, for the reader to fill again: their items' and scores'
	// storage is reused, so scoring allocates nothing per comment.
	free := make(chan *batch, 3*workers+1)
	var readErr error
	cut := false // the reader stopped before the end of the input; read after ordered is closed
	// Reader: cut the input into batches, queue each for a worker and, in order, for the writer.
	go func() {
		defer close(jobs)
		defer close(ordered)
		for seq := 0; ; seq++ {
			var b *batch
			select {
			case b = <-free:
				b.seq, b.items, b.done = seq, b.items[:0], make(chan struct{})
			default:
				b = &batch{seq: seq, done: make(chan struct{})}
			}
			for len(b.items) < batchSize {
				it, ok, err := next()
				if err != nil {
					readErr = err
					break
				}
				if !ok {
					break
				}
				b.items = append(b.items, it)
			}
			if len(b.items) > 0 {
				select {
				case ordered <- b:
				case <-ctx.Done():
					cut = true
					return
				}
				select {
				case jobs <- b:
				case <-ctx.Done():
					cut = true
					return
				}
			}
			if readErr != nil || len(b.items) < batchSize {
				return
			}
		}
	}()
	var wg sync.WaitGroup
	var once sync.Once
	for range workers {
		s, err := m.NewScorer()
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				if cap(b.scores) < len(b.items) {
					b.scores = make([]Scores, len(b.items))
				}
				b.scores = b.scores[:len(b.items)]
				for i, it := range b.items {
					s.Score(&b.scores[i], it.Text, it.Article)
				}
				close(b.done)
			}
		}()
	}
	var err error
	for b := range ordered {
		scored := false
		select {
		case <-b.done:
			scored = true
		case <-ctx.Done():
		}
		if err == nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
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
			case free <- b:
			default:
			}
		}
		if err != nil {
			once.Do(cancel)
		}
	}
	cancel()
	wg.Wait()
	if err == nil {
		err = readErr
	}
	if err == nil && cut {
		// Cancelled while the writer waited for the next batch: the output is short.
		err = context.Cause(parent)
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil && readErr != nil {
		err = readErr
	}
	return err
}
