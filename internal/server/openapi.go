package server

import (
	_ "embed"
	"net/http"
)

// openapiDoc is the OpenAPI 3 document of the API; a test checks that it
// lists exactly the routes of routeTable.
//
//go:embed openapi.json
var openapiDoc []byte

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err := w.Write(openapiDoc)
	return err
}
