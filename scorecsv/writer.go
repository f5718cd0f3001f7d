// Package scorecsv writes score rows as CSV: some leading columns (an id, an article id, the
// text), then per head its predicted label, one probability column per class (HEAD_CLASS) and,
// where the head's classes allow one, its signed score (HEAD_score: P(favor) - P(against) and
// the like, classifier.Head.Signed). stance export, score --format csv and evaluate
// --predictions write their rows with it, and so can any other front end. XLSXWriter writes the
// same rows as an Excel workbook (stance export --out FILE.xlsx).
//
// With a Policy (Writer.Abstain), a head's label is withheld where its top class's probability
// is under the threshold: the label column holds the policy's label (empty by default), and the
// probabilities and the signed score are written as ever.
//
// The rows are byte for byte what encoding/csv's Writer writes (comma-separated, \n line ends),
// but the labels are quoted once, the signed pairs found once and the numbers formatted without
// allocating (fixed4): exports write a row per comment.
package scorecsv

import (
	"bufio"
	"io"

	"github.com/commentstance/stance/abstain"
	"github.com/commentstance/stance/classifier"
)

// Head is the columns of one head: its name and its classes, in the order of the scores'
// probabilities.
type Head struct {
	Name    string
	Classes []string
}

// HeadsOf are the heads of m.
func HeadsOf(m *classifier.Model) []Head {
	hs := make([]Head, len(m.Heads))
	for i, h := range m.Heads {
		hs[i] = Head{h.Name, h.Classes}
	}
	return hs
}

// Writer writes score rows. It buffers; Flush sends what is buffered.
type Writer struct {
	w      *bufio.Writer
	heads  []Head
	line   []byte
	labels [][]string // per head and class, the label as a CSV field
	signed [][2]int   // per head, the positive and negative class, or -1s
	policy *abstain.Policy
	// withheld is the policy's label as a CSV field.
	withheld string
}

// NewWriter writes rows of heads' scores to w.
func NewWriter(w io.Writer, heads []Head) *Writer {
	c := &Writer{w: bufio.NewWriterSize(w, 64<<10), heads: heads}
	for _, hd := range heads {
		var labels []string
		for _, l := range hd.Classes {
			labels = append(labels, string(appendCSVField(nil, l)))
		}
		c.labels = append(c.labels, labels)
		pn := [2]int{-1, -1}
		if pos, neg, ok := (classifier.Head{Classes: hd.Classes}).Signed(); ok {
			pn = [2]int{pos, neg}
		}
		c.signed = append(c.signed, pn)
	}
	return c
}

// Abstain makes the writer withhold the labels that p withholds; p is compiled for the
// writer's heads (see Policy). A nil p withholds nothing.
func (c *Writer) Abstain(p *abstain.Policy) {
	c.policy = p
	c.withheld = string(appendCSVField(nil, p.Label()))
}

// Policy compiles t for heads.
func Policy(t abstain.Thresholds, heads []Head) (*abstain.Policy, error) {
	hc := make([]abstain.HeadClasses, len(heads))
	for i, h := range heads {
		hc[i] = abstain.HeadClasses(h)
	}
	return t.Compile(hc)
}

// Columns are the names of the columns: lead, then per head its label (named after the head),
// its class probabilities and its signed score.
func (c *Writer) Columns(lead ...string) []string {
	h := append([]string(nil), lead...)
	for hi, hd := range c.heads {
		h = append(h, hd.Name)
		for _, cl := range hd.Classes {
			h = append(h, hd.Name+"_"+cl)
		}
		if c.signed[hi][0] >= 0 {
			h = append(h, hd.Name+"_score")
		}
	}
	return h
}

// WriteHeader writes the header row: Columns(lead...).
func (c *Writer) WriteHeader(lead ...string) error {
	c.line = append(appendCSVFields(c.line[:0], c.Columns(lead...)), '\n')
	_, err := c.w.Write(c.line)
	return err
}

// Write writes a row: the fields of lead, then the score columns of s, whose Best and Probs
// index each head's Classes.
func (c *Writer) Write(lead []string, s *classifier.Scores) error {
	line := appendCSVFields(c.line[:0], lead)
	for hi, labels := range c.labels {
		p := s.Probs[hi]
		if hi > 0 || len(lead) > 0 {
			line = append(line, ',')
		}
		if best := s.Best[hi]; c.policy.Withholds(hi, best, p[best]) {
			line = append(line, c.withheld...)
		} else {
			line = append(line, labels[best]...)
		}
		for k := range labels {
			line = append(line, ',')
			line = append(line, fixed4(p[k])...)
		}
		if pn := c.signed[hi]; pn[0] >= 0 {
			line = append(line, ',')
			line = append(line, fixed4(p[pn[0]]-p[pn[1]])...)
		}
	}
	c.line = append(line, '\n')
	_, err := c.w.Write(c.line)
	return err
}

// Flush writes any buffered rows to the underlying io.Writer.
func (c *Writer) Flush() error { return c.w.Flush() }
