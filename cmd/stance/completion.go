package main

import (
	"strings"

	"github.com/spf13/cobra"
)

// flagValues are the values the shell completes for the flags that take one of a few words,
// per command (stance completion bash|zsh|fish). Each command still checks its flags itself;
// TestCompletionOfFlagValues runs every value offered.
var flagValues = map[string]map[string][]string{
	"train":     {"format": {"table", "json"}, "class-weight": {"balanced", "none"}},
	"evaluate":  {"format": {"table", "json", "jsonl", "csv"}, "by": {"article", "group"}, "group-by": {"article", "group", "none"}, "class-weight": {"balanced", "none"}},
	"score":     {"format": {"table", "csv", "jsonl", "json"}, "input-format": {"text", "csv", "tsv", "jsonl"}},
	"summarize": {"format": {"table", "csv", "json"}, "by": {"article", "group"}, "by-time": {"day", "week", "month"}},
	"explain":   {"format": {"table", "json", "jsonl"}},
	"info":      {"format": {"table", "json"}},
	"config":    {"format": {"table", "json", "jsonl", "csv"}},
	"version":   {"format": {"table", "json"}},
}

// rootFlagValues are those of the flags every command has: the encodings most data comes in
// (any WHATWG label is accepted).
var rootFlagValues = map[string][]string{
	"encoding": {"utf-8", "utf-16", "windows-1256", "iso-8859-6", "windows-1252"},
}

// dataFileFlags are the flags naming data files, completed as files of the data formats.
var dataFileFlags = []string{"data", "articles"}

// addCompletions registers the completions of flagValues, rootFlagValues and dataFileFlags.
func addCompletions(root *cobra.Command) {
	for flag, values := range rootFlagValues {
		root.RegisterFlagCompletionFunc(flag, complete(values))
	}
	for _, c := range root.Commands() {
		for flag, values := range flagValues[c.Name()] {
			c.RegisterFlagCompletionFunc(flag, complete(values))
		}
		for _, flag := range dataFileFlags {
			if c.Flags().Lookup(flag) != nil {
				c.MarkFlagFilename(flag, "csv", "tsv", "txt", "jsonl", "json", "xlsx")
			}
		}
	}
}

// complete offers the values that begin with what has been typed, and no file names.
func complete(values []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, typed string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, v := range values {
			if strings.HasPrefix(v, typed) {
				out = append(out, v)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
