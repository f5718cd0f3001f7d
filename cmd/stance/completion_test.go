package main

import (
	"slices"
	"strings"
	"testing"
)

// completions runs cobra's hidden completion command, as the shell scripts of stance
// completion bash|zsh|fish do, and returns the candidates and the directive line.
func completions(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	r := mustStance(t, "", append([]string{"__complete"}, args...)...)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	var values []string
	for _, l := range lines[:len(lines)-1] {
		v, _, _ := strings.Cut(l, "\t") // a description may follow a tab
		values = append(values, v)
	}
	return values, lines[len(lines)-1]
}

// TestCompletionOfFlagValues: the shell completes the values of the flags that take one of a
// few words, and each value it offers is one the command accepts; file flags complete files of
// the data formats.
func TestCompletionOfFlagValues(t *testing.T) {
	model := sampleModel(t)
	for _, tt := range []struct {
		args []string
		want []string
		run  func(value string) []string // a command line using the value, which must succeed
	}{
		{[]string{"evaluate", "--format", ""}, []string{"table", "json", "jsonl", "csv"},
			func(v string) []string {
				return []string{"evaluate", "--model", model, "--data", sampleComments, "--articles", sampleArticles, "--format", v}
			}},
		{[]string{"evaluate", "--by", ""}, []string{"article", "group"},
			func(v string) []string {
				return []string{"evaluate", "--model", model, "--data", sampleComments, "--articles", sampleArticles, "--by", v}
			}},
		{[]string{"evaluate", "--group-by", ""}, []string{"article", "group", "none"}, nil},
		{[]string{"score", "--format", ""}, []string{"table", "csv", "jsonl", "json"},
			func(v string) []string { return []string{"score", "--model", model, "--format", v, "About time"} }},
		{[]string{"score", "--input-format", ""}, []string{"text", "csv", "tsv", "jsonl"}, nil},
		{[]string{"summarize", "--by", ""}, []string{"article", "group"},
			func(v string) []string {
				return []string{"summarize", "--model", model, "--data", sampleNew, "--articles", sampleArticles, "--by", v}
			}},
		{[]string{"summarize", "--format", ""}, []string{"table", "csv", "json"},
			func(v string) []string {
				return []string{"summarize", "--model", model, "--data", sampleNew, "--articles", sampleArticles, "--format", v}
			}},
		{[]string{"summarize", "--by-time", ""}, []string{"day", "week", "month"},
			func(v string) []string {
				return []string{"summarize", "--model", model, "--data", sampleNew, "--articles", sampleArticles, "--by-time", v}
			}},
		{[]string{"info", "--format", ""}, []string{"table", "json"},
			func(v string) []string { return []string{"info", "--model", model, "--format", v} }},
		{[]string{"explain", "--format", ""}, []string{"table", "json", "jsonl"},
			func(v string) []string { return []string{"explain", "--model", model, "--format", v, "x"} }},
		{[]string{"config", "--format", ""}, []string{"table", "json", "jsonl", "csv"},
			func(v string) []string { return []string{"config", "--format", v} }},
		{[]string{"version", "--format", ""}, []string{"table", "json"},
			func(v string) []string { return []string{"version", "--format", v} }},
		{[]string{"train", "--format", ""}, []string{"table", "json"}, nil},
		{[]string{"train", "--class-weight", ""}, []string{"balanced", "none"}, nil},
		{[]string{"score", "--encoding", ""}, []string{"utf-8", "utf-16", "windows-1256", "iso-8859-6", "windows-1252"}, nil},
	} {
		t.Run(strings.Join(tt.args[:2], " "), func(t *testing.T) {
			got, directive := completions(t, tt.args...)
			if !slices.Equal(got, tt.want) || directive != ":4" { // 4: ShellCompDirectiveNoFileComp
				t.Errorf("completes %q (%s), want %q (:4)", got, directive, tt.want)
			}
			if tt.run == nil {
				return
			}
			for _, v := range got {
				mustStance(t, "", append([]string{"-q"}, tt.run(v)...)...)
			}
		})
	}
	// A prefix narrows the values.
	if got, _ := completions(t, "evaluate", "--format", "j"); !slices.Equal(got, []string{"json", "jsonl"}) {
		t.Errorf("--format j completes %q", got)
	}
	// File flags complete files with the data formats' extensions (directive 8: filter by them).
	got, directive := completions(t, "train", "--data", "")
	if directive != ":8" || !slices.Equal(got, []string{"csv", "tsv", "txt", "jsonl", "json", "xlsx"}) {
		t.Errorf("--data completes %q (%s)", got, directive)
	}
}
