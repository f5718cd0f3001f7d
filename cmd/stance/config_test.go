package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/features"
)

// Each layer of settings sets model.c and features.bits to its own value, so that the trained
// model's header (which records both) shows which layer won: built-in default < config.yaml <
// STANCE_* environment < flag.
var layers = map[string]struct {
	c    float64
	bits int
}{
	"default": {1, 20},
	"config":  {2, 17},
	"env":     {3, 18},
	"flag":    {4, 19},
}

func TestConfigPrecedence(t *testing.T) {
	for _, tt := range []struct {
		name         string
		config, env  bool
		flag         bool
		implicit     bool   // config.yaml in the working directory instead of --config
		wantC, wantB string // the layer whose value wins
	}{
		{name: "defaults", wantC: "default", wantB: "default"},
		{name: "config", config: true, wantC: "config", wantB: "config"},
		{name: "config.yaml in the working directory", config: true, implicit: true, wantC: "config", wantB: "config"},
		{name: "env", env: true, wantC: "env", wantB: "env"},
		{name: "flag", flag: true, wantC: "flag", wantB: "flag"},
		{name: "env over config", config: true, env: true, wantC: "env", wantB: "env"},
		{name: "env over config.yaml in the working directory", config: true, env: true, implicit: true, wantC: "env", wantB: "env"},
		{name: "flag over config", config: true, flag: true, wantC: "flag", wantB: "flag"},
		{name: "flag over env over config", config: true, env: true, flag: true, wantC: "flag", wantB: "flag"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			// The first 60 sample comments (two articles, every class of both heads) and
			// --max-iter 3 keep each training short; the header records the settings whatever
			// the data and iterations.
			data := repeatComments(t, dir, "small.csv", sampleComments, 60)
			model := filepath.Join(dir, "m.stance")
			args := []string{"train", "-q", "--data", data, "--model", model, "--max-iter", "3"}
			if tt.config {
				cfg := filepath.Join(dir, "config.yaml")
				writeFile(t, cfg, []byte("# set by TestConfigPrecedence\nmodel:\n  c: 2\nfeatures:\n  bits: 17\n"))
				if tt.implicit {
					t.Chdir(dir)
				} else {
					args = append(args, "--config", cfg)
				}
			}
			if tt.env {
				t.Setenv("STANCE_MODEL_C", "3")
				t.Setenv("STANCE_FEATURES_BITS", "18")
			}
			if tt.flag {
				args = append(args, "--c", "4", "--bits", "19")
			}
			mustStance(t, "", args...)
			cfg := loadModelFile(t, model).Config
			if want := layers[tt.wantC].c; cfg.C != want {
				t.Errorf("model.c = %v, want %v (%s)", cfg.C, want, tt.wantC)
			}
			if want := layers[tt.wantB].bits; cfg.Features.Bits != want {
				t.Errorf("features.bits = %v, want %v (%s)", cfg.Features.Bits, want, tt.wantB)
			}
			if cfg.MaxIter != 3 {
				t.Errorf("model.max_iter = %d, want the flag's 3", cfg.MaxIter)
			}
		})
	}
}

// TestLoadSettingsWorkers checks the same precedence for a setting with no effect on the model:
// workers, read by loadSettings as train binds it.
func TestLoadSettingsWorkers(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	writeFile(t, cfg, []byte("workers: 2\nseed: 5\n"))
	for _, tt := range []struct {
		name   string
		path   string
		env    string
		flags  []string
		want   int
		wantNo string // set when loadSettings must fail, with this in the error
	}{
		{name: "default", want: 0},
		{name: "config", path: cfg, want: 2},
		{name: "env", env: "3", want: 3},
		{name: "env over config", path: cfg, env: "3", want: 3},
		{name: "flag over env over config", path: cfg, env: "3", flags: []string{"--workers", "4"}, want: 4},
		{name: "flag over config", path: cfg, flags: []string{"--workers", "4"}, want: 4},
		{name: "env not a number", env: "many", wantNo: "workers"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("STANCE_WORKERS", tt.env)
			}
			cmd := newTrain(&env{})
			if err := cmd.ParseFlags(tt.flags); err != nil {
				t.Fatal(err)
			}
			path, explicit := tt.path, tt.path != ""
			if !explicit {
				path = filepath.Join(dir, "absent.yaml") // as the default config.yaml when there is none
			}
			s, _, err := loadSettings(path, explicit, cmd.Flags(), trainFlags)
			if tt.wantNo != "" {
				var ue usageError
				if err == nil || !strings.Contains(err.Error(), tt.wantNo) || !errors.As(err, &ue) {
					t.Fatalf("loadSettings: %v, want a usage error naming %q", err, tt.wantNo)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Workers != tt.want {
				t.Errorf("workers = %d, want %d", s.Workers, tt.want)
			}
			if tt.path != "" && s.Seed != 5 {
				t.Errorf("seed = %d, want config.yaml's 5", s.Seed)
			}
		})
	}
}

