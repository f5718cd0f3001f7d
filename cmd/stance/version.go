package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/commentstance/stance/classifier"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"; otherwise the module
// version or VCS revision recorded by the Go toolchain is shown.
var version = ""

func newVersion(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the program's version and the model file format it reads and writes",
		Example: "  stance version",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(e.stdout, "stance %s (%s)\nmodel format %d\n", versionString(), runtime.Version(), classifier.FormatVersion)
			return err
		},
	}
}

func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

func defaultWorkers() int { return runtime.GOMAXPROCS(0) }
