package serve

import (
	"net/http"
)

// discovery answers the Google API discovery document of the comments.analyze method, which
// Google's client libraries fetch before their first call (Perspective's own Python sample
// builds its client from https://commentanalyzer.googleapis.com/$discovery/rest?version=v1alpha1).
// It holds only what a client needs to call analyze: rootUrl (this server, as the request
// reached it), the method's path and verb, and the names of the request and response schemas.
func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	root := scheme + "://" + r.Host + "/"
	object := func(id string) map[string]any { return map[string]any{"id": id, "type": "object"} }
	doc := map[string]any{
		"kind":             "discovery#restDescription",
		"discoveryVersion": "v1",
		"id":               "commentanalyzer:v1alpha1",
		"name":             "commentanalyzer",
		"version":          "v1alpha1",
		"title":            "Perspective Comment Analyzer API, as stance serve answers it",
		"protocol":         "rest",
		"rootUrl":          root,
		"servicePath":      "",
		"baseUrl":          root,
		"batchPath":        "batch",
		"parameters": map[string]any{
			"key": map[string]any{"type": "string", "location": "query", "description": "the server's token, when it has one"},
			"alt": map[string]any{"type": "string", "location": "query", "default": "json"},
		},
		"schemas": map[string]any{
			"AnalyzeCommentRequest":  object("AnalyzeCommentRequest"),
			"AnalyzeCommentResponse": object("AnalyzeCommentResponse"),
		},
		"resources": map[string]any{
			"comments": map[string]any{
				"methods": map[string]any{
					"analyze": map[string]any{
						"id":          "commentanalyzer.comments.analyze",
						"path":        "v1alpha1/comments:analyze",
						"flatPath":    "v1alpha1/comments:analyze",
						"httpMethod":  "POST",
						"parameters":  map[string]any{},
						"request":     map[string]any{"$ref": "AnalyzeCommentRequest"},
						"response":    map[string]any{"$ref": "AnalyzeCommentResponse"},
						"description": "Scores a comment with the model's attributes (HEAD_CLASS upper-cased).",
					},
				},
			},
		},
	}
	writeJSON(w, http.StatusOK, doc)
}