// TestDefaultsCoverSettings checks that every key of settings has a default: viper #761,
// Unmarshal ignores STANCE_* variables for keys without one, and the unknown-key check of
// config.yaml would refuse the key.
func TestDefaultsCoverSettings(t *testing.T) {
	var keys []string
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
			if tag == "" || tag == "-" {
				t.Errorf("%s%s has no mapstructure tag", prefix, f.Name)
				continue
			}
			if f.Type.Kind() == reflect.Struct {
				walk(prefix+tag+".", f.Type)
				continue
			}
			keys = append(keys, prefix+tag)
		}
	}
	walk("", reflect.TypeFor[settings]())
	d := defaults()
	for _, k := range keys {
		if _, ok := d[k]; !ok {
			t.Errorf("settings key %q has no default in defaults()", k)
		}
	}
	if len(keys) != len(d) {
		t.Errorf("settings has %d keys, defaults() %d", len(keys), len(d))
	}
}

func TestConfigCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte("model:\n  c: 2\nlabels:\n  stance: Stance\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("STANCE_FEATURES_BITS", "18")
	r := mustStance(t, "", "config", "--config", cfg)
	for _, want := range []string{"model.c                  2  file", "features.bits            18", "labels.stance            Stance", "model.max_iter           300"} {
		fields := strings.Fields(want)
		found := false
		for _, line := range strings.Split(r.stdout, "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == fields[0] && f[1] == fields[1] {
				found = true
			}
		}
		if !found {
			t.Errorf("config output lacks %q:\n%s", want, r.stdout)
		}
	}
	for line := range strings.SplitSeq(r.stdout, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] == "key" {
			continue
		}
		want := map[string]string{"model.c": "file", "features.bits": "env", "labels.stance": "file", "model.max_iter": "default"}[f[0]]
		if want != "" && f[len(f)-1] != want {
			t.Errorf("%s: source %s, want %s", f[0], f[len(f)-1], want)
		}
	}
}

// TestMachineFormats checks the formats for programs of evaluate, explain and config: each
// parses, and holds what the table holds.
func TestMachineFormats(t *testing.T) {
	model := sampleModel(t)
	r := mustStance(t, "", "evaluate", "-q", "--model", model, "--data", sampleComments, "--articles", sampleArticles, "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil {
		t.Fatalf("evaluate --format csv: %v", err)
	}
	// header + per head: 3 classes and 3 summary rows (the official metric, accuracy and
	// macro-F1), 2 for sentiment, whose official metric is macro-F1.
	if len(rows) != 1+(3+2)+(3+3) || rows[0][0] != "head" {
		t.Fatalf("evaluate --format csv: %d rows:\n%s", len(rows), r.stdout)
	}
	r = mustStance(t, "", "evaluate", "-q", "--model", model, "--data", sampleComments, "--articles", sampleArticles, "--format", "jsonl")
	if n := jsonLines(t, r.stdout); n != 2 {
		t.Errorf("evaluate --format jsonl: %d objects, want one per head", n)
	}
	r = mustStance(t, "", "explain", "--model", model, "--format", "jsonl", "كلامه صحيح", "about time")
	if n := jsonLines(t, r.stdout); n != 2 {
		t.Errorf("explain --format jsonl: %d objects, want one per comment", n)
	}
	r = mustStance(t, "", "config", "--format", "jsonl")
	if n := jsonLines(t, r.stdout); n < 30 {
		t.Errorf("config --format jsonl: %d keys", n)
	}
	r = mustStance(t, "", "config", "--format", "csv")
	if rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll(); err != nil || len(rows) < 30 || rows[0][2] != "source" {
		t.Errorf("config --format csv: %v, %d rows", err, len(rows))
	}
}

