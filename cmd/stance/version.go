package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/commentstance/stance/classifier"
)

// version, when set at build time, is the program's version:
//
//	go build -ldflags "-X main.version=v1.2.0" ./cmd/stance
//
// as a release build (and scripts/quickstart.sh, from git describe) sets it. Otherwise the
// version is read from the build information the Go toolchain records (versionFrom).
var version = ""

// buildVersion is what stance version prints; its JSON is version --format json.
type buildVersion struct {
	// Version is the -ldflags override if set, else the module's version (a tag for go
	// install ...@v1.2.0, a pseudo-version for a build in a git checkout), else "devel" followed
	// by the VCS revision and "-dirty" when the tree had changes, else "devel".
	Version string `json:"version"`
	// Revision, Time and Modified are the VCS revision the binary was built from, its commit
	// time (RFC 3339), and whether the tree had uncommitted changes; empty and false when the
	// toolchain recorded none (go test, -buildvcs=false, a git worktree, which go build does not
	// stamp).
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified"`
	// Go is the toolchain that built the binary; ModelFormat the model file format it reads and
	// writes (classifier.FormatVersion).
	Go          string `json:"go"`
	ModelFormat int    `json:"model_format"`
}

func (v buildVersion) String() string {
	return fmt.Sprintf("stance %s (%s)\nmodel format %d\n", v.Version, v.Go, v.ModelFormat)
}

// versionFrom is the version of a binary with build information info (nil: none) and the
// -ldflags override (version).
func versionFrom(info *debug.BuildInfo, override string) buildVersion {
	v := buildVersion{Go: runtime.Version(), ModelFormat: classifier.FormatVersion}
	mod := ""
	if info != nil {
		mod = info.Main.Version
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.time":
				v.Time = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	switch {
	case override != "":
		v.Version = override
	case mod != "" && mod != "(devel)":
		v.Version = mod
	default:
		v.Version = "devel"
		if v.Revision != "" {
			v.Version += "-" + v.Revision[:min(12, len(v.Revision))]
			if v.Modified {
				v.Version += "-dirty"
			}
		}
	}
	return v
}

// currentVersion is this binary's version.
func currentVersion() buildVersion {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	return versionFrom(info, version)
}

// versionString is the version alone, as the HTML report's footer gives it.
func versionString() string { return currentVersion().Version }

func newVersion(e *env) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the program's version and the model file format it reads and writes",
		Long: `version prints the program's version, the Go toolchain that built it and the model file format
it reads and writes; stance --version prints the same. --format json gives the fields version,
revision, time and modified (the git commit built, its time, and whether the tree had changes;
absent or false when the build recorded none), go and model_format.`,
		Example: "  stance version\n  stance version --format json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := currentVersion()
			switch format {
			case "table":
				_, err := fmt.Fprint(e.stdout, v)
				return err
			case "json":
				return writeJSON(e.stdout, v)
			}
			return usageErr("--format %q: want table or json", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	return cmd
}

func defaultWorkers() int { return runtime.GOMAXPROCS(0) }
