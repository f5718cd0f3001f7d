// Package abstain withholds a head's label where the model is not sure enough of it, so that
// the comment goes to a person instead: selective classification by a threshold on the
// probability of the top class, the "softmax response" rule of Geifman and El-Yaniv, "Selective
// Classification for Deep Neural Networks" (NeurIPS 2017), itself Chow's reject option (C. K.
// Chow, "On optimum recognition error and reject tradeoff", IEEE Trans. Inf. Theory 16(1), 1970)
// with the model's probabilities for the posterior.
//
// Thresholds are what a user configures: a least probability for every head, one per head, and
// one per predicted class of a head. Compile checks them against a model's heads and classes
// and gives a Policy, which answers, per head and predicted class, whether a score's label is
// withheld, without allocating. Only the label is withheld: the probabilities, and the signed
// score made of them, stand as the model gave them.
package abstain

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Thresholds say under what probability of its top class a head's label is withheld. The zero
// value withholds nothing.
type Thresholds struct {
	// MinProb is the least probability of the top class for its label to be given, for every
	// head without a threshold of its own in Heads. 0 (the default) never withholds.
	MinProb float64
	// Heads are thresholds of single heads, by head name (matched without case, as config
	// keys are lowercased).
	Heads map[string]Head
	// Label stands in for a withheld label; "" (the default) leaves the label empty.
	Label string
}

// Head is one head's thresholds.
type Head struct {
	// MinProb, when not nil, replaces Thresholds.MinProb for this head.
	MinProb *float64
	// Classes are thresholds per predicted class (names matched without case); where the top
	// class is one of them, its threshold replaces the head's.
	Classes map[string]float64
}

// Sentinel errors, wrapped by *Error.
var (
	ErrRange        = errors.New("want a probability from 0 to 1")
	ErrUnknownHead  = errors.New("no such head")
	ErrUnknownClass = errors.New("no such class")
	ErrLabel        = errors.New("the label of a withheld label is a class")
)

// Error says which threshold is wrong: Head is "" for Thresholds.MinProb and for the label,
// Class is "" for a head's own threshold. Known lists what would be accepted in its place
// (the heads or the head's classes), where it is a name that is wrong.
type Error struct {
	Head, Class string
	Value       float64
	Label       string
	Known       []string
	Err         error
}

func (e *Error) Error() string {
	switch {
	case errors.Is(e.Err, ErrRange):
		return fmt.Sprintf("%v: %v", e.Value, e.Err)
	case errors.Is(e.Err, ErrUnknownHead):
		return fmt.Sprintf("head %q: %v; the heads are %s", e.Head, e.Err, strings.Join(e.Known, ", "))
	case errors.Is(e.Err, ErrUnknownClass):
		return fmt.Sprintf("head %s, class %q: %v; its classes are %s", e.Head, e.Class, e.Err, strings.Join(e.Known, ", "))
	}
	return fmt.Sprintf("%q is a class of head %s: a withheld label would read as that class; want another label, or none", e.Label, e.Head)
}

func (e *Error) Unwrap() error { return e.Err }

// Active reports whether t can withhold a label at all.
func (t Thresholds) Active() bool {
	if t.MinProb > 0 {
		return true
	}
	for _, h := range t.Heads {
		if h.MinProb != nil && *h.MinProb > 0 {
			return true
		}
		for _, p := range h.Classes {
			if p > 0 {
				return true
			}
		}
	}
	return false
}

// Validate checks that every threshold is a probability, in [0, 1], in a deterministic order
// (heads and classes sorted), and returns an *Error wrapping ErrRange for the first that is not.
func (t Thresholds) Validate() error {
	bad := func(p float64) bool { return !(p >= 0 && p <= 1) } // NaN too
	if bad(t.MinProb) {
		return &Error{Value: t.MinProb, Err: ErrRange}
	}
	for _, h := range slices.Sorted(maps.Keys(t.Heads)) {
		hd := t.Heads[h]
		if hd.MinProb != nil && bad(*hd.MinProb) {
			return &Error{Head: h, Value: *hd.MinProb, Err: ErrRange}
		}
		for _, c := range slices.Sorted(maps.Keys(hd.Classes)) {
			if p := hd.Classes[c]; bad(p) {
				return &Error{Head: h, Class: c, Value: p, Err: ErrRange}
			}
		}
	}
	return nil
}

// head returns the thresholds of the head named name, matched without case.
func (t Thresholds) head(name string) (Head, bool) {
	if h, ok := t.Heads[name]; ok {
		return h, true
	}
	for k, h := range t.Heads {
		if strings.EqualFold(k, name) {
			return h, true
		}
	}
	return Head{}, false
}

