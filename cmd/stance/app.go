package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"slices"
	"strings"
	"sync"
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

	mu      sync.Mutex
	outputs []string // the output files the command was given (checkPaths), for an interrupt's message
}

// outputFiles are the output files the command was given, "-" left out.
func (e *env) outputFiles() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.outputs)
}

// run is main without os.Exit: it builds the commands, runs them, and maps the outcome to an
// exit code and a one-line message.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// INT, TERM, HUP and QUIT stop a command; stance serve reloads its model on HUP instead.
	// The others are watched before anything else is done, HUP once the command is known.
	ctx, stop := notifyContext(ctx, true)
	defer stop()
	if c, _, err := newRoot(&env{stdin: stdin, stdout: stdout, stderr: stderr}).Find(args); err != nil || c.Name() != "serve" {
		var stopHUP context.CancelFunc
		ctx, stopHUP = signal.NotifyContext(ctx, syscall.SIGHUP)
		defer stopHUP()
	}
	// finished is closed before stop cancels ctx on return, so that a run that was not
	// interrupted does not call AbortAll after it: that would abort the files of a later run in
	// the same process (tests call run many times).
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-ctx.Done():
			// An interrupt leaves every output file as it was: remove temporary files at once,
			// before the commands notice the cancelled context.
			atomicfile.AbortAll()
		case <-finished:
		}
	}()
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRoot(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := execute(ctx, root)
	if err == nil {
		return exitOK
	}
	err = inConfigTerms(err)
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "stance: %v\n", err)
		return exitUsage
	case ctx.Err() != nil:
		// "context canceled" or an aborted temporary file only repeat what the next line says.
		if !errors.Is(err, context.Canceled) && !errors.Is(err, atomicfile.ErrAborted) {
			fmt.Fprintf(stderr, "stance: %v\n", err)
		}
		// Only a command given output files has any to leave as they were (score writes none).
		if outs := e.outputFiles(); len(outs) > 0 {
			fmt.Fprintf(stderr, "stance: interrupted; output files were left as they were: %s\n", strings.Join(outs, ", "))
		} else {
			fmt.Fprintln(stderr, "stance: interrupted")
		}
		return exitFailure
	}
	fmt.Fprintf(stderr, "stance: %v\n", err)
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
  stance export --model out/sample.stance --data comments.csv --out scores.csv
  stance summarize --model out/sample.stance --data comments.csv`,
		// Args and RunE make the root runnable, so that an unknown command reaches Args and is a
		// usage error (exit 2); cobra's own check returns a plain error (exit 1).
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			hint := ""
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				hint = fmt.Sprintf("; did you mean %q?", s[0])
			}
			return usageErr("unknown command %q%s (see 'stance --help')", args[0], hint)
		},
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			e.configSet = cmd.Flags().Changed("config")
		},
	}
	root.PersistentFlags().StringVar(&e.configPath, "config", "config.yaml", "configuration file (YAML); a missing default config.yaml is not an error")
	root.PersistentFlags().BoolVarP(&e.quiet, "quiet", "q", false, "print no progress or notes on stderr")
	root.PersistentFlags().String("encoding", "", "character encoding of the data and article files: utf-8 (default), utf-16, windows-1256, iso-8859-6, ... (encoding)")
	root.PersistentFlags().String("delimiter", ",", "field separator of CSV files: one character, such as ';', or tab (delimiter)")
	root.PersistentFlags().String("sheet", "", "the sheet of an .xlsx data file to read; default the first (sheet)")
	// --version prints what stance version prints.
	root.Version = versionString()
	root.SetVersionTemplate(currentVersion().String())
	root.SuggestionsMinimumDistance = 2 // cobra's default; SuggestionsFor sees 0 until it is set
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageErr("%v (see '%s --help')", err, cmd.CommandPath())
	})
	root.AddCommand(newTrain(e), newEvaluate(e), newScore(e), newExport(e), newSummarize(e), newExplain(e), newInfo(e), newConfig(e), newVersion(e), newServe(e), newLabel(e))
	addCompletions(root)
	return root
}

// noArgs is cobra.NoArgs as a usage error (exit 2).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErr("%s takes no arguments, got %q (see '%s --help')", cmd.CommandPath(), args[0], cmd.CommandPath())
	}
	return nil
}

// interruptible runs f in a goroutine and returns its result, or the context's error as soon as
// ctx is done, even if f is still running: training and reading standard input do not watch
// ctx, and an interrupt must neither wait for them nor let them write their output afterwards
// (the process exits, and f with it).
func interruptible[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	var zero T
	select {
	case r := <-done:
		if err := ctx.Err(); err != nil {
			return zero, err
		}
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// notef prints a diagnostic line on stderr unless --quiet.
func (e *env) notef(format string, a ...any) {
	if !e.quiet {
		fmt.Fprintf(e.stderr, format+"\n", a...)
	}
}
