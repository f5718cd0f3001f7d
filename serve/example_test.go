package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/serve"
)

// Serve a model on a loopback port and ask it, as a Perspective client would, for the
// probability that a comment favours its article.
func Example() {
	dir, _ := os.MkdirTemp("", "stance-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "sample.stance")
	if err := trainSample(path); err != nil {
		fmt.Println(err)
		return
	}

	s, err := serve.New(serve.Config{ModelPath: path})
	if err != nil {
		fmt.Println(err)
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, nil) }()

	body := `{"comment": {"text": "About time they did something"},
	          "context": {"entries": [{"text": "Council approves a congestion charge"}]},
	          "requestedAttributes": {"STANCE_FAVOR": {}, "STANCE_AGAINST": {}}}`
	resp, err := http.Post("http://"+ln.Addr().String()+"/v1alpha1/comments:analyze", "application/json", strings.NewReader(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	var out struct {
		AttributeScores map[string]struct {
			SummaryScore struct {
				Value float64
				Type  string
			}
		}
	}
	json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	var names []string
	for name, a := range out.AttributeScores {
		names = append(names, fmt.Sprintf("%s (%s in [0, 1]: %v)", name, a.SummaryScore.Type, a.SummaryScore.Value >= 0 && a.SummaryScore.Value <= 1))
	}
	slices.Sort(names)
	fmt.Println(resp.Status)
	fmt.Println(strings.Join(names, "\n"))

	stop() // as SIGTERM does in stance serve: in-flight requests finish, then Serve returns
	fmt.Println("shut down:", <-done)
	// Output:
	// 200 OK
	// STANCE_AGAINST (PROBABILITY in [0, 1]: true)
	// STANCE_FAVOR (PROBABILITY in [0, 1]: true)
	// shut down: <nil>
}

// trainSample trains a small model on the project's sample and saves it to path.
func trainSample(path string) error {
	schema := data.Schema{Articles: &data.ArticleSource{Path: "../data/sample/articles.csv", Key: "article_id", Text: "article"}, RequireLabels: true}
	comments, _, err := data.ReadAll("../data/sample/comments.csv", schema)
	if err != nil {
		return err
	}
	var ex []classifier.Example
	for _, c := range comments {
		ex = append(ex, classifier.Example{Text: c.Text, Article: c.Article, Labels: c.Labels})
	}
	cfg := classifier.DefaultConfig()
	cfg.Features.Bits = 16
	m, err := classifier.Train(ex, []string{"stance", "sentiment"}, cfg)
	if err != nil {
		return err
	}
	return m.Save(path)
}