// Of is the threshold of head's top class class: the class's own, else the head's, else
// MinProb.
func (t Thresholds) Of(head, class string) float64 {
	h, ok := t.head(head)
	if !ok {
		return t.MinProb
	}
	if p, ok := h.Classes[class]; ok {
		return p
	}
	for k, p := range h.Classes {
		if strings.EqualFold(k, class) {
			return p
		}
	}
	if h.MinProb != nil {
		return *h.MinProb
	}
	return t.MinProb
}

// OfHead is head's own threshold, that of its classes without one: the head's, else MinProb.
func (t Thresholds) OfHead(head string) float64 {
	if h, ok := t.head(head); ok && h.MinProb != nil {
		return *h.MinProb
	}
	return t.MinProb
}

// HeadClasses are a model's head and its classes, in the order of its scores' probabilities.
// scorecsv.Head converts to it.
type HeadClasses struct {
	Name    string
	Classes []string
}

// Policy is Thresholds compiled for a model's heads. A nil *Policy withholds nothing.
type Policy struct {
	label string
	min   [][]float64 // per head and class
}

// Compile checks t against heads and returns its Policy, or an *Error: for a threshold out of
// range (ErrRange), a head that heads lack (ErrUnknownHead), a class its head lacks
// (ErrUnknownClass), or a Label that is one of a head's classes (ErrLabel).
func (t Thresholds) Compile(heads []HeadClasses) (*Policy, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	names := make([]string, len(heads))
	for i, h := range heads {
		names[i] = h.Name
	}
	for _, name := range slices.Sorted(maps.Keys(t.Heads)) {
		i := slices.IndexFunc(heads, func(h HeadClasses) bool { return strings.EqualFold(h.Name, name) })
		if i < 0 {
			return nil, &Error{Head: name, Known: names, Err: ErrUnknownHead}
		}
		for _, c := range slices.Sorted(maps.Keys(t.Heads[name].Classes)) {
			if !slices.ContainsFunc(heads[i].Classes, func(k string) bool { return strings.EqualFold(k, c) }) {
				return nil, &Error{Head: heads[i].Name, Class: c, Known: heads[i].Classes, Err: ErrUnknownClass}
			}
		}
	}
	p := &Policy{label: t.Label}
	for _, h := range heads {
		if t.Label != "" && slices.Contains(h.Classes, t.Label) {
			return nil, &Error{Head: h.Name, Label: t.Label, Err: ErrLabel}
		}
		m := make([]float64, len(h.Classes))
		for k, c := range h.Classes {
			m[k] = t.Of(h.Name, c)
		}
		p.min = append(p.min, m)
	}
	return p, nil
}

// Withholds reports whether the label of head (an index into the heads compiled) is withheld
// when its top class is class with probability prob: whether prob is below class's threshold.
func (p *Policy) Withholds(head, class int, prob float64) bool {
	return p != nil && prob < p.min[head][class]
}

// MinProb is the threshold of head's top class class; 0 for a nil Policy.
func (p *Policy) MinProb(head, class int) float64 {
	if p == nil {
		return 0
	}
	return p.min[head][class]
}

// Label is what stands in for a withheld label.
func (p *Policy) Label() string {
	if p == nil {
		return ""
	}
	return p.label
}

// LabelOf is the label to give head's top class, named label, of probability prob: label, or
// the Policy's Label where it is withheld.
func (p *Policy) LabelOf(head, class int, label string, prob float64) (string, bool) {
	if p.Withholds(head, class, prob) {
		return p.label, true
	}
	return label, false
}

// ParseFlag parses one value of a --min-prob flag: "P" (every head) or "HEAD=P", P a
// probability from 0 to 1.
func ParseFlag(s string) (head string, p float64, err error) {
	v := s
	if h, rest, ok := strings.Cut(s, "="); ok {
		head, v = strings.TrimSpace(h), rest
		if head == "" {
			return "", 0, fmt.Errorf("%q: no head before =; want P or HEAD=P", s)
		}
	}
	p, perr := parseProb(strings.TrimSpace(v))
	if errors.Is(perr, ErrRange) {
		return "", 0, fmt.Errorf("%q: %w", s, perr)
	}
	if perr != nil {
		return "", 0, fmt.Errorf("%q: %w; want P or HEAD=P, P from 0 to 1", s, perr)
	}
	return head, p, nil
}

func parseProb(s string) (float64, error) {
	p, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if math.IsNaN(p) || p < 0 || p > 1 {
		return 0, ErrRange
	}
	return p, nil
}
