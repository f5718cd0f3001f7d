package data_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/commentstance/stance/data"
)

// Reading SemEval-style tweets from CSV: columns are mapped by name, the collection hashtag is
// stripped, and a row left without text is skipped and reported rather than returned.
func Example_read() {
	in := strings.NewReader("ID,Tweet,Target,Stance\n" +
		"1,\"Love this, truly. #SemST\",Atheism,FAVOR\n" +
		"2,#SemST,Atheism,NONE\n" +
		"3,\"Never\nagain #SemST\",Atheism,AGAINST\n")
	r, err := data.NewReader(in, "tweets.csv", data.Schema{
		ID: "ID", Text: "Tweet", Article: "Target",
		Labels: map[string]string{"stance": "Stance"},
		Strip:  []string{"#SemST"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("heads:", r.Heads())
	for {
		c, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s:%d id %s toward %s: %q is %s\n", c.File, c.Line, c.ID, c.Article, c.Text, c.Labels["stance"])
	}
	for _, s := range r.Skipped() {
		fmt.Println("skipped:", s, errors.Is(s.Reason, data.ErrEmptyText))
	}
	// Output:
	// heads: [stance]
	// tweets.csv:2 id 1 toward Atheism: "Love this, truly." is FAVOR
	// tweets.csv:4 id 3 toward Atheism: "Never\nagain" is AGAINST
	// skipped: tweets.csv:3: field "Tweet": empty text; want some text after removing "#SemST" and spaces; got "#SemST" true
}
