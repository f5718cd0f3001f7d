package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/commentstance/stance/internal/atomicfile"
)

// Exit codes, documented in README.md.
const (
	exitOK      = 0
	exitFailure = 1 // a runtime failure: I/O, a write error, an interrupted run
	exitUsage   = 2 // a usage or input error: bad flags, bad config, bad data, bad model file
)

// usageError marks an error that is the user's to fix (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// asUsage marks err, if not nil, as an input error.
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

// env is what every command gets: its input and output streams and the global flags.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	configPath     string
	configSet      bool
	quiet          bool
}

// run is main without os.Exit: it builds the commands, runs them, and maps the outcome to an
// exit code and a one-line message.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		// An interrupt leaves every output file as it was: remove temporary files at once,
		// before the commands notice the cancelled context.
		atomicfile.AbortAll()
	}()
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRoot(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "stance: %v\n", err)
	var ue usageError
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "stance: interrupted; output files were left as they were")
		return exitFailure
	}
	return exitFailure
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "stance",
		Short: "Classify reader comments by stance toward their article and by sentiment",
		Long: `stance learns from labelled reader comments (CSV, TSV or JSONL, each tied to the article,
post or target it answers) one classification head per label column, such as stance and sentiment,
and scores new comments with them. Arabic and English are handled natively.

Settings come from built-in defaults, overridden by config.yaml (or --config), by STANCE_*
environment variables (STANCE_MODEL_C=3), and by flags, in that order.`,
		Example: `  stance train --data data/sample/comments.csv --articles data/sample/articles.csv --model out/sample.stance
  stance evaluate --cv 5 --group-by article --data data/sample/comments.csv --articles data/sample/articles.csv
  stance score --model out/sample.stance --article "Parliament votes on a congestion charge" "About time!"
  stance export --model out/sample.stance --data comments.csv --out scores.csv`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			e.configSet = cmd.Flags().Changed("config")
		},
	}
	root.PersistentFlags().StringVar(&e.configPath, "config", "config.yaml", "configuration file (YAML); a missing default config.yaml is not an error")
	root.PersistentFlags().BoolVarP(&e.quiet, "quiet", "q", false, "print no progress or notes on stderr")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageErr("%v (see 'stance %s --help')", err, cmd.Name())
	})
	root.AddCommand(newTrain(e), newEvaluate(e), newScore(e), newExport(e), newVersion(e))
	return root
}

// notef prints a diagnostic line on stderr unless --quiet.
func (e *env) notef(format string, a ...any) {
	if !e.quiet {
		fmt.Fprintf(e.stderr, format+"\n", a...)
	}
}
