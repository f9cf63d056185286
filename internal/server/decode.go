package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/roster-dev/roster/internal/httpkit"
	"github.com/roster-dev/roster/internal/roster"
)

// maxBodyBytes bounds every request body (docs/security.md item 28).
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
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return &roster.Error{Code: httpkit.CodeUnsupportedMediaType, Message: "send application/json"}
		}
		// JSON is UTF-8 (RFC 8259); a body declared in another charset
		// would be read as what it is not.
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
			return &roster.Error{Code: httpkit.CodeUnsupportedMediaType, Message: "send application/json in UTF-8 (charset " + strconv.Quote(cs) + " is not supported)"}
		}
	}
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &roster.Error{Code: httpkit.CodeBodyTooLarge, Message: fmt.Sprintf("the body is larger than %d bytes", tooBig.Limit)}
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
	// encoding/json turns invalid UTF-8 inside strings, and \u escapes of
	// lone surrogates, into U+FFFD: refuse them instead of storing what the
	// client did not send.
	if badText(body) {
		field := invalidUTF8Field(body)
		return roster.Invalid(field, field+" is not valid UTF-8")
	}
	return nil
}

// badText reports invalid UTF-8 or a \u escape of a lone surrogate.
func badText(b []byte) bool { return !utf8.Valid(b) || loneSurrogate(b) }

// loneSurrogate reports whether JSON text b holds a \u escape of a UTF-16
// surrogate that is not half of a pair (D800-DBFF then DC00-DFFF).
func loneSurrogate(b []byte) bool {
	hex4 := func(i int) (rune, bool) { // the code of \uXXXX at b[i]
		if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 16)
		return rune(n), err == nil
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			continue
		}
		r, ok := hex4(i)
		switch {
		case !ok: // another escape: skip its second byte
			i++
		case r >= 0xD800 && r <= 0xDBFF:
			if lo, ok := hex4(i + 6); ok && lo >= 0xDC00 && lo <= 0xDFFF {
				i += 11
				continue
			}
			return true
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		default:
			i += 5
		}
	}
	return false
}

// invalidUTF8Field names the first string of a syntactically valid JSON
// body that holds invalid UTF-8 (or a lone surrogate): its field as the decoder's type errors name
// it (object keys joined with dots, array positions left out), "body" at
// the top level. A key that is itself invalid names its object.
func invalidUTF8Field(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	type level struct {
		object  bool
		wantKey bool
		key     string
	}
	var stack []level
	path := func(key string) string {
		var parts []string
		for _, l := range stack {
			if l.object && !l.wantKey && l.key != "" {
				parts = append(parts, l.key)
			}
		}
		if key != "" {
			parts = append(parts, key)
		}
		if len(parts) == 0 {
			return "body"
		}
		return strings.Join(parts, ".")
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return "body"
		}
		raw := body[start:dec.InputOffset()]
		top := len(stack) - 1
		isKey := top >= 0 && stack[top].object && stack[top].wantKey
		if _, isString := tok.(string); isString && badText(raw) {
			return path("") // a value: its key; a key: its object
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, level{object: true, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, level{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:top]
			top--
		default:
			if isKey {
				stack[top].key, stack[top].wantKey = tok.(string), false
				continue
			}
		}
		if top >= 0 && stack[top].object { // a value ended: a key comes next
			stack[top].wantKey = true
		}
	}
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
