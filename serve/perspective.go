package serve

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The AnalyzeComment request and response of Perspective API v1alpha1, as its reference gives
// them (commentanalyzer v1alpha1: AnalyzeCommentRequest, AnalyzeCommentResponse, SpanScore).
// Fields a stance model has no use for (sessionId, communityId, doNotStore: nothing is stored
// anyway) are accepted and ignored; see docs/SERVE.md.
type analyzeRequest struct {
	Comment             *textEntry                  `json:"comment"`
	Context             *analyzeContext             `json:"context"`
	RequestedAttributes map[string]*attributeParams `json:"requestedAttributes"`
	Languages           []string                    `json:"languages"`
	DoNotStore          bool                        `json:"doNotStore"`
	ClientToken         string                      `json:"clientToken"`
	SessionID           string                      `json:"sessionId"`
	CommunityID         string                      `json:"communityId"`
	SpanAnnotations     bool                        `json:"spanAnnotations"`
}

type analyzeContext struct {
	Entries                 []textEntry       `json:"entries"`
	ArticleAndParentComment *articleAndParent `json:"articleAndParentComment"`
}

type articleAndParent struct {
	Article       *textEntry `json:"article"`
	ParentComment *textEntry `json:"parentComment"`
}

type textEntry struct {
	Text string `json:"text"`
	Type string `json:"type"` // PLAIN_TEXT or HTML; both are scored as text
}

type attributeParams struct {
	ScoreType      string   `json:"scoreType"`      // "" or PROBABILITY, the only type Perspective has
	ScoreThreshold *float64 `json:"scoreThreshold"` // scores below it are left out of the answer
}

// article is the article a Perspective request's comment answers: the texts of
// context.entries, one per line, or else context.articleAndParentComment.article.
func (q *analyzeRequest) article() string {
	if q.Context == nil {
		return ""
	}
	switch es := q.Context.Entries; len(es) {
	case 0:
	case 1:
		return es[0].Text
	default:
		parts := make([]string, len(es))
		for i, e := range es {
			parts[i] = e.Text
		}
		return strings.Join(parts, "\n")
	}
	if ap := q.Context.ArticleAndParentComment; ap != nil && ap.Article != nil {
		return ap.Article.Text
	}
	return ""
}

// wanted is one requested attribute: its index in loaded.attrs, and its threshold (or -1).
type wanted struct {
	attr      int
	threshold float64
}

func (s *Server) analyze(w http.ResponseWriter, r *http.Request) {
	info := &w.(*statusWriter).info
	var q analyzeRequest
	article, aerr := s.readAnalyze(r, &q)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	text := q.Comment.Text
	l := s.model.Load()
	var wantBuf [16]wanted // room for the attributes of most models, without an allocation
	want, aerr := l.requested(wantBuf[:0], q.RequestedAttributes)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	info.text = text
	wk, err := l.get()
	if err != nil {
		writeError(w, &apiError{Code: 500, Message: err.Error(), Status: "INTERNAL", kind: "internal"})
		return
	}
	defer l.put(wk)
	wk.sc.Score(&wk.res, text, article)
	info.comments = 1
	sc := analyzeScores{attrs: l.attrs, want: want, withSpans: q.SpanAnnotations}
	if q.SpanAnnotations {
		sc.spans = sentences(text)
		sc.spanProbs = make([][][]float64, len(sc.spans))
		wk.scoreSpans(sc.spanProbs, sc.spans, article)
		info.comments += len(sc.spans)
	}
	sc.probs = wk.res.Probs
	out := answers.Get().(*[]byte)
	defer answers.Put(out)
	b := slices.Grow((*out)[:0], 256+64*len(want)*(1+len(sc.spans)))
	b = appendAnalyzeAnswer(b, &q, &sc)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
	if cap(b) <= 64<<10 { // keep the buffer for the next answer, unless a span-scored giant
		*out = b
	}
}

