package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/features"
)

// settings is the whole configuration: built-in defaults, overridden by config.yaml, by
// STANCE_* environment variables, and by flags, in that order (viper's precedence).
type settings struct {
	Format   string            `mapstructure:"format"`
	Sheet    string            `mapstructure:"sheet"`
	Columns  columns           `mapstructure:"columns"`
	Labels   map[string]string `mapstructure:"labels"`
	Strip    []string          `mapstructure:"strip"`
	Articles articles          `mapstructure:"articles"`
	Features featureSettings   `mapstructure:"features"`
	Model    modelSettings     `mapstructure:"model"`
	Metrics  map[string]string `mapstructure:"metrics"`
	Tune     tuneSettings      `mapstructure:"tune"`
	Workers  int               `mapstructure:"workers"`
	Seed     int64             `mapstructure:"seed"`
	Serve    serveSettings     `mapstructure:"serve"`   // stance serve's; serve.go
	Abstain  abstainSettings   `mapstructure:"abstain"` // abstain.go
	// Encoding, Delimiter and Limits: see guard.go.
	Encoding  string        `mapstructure:"encoding"`
	Delimiter string        `mapstructure:"delimiter"`
	Limits    limitSettings `mapstructure:"limits"`
}

type columns struct {
	ID        string `mapstructure:"id"`
	Text      string `mapstructure:"text"`
	ArticleID string `mapstructure:"article_id"`
	Article   string `mapstructure:"article"`
	Group     string `mapstructure:"group"`
	Time      string `mapstructure:"time"` // read only by summarize --by-time
}

type articles struct {
	File   string `mapstructure:"file"`
	Format string `mapstructure:"format"`
	Sheet  string `mapstructure:"sheet"`
	Key    string `mapstructure:"key"`
	Text   string `mapstructure:"text"`
}

type tuneSettings struct {
	// Auto is whether train (and evaluate --cv) choose each head's settings by cross-validation
	// first; `tune: off` in config.yaml, STANCE_TUNE_AUTO=false or --no-tune turn it off.
	Auto    bool   `mapstructure:"auto"`
	Folds   int    `mapstructure:"folds"`
	GroupBy string `mapstructure:"group_by"`
	// Repeats is how many fold assignments (seeds seed, seed+1, ...) each setting is scored on.
	Repeats     int       `mapstructure:"repeats"`
	MaxRows     int       `mapstructure:"max_rows"`
	C           []float64 `mapstructure:"c"`
	ClassWeight []string  `mapstructure:"class_weight"`
	Conjoin     []bool    `mapstructure:"conjoin"`
	// ArticleWords and Relation are the values tried for those switches.
	ArticleWords []bool `mapstructure:"article_words"`
	Relation     []bool `mapstructure:"relation"`
	// WordWeight are the word weights tried; empty keeps each head's model.heads.HEAD.word_weight.
	WordWeight []float64 `mapstructure:"word_weight"`
	// ConjoinWeight are the weights of the conjoined copies tried (on top of
	// features.conjoin_weight), for heads that use them.
	ConjoinWeight []float64 `mapstructure:"conjoin_weight"`
}

// grid is the grid tuning searches.
func (t tuneSettings) grid() classifier.Grid {
	return classifier.Grid{C: t.C, ClassWeight: t.ClassWeight, Conjoin: t.Conjoin,
		ArticleWords: t.ArticleWords, Relation: t.Relation, WordWeight: t.WordWeight, ConjoinWeight: t.ConjoinWeight}
}

// repeated says how many fold assignments tuning averages over, for its notes: "" for one.
func (t tuneSettings) repeated() string {
	if t.Repeats == 1 {
		return ""
	}
	return fmt.Sprintf(", repeated %d times", t.Repeats)
}

// validate checks the tune section's values before any work.
func (t tuneSettings) validate() error {
	switch {
	case t.Folds < 2:
		return usageErr("tune.folds = %d: want at least 2", t.Folds)
	case t.Repeats < 1 || t.Repeats > 100:
		return usageErr("tune.repeats = %d: want 1 to 100", t.Repeats)
	case t.MaxRows < 0:
		return usageErr("tune.max_rows = %d: want 0 (all rows) or more", t.MaxRows)
	case t.GroupBy != "article" && t.GroupBy != "group" && t.GroupBy != "none":
		return usageErr("tune.group_by = %q: want article, group or none", t.GroupBy)
	}
	return nil
}