func jsonLines(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for line := range strings.SplitSeq(strings.TrimSpace(s), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("not a JSON object per line: %v\n%s", err, line)
		}
		n++
	}
	return n
}

// The settings structs mirror the library's: a field added to features.Config or
// classifier.HeadConfig needs its config.yaml key here, or config() would drop it.
func TestSettingsMirrorLibraryConfig(t *testing.T) {
	for _, p := range []struct{ lib, ours reflect.Type }{
		{reflect.TypeFor[features.Config](), reflect.TypeFor[featureSettings]()},
		{reflect.TypeFor[classifier.HeadConfig](), reflect.TypeFor[headSettings]()},
	} {
		if p.lib.NumField() != p.ours.NumField() {
			t.Errorf("%v has %d fields, %v %d", p.lib, p.lib.NumField(), p.ours, p.ours.NumField())
		}
		for i := range p.lib.NumField() {
			f := p.lib.Field(i)
			o, ok := p.ours.FieldByName(f.Name)
			if !ok {
				t.Errorf("%v.%s has no field in %v", p.lib, f.Name, p.ours)
				continue
			}
			if o.Type != f.Type && !(f.Name == "Unseen" && o.Type == reflect.TypeFor[*headSettings]()) {
				t.Errorf("%v.%s is %v, %v's %v", p.lib, f.Name, f.Type, p.ours, o.Type)
			}
		}
	}
}

// The libraries' configuration errors name Go fields; the user reads config.yaml's keys, in the
// words the messages had when the libraries wrote them.
func TestConfigTerms(t *testing.T) {
	no := false
	for _, tt := range []struct {
		name string
		set  func(*classifier.Config)
		want string
	}{
		{"bits", func(c *classifier.Config) { c.Features.Bits = 8 }, "features.bits = 8: want 16 to 26"},
		{"word orders", func(c *classifier.Config) { c.Features.WordMin, c.Features.WordMax = 3, 1 },
			"features.word_min/word_max = 3/1: want 1 <= word_min <= word_max <= 5, or both 0"},
		{"char orders", func(c *classifier.Config) { c.Features.CharMin, c.Features.CharMax = 0, 3 },
			"features.char_min/char_max = 0/3: want 1 <= char_min <= char_max <= 8, or both 0"},
		{"no n-grams", func(c *classifier.Config) {
			c.Features.WordMin, c.Features.WordMax, c.Features.CharMin, c.Features.CharMax = 0, 0, 0, 0
		},
			"features: word and character n-grams are both off; turn one on"},
		{"conjoin weight", func(c *classifier.Config) { c.Features.ConjoinWeight = -1 }, "features.conjoin_weight = -1: want a number above 0"},
		{"min df", func(c *classifier.Config) { c.Features.MinDF = 0 }, "features.min_df = 0: want at least 1"},
		{"article tokens", func(c *classifier.Config) { c.Features.ArticleTokens = -1 }, "features.article_tokens = -1: want 0 (all) or more"},
		{"text tokens", func(c *classifier.Config) { c.Features.TextTokens = -1 }, "features.text_tokens = -1: want 0 (all) or more"},
		{"lead tokens", func(c *classifier.Config) { c.Features.LeadTokens = 0 }, "features.lead_tokens = 0: want at least 1"},
		{"c", func(c *classifier.Config) { c.C = -1 }, "model.c = -1: want a number above 0"},
		{"class weight", func(c *classifier.Config) { c.ClassWeight = "x" }, `model.class_weight = "x": want balanced or none`},
		{"max iter", func(c *classifier.Config) { c.MaxIter = 0 }, "model.max_iter = 0: want at least 1"},
		{"head c", func(c *classifier.Config) { c.Heads = map[string]classifier.HeadConfig{"stance": {C: -1}} },
			"model.heads.stance.c = -1: want a number above 0 (or 0 for model.c)"},
		{"head word weight", func(c *classifier.Config) { c.Heads = map[string]classifier.HeadConfig{"stance": {WordWeight: -2}} },
			"model.heads.stance.word_weight = -2: want a number above 0 (or 0 for 1)"},
		{"head conjoin weight", func(c *classifier.Config) {
			c.Heads = map[string]classifier.HeadConfig{"stance": {ConjoinWeight: math.Inf(1)}}
		}, "model.heads.stance.conjoin_weight = +Inf: want a number above 0 (or 0 for 1)"},
		{"head class weight", func(c *classifier.Config) { c.Heads = map[string]classifier.HeadConfig{"stance": {ClassWeight: "x"}} },
			`model.heads.stance.class_weight = "x": want balanced or none (or empty for model.class_weight)`},
		{"unseen c", func(c *classifier.Config) {
			c.Heads = map[string]classifier.HeadConfig{"sentiment": {Conjoin: &no, Unseen: &classifier.HeadConfig{C: math.NaN()}}}
		}, "model.heads.sentiment.unseen.c = NaN: want a number above 0 (or 0 for model.c)"},
		{"unseen unseen", func(c *classifier.Config) {
			c.Heads = map[string]classifier.HeadConfig{"stance": {Unseen: &classifier.HeadConfig{Unseen: &classifier.HeadConfig{}}}}
		}, "model.heads.stance.unseen.unseen: a model for unseen articles has no model of its own for them"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := classifier.DefaultConfig()
			tt.set(&c)
			lib := c.Validate()
			if got := inConfigTerms(lib); got == nil || got.Error() != tt.want {
				t.Fatalf("inConfigTerms(%v) = %v\nwant %s", lib, got, tt.want)
			}
			// Within a longer message (a model file's header), the rest is kept.
			wrapped := usageErr("model m.stance: model configuration: %w", lib)
			got := inConfigTerms(wrapped)
			if want := "model m.stance: model configuration: " + tt.want; got.Error() != want {
				t.Errorf("wrapped: %v\nwant %s", got, want)
			}
			if !errors.Is(got, lib) || !errors.As(got, new(usageError)) {
				t.Errorf("wrapped: errors.Is and As no longer see %v and the usage error in %v", lib, got)
			}
		})
	}
	if err := errors.New("other"); inConfigTerms(err) != err {
		t.Error("inConfigTerms changed an error that is not a configuration error")
	}
}

