// Command stance classifies reader comments by their stance toward the article they answer and
// by their sentiment: train a model from labelled comments, evaluate it, score comments, and
// export scores to CSV. Run `stance --help` for the commands.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