// readAnalyze reads and decodes an AnalyzeComment request into q and returns the article its
// comment answers, refusing (in this order) an unreadable body, invalid JSON, a missing or
// unacceptable comment, and an article holding a NUL byte.
func (s *Server) readAnalyze(r *http.Request, q *analyzeRequest) (article string, aerr *apiError) {
	body, aerr := readBody(r)
	if aerr != nil {
		return "", aerr
	}
	var err error
	if !decodeAnalyze(body.Bytes(), q) {
		*q = analyzeRequest{}
		err = json.Unmarshal(body.Bytes(), q)
	}
	bodies.Put(body)
	if err != nil {
		return "", badRequest("invalid JSON payload: " + err.Error())
	}
	if q.Comment == nil {
		return "", badRequest("comment.text is required")
	}
	if aerr := s.checkComment("comment.text", q.Comment.Text); aerr != nil {
		return "", aerr
	}
	article = q.article()
	if strings.IndexByte(article, 0) >= 0 {
		return "", badRequest("context: NUL byte in the article text")
	}
	return article, nil
}

// scoreSpans scores each sentence alone, with the same article, into dst (one per span),
// leaving wk.res.Probs holding the whole comment's scores as before.
func (wk *worker) scoreSpans(dst [][][]float64, spans []span, article string) {
	summary := wk.res.Probs
	wk.res.Probs = nil // Score fills fresh slices: keep the summary's
	for i, sp := range spans {
		wk.sc.Score(&wk.res, sp.text, article)
		dst[i] = wk.res.Probs
		wk.res.Probs = nil
	}
	wk.res.Probs = summary
}

// analyzeScores is what an AnalyzeComment answer reports: the requested attributes and the
// comment's scores, with its sentences' when span annotations were requested.
type analyzeScores struct {
	attrs     []attribute
	want      []wanted
	probs     [][]float64 // the comment's, per head and class
	withSpans bool        // the request's spanAnnotations
	spans     []span
	spanProbs [][][]float64 // per span, as probs
}

// appendAnalyzeAnswer appends the AnalyzeCommentResponse, newline-terminated: the attributes
// scoring at least their threshold, the request's languages ("und" when it gives none) and
// its clientToken.
func appendAnalyzeAnswer(b []byte, q *analyzeRequest, sc *analyzeScores) []byte {
	b = append(b, `{"attributeScores":{`...)
	first := true
	for _, wa := range sc.want {
		a := sc.attrs[wa.attr]
		p := sc.probs[a.head][a.class]
		if p < wa.threshold {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, a.name)
		b = append(b, `:{`...)
		if sc.withSpans {
			b = appendSpanScores(b, sc, a, wa.threshold)
		}
		b = append(b, `"summaryScore":`...)
		b = appendProbability(b, p)
		b = append(b, '}')
	}
	b = append(b, `},"languages":[`...)
	if len(q.Languages) == 0 {
		b = append(b, `"und"`...)
	}
	for i, lang := range q.Languages {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, lang)
	}
	b = append(b, ']')
	if q.ClientToken != "" {
		b = append(b, `,"clientToken":`...)
		b = appendString(b, q.ClientToken)
	}
	return append(b, "}\n"...)
}

// appendSpanScores appends attribute a's "spanScores" member and its trailing comma: the
// sentences scoring at least threshold.
func appendSpanScores(b []byte, sc *analyzeScores, a attribute, threshold float64) []byte {
	b = append(b, `"spanScores":[`...)
	n := 0
	for i, sp := range sc.spans {
		v := sc.spanProbs[i][a.head][a.class]
		if v < threshold {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, `{"begin":`...)
		b = strconv.AppendInt(b, int64(sp.begin), 10)
		b = append(b, `,"end":`...)
		b = strconv.AppendInt(b, int64(sp.end), 10)
		b = append(b, `,"score":`...)
		b = appendProbability(b, v)
		b = append(b, '}')
	}
	return append(b, `],`...)
}

// answers holds the buffers analyze writes its answers into; the server copies an answer
// before Write returns.
var answers = sync.Pool{New: func() any { return new([]byte) }}

