package htmlreport

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
)

// The pages' markup and style. page.tmpl is the evaluation's page, parts.tmpl a template per
// panel, trends.tmpl summarize's trends page;
// report.css holds no '<' or '&', so it is also valid XML text.
//
//go:embed page.tmpl parts.tmpl trends.tmpl report.css
var files embed.FS

var css = func() template.CSS {
	b, err := files.ReadFile("report.css")
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	return template.CSS(b)
}()

var funcs = template.FuncMap{
	"css":      func() template.CSS { return css },
	"f0":       func(v float64) string { return fmt.Sprintf("%.0f", v) },
	"f1":       func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"f3":       func(v float64) string { return fmt.Sprintf("%.3f", v) },
	"f4":       func(v float64) string { return fmt.Sprintf("%.4f", v) },
	"g":        func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) },
	"pct":      func(v float64) string { return fmt.Sprintf("%.1f", 100*v) },
	"add":      func(a, b float64) float64 { return a + b },
	"neg":      func(v float64) float64 { return -v },
	"accuracy": func() string { return colPrecision },
	"gap":      func() string { return colGap },
	// signed3 is a number with its sign: digits, a point and a sign are markup as they are, and
	// html/template would write the "+" as "&#43;".
	"signed3": func(v float64) template.HTML { return template.HTML(fmt.Sprintf("%+.3f", v)) },
	// conf is a mistake's confidence, "–" without probabilities.
	"conf": func(v float64) string {
		if math.IsNaN(v) {
			return "–"
		}
		return fmt.Sprintf("%.3f", v)
	},
}

var page = template.Must(template.New("page.tmpl").Funcs(funcs).ParseFS(files, "page.tmpl", "parts.tmpl"))

var trendPage = template.Must(template.New("trends.tmpl").Funcs(funcs).ParseFS(files, "trends.tmpl"))

// Render writes the page to w.
func (p *Page) Render(w io.Writer) error {
	return page.Execute(w, p)
}
