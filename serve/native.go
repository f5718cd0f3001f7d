package serve

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/commentstance/stance/classifier"
)

// scoreItem is one comment sent to /v1/score: its text, and the article it answers given
// whole (article) or by the id it was registered under (article_id). id, when given, is echoed
// as it was sent (any JSON value).
type scoreItem struct {
	ID        json.RawMessage `json:"id"`
	Text      *string         `json:"text"`
	Article   string          `json:"article"`
	ArticleID string          `json:"article_id"`
}

// resolved is an item checked and with its article's text.
type resolved struct {
	id             json.RawMessage
	text           string
	article        string
	articleID      string
	hasArticleText bool
}

// resolve checks an item and finds its article. field names the item in errors ("item 3").
func (s *Server) resolve(it *scoreItem, field string) (resolved, *apiError) {
	if it.Text == nil {
		return resolved{}, badRequest(field + ": text is required")
	}
	if aerr := s.checkComment(field+": text", *it.Text); aerr != nil {
		return resolved{}, aerr
	}
	rs := resolved{id: it.ID, text: *it.Text, article: it.Article, articleID: it.ArticleID}
	if strings.IndexByte(it.Article, 0) >= 0 {
		return resolved{}, badRequest(field + ": NUL byte in article")
	}
	if it.Article == "" && it.ArticleID != "" {
		a, ok := s.articles.get(it.ArticleID)
		if !ok {
			return resolved{}, notFound(field + ": article_id " + strconv.Quote(it.ArticleID) + " is not registered (or was evicted); POST it to /v1/articles first")
		}
		rs.article = a
	}
	return rs, nil
}

// appendRow appends the row export writes for a comment, as a JSON object with export's column
// names in export's order: id (when given), article_id, then per head its label, the
// probability of each class (HEAD_CLASS) and, where the classes allow one, the signed score
// HEAD_score = P(positive) - P(negative). Numbers have export's four decimals.
func (l *loaded) appendRow(b []byte, it *resolved, res *classifier.Scores) []byte {
	b = append(b, '{')
	if len(it.id) > 0 {
		b = append(b, `"id":`...)
		b = append(b, it.id...)
		b = append(b, ',')
	}
	b = append(b, `"article_id":`...)
	b = appendString(b, it.articleID)
	for hi, h := range l.heads {
		p := res.Probs[hi]
		b = append(b, ',')
		b = append(b, h.label...)
		b = append(b, h.classes[res.Best[hi]]...)
		for k, key := range h.probs {
			b = append(b, ',')
			b = append(b, key...)
			b = strconv.AppendFloat(b, p[k], 'f', 4, 64)
		}
		if h.score != nil {
			b = append(b, ',')
			b = append(b, h.score...)
			b = strconv.AppendFloat(b, p[h.pos]-p[h.neg], 'f', 4, 64)
		}
	}
	return append(b, '}')
}

// isStream says whether a request's body is NDJSON, to be answered line by line.
func isStream(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines":
		return true
	}
	return false
}

