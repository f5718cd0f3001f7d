package serve

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// The request bodies the server reads most (an AnalyzeComment request, a /v1/score item, a
// batch of them) are decoded here by hand, in one pass and without reflection: encoding/json
// took a fifth of the CPU of an analyze request, and more of a batch's than its scoring left.
//
// The decoders take the bodies clients write: each key spelled as the field's JSON name, once
// per object; no nulls; an id that is a string or a number. On anything else (a syntax or type
// error, a key in another case or unknown, a duplicate, a null, a number out of range) they
// return false and the caller decodes the body with encoding/json, which gives the result and
// the error message it always gave. Whenever they return true, the value is the one
// json.Unmarshal makes of the same bytes (FuzzDecode checks it).

// decoder reads one JSON text from b.
type decoder struct {
	b []byte
	i int
}

func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips white space and says whether the next byte is c, consuming it if so.
func (d *decoder) next(c byte) bool {
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// end says whether only white space is left.
func (d *decoder) end() bool {
	d.ws()
	return d.i == len(d.b)
}

// rawString reads a string and returns the bytes between its quotes, and whether it has
// escapes or bytes past ASCII.
func (d *decoder) rawString() (raw []byte, escaped, wide, ok bool) {
	if !d.next('"') {
		return nil, false, false, false
	}
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			raw = d.b[start:d.i]
			d.i++
			return raw, escaped, wide, true
		case c == '\\':
			escaped = true
			d.i += 2
			continue
		case c < 0x20:
			return nil, false, false, false
		case c >= utf8.RuneSelf:
			wide = true
		}
		d.i++
	}
	return nil, false, false, false
}

// key reads an object's key: bytes as written, without escapes nor invalid UTF-8 (a key with
// either is left to encoding/json), and the colon after it.
func (d *decoder) key() ([]byte, bool) {
	raw, escaped, wide, ok := d.rawString()
	if !ok || escaped || wide && !utf8.Valid(raw) || !d.next(':') {
		return nil, false
	}
	return raw, true
}

// str reads a string value as encoding/json decodes it.
func (d *decoder) str() (string, bool) {
	d.ws()
	start := d.i
	raw, escaped, wide, ok := d.rawString()
	switch {
	case !ok:
		return "", false
	case !escaped && (!wide || utf8.Valid(raw)):
		return string(raw), true
	case !wide:
		if s, ok := unescape(raw); ok {
			return s, true
		}
	}
	// \u escapes and invalid UTF-8 (which encoding/json replaces with U+FFFD): its own rules.
	var s string
	if err := json.Unmarshal(d.b[start:d.i], &s); err != nil {
		return "", false
	}
	return s, true
}

// unescape decodes the escapes of an ASCII string but \u, which it leaves to encoding/json.
func unescape(raw []byte) (string, bool) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i == len(raw) {
			return "", false
		}
		switch raw[i] {
		case '"', '\\', '/':
			out = append(out, raw[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		default:
			return "", false
		}
	}
	return string(out), true
}

// boolean reads true or false.
func (d *decoder) boolean() (v, ok bool) {
	d.ws()
	switch {
	case len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "true":
		d.i += 4
		return true, true
	case len(d.b)-d.i >= 5 && string(d.b[d.i:d.i+5]) == "false":
		d.i += 5
		return false, true
	}
	return false, false
}

