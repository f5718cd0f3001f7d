package serve

import (
	"encoding/json"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// apiError is an error answered in Google's JSON error shape, which Perspective clients parse:
// {"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT"}}. The native API
// answers the same shape. Kind labels the error in stance_errors_total.
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
	kind    string
}

func (e *apiError) Error() string { return e.Message }

// The statuses follow Google's mapping of canonical codes to HTTP (google.rpc.Code):
// INVALID_ARGUMENT 400, UNAUTHENTICATED 401, NOT_FOUND 404, RESOURCE_EXHAUSTED 429,
// FAILED_PRECONDITION 400, INTERNAL 500, UNAVAILABLE 503. 405 and 413 have no canonical code of
// their own; they take the status nearest in meaning.
func badRequest(msg string) *apiError {
	return &apiError{Code: http.StatusBadRequest, Message: msg, Status: "INVALID_ARGUMENT", kind: "bad_request"}
}

func tooLarge(msg string) *apiError {
	return &apiError{Code: http.StatusRequestEntityTooLarge, Message: msg, Status: "INVALID_ARGUMENT", kind: "too_large"}
}

func notFound(msg string) *apiError {
	return &apiError{Code: http.StatusNotFound, Message: msg, Status: "NOT_FOUND", kind: "not_found"}
}

func unauthenticated() *apiError {
	return &apiError{Code: http.StatusUnauthorized, Message: "missing or wrong credentials: send Authorization: Bearer TOKEN (or ?key=TOKEN)", Status: "UNAUTHENTICATED", kind: "unauthenticated"}
}

func busy() *apiError {
	return &apiError{Code: http.StatusTooManyRequests, Message: "too many concurrent requests; retry after the Retry-After header's seconds", Status: "RESOURCE_EXHAUSTED", kind: "busy"}
}

func methodNotAllowed(want string) *apiError {
	return &apiError{Code: http.StatusMethodNotAllowed, Message: "method not allowed; use " + want, Status: "INVALID_ARGUMENT", kind: "method"}
}

// writeError answers e. It goes through the response writer of the request, whose wrapper
// (instrument) counts it.
func writeError(w http.ResponseWriter, e *apiError) {
	if iw, ok := w.(*statusWriter); ok {
		iw.info.err = e
	}
	b, _ := json.Marshal(struct {
		Error *apiError `json:"error"`
	}{e})
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(e.Code)
	w.Write(append(b, '\n'))
}

// appendString appends s as a JSON string, escaped as encoding/json escapes it (with HTML
// characters left as they are, as json.Encoder.SetEscapeHTML(false) writes them).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
