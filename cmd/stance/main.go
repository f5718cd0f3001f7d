// Command stance classifies reader comments by their stance toward the article they answer and
// by their sentiment: train a model from labelled comments, evaluate it, score comments, and
// export scores to CSV. Run `stance --help` for the commands.
package main

import (
	"context"
	"os"

	"github.com/commentstance/stance/internal/atomicfile"
)

func main() {
	code := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	atomicfile.Stop() // a command still running after an interrupt must not leave a temporary file
	os.Exit(code)
}