// featureSettings is config.yaml's features section: features.Config under the file's key names.
type featureSettings struct {
	Bits          int     `mapstructure:"bits"`
	WordMin       int     `mapstructure:"word_min"`
	WordMax       int     `mapstructure:"word_max"`
	CharMin       int     `mapstructure:"char_min"`
	CharMax       int     `mapstructure:"char_max"`
	MinDF         int     `mapstructure:"min_df"`
	Conjoin       bool    `mapstructure:"conjoin"`
	ConjoinWeight float64 `mapstructure:"conjoin_weight"`
	ArticleWords  bool    `mapstructure:"article_words"`
	Relation      bool    `mapstructure:"relation"`
	ArticleTokens int     `mapstructure:"article_tokens"`
	TextTokens    int     `mapstructure:"text_tokens"`
	LeadTokens    int     `mapstructure:"lead_tokens"`
}

func (f featureSettings) config() features.Config {
	return features.Config{Bits: f.Bits, WordMin: f.WordMin, WordMax: f.WordMax, CharMin: f.CharMin, CharMax: f.CharMax,
		MinDF: f.MinDF, Conjoin: f.Conjoin, ConjoinWeight: f.ConjoinWeight, ArticleWords: f.ArticleWords,
		Relation: f.Relation, ArticleTokens: f.ArticleTokens, TextTokens: f.TextTokens, LeadTokens: f.LeadTokens}
}

type modelSettings struct {
	C            float64                       `mapstructure:"c"`
	ClassWeight  string                        `mapstructure:"class_weight"`
	ClassWeights map[string]map[string]float64 `mapstructure:"class_weights"`
	Heads        map[string]headSettings       `mapstructure:"heads"`
	MaxIter      int                           `mapstructure:"max_iter"`
}

// headSettings is model.heads.HEAD: classifier.HeadConfig under the file's key names.
type headSettings struct {
	C             float64       `mapstructure:"c"`
	Conjoin       *bool         `mapstructure:"conjoin"`
	ArticleWords  *bool         `mapstructure:"article_words"`
	Relation      *bool         `mapstructure:"relation"`
	ClassWeight   string        `mapstructure:"class_weight"`
	WordWeight    float64       `mapstructure:"word_weight"`
	ConjoinWeight float64       `mapstructure:"conjoin_weight"`
	Unseen        *headSettings `mapstructure:"unseen"`
}

func (h headSettings) config() classifier.HeadConfig {
	c := classifier.HeadConfig{C: h.C, Conjoin: h.Conjoin, ArticleWords: h.ArticleWords, Relation: h.Relation,
		ClassWeight: h.ClassWeight, WordWeight: h.WordWeight, ConjoinWeight: h.ConjoinWeight}
	if h.Unseen != nil {
		u := h.Unseen.config()
		c.Unseen = &u
	}
	return c
}

// defaults are every key's built-in value. Every key is set here, so that environment variables
// reach Unmarshal for all of them (viper #761) and unknown keys in config.yaml can be told apart.
func defaults() map[string]any {
	f := features.DefaultConfig()
	c := classifier.DefaultConfig()
	t := classifier.DefaultTuneOptions()
	d := map[string]any{
		"format":                  "",
		"sheet":                   "",
		"columns.id":              "id",
		"columns.text":            "text",
		"columns.article_id":      "article_id",
		"columns.article":         "article",
		"columns.group":           "group",
		"columns.time":            "created_at",
		"labels":                  map[string]string{"stance": "stance", "sentiment": "sentiment"},
		"strip":                   []string{},
		"articles.file":           "",
		"articles.format":         "",
		"articles.sheet":          "",
		"articles.key":            "article_id",
		"articles.text":           "article",
		"features.bits":           f.Bits,
		"features.word_min":       f.WordMin,
		"features.word_max":       f.WordMax,
		"features.char_min":       f.CharMin,
		"features.char_max":       f.CharMax,
		"features.min_df":         f.MinDF,
		"features.conjoin":        f.Conjoin,
		"features.conjoin_weight": f.ConjoinWeight,
		"features.article_words":  f.ArticleWords,
		"features.relation":       f.Relation,
		"features.article_tokens": f.ArticleTokens,
		"features.lead_tokens":    f.LeadTokens,
		"features.text_tokens":    f.TextTokens,
		"model.c":                 c.C,
		"model.class_weight":      c.ClassWeight,
		"model.class_weights":     map[string]map[string]float64{},
		"model.max_iter":          c.MaxIter,
		"model.heads":             map[string]any{},
		"tune.auto":               true,
		"tune.folds":              t.Folds,
		"tune.group_by":           "article", // Grouped; tuneOptions reads it
		"tune.repeats":            t.Repeats,
		"tune.max_rows":           t.MaxRows,
		"tune.c":                  t.Grid.C,
		"tune.class_weight":       t.Grid.ClassWeight,
		"tune.conjoin":            t.Grid.Conjoin,
		"tune.article_words":      t.Grid.ArticleWords,
		"tune.relation":           t.Grid.Relation,
		"tune.word_weight":        []float64{},
		"tune.conjoin_weight":     t.Grid.ConjoinWeight,
		"metrics":                 map[string]string{"stance": "f_avg(FAVOR,AGAINST)", "sentiment": "macro_f1"},
		"abstain.min_prob":        0.0,
		"abstain.label":           "",
		"abstain.heads":           map[string]any{},
		"workers":                 0,
		"seed":                    0,
	}
	maps.Copy(d, serveDefaults())
	maps.Copy(d, limitDefaults())
	return d
}