func appendProbability(b []byte, v float64) []byte {
	b = append(b, `{"value":`...)
	b = strconv.AppendFloat(b, v, 'g', -1, 64)
	return append(b, `,"type":"PROBABILITY"}`...)
}

// checkComment refuses a comment that Perspective would: empty (or only spaces) and over the
// limit; and, as the command line does, one holding a NUL byte (UTF-16 or binary sent as text).
// JSON has already replaced invalid UTF-8 with U+FFFD.
func (s *Server) checkComment(field, text string) *apiError {
	if strings.TrimSpace(text) == "" {
		return badRequest(field + " is empty; want the comment's text")
	}
	if len(text) > s.cfg.MaxCommentChars { // a cheap bound first: no more characters than bytes
		if n := utf8.RuneCountInString(text); n > s.cfg.MaxCommentChars {
			return badRequest(field + " is " + strconv.Itoa(n) + " characters long; the limit is " + strconv.Itoa(s.cfg.MaxCommentChars) + " (max_comment_chars)")
		}
	}
	if i := strings.IndexByte(text, 0); i >= 0 {
		return badRequest(field + ": NUL byte at byte " + strconv.Itoa(i) + "; want text")
	}
	return nil
}

// requested resolves requestedAttributes against the model's attributes, in the model's order,
// appending them to want; none requested means all of them, as the peer (serve_peer.py) does.
func (l *loaded) requested(want []wanted, req map[string]*attributeParams) ([]wanted, *apiError) {
	if len(req) == 0 {
		for i := range l.attrs {
			want = append(want, wanted{attr: i, threshold: -1})
		}
		return want, nil
	}
	var unknown []string
	for name, p := range req {
		i, ok := l.byName[name]
		if !ok {
			unknown = append(unknown, name)
			continue
		}
		wa := wanted{attr: i, threshold: -1}
		if p != nil {
			if p.ScoreType != "" && p.ScoreType != "PROBABILITY" {
				return nil, badRequest("requestedAttributes." + name + ".scoreType " + strconv.Quote(p.ScoreType) + ": only PROBABILITY is supported")
			}
			if p.ScoreThreshold != nil {
				wa.threshold = *p.ScoreThreshold
			}
		}
		want = append(want, wa)
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		names := make([]string, len(l.attrs))
		for i, a := range l.attrs {
			names[i] = a.name
		}
		return nil, badRequest("unknown attribute " + strconv.Quote(unknown[0]) + " requested; this model answers " + strings.Join(names, ", "))
	}
	slices.SortFunc(want, func(a, b wanted) int { return a.attr - b.attr })
	return want, nil
}

// span is a sentence of a comment: begin and end count Unicode code points from the start of
// the text, end exclusive, as Perspective's SpanScore does.
type span struct {
	begin, end int
	text       string
}

// sentences cuts text after each run of sentence-ending punctuation (. ! ? … and the Arabic
// ؟ among them) or line breaks, leaving out the white space between sentences. A text without
// such punctuation is one span.
func sentences(text string) []span {
	var out []span
	begin, beginByte := -1, 0
	pos := 0
	ended := false // in a run of terminators
	lastEnd, lastEndByte := 0, 0
	emit := func() {
		if begin >= 0 {
			out = append(out, span{begin: begin, end: lastEnd, text: text[beginByte:lastEndByte]})
		}
		begin = -1
	}
	for i, r := range text {
		switch {
		case r == '\n' || r == '\r':
			emit()
			ended = false
		case unicode.IsSpace(r):
			if ended {
				emit()
				ended = false
			}
		default:
			if ended && !isTerminator(r) {
				emit()
				ended = false
			}
			if begin < 0 {
				begin, beginByte = pos, i
			}
			lastEnd, lastEndByte = pos+1, i+utf8.RuneLen(r)
			if isTerminator(r) {
				ended = true
			}
		}
		pos++
	}
	emit()
	return out
}

func isTerminator(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '؟', '。', '！', '？':
		return true
	}
	return false
}
