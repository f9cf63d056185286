package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/roster-dev/roster/internal/roster"
)

// maxBodyBytes bounds every request body (SECURITY.md item 28).
const maxBodyBytes = 64 << 10

// decode is R21 for bodies: it reads exactly one JSON object into v, refusing unknown fields and
// wrong types with 422 naming the field. A malformed body is reported only
// after the route's authorization passed, keeping the order of refusals.
func (s *Server) decode(r *http.Request, v any) error {
	if err := decodeJSON(r, v); err != nil {
		if aerr := s.authorizeRoute(r); aerr != nil {
			return aerr
		}
		return err
	}
	return nil
}

func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &roster.Error{Code: codeUnsupportedMediaType, Message: "send application/json"}
		}
	}
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &roster.Error{Code: codeBodyTooLarge, Message: fmt.Sprintf("the body is larger than %d bytes", tooBig.Limit)}
	}
	if err != nil {
		return &roster.Error{Code: roster.CodeInvalidJSON, Message: "could not read the body"}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return &roster.Error{Code: roster.CodeInvalidJSON, Message: "the body must hold exactly one JSON value"}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &roster.Error{Code: roster.CodeInvalidJSON, Message: "the body must hold exactly one JSON value"}
	}
	return nil
}

// jsonError maps decoder errors: syntax → 400, types and fields → 422.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return roster.Invalid(field, fmt.Sprintf("%s must be %s", field, jsonKind(typeErr.Type.Kind().String())))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return roster.Invalid(field, "unknown field "+field)
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &roster.Error{Code: roster.CodeInvalidJSON, Message: "the body is not valid JSON"}
	}
	return &roster.Error{Code: roster.CodeInvalidJSON, Message: "the body is not valid JSON"}
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	case "ptr":
		return "a value of another type"
	}
	return "a number"
}