// headKeys are the keys of one head's settings under model.heads.HEAD (headSettings).
var headKeys = func() []string {
	var k []string
	t := reflect.TypeFor[headSettings]()
	for i := range t.NumField() {
		k = append(k, t.Field(i).Tag.Get("mapstructure"))
	}
	// model.heads.HEAD.unseen.KEY: the settings of the head's model for unseen articles.
	for _, key := range slices.Clone(k) {
		if key != "unseen" {
			k = append(k, "unseen."+key)
		}
	}
	return k
}()

// mapKeys are keys whose values are maps with keys of the user's choosing.
var mapKeys = []string{"labels", "model.class_weights", "model.heads", "metrics", "abstain.heads"}

// loadSettings reads the configuration. path is the --config flag: "" means ./config.yaml if it
// exists. flags are the command's flags; those bound to keys override everything else.
func loadSettings(path string, explicit bool, flags *pflag.FlagSet, bind map[string]string) (*settings, *viper.Viper, error) {
	v := viper.New()
	fileRead := false
	for k, val := range defaults() {
		v.SetDefault(k, val)
	}
	v.SetEnvPrefix("STANCE")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if path != "" {
		v.SetConfigFile(path)
		v.SetConfigType("yaml")
		f, err := os.Open(path)
		switch {
		case err == nil:
			defer f.Close()
			if err := readConfig(v, path, f); err != nil {
				return nil, nil, err
			}
			fileRead = true
		case explicit || !os.IsNotExist(err):
			return nil, nil, usageErr("config: %v", err)
		}
	}
	bind = maps.Clone(bind)
	if bind == nil {
		bind = map[string]string{}
	}
	bind["encoding"], bind["delimiter"], bind["sheet"] = "encoding", "delimiter", "sheet" // the root's flags
	for key, flag := range bind {
		if fl := flags.Lookup(flag); fl != nil {
			if err := v.BindPFlag(key, fl); err != nil {
				return nil, nil, err
			}
		}
	}
	var s settings
	if err := v.Unmarshal(&s); err != nil {
		// The bad value may come from the file, a STANCE_* variable or a flag; name the file
		// only if one was read.
		from := "settings (STANCE_* environment or flags)"
		if fileRead {
			from = fmt.Sprintf("settings (config %s, STANCE_* environment or flags)", path)
		}
		return nil, nil, usageErr("%s: %v", from, err)
	}
	if fileRead {
		if err := checkHeadNames(v, path, &s); err != nil {
			return nil, nil, err
		}
	}
	if err := checkSettings(v, &s); err != nil {
		return nil, nil, err
	}
	return &s, v, nil
}