// number reads a number as JSON writes it (RFC 8259, section 6) and returns its bytes.
func (d *decoder) number() ([]byte, bool) {
	d.ws()
	b, start := d.b, d.i
	i := d.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i == len(b) || b[i] < '0' || b[i] > '9' {
			return nil, false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i == len(b) || b[i] < '0' || b[i] > '9' {
			return nil, false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	d.i = i
	return b[start:i], true
}

// object reads an object, calling field for each key (which must read its value); seen
// numbers each known key once (field returns its bit, or 0 for a key it does not take).
func (d *decoder) object(field func(key []byte) (bit uint32, ok bool)) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return true
	}
	var seen uint32
	for {
		k, ok := d.key()
		if !ok {
			return false
		}
		bit, ok := field(k)
		if !ok || bit == 0 || seen&bit != 0 {
			return false
		}
		seen |= bit
		if d.next('}') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

// array reads an array, calling elem for each element (which must read it). It says whether
// the array was empty in empty.
func (d *decoder) array(elem func() bool) (empty, ok bool) {
	if !d.next('[') {
		return false, false
	}
	if d.next(']') {
		return true, true
	}
	for {
		if !elem() {
			return false, false
		}
		if d.next(']') {
			return false, true
		}
		if !d.next(',') {
			return false, false
		}
	}
}

func (d *decoder) textEntry(e *textEntry) bool {
	return d.object(func(k []byte) (uint32, bool) {
		var ok bool
		switch string(k) {
		case "text":
			e.Text, ok = d.str()
			return 1, ok
		case "type":
			e.Type, ok = d.str()
			return 2, ok
		}
		return 0, false
	})
}

// decodeAnalyze decodes an AnalyzeComment request into q, which must be zero; false leaves the
// body to encoding/json.
func decodeAnalyze(b []byte, q *analyzeRequest) bool {
	d := &decoder{b: b}
	ok := d.object(func(k []byte) (uint32, bool) {
		var ok bool
		switch string(k) {
		case "comment":
			q.Comment = new(textEntry)
			return 1 << 0, d.textEntry(q.Comment)
		case "context":
			q.Context = new(analyzeContext)
			return 1 << 1, d.context(q.Context)
		case "requestedAttributes":
			q.RequestedAttributes, ok = d.attributes()
			return 1 << 2, ok
		case "languages":
			q.Languages = []string{}
			_, ok = d.array(func() bool {
				s, ok := d.str()
				q.Languages = append(q.Languages, s)
				return ok
			})
			return 1 << 3, ok
		case "doNotStore":
			q.DoNotStore, ok = d.boolean()
			return 1 << 4, ok
		case "clientToken":
			q.ClientToken, ok = d.str()
			return 1 << 5, ok
		case "sessionId":
			q.SessionID, ok = d.str()
			return 1 << 6, ok
		case "communityId":
			q.CommunityID, ok = d.str()
			return 1 << 7, ok
		case "spanAnnotations":
			q.SpanAnnotations, ok = d.boolean()
			return 1 << 8, ok
		}
		return 0, false
	})
	return ok && d.end()
}

func (d *decoder) context(c *analyzeContext) bool {
	return d.object(func(k []byte) (uint32, bool) {
		switch string(k) {
		case "entries":
			c.Entries = []textEntry{}
			_, ok := d.array(func() bool {
				c.Entries = append(c.Entries, textEntry{})
				return d.textEntry(&c.Entries[len(c.Entries)-1])
			})
			return 1, ok
		case "articleAndParentComment":
			ap := new(articleAndParent)
			c.ArticleAndParentComment = ap
			return 2, d.object(func(k []byte) (uint32, bool) {
				switch string(k) {
				case "article":
					ap.Article = new(textEntry)
					return 1, d.textEntry(ap.Article)
				case "parentComment":
					ap.ParentComment = new(textEntry)
					return 2, d.textEntry(ap.ParentComment)
				}
				return 0, false
			})
		}
		return 0, false
	})
}

func (d *decoder) attributes() (map[string]*attributeParams, bool) {
	m := map[string]*attributeParams{}
	if !d.next('{') {
		return nil, false
	}
	if d.next('}') {
		return m, true
	}
	for {
		k, ok := d.key()
		if !ok {
			return nil, false
		}
		if _, dup := m[string(k)]; dup {
			return nil, false
		}
		p := new(attributeParams)
		ok = d.object(func(k []byte) (uint32, bool) {
			var ok bool
			switch string(k) {
			case "scoreType":
				p.ScoreType, ok = d.str()
				return 1, ok
			case "scoreThreshold":
				num, ok := d.number()
				if !ok {
					return 1, false
				}
				v, err := strconv.ParseFloat(string(num), 64)
				p.ScoreThreshold = &v
				return 2, err == nil
			}
			return 0, false
		})
		if !ok {
			return nil, false
		}
		m[string(k)] = p
		if d.next('}') {
			return m, true
		}
		if !d.next(',') {
			return nil, false
		}
	}
}

// decodeItem decodes a /v1/score item into it, which must be zero; false leaves the body to
// encoding/json.
func decodeItem(b []byte, it *scoreItem) bool {
	d := &decoder{b: b}
	return d.item(it) && d.end()
}

// decodeItems decodes a JSON array of /v1/score items; nil leaves the body to encoding/json.
func decodeItems(b []byte) []scoreItem {
	d := &decoder{b: b}
	items := []scoreItem{}
	_, ok := d.array(func() bool {
		items = append(items, scoreItem{})
		return d.item(&items[len(items)-1])
	})
	if !ok || !d.end() {
		return nil
	}
	return items
}

func (d *decoder) item(it *scoreItem) bool {
	return d.object(func(k []byte) (uint32, bool) {
		var ok bool
		switch string(k) {
		case "text":
			var s string
			s, ok = d.str()
			it.Text = &s
			return 1, ok
		case "article":
			it.Article, ok = d.str()
			return 2, ok
		case "article_id":
			it.ArticleID, ok = d.str()
			return 4, ok
		case "id":
			// Kept as sent, as json.RawMessage keeps it: a string or a number here.
			d.ws()
			start := d.i
			if d.i < len(d.b) && d.b[d.i] == '"' {
				if _, ok = d.str(); !ok {
					return 8, false
				}
			} else if _, ok = d.number(); !ok {
				return 8, false
			}
			it.ID = append(json.RawMessage(nil), d.b[start:d.i]...)
			return 8, true
		}
		return 0, false
	})
}
