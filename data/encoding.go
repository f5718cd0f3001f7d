package data

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// lookupEncoding resolves Schema.Encoding. "" and "utf-8" (in any spelling) mean no decoding.
// Other names are the labels of the WHATWG Encoding Standard (https://encoding.spec.whatwg.org/,
// through x/text's htmlindex: windows-1256, iso-8859-6, cp1252, shift_jis, ...), which are the
// names browsers and Excel's exports go by, except that "utf-16" reads a byte-order mark and
// takes little-endian without one (Windows' "Unicode text"), where WHATWG's label would ignore
// the mark.
func lookupEncoding(name string) (encoding.Encoding, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "", "utf-8", "utf8":
		return nil, nil
	case "utf-16", "utf16":
		return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), nil
	}
	enc, err := htmlindex.Get(n)
	if err != nil {
		return nil, &SettingError{Setting: "Schema.Encoding",
			Err:    fmt.Errorf("%w %q: want utf-8, utf-16 or a WHATWG encoding label such as windows-1256, iso-8859-6 or windows-1252", ErrEncoding, name),
			remedy: " (set %s)"}
	}
	if enc == unicode.UTF8 {
		return nil, nil
	}
	return enc, nil
}

// decoded wraps in so that it yields UTF-8.
func decoded(in io.Reader, enc encoding.Encoding) io.Reader {
	if enc == nil {
		return in
	}
	return transform.NewReader(in, enc.NewDecoder())
}

var (
	utf16LE = []byte{0xff, 0xfe}
	utf16BE = []byte{0xfe, 0xff}
)

// utf16BOM is the error of a file read as UTF-8 that starts with a UTF-16 byte-order mark
// (Excel's "Unicode text" export and Windows Notepad's "Unicode" save), saying what to set;
// nil for any other start.
func utf16BOM(start []byte) error {
	if bytes.HasPrefix(start, utf16LE) || bytes.HasPrefix(start, utf16BE) {
		return &SettingError{Setting: "Schema.Encoding",
			Err: fmt.Errorf("%w: the file starts with a UTF-16 byte-order mark", ErrInvalidUTF8), remedy: "; set %s: utf-16"}
	}
	return nil
}