func (s *Server) score(w http.ResponseWriter, r *http.Request) {
	if isStream(r) {
		s.scoreStream(w, r)
		return
	}
	info := &w.(*statusWriter).info
	body, aerr := readBody(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	defer bodies.Put(body)
	raw := bytes.TrimLeft(body.Bytes(), " \t\r\n")
	batch := len(raw) > 0 && raw[0] == '['
	var items []scoreItem
	if batch {
		if items = decodeItems(raw); items == nil {
			if err := json.Unmarshal(raw, &items); err != nil {
				writeError(w, badRequest("invalid JSON payload: "+err.Error()))
				return
			}
		}
		if len(items) == 0 {
			writeError(w, badRequest("an empty batch; want comments"))
			return
		}
		if len(items) > s.cfg.MaxBatch {
			writeError(w, tooLarge("a batch of "+strconv.Itoa(len(items))+" comments; the limit is "+strconv.Itoa(s.cfg.MaxBatch)+" (max_batch); send more as NDJSON (Content-Type: application/x-ndjson)"))
			return
		}
	} else {
		items = make([]scoreItem, 1)
		if !decodeItem(raw, &items[0]) {
			items[0] = scoreItem{}
			if err := json.Unmarshal(raw, &items[0]); err != nil {
				writeError(w, badRequest("invalid JSON payload: "+err.Error()+"; want an object, an array of them, or NDJSON"))
				return
			}
		}
	}
	rs := make([]resolved, len(items))
	for i := range items {
		field := "item " + strconv.Itoa(i)
		if !batch {
			field = "comment"
		}
		var aerr *apiError
		if rs[i], aerr = s.resolve(&items[i], field); aerr != nil {
			writeError(w, aerr)
			return
		}
	}
	if !batch {
		info.text = rs[0].text
	}
	l := s.model.Load()
	out, err := l.rows(rs, batch)
	if err != nil {
		writeError(w, &apiError{Code: 500, Message: err.Error(), Status: "INTERNAL", kind: "internal"})
		return
	}
	info.comments = len(rs)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.Write(out)
}

// chunk is how many comments of a batch one goroutine scores at least: below it, starting
// another costs more than it saves.
const chunk = 32

// rows scores items with l and returns their rows, in input order: one object, or an array when
// batch is set. A batch is cut into contiguous parts scored on up to GOMAXPROCS goroutines,
// each with a scorer of l's own: every row of the answer comes from the same model.
func (l *loaded) rows(items []resolved, batch bool) ([]byte, error) {
	parts := min(runtime.GOMAXPROCS(0), (len(items)+chunk-1)/chunk)
	bufs := make([][]byte, parts)
	errs := make([]error, parts)
	per := (len(items) + parts - 1) / parts
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*per, min(len(items), (p+1)*per)
		work := func() {
			wk, err := l.get()
			if err != nil {
				errs[p] = err
				return
			}
			b := make([]byte, 0, (hi-lo)*(64+48*len(l.attrs)))
			for i := lo; i < hi; i++ {
				if i > lo {
					b = append(b, ',')
				}
				wk.sc.Score(&wk.res, items[i].text, items[i].article)
				b = l.appendRow(b, &items[i], &wk.res)
			}
			l.put(wk)
			bufs[p] = b
		}
		if p == parts-1 {
			work() // the last part on this goroutine
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); work() }()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	n := 3
	for _, b := range bufs {
		n += len(b) + 1
	}
	out := make([]byte, 0, n)
	if batch {
		out = append(out, '[')
	}
	for i, b := range bufs {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, b...)
	}
	if batch {
		out = append(out, ']')
	}
	return append(out, '\n'), nil
}

// scoreStream answers an NDJSON body line by line: a row for each comment, or an error object
// {"line": N, "error": {...}} for a bad line, in input order, one line out per non-blank line
// in. Answers are flushed whenever no more input is waiting, so that a client that writes a line
// and waits gets its answer. The stream has no total size limit: each line is bounded by
// MaxBodyBytes, and the read and write deadlines move on at every line.
func (s *Server) scoreStream(w http.ResponseWriter, r *http.Request) {
	info := &w.(*statusWriter).info
	rc := http.NewResponseController(w)
	rc.EnableFullDuplex() // HTTP/1.1: read the body while answering it
	l := s.model.Load()
	wk, err := l.get()
	if err != nil {
		writeError(w, &apiError{Code: 500, Message: err.Error(), Status: "INTERNAL", kind: "internal"})
		return
	}
	defer l.put(wk)
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	br := bufio.NewReaderSize(r.Body, 64<<10)
	bw := bufio.NewWriterSize(w, 32<<10)
	var out []byte
	var long []byte
	for n := 1; ; n++ {
		rc.SetReadDeadline(time.Now().Add(s.cfg.ReadTimeout))
		line, tooLong, err := readLine(br, &long, s.cfg.MaxBodyBytes)
		if len(line) == 0 && err != nil {
			if err != io.EOF {
				s.cfg.Logger.Warn("NDJSON stream cut short", "path", r.URL.Path, "line", n, "error", err.Error())
			}
			break
		}
		out = out[:0]
		line = bytes.TrimSpace(line)
		switch {
		case tooLong:
			out = appendLineError(out, n, tooLarge("line over "+strconv.FormatInt(s.cfg.MaxBodyBytes, 10)+" bytes (max_body_bytes)"))
			s.metrics.errors.WithLabelValues("too_large").Inc()
		case len(line) == 0:
			continue
		default:
			var it scoreItem
			var rs resolved
			var aerr *apiError
			if !decodeItem(line, &it) {
				it = scoreItem{}
				if err := json.Unmarshal(line, &it); err != nil {
					aerr = badRequest("invalid JSON: " + err.Error())
				}
			}
			if aerr == nil {
				rs, aerr = s.resolve(&it, "line "+strconv.Itoa(n))
			}
			if aerr != nil {
				out = appendLineError(out, n, aerr)
				s.metrics.errors.WithLabelValues(aerr.kind).Inc()
				break
			}
			wk.sc.Score(&wk.res, rs.text, rs.article)
			info.comments++
			out = l.appendRow(out, &rs, &wk.res)
		}
		out = append(out, '\n')
		rc.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
		if _, err := bw.Write(out); err != nil {
			return
		}
		if br.Buffered() == 0 {
			if bw.Flush() != nil || rc.Flush() != nil {
				return
			}
		}
		if err != nil {
			break
		}
	}
	bw.Flush()
}