// The errors of loading a model and of training that name Go fields are said in config.yaml's
// terms, in the words the messages had when the libraries wrote config.yaml's keys themselves.
func TestConfigTermsOfLoadAndTrain(t *testing.T) {
	for _, tt := range []struct {
		name string
		lib  error
		want string
	}{
		{"model file bytes", &classifier.LimitError{Limit: "FileBytes",
			Err: fmt.Errorf("%w: the file is 2097160 bytes, more than 1048576", classifier.ErrTooLarge)},
			"model is over a limit: the file is 2097160 bytes, more than 1048576; raise limits.model_file_bytes if it is a model"},
		{"model memory bytes", &classifier.LimitError{Limit: "MemoryBytes",
			Err: fmt.Errorf("%w: 16 heads need 8.0 GiB, more than 1536 MiB", classifier.ErrTooLarge)},
			"model is over a limit: 16 heads need 8.0 GiB, more than 1536 MiB; raise limits.model_memory_bytes if it is a model"},
		{"loaded conjoin weight", &features.ConfigError{Field: "ConjoinWeight", Value: 1e308,
			Err: errors.New("want a number above 0 and at most 1e+06")},
			"features.conjoin_weight = 1e+308: want a number above 0 and at most 1e+06"},
		{"loaded c", &classifier.ConfigError{Field: "C", Value: math.Inf(1), Err: errors.New("want a finite number above 0")},
			"model.c = +Inf: want a finite number above 0"},
		{"loaded head c", &classifier.ConfigError{Head: "stance", Field: "C", Value: math.NaN(), Err: classifier.ErrHeadFiniteC},
			"model.heads.stance.c = NaN: want a finite number above 0 (or 0 for model.c)"},
		{"loaded class weight", &classifier.ConfigError{Field: `ClassWeights["stance"]["FAVOR"]`, Value: 0.0,
			Err: errors.New("want a finite number above 0")},
			"model.class_weights.stance.FAVOR = 0: want a finite number above 0"},
		{"no weight for a class", &classifier.ConfigError{Field: `ClassWeights["stance"]`,
			Err: errors.New(`no weight for class "NONE" (the data has AGAINST, FAVOR, NONE)`)},
			`model.class_weights.stance: no weight for class "NONE" (the data has AGAINST, FAVOR, NONE)`},
		{"weight of no class", &classifier.ConfigError{Field: `ClassWeights["stance"]["x.y"]`,
			Err: errors.New("the data has no such class (it has AGAINST, FAVOR, NONE)")},
			"model.class_weights.stance.x.y: the data has no such class (it has AGAINST, FAVOR, NONE)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wrapped := fmt.Errorf("model m.stance: %w", tt.lib)
			got := inConfigTerms(wrapped)
			if want := "model m.stance: " + tt.want; got.Error() != want {
				t.Errorf("got  %v\nwant %s", got, want)
			}
			if !errors.Is(got, tt.lib) {
				t.Errorf("errors.Is no longer sees %v in %v", tt.lib, got)
			}
		})
	}
}