// checkHeadNames refuses per-head model settings of config.yaml for a head that labels does not
// name: a misspelt head would otherwise leave its settings unused without a word.
func checkHeadNames(v *viper.Viper, path string, s *settings) error {
	heads := s.heads()
	check := func(section string, names []string) error {
		if !v.InConfig(section) {
			return nil
		}
		sort.Strings(names)
		for _, h := range names {
			if _, ok := s.Labels[h]; !ok {
				return usageErr("config %s: %s.%s: no head %q; the heads are the keys of labels (%s); did you mean %q?",
					path, section, h, h, strings.Join(heads, ", "), nearest(h, heads))
			}
		}
		return nil
	}
	if err := check("model.heads", slices.Collect(maps.Keys(s.Model.Heads))); err != nil {
		return err
	}
	// metrics is not checked: config.yaml names the metrics of stance and sentiment, and a
	// copy of it for data with other heads may keep them.
	return check("model.class_weights", slices.Collect(maps.Keys(s.Model.ClassWeights)))
}

// readConfig reads config.yaml into v and refuses keys that mean nothing, naming the nearest
// key that does: a typo must not silently fall back to a default.
func readConfig(v *viper.Viper, path string, r io.Reader) error {
	raw, err := readConfigFile(path, r) // within maxConfigBytes
	if err != nil {
		return err
	}
	if raw, err = tuneSwitch(raw); err != nil {
		return usageErr("config %s: %v", path, err)
	}
	if err := v.ReadConfig(bytes.NewReader(raw)); err != nil {
		return usageErr("config %s: %v", path, err)
	}
	known := slices.Collect(func(yield func(string) bool) {
		for k := range defaults() {
			if !yield(k) {
				return
			}
		}
	})
	sort.Strings(known)
	file := viper.New()
	file.SetConfigType("yaml")
	file.ReadConfig(bytes.NewReader(raw))
	for _, k := range file.AllKeys() {
		if head, key, ok := strings.Cut(strings.TrimPrefix(k, "model.heads."), "."); ok && strings.HasPrefix(k, "model.heads.") {
			// model.heads.HEAD.KEY: the head is the user's to name, the key is not.
			if !slices.Contains(headKeys, key) {
				valid := make([]string, len(headKeys))
				for i, hk := range headKeys {
					valid[i] = "model.heads." + head + "." + hk
				}
				return usageErr("config %s: unknown key %q; did you mean %q?", path, k, nearest(k, valid))
			}
			continue
		}
		if head, key, ok := strings.Cut(strings.TrimPrefix(k, "abstain.heads."), "."); ok && strings.HasPrefix(k, "abstain.heads.") {
			// abstain.heads.HEAD.min_prob and abstain.heads.HEAD.classes.CLASS.
			if key != "min_prob" && !strings.HasPrefix(key, "classes.") {
				valid := make([]string, len(abstainHeadKeys))
				for i, hk := range abstainHeadKeys {
					valid[i] = "abstain.heads." + head + "." + hk
				}
				return usageErr("config %s: unknown key %q; did you mean %q?", path, k, nearest(k, valid))
			}
			continue
		}
		if slices.Contains(known, k) || underMap(k) {
			continue
		}
		if i := slices.IndexFunc(known, func(c string) bool { return strings.HasPrefix(c, k+".") }); i >= 0 {
			// A section such as "features: 3" given a value instead of keys.
			return usageErr("config %s: %q is a section, not a value; set its keys, such as %q", path, k, known[i])
		}
		return usageErr("config %s: unknown key %q; did you mean %q?", path, k, nearest(k, known))
	}
	return nil
}

// tuneSwitch rewrites a top-level `tune: off` (or on, false, true) in config.yaml as tune.auto,
// so that the tune section can be switched with one word as well as set key by key.
func tuneSwitch(raw []byte) ([]byte, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil || doc == nil {
		return raw, nil // viper reports the syntax error, with its position
	}
	t, ok := doc["tune"]
	if !ok {
		return raw, nil
	}
	var auto bool
	switch v := t.(type) {
	case bool:
		auto = v
	case string:
		switch strings.ToLower(v) {
		case "off", "no", "false":
			auto = false
		case "on", "yes", "true", "auto":
			auto = true
		default:
			return nil, fmt.Errorf("tune: %q: want off, on, or the tune section's keys (tune.folds, tune.c, ...)", v)
		}
	default:
		return raw, nil
	}
	doc["tune"] = map[string]any{"auto": auto}
	return yaml.Marshal(doc)
}

func underMap(k string) bool {
	for _, m := range mapKeys {
		if strings.HasPrefix(k, m+".") {
			return true
		}
	}
	return false
}

