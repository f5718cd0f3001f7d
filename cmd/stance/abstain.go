package main

import (
	"errors"
	"maps"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/commentstance/stance/abstain"
	"github.com/commentstance/stance/scorecsv"
)

// abstainSettings are config.yaml's abstain section: the thresholds under which score, export
// and evaluate withhold a head's label for review (package abstain).
type abstainSettings struct {
	MinProb float64                `mapstructure:"min_prob"`
	Label   string                 `mapstructure:"label"`
	Heads   map[string]abstainHead `mapstructure:"heads"`
}

type abstainHead struct {
	// MinProb is nil where the head has no min_prob of its own (it then has abstain.min_prob).
	MinProb *float64           `mapstructure:"min_prob"`
	Classes map[string]float64 `mapstructure:"classes"`
}

// abstainHeadKeys are the keys of one head's thresholds under abstain.heads.HEAD; classes holds
// class names of the user's choosing.
var abstainHeadKeys = []string{"min_prob", "classes"}

func (a abstainSettings) thresholds() abstain.Thresholds {
	t := abstain.Thresholds{MinProb: a.MinProb, Label: a.Label}
	if len(a.Heads) > 0 {
		t.Heads = map[string]abstain.Head{}
		for h, hd := range a.Heads {
			t.Heads[h] = abstain.Head{MinProb: hd.MinProb, Classes: hd.Classes}
		}
	}
	return t
}

// validate checks the section's values, naming the key of a bad one.
func (a abstainSettings) validate() error {
	if err := a.thresholds().Validate(); err != nil {
		return abstainError(err, abstainSource{})
	}
	if strings.ContainsFunc(a.Label, unicode.IsControl) || checkText(a.Label) != nil {
		return usageErr("abstain.label = %q: want text on one line, without control characters", a.Label)
	}
	return nil
}

// abstainSource says which thresholds came from flags, for errors: the --min-prob value that
// set each head's (by head name, lowercased), and whether --abstain-label set the label.
type abstainSource struct {
	heads map[string]string
	label bool
}

// abstainError names the configuration key (or the flag) of an *abstain.Error.
func abstainError(err error, src abstainSource) error {
	var e *abstain.Error
	if !errors.As(err, &e) {
		return err
	}
	key := "abstain.min_prob"
	switch {
	case errors.Is(err, abstain.ErrLabel):
		key = "abstain.label"
		if src.label {
			key = "--abstain-label"
		}
		return usageErr("%s: %v", key, err)
	case e.Class != "":
		key = "abstain.heads." + e.Head + ".classes." + e.Class
	case e.Head != "":
		if v, ok := src.heads[strings.ToLower(e.Head)]; ok {
			return usageErr("--min-prob %s: %v", v, err)
		}
		key = "abstain.heads." + e.Head
		if errors.Is(err, abstain.ErrRange) {
			key += ".min_prob"
		}
	}
	if errors.Is(err, abstain.ErrRange) {
		return usageErr("%s = %v", key, err)
	}
	return usageErr("%s: %v", key, err)
}

// addAbstainFlags adds --min-prob and --abstain-label to a command that writes labels.
func addAbstainFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArray("min-prob", nil, "withhold a label whose probability is under P, for review: P for every head, HEAD=P for one (repeat the flag); over abstain.min_prob and abstain.heads.HEAD.min_prob, per-class thresholds of config.yaml still apply")
	f.String("abstain-label", "", "what a withheld label is written as (abstain.label; default empty)")
}

// abstainFlags are the thresholds of the settings with the command's --min-prob and
// --abstain-label over them: --min-prob P replaces abstain.min_prob and every head's min_prob,
// --min-prob HEAD=P that head's; per-class thresholds stay.
func abstainFlags(s *settings, flags *pflag.FlagSet) (abstain.Thresholds, abstainSource, error) {
	t := s.Abstain.thresholds()
	src := abstainSource{heads: map[string]string{}}
	values, err := flags.GetStringArray("min-prob")
	if err != nil {
		return t, src, err
	}
	t.Heads = maps.Clone(t.Heads)
	if t.Heads == nil {
		t.Heads = map[string]abstain.Head{}
	}
	type one struct {
		head, raw string
		p         float64
	}
	var global, perHead []one
	for _, v := range values {
		head, p, err := abstain.ParseFlag(v)
		if err != nil {
			return t, src, usageErr("--min-prob %v", err)
		}
		if head == "" {
			global = append(global, one{head, v, p})
		} else {
			perHead = append(perHead, one{head, v, p})
		}
	}
	for _, g := range global {
		t.MinProb = g.p
		for h, hd := range t.Heads {
			hd.MinProb = nil
			t.Heads[h] = hd
		}
	}
	for _, o := range perHead {
		key := strings.ToLower(o.head) // as config.yaml's keys are
		hd := t.Heads[key]
		p := o.p
		hd.MinProb = &p
		t.Heads[key] = hd
		src.heads[key] = o.raw
	}
	if fl := flags.Lookup("abstain-label"); fl != nil && fl.Changed {
		t.Label = fl.Value.String()
		if err := (abstainSettings{Label: t.Label}).validate(); err != nil {
			return t, src, usageErr("--abstain-label %q: want text on one line, without control characters", t.Label)
		}
		src.label = true
	}
	return t, src, nil
}

// abstainPolicy compiles the thresholds of the settings and flags for heads.
func abstainPolicy(s *settings, flags *pflag.FlagSet, heads []scorecsv.Head) (*abstain.Policy, error) {
	t, src, err := abstainFlags(s, flags)
	if err != nil {
		return nil, err
	}
	if !t.Active() {
		// Nothing to withhold: names are still checked, so that a misspelt head is said.
		_, err := scorecsv.Policy(t, heads)
		return nil, abstainError(err, src)
	}
	p, err := scorecsv.Policy(t, heads)
	if err != nil {
		return nil, abstainError(err, src)
	}
	return p, nil
}