// The data package's errors that a setting remedies name Schema's Go fields; the user reads
// config.yaml's keys, in the words the messages had when the package wrote the keys itself.
func TestConfigTermsOfData(t *testing.T) {
	dir := t.TempDir()
	articles := filepath.Join(dir, "a.csv")
	if err := os.WriteFile(articles, []byte("ID,text\n1,"+strings.Repeat("x", 2000)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	long := "text\nshort\n" + strings.Repeat("y", 20000) + "\n" // over 1 KiB and encoding/csv's 8 KiB lookahead
	for _, tt := range []struct {
		name, in, file string
		schema         data.Schema
		want           string
	}{
		{"text column", "id,body\n1,x\n", "c.csv", data.Schema{},
			`c.csv:1: missing column "text" for the comment text: the columns are "id", "body"; want a column named "text", or set columns.text to one of them`},
		{"time column", "text\nx\n", "c.csv", data.Schema{Time: "created_at"},
			`c.csv:1: missing column "created_at" for the comment's time: the columns are "text"; want a column named "created_at", or set columns.time to one of them`},
		{"labels", "text\nx\n", "c.csv", data.Schema{RequireLabels: true},
			`c.csv:1: missing column: labels are required but the columns are "text"; want at least one of "sentiment", "stance", or map them with labels.HEAD: COLUMN`},
		{"record bytes", long, "c.csv", data.Schema{Limits: data.Limits{RecordBytes: 1024}},
			"c.csv:3: over the size limit: longer than 1 KiB (1024 bytes); raise limits.record_bytes if it is real data"},
		{"xlsx bytes", strings.Repeat("z", 20<<10), "c.xlsx", data.Schema{Limits: data.Limits{XLSXBytes: 8 << 10}},
			"c.xlsx: over the size limit: the file is larger than 8 KiB (8192 bytes); raise limits.xlsx_bytes if it is real data"},
		{"utf-16", "\xff\xfet\x00e\x00x\x00t\x00", "c.csv", data.Schema{},
			"c.csv:1: invalid UTF-8: the file starts with a UTF-16 byte-order mark; set encoding: utf-16"},
		{"encoding", "text\nx\n", "c.csv", data.Schema{Encoding: "windows-1265"},
			`c.csv: unknown encoding "windows-1265": want utf-8, utf-16 or a WHATWG encoding label such as windows-1256, iso-8859-6 or windows-1252 (set encoding)`},
		{"delimiter", "text\nx\n", "c.csv", data.Schema{Delimiter: '"'},
			`c.csv: invalid delimiter '"': want one character other than a quote or a line break, such as ',' ';' or '|' (set delimiter)`},
		{"article key", "text,article_id\nx,1\n", "c.csv", data.Schema{Articles: &data.ArticleSource{Path: articles}},
			articles + `:1: missing column "id" in the article file: the columns are "ID", "text"; want a column named "id", or set articles.key to one of them`},
		{"article file bytes", "text,article_id\nx,1\n", "c.csv",
			data.Schema{Articles: &data.ArticleSource{Path: articles, Key: "ID"}, Limits: data.Limits{ArticleFileBytes: 1024}},
			articles + ":2: the article file is over the size limit: longer than 1 KiB (1024 bytes); raise limits.article_file_bytes if it is real data"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := data.NewReader(strings.NewReader(tt.in), tt.file, tt.schema)
			for err == nil {
				_, err = r.Read()
			}
			var se *data.SettingError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *data.SettingError", err)
			}
			got := inConfigTerms(asUsage(err))
			if got.Error() != tt.want {
				t.Errorf("got  %v\nwant %s", got, tt.want)
			}
			if !errors.Is(got, err) || !errors.As(got, &se) || !errors.As(got, new(usageError)) {
				t.Errorf("errors.Is and As no longer see %v and the usage error in %v", err, got)
			}
		})
	}
}