// nearest returns the candidate with the smallest edit distance to s.
func nearest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is Levenshtein's distance, by the two-row dynamic programme.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// schema turns the settings into the readers' schema for a comments file.
func (s *settings) schema(articlesFile string) data.Schema {
	sc := data.Schema{
		Format:    s.Format,
		Sheet:     s.Sheet,
		ID:        s.Columns.ID,
		Text:      s.Columns.Text,
		ArticleID: s.Columns.ArticleID,
		Article:   s.Columns.Article,
		Group:     s.Columns.Group,
		Labels:    s.Labels,
		Strip:     s.Strip,
		Encoding:  s.Encoding,
		Limits:    data.Limits{RecordBytes: s.Limits.RecordBytes, ArticleFileBytes: s.Limits.ArticleFileBytes, XLSXBytes: s.Limits.XLSXBytes},
	}
	sc.Delimiter, _ = delimiterOf(s.Delimiter) // checked by loadSettings
	if articlesFile == "" {
		articlesFile = s.Articles.File
	}
	if articlesFile != "" {
		sc.Articles = &data.ArticleSource{Path: articlesFile, Format: s.Articles.Format, Sheet: s.Articles.Sheet, Key: s.Articles.Key, Text: s.Articles.Text}
	}
	return sc
}

// trainConfig turns the settings into the classifier's training configuration.
func (s *settings) trainConfig() classifier.Config {
	var heads map[string]classifier.HeadConfig
	if s.Model.Heads != nil {
		heads = make(map[string]classifier.HeadConfig, len(s.Model.Heads))
		for name, h := range s.Model.Heads {
			heads[name] = h.config()
		}
	}
	return classifier.Config{
		Features:     s.Features.config(),
		C:            s.Model.C,
		ClassWeight:  s.Model.ClassWeight,
		ClassWeights: s.Model.ClassWeights,
		Heads:        heads,
		MaxIter:      s.Model.MaxIter,
		Workers:      s.Workers,
	}
}

// tuneOptions turns the settings into Tune's options. model.c and model.class_weight set to
// other than their defaults (in config.yaml, a STANCE_* variable or a flag) are kept, not
// searched: config.yaml lists every key at its default, so a value is the user's choice only
// where it differs.
func (s *settings) tuneOptions() classifier.TuneOptions {
	g := s.Tune.grid()
	d := classifier.DefaultConfig()
	if s.Model.C != d.C {
		g.C = []float64{s.Model.C}
	}
	if s.Model.ClassWeight != d.ClassWeight {
		g.ClassWeight = []string{s.Model.ClassWeight}
	}
	return classifier.TuneOptions{Folds: s.Tune.Folds, Repeats: s.Tune.Repeats, Seed: s.Seed,
		Grouped: s.Tune.GroupBy != "none", MaxRows: s.Tune.MaxRows, Grid: g,
		Metric: func(h string) string { return s.Metrics[h] }}
}

// inConfigTerms says the libraries' errors within err that name Go fields (a
// *features.ConfigError or *classifier.ConfigError, a *classifier.LimitError, a
// *data.SettingError) in config.yaml's keys and words, keeping the rest of err's message;
// errors.Is and errors.As still see through it. Other errors are returned as they are.
func inConfigTerms(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	say := func(lib error, said string) { msg = strings.Replace(msg, lib.Error(), said, 1) }
	var (
		fe *features.ConfigError
		ce *classifier.ConfigError
		le *classifier.LimitError
		se *data.SettingError
	)
	if errors.As(err, &fe) {
		key := "features"
		if fe.Field != "" {
			key += "." + configKey(reflect.TypeFor[featureSettings](), fe.Field)
		}
		say(fe, keyValue(key, fe.Value, fe.Err))
	}
	if errors.As(err, &ce) {
		key := "model." + configKey(reflect.TypeFor[modelSettings](), ce.Field)
		if ce.Head != "" {
			key = "model.heads." + ce.Head + "." + configKey(reflect.TypeFor[headSettings](), ce.Field)
		}
		say(ce, keyValue(key, ce.Value, ce.Err))
	}
	if errors.As(err, &le) {
		if key, ok := modelLimitKeys[le.Limit]; ok {
			say(le, le.Say(key))
		}
	}
	if errors.As(err, &se) {
		if key, ok := dataSettingKeys[se.Setting]; ok {
			say(se, se.Say(key))
		}
	}
	if msg == err.Error() {
		return err
	}
	return configTermsError{msg, err}
}

