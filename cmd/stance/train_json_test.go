package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
)

// TestTrainJSON: train --format json prints one JSON document on stdout: the rows trained on,
// the seconds taken, and the model as info --format json describes it, tuning included.
func TestTrainJSON(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.stance")
	r := mustStance(t, "", "train", "--format", "json", "--data", sampleComments, "--articles", sampleArticles, "--model", p)
	var got struct {
		Rows        int     `json:"rows"`
		Seconds     float64 `json:"seconds"`
		TuneSeconds float64 `json:"tune_seconds"`
		Model       struct {
			Path  string `json:"path"`
			Bytes int64  `json:"bytes"`
			Heads []struct {
				Name   string `json:"name"`
				Counts []int  `json:"class_counts"`
			} `json:"heads"`
			Tuning *struct {
				Choices []json.RawMessage `json:"choices"`
			} `json:"tuning"`
		} `json:"model"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("train --format json: %v\n%s", err, r.stdout)
	}
	if got.Rows != nSample || got.Seconds <= 0 || got.TuneSeconds <= 0 || got.TuneSeconds > got.Seconds {
		t.Errorf("rows %d, seconds %v, tune_seconds %v", got.Rows, got.Seconds, got.TuneSeconds)
	}
	if got.Model.Path != p || got.Model.Bytes != int64(len(readFile(t, p))) || len(got.Model.Heads) != 2 || got.Model.Tuning == nil || len(got.Model.Tuning.Choices) != 2 {
		t.Errorf("model %+v", got.Model)
	}
	// The model part is what info --format json says of the file.
	var info, part map[string]json.RawMessage
	json.Unmarshal([]byte(mustStance(t, "", "info", "--model", p, "--format", "json").stdout), &info)
	json.Unmarshal([]byte(r.stdout), &part)
	var model map[string]json.RawMessage
	json.Unmarshal(part["model"], &model)
	keys := func(m map[string]json.RawMessage) []string {
		var k []string
		for x := range m {
			k = append(k, x)
		}
		slices.Sort(k)
		return k
	}
	compact := func(b []byte) string {
		var buf bytes.Buffer
		json.Compact(&buf, b)
		return buf.String()
	}
	if !slices.Equal(keys(model), keys(info)) || compact(model["heads"]) != compact(info["heads"]) || compact(model["tuning"]) != compact(info["tuning"]) {
		t.Errorf("train's model part is not info's:\n%s\n%s", part["model"], mustStance(t, "", "info", "--model", p, "--format", "json").stdout)
	}
	if r := stance(t, "", "train", "--format", "json", "--data", sampleComments, "--model", "-"); r.code != exitUsage {
		t.Errorf("--format json --model -: %v", r)
	}
	if r := stance(t, "", "train", "--format", "xml", "--data", sampleComments, "--model", p); r.code != exitUsage {
		t.Errorf("--format xml: %v", r)
	}
}
