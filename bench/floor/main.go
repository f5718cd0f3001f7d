// Command floor measures the floor of any scoring pass: it reads a comments file, then
// normalises, tokenizes and hashes each comment's word and character n-grams with a model's
// feature settings, on all cores, and writes nothing. stance export does all of that and more
// (TF-IDF weights, the article-conjoined copies, the heads' dot products, ordered CSV output);
// bench/scale.sh compares the two on the same file.
//
//	floor -model M.stance -data comments.csv [-text text] [-article target] [-workers N]
//
// It prints one JSON object: rows, n-grams, wall seconds and rows per second.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
)

func main() {
	model := flag.String("model", "", "model file whose feature settings to use")
	path := flag.String("data", "", "comments file (CSV, TSV or JSONL)")
	format := flag.String("format", "", "csv, tsv or jsonl; default from the file name")
	text := flag.String("text", "text", "text column")
	article := flag.String("article", "article", "article column")
	workers := flag.Int("workers", runtime.GOMAXPROCS(0), "goroutines hashing")
	flag.Parse()
	if *model == "" || *path == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: floor -model FILE -data FILE [-text COL] [-article COL] [-workers N]")
		os.Exit(2)
	}
	if err := run(os.Stdout, *model, *path, data.Schema{Format: *format, Text: *text, Article: *article, Labels: map[string]string{}}, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(out io.Writer, modelPath, path string, schema data.Schema, workers int) error {
	m, err := classifier.Load(modelPath)
	if err != nil {
		return err
	}
	start := time.Now()
	r, err := data.Open(path, schema)
	if err != nil {
		return err
	}
	defer r.Close()
	const batchSize = 256 // as classifier.ScoreStream
	batches := make(chan []string, 2*workers)
	var grams atomic.Int64
	var wg sync.WaitGroup
	for range max(workers, 1) {
		w, err := m.Extractor.NewWorker()
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n int64
			for b := range batches {
				for _, t := range b {
					n += int64(w.Hash(t))
				}
			}
			grams.Add(n)
		}()
	}
	rows := 0
	var readErr error
	b := make([]string, 0, batchSize)
	for {
		c, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		b = append(b, c.Text)
		rows++
		if len(b) == batchSize {
			batches <- b
			b = make([]string, 0, batchSize)
		}
	}
	batches <- b
	close(batches)
	wg.Wait()
	if readErr != nil {
		return readErr
	}
	wall := time.Since(start).Seconds()
	return json.NewEncoder(out).Encode(map[string]any{
		"rows": rows, "ngrams": grams.Load(), "wall_s": wall, "comments_per_s": float64(rows) / wall,
	})
}