// readLine reads a line of br, without its newline; a line over max bytes is read to its end,
// dropped, and reported as tooLong. long is scratch for lines over br's buffer.
func readLine(br *bufio.Reader, long *[]byte, max int64) (line []byte, tooLong bool, err error) {
	line, err = br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		*long = append((*long)[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = br.ReadSlice('\n')
			if !tooLong {
				*long = append(*long, line...)
				if int64(len(*long)) > max+1 {
					tooLong, *long = true, (*long)[:0]
				}
			}
		}
		line = *long
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	if tooLong || int64(len(line)) > max {
		return []byte{' '}, true, err
	}
	return line, false, err
}

func appendLineError(b []byte, line int, e *apiError) []byte {
	b = append(b, `{"line":`...)
	b = strconv.AppendInt(b, int64(line), 10)
	b = append(b, `,"error":{"code":`...)
	b = strconv.AppendInt(b, int64(e.Code), 10)
	b = append(b, `,"message":`...)
	b = appendString(b, e.Message)
	b = append(b, `,"status":`...)
	b = appendString(b, e.Status)
	return append(b, `}}`...)
}

// articleItem is an article to register with POST /v1/articles.
type articleItem struct {
	ID   string  `json:"id"`
	Text *string `json:"text"`
}

func (s *Server) putArticles(w http.ResponseWriter, r *http.Request) {
	body, aerr := readBody(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	defer bodies.Put(body)
	raw := bytes.TrimLeft(body.Bytes(), " \t\r\n")
	var items []articleItem
	var err error
	if len(raw) > 0 && raw[0] == '[' {
		err = json.Unmarshal(raw, &items)
	} else {
		items = make([]articleItem, 1)
		err = json.Unmarshal(raw, &items[0])
	}
	if err != nil {
		writeError(w, badRequest("invalid JSON payload: "+err.Error()+`; want {"id": "...", "text": "..."} or an array of them`))
		return
	}
	for i, a := range items {
		field := "article " + strconv.Itoa(i)
		switch {
		case a.ID == "":
			writeError(w, badRequest(field+": id is required"))
			return
		case a.Text == nil || strings.TrimSpace(*a.Text) == "":
			writeError(w, badRequest(field+" ("+strconv.Quote(a.ID)+"): text is empty"))
			return
		case strings.IndexByte(*a.Text, 0) >= 0:
			writeError(w, badRequest(field+" ("+strconv.Quote(a.ID)+"): NUL byte in text"))
			return
		}
	}
	for i, a := range items {
		if !s.articles.put(a.ID, *a.Text) { // json.Unmarshal made the strings: they pin no buffer

			writeError(w, tooLarge("article "+strconv.Itoa(i)+" ("+strconv.Quote(a.ID)+"): larger than the whole article budget (max_article_bytes)"))
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]int{"registered": len(items), "held": s.articles.len()})
}

func (s *Server) deleteArticle(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.articles.delete(id) {
		writeError(w, notFound("article_id "+strconv.Quote(id)+" is not registered"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"deleted": id})
}