// modelLimitKeys are the config.yaml keys of classifier.LoadLimits' fields.
var modelLimitKeys = map[string]string{"FileBytes": "limits.model_file_bytes", "MemoryBytes": "limits.model_memory_bytes"}

// dataSettingKeys are the config.yaml keys (settings.schema's sources) of the fields that
// data.SettingError names.
var dataSettingKeys = map[string]string{
	"Limits.RecordBytes":      "limits.record_bytes",
	"Limits.ArticleFileBytes": "limits.article_file_bytes",
	"Limits.XLSXBytes":        "limits.xlsx_bytes",
	"Schema.Text":             "columns.text",
	"Schema.ArticleID":        "columns.article_id",
	"Schema.Time":             "columns.time",
	"Schema.Encoding":         "encoding",
	"Schema.Delimiter":        "delimiter",
	"Schema.Labels":           "labels.HEAD: COLUMN",
	"ArticleSource.Key":       "articles.key",
	"ArticleSource.Text":      "articles.text",
}

// keyValue is a refused setting in config.yaml's terms: "key = value: what is wanted", or
// "key: what is wrong" when val is nil.
func keyValue(key string, val any, why error) string {
	if val == nil {
		return key + ": " + configWords(why)
	}
	return key + " = " + configValue(val) + ": " + configWords(why)
}

// configTermsError is an error whose message inConfigTerms rewrote.
type configTermsError struct {
	msg string
	err error
}

func (e configTermsError) Error() string { return e.msg }
func (e configTermsError) Unwrap() error { return e.err }

// configKey is the config.yaml key of the Go field path field ("C", "Unseen.C", a pair
// "WordMin/WordMax", a map's entry `ClassWeights["stance"]["FAVOR"]`) of the settings struct
// t: each name's mapstructure tag, and a map's keys as they are.
func configKey(t reflect.Type, field string) string {
	if name, index, ok := strings.Cut(field, "["); ok && !strings.Contains(name, ".") {
		f, found := t.FieldByName(name)
		keys, valid := indexKeys("[" + index)
		if !found || !valid {
			return field
		}
		return strings.Join(append([]string{f.Tag.Get("mapstructure")}, keys...), ".")
	}
	if a, b, ok := strings.Cut(field, "/"); ok {
		return configKey(t, a) + "/" + configKey(t, b)
	}
	name, rest, nested := strings.Cut(field, ".")
	f, ok := t.FieldByName(name)
	if !ok {
		return field // a field this front end does not set: its Go name
	}
	if !nested {
		return f.Tag.Get("mapstructure")
	}
	ft := f.Type
	if ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	return f.Tag.Get("mapstructure") + "." + configKey(ft, rest)
}

// indexKeys are the keys of Go's map indexes `["a"]["b"]`; false if index is not only those.
func indexKeys(index string) ([]string, bool) {
	var keys []string
	for index != "" {
		if index[0] != '[' {
			return nil, false
		}
		q, err := strconv.QuotedPrefix(index[1:])
		if err != nil || !strings.HasPrefix(index[1+len(q):], "]") {
			return nil, false
		}
		k, _ := strconv.Unquote(q)
		keys = append(keys, k)
		index = index[1+len(q)+1:]
	}
	return keys, true
}

// configWords says what a library wants of a field in config.yaml's words, where its own words
// name Go fields.
func configWords(why error) string {
	switch why {
	case features.ErrWordOrders:
		return "want 1 <= word_min <= word_max <= 5, or both 0"
	case features.ErrCharOrders:
		return "want 1 <= char_min <= char_max <= 8, or both 0"
	case classifier.ErrHeadC:
		return "want a number above 0 (or 0 for model.c)"
	case classifier.ErrHeadFiniteC:
		return "want a finite number above 0 (or 0 for model.c)"
	case classifier.ErrHeadClassWeight:
		return "want balanced or none (or empty for model.class_weight)"
	}
	return why.Error()
}

// configValue is a refused value as the messages show it: text quoted, a pair as "min/max".
func configValue(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case [2]int:
		return fmt.Sprintf("%d/%d", v[0], v[1])
	}
	return fmt.Sprint(v)
}

// heads returns the label heads in a stable order.
func (s *settings) heads() []string {
	h := make([]string, 0, len(s.Labels))
	for k := range s.Labels {
		h = append(h, k)
	}
	sort.Strings(h)
	return h
}
