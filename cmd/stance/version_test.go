package main

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/commentstance/stance/classifier"
)

// TestVersionFrom checks the version read from the build information the Go toolchain records:
// a module version (go install ...@v1.2.0, or a checkout's pseudo-version), else the VCS
// revision and whether the tree had changes, and an -ldflags -X main.version override above both.
func TestVersionFrom(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: "2026-12-02T07:15:14Z"}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "33fca756c71ec0eabbfc123b1ff3676188dbc377"
	for _, tt := range []struct {
		name     string
		override string
		info     *debug.BuildInfo
		want     buildVersion
	}{
		{"release tag", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}},
			buildVersion{Version: "v1.2.0"}},
		{"checkout, clean", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "false")},
			buildVersion{Version: "devel-33fca756c71e", Revision: rev, Time: "2026-12-02T07:15:14Z"}},
		{"checkout, modified", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")},
			buildVersion{Version: "devel-33fca756c71e-dirty", Revision: rev, Time: "2026-12-02T07:15:14Z", Modified: true}},
		{"pseudo-version with vcs", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261202071514-33fca756c71e+dirty"}, Settings: vcs(rev, "true")},
			buildVersion{Version: "v0.0.0-20261202071514-33fca756c71e+dirty", Revision: rev, Time: "2026-12-02T07:15:14Z", Modified: true}},
		{"no vcs (go test, -buildvcs=false, a git worktree)", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			buildVersion{Version: "devel"}},
		{"no build info", "", nil, buildVersion{Version: "devel"}},
		{"ldflags override", "v1.3.0-rc1", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")},
			buildVersion{Version: "v1.3.0-rc1", Revision: rev, Time: "2026-12-02T07:15:14Z", Modified: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := versionFrom(tt.info, tt.override)
			tt.want.Go, tt.want.ModelFormat = runtime.Version(), classifier.FormatVersion
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if strings.Contains(got.Version, "(devel)") {
				t.Errorf("version %q says (devel)", got.Version)
			}
		})
	}
}

// TestVersionCommand checks that `stance --version` and `stance version` print the same real
// version, and that version --format json gives its documented fields.
func TestVersionCommand(t *testing.T) {
	want := currentVersion().Version
	for _, args := range [][]string{{"--version"}, {"version"}} {
		r := mustStance(t, "", args...)
		first, _, _ := strings.Cut(r.stdout, "\n")
		if first != "stance "+want+" ("+runtime.Version()+")" {
			t.Errorf("stance %s: first line %q, want the version %q", args[0], first, want)
		}
		if strings.Contains(r.stdout, "(devel)") || !strings.Contains(r.stdout, "model format") {
			t.Errorf("stance %s:\n%s", args[0], r.stdout)
		}
	}
	r := mustStance(t, "", "version", "--format", "json")
	var v map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("version --format json: %v\n%s", err, r.stdout)
	}
	for _, k := range []string{"version", "go", "model_format", "modified"} {
		if _, ok := v[k]; !ok {
			t.Errorf("version --format json lacks %q: %s", k, r.stdout)
		}
	}
	if v["version"] != want || v["model_format"] != float64(classifier.FormatVersion) {
		t.Errorf("version --format json: %s", r.stdout)
	}
	if r := stance(t, "", "version", "--format", "xml"); r.code != exitUsage {
		t.Errorf("version --format xml: %v", r)
	}
}

// TestFlagErrorNamesTheCommandOnce checks the hint after a bad flag: the root's is
// 'stance --help', a subcommand's 'stance train --help', never the name twice.
func TestFlagErrorNamesTheCommandOnce(t *testing.T) {
	for _, tt := range []struct {
		args []string
		hint string
	}{
		{[]string{"--bogus"}, "(see 'stance --help')"},
		{[]string{"train", "--bogus"}, "(see 'stance train --help')"},
		{[]string{"completion", "bash", "--bogus"}, "(see 'stance completion bash --help')"},
		{[]string{"version", "extra"}, "(see 'stance version --help')"},
	} {
		r := stance(t, "", tt.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.hint) || strings.Contains(r.stderr, "stance stance") {
			t.Errorf("stance %s: want exit 2 and %q:\n%v", strings.Join(tt.args, " "), tt.hint, r)
		}
	}
}
