package serve

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/commentstance/stance/classifier"
)

// loaded is one model file as served: the model, what names its scores, and its scorers. A
// request takes one loaded and uses it to its end.
type loaded struct {
	m       *classifier.Model
	path    string
	size    int64
	version string // the first 12 hex digits of the file's SHA-256
	at      time.Time
	// idle holds the scorers between requests, made as needed (a Scorer is not safe to share),
	// at most maxIdle. It is a stack: the scorer used last is used next, with its scratch
	// (a mark per table row, its articles) still in cache; a queue would hand out the one
	// idle longest, whose memory other requests have since pushed out of the cache.
	idleMu  sync.Mutex
	idle    []*worker
	maxIdle int
	// attrs are the Perspective attribute names, HEAD_CLASS upper-cased, in head and class
	// order, each with its head and class index.
	attrs  []attribute
	byName map[string]int // attribute name -> index in attrs
	heads  []headCols
}

type attribute struct {
	name        string
	head, class int
}

// headCols is what a native row writes for one head: its name and the JSON keys of its columns,
// quoted once (export's columns: HEAD, HEAD_CLASS..., HEAD_score).
type headCols struct {
	label   []byte   // "HEAD":
	classes [][]byte // per class, the quoted label
	probs   [][]byte // per class, "HEAD_CLASS":
	score   []byte   // "HEAD_score":, or nil when the head has no signed pair
	pos     int
	neg     int
}

// probe is scored by every model before it serves: a file that loads but cannot score, or
// scores to NaN, is refused there rather than on a reader's comment.
const probe = "This is a probe comment, scored before the model serves."

// load reads and checks a model file for serving within limits, keeping up to idle scorers
// between requests; reword, when not nil, rewords an error of reading the file.
func load(path string, idle int, limits classifier.LoadLimits, reword func(error) error) (*loaded, error) {
	version, size, err := digest(path)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	m, err := classifier.LoadWith(path, classifier.LoadOptions{ScoreOnly: true, Limits: limits})
	if err != nil {
		if reword != nil {
			err = reword(err)
		}
		return nil, err
	}
	if len(m.Heads) == 0 {
		return nil, fmt.Errorf("model %s: no heads", path)
	}
	l := &loaded{m: m, path: path, size: size, version: version, at: time.Now(),
		maxIdle: idle, byName: map[string]int{}}
	wk, err := l.get()
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	res := &wk.res
	wk.sc.Score(res, probe, "probe")
	for hi, h := range m.Heads {
		sum := 0.0
		for _, p := range res.Probs[hi] {
			sum += p
		}
		if len(res.Probs[hi]) != len(h.Classes) || math.IsNaN(sum) || math.Abs(sum-1) > 1e-3 {
			return nil, fmt.Errorf("model %s: head %s scores a probe comment to %v; refusing it", path, h.Name, res.Probs[hi])
		}
	}
	l.put(wk)
	for hi, h := range m.Heads {
		hc := headCols{label: jsonKey(h.Name), pos: -1, neg: -1}
		for k, c := range h.Classes {
			name := strings.ToUpper(h.Name + "_" + c)
			if _, dup := l.byName[name]; dup {
				return nil, fmt.Errorf("model %s: two classes make the attribute %s", path, name)
			}
			l.byName[name] = len(l.attrs)
			l.attrs = append(l.attrs, attribute{name: name, head: hi, class: k})
			hc.classes = append(hc.classes, appendString(nil, c))
			hc.probs = append(hc.probs, jsonKey(h.Name+"_"+c))
		}
		if pos, neg, ok := h.Signed(); ok {
			hc.score, hc.pos, hc.neg = jsonKey(h.Name+"_score"), pos, neg
		}
		l.heads = append(l.heads, hc)
	}
	return l, nil
}

// digest returns the first 12 hex digits of the file's SHA-256, and its size.
func digest(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	if n == 0 {
		return "", 0, errors.New("empty file")
	}
	return hex.EncodeToString(h.Sum(nil))[:12], n, nil
}

// worker is a scorer of one model with the storage of its scores, reused from request to
// request.
type worker struct {
	sc  *classifier.Scorer
	res classifier.Scores
}

// get returns an idle worker of l's model, or a new one.
func (l *loaded) get() (*worker, error) {
	l.idleMu.Lock()
	if n := len(l.idle); n > 0 {
		w := l.idle[n-1]
		l.idle[n-1] = nil
		l.idle = l.idle[:n-1]
		l.idleMu.Unlock()
		return w, nil
	}
	l.idleMu.Unlock()
	sc, err := l.m.NewScorer()
	if err != nil {
		return nil, err
	}
	return &worker{sc: sc}, nil
}

// put gives a worker back, or drops it when enough are idle.
func (l *loaded) put(w *worker) {
	l.idleMu.Lock()
	if len(l.idle) < l.maxIdle {
		l.idle = append(l.idle, w)
	}
	l.idleMu.Unlock()
}

func jsonKey(s string) []byte { return append(appendString(nil, s), ':') }
