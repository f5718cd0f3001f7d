package data

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sharedData is the public benchmark data beside the repository (see its README.md). It is never
// copied into the repository, so the tests that need it skip when it is absent.
const sharedData = "../../shared/data"

func needSharedData(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sharedData, "tasks.yaml")); err != nil {
		t.Skipf("public benchmark data not found at %s (it sits beside the repository, see its README.md): %v", sharedData, err)
	}
}

// realSplit is one split of a task in ../shared/data/tasks.yaml, with the schema written out
// from the task's columns, strip, join and labels entries.
type realSplit struct {
	task, split string
	files       []string
	schema      Schema
	// rows is the README's train / test count. counts is the per-class count of the stance head,
	// cross-checked with Python's csv module (csv.QUOTE_NONE and split('\t') for the SemEval
	// files), and for FNC-1 against the class shares in fnc1/README.md.
	rows   int
	counts map[string]int
}

func realSplits() []realSplit {
	semeval := Schema{ID: "ID", Text: "Tweet", Article: "Target", Strip: []string{"#SemST"},
		Labels: map[string]string{"stance": "Stance", "sentiment": "Sentiment"}}
	mawqif := Schema{ID: "ID", Text: "text", Article: "target",
		Labels: map[string]string{"stance": "stance", "sentiment": "sentiment", "sarcasm": "sarcasm"}}
	rumour := Schema{ID: "tweet_id", Text: "text", Article: "source_text", Group: "thread_id",
		Labels: map[string]string{"stance": "label"}}
	fnc := func(bodies string) Schema {
		return Schema{Text: "Headline", Group: "Body ID", Labels: map[string]string{"stance": "Stance"},
			Articles: &ArticleSource{Path: filepath.Join(sharedData, "fnc1", bodies), Key: "Body ID", Text: "articleBody"}}
	}
	baly := Schema{ID: "claim_id", Text: "article", Article: "claim", Group: "claim_id",
		Labels: map[string]string{"stance": "stance"}}
	return []realSplit{
		{"semeval2016-a", "train", []string{"semeval2016t6/trialdata-all-annotations.txt", "semeval2016t6/trainingdata-all-annotations.utf8.txt"},
			semeval, 2914, map[string]int{"AGAINST": 1395, "FAVOR": 753, "NONE": 766}},
		{"semeval2016-a", "test", []string{"semeval2016t6/testdata-taskA-all-annotations.txt"},
			semeval, 1249, map[string]int{"AGAINST": 715, "FAVOR": 304, "NONE": 230}},
		{"mawqif", "train", []string{"mawqif/Mawqif_AllTargets_Train.csv"},
			mawqif, 3502, map[string]int{"Favor": 2148, "Against": 1021, "None": 333}},
		{"mawqif", "test", []string{"mawqif/Mawqif_AllTargets_Test.csv"},
			mawqif, 619, map[string]int{"Favor": 380, "Against": 180, "None": 59}},
		{"rumoureval2017-a", "train", []string{"rumoureval2017/rumoureval2017_subtaskA_train.csv", "rumoureval2017/rumoureval2017_subtaskA_dev.csv"},
			rumour, 4519, map[string]int{"comment": 2907, "support": 910, "deny": 344, "query": 358}},
		{"rumoureval2017-a", "test", []string{"rumoureval2017/rumoureval2017_subtaskA_test.csv"},
			rumour, 1049, map[string]int{"comment": 778, "support": 94, "deny": 71, "query": 106}},
		{"fnc1", "train", []string{"fnc1/train_stances.csv"},
			fnc("train_bodies.csv"), 49972, map[string]int{"unrelated": 36545, "discuss": 8909, "agree": 3678, "disagree": 840}},
		{"fnc1", "test", []string{"fnc1/competition_test_stances.csv"},
			fnc("competition_test_bodies.csv"), 25413, map[string]int{"unrelated": 18349, "discuss": 4464, "agree": 1903, "disagree": 697}},
		{"baly2018", "all", []string{"baly2018/baly2018_claim_article_stance.csv"},
			baly, 3042, map[string]int{"unrelated": 2072, "agree": 474, "discuss": 409, "disagree": 87}},
	}
}

// TestRealData reads every file of every task strictly, with labels required: the public data
// must read without a single skipped or bad row.
func TestRealData(t *testing.T) {
	needSharedData(t)
	for _, sp := range realSplits() {
		t.Run(sp.task+"/"+sp.split, func(t *testing.T) {
			s := sp.schema
			s.Strict, s.RequireLabels = true, true
			wantHeads := sortedKeys(s.Labels)
			counts := map[string]int{}
			rows := 0
			for _, f := range sp.files {
				cs, skips, err := ReadAll(filepath.Join(sharedData, f), s)
				if err != nil {
					t.Fatal(err)
				}
				if len(skips) > 0 {
					t.Errorf("%s: %d skipped under Strict: %v", f, len(skips), skips[0])
				}
				for _, c := range cs {
					if len(c.Labels) != len(wantHeads) {
						t.Fatalf("%s:%d: labels %v, want heads %v", f, c.Line, c.Labels, wantHeads)
					}
					counts[c.Labels["stance"]]++
					if c.Article == "" {
						t.Fatalf("%s:%d: empty article", f, c.Line)
					}
					if s.ID != "" && c.ID == "" {
						// Mawqif's first column is "ID" behind a byte-order mark.
						t.Fatalf("%s:%d: empty id", f, c.Line)
					}
					if s.Group != "" && c.Group == "" {
						t.Fatalf("%s:%d: empty group", f, c.Line)
					}
					if strings.Contains(c.Text, "#SemST") {
						t.Fatalf("%s:%d: #SemST not stripped: %q", f, c.Line, c.Text)
					}
				}
				rows += len(cs)
			}
			if rows != sp.rows {
				t.Errorf("%d rows, want %d (data README)", rows, sp.rows)
			}
			if !reflect.DeepEqual(counts, sp.counts) {
				t.Errorf("stance counts %v, want %v", counts, sp.counts)
			}
		})
	}
}

// TestRealDataJoin checks the FNC-1 join against facts of the files: body 712 (the first
// headline's) starts with "Danny Boyle", and a multi-KB body comes through whole.
func TestRealDataJoin(t *testing.T) {
	needSharedData(t)
	sp := realSplits()[6]
	r, err := Open(filepath.Join(sharedData, sp.files[0]), sp.schema)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if c.Line != 2 || c.ArticleID != "712" || c.Group != "712" || !strings.HasPrefix(c.Article, "Danny Boyle") {
		t.Errorf("first comment %s:%d article %s: %.40q", c.File, c.Line, c.ArticleID, c.Article)
	}
	longest := 0
	for {
		c, err := r.Read()
		if err != nil {
			break
		}
		longest = max(longest, len(c.Article))
	}
	// 27,599 bytes: the longest articleBody in train_bodies.csv, measured with Python's csv module.
	if longest != 27599 {
		t.Errorf("longest joined body %d bytes, want 27599", longest)
	}
}
