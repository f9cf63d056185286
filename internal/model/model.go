// Package model reads Roster's model file (docs/rules.md, "The model file"): the YAML that
// declares what an organization and a client are called, the permission
// catalog grouped by feature, the system roles, the plans and the policy
// switches. The four presets of docs/rules.md, "Presets" are model files embedded
// here.
//
// Parse reports every problem of a file at once, each with its line number,
// so `roster model check FILE` can print them all; a model it returns has been
// Prepared and is ready for use.
package model

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/roster-dev/roster/internal/roster"
)

//go:embed presets/*.yaml
var presets embed.FS

// PresetNames lists the built-in presets in the order of docs/rules.md, "Presets".
func PresetNames() []string { return []string{"practice", "wealth", "marketing", "accounts"} }

// PresetSource returns a copy of a preset's YAML, for `roster model show PRESET`.
func PresetSource(name string) ([]byte, bool) {
	if !slices.Contains(PresetNames(), name) {
		return nil, false
	}
	b, err := presets.ReadFile("presets/" + name + ".yaml")
	return b, err == nil // embed.FS copies: the caller's own bytes
}

// Preset parses a built-in preset.
func Preset(name string) (*roster.Model, error) {
	src, ok := PresetSource(name)
	if !ok {
		return nil, fmt.Errorf("unknown preset %q (presets: %s)", name, strings.Join(PresetNames(), ", "))
	}
	return Parse(name+".yaml", src)
}

// Load returns the preset of that name, or else parses the model file at that
// path.
func Load(nameOrPath string) (*roster.Model, error) {
	if _, ok := PresetSource(nameOrPath); ok {
		return Preset(nameOrPath)
	}
	data, err := os.ReadFile(nameOrPath) // #nosec G304 -- the operator's --model file
	if err != nil {
		return nil, fmt.Errorf("model %q is neither a preset (%s) nor a readable file: %w",
			nameOrPath, strings.Join(PresetNames(), ", "), err)
	}
	return Parse(nameOrPath, data)
}

// Error is one problem of a model file.
type Error struct {
	Line    int
	Message string
}

// Errors is every problem of a model file, in line order. Parse returns it as
// its error.
type Errors struct {
	File string
	List []Error
}

// Error prints one "FILE:LINE: message" per problem.
func (e *Errors) Error() string {
	lines := make([]string, len(e.List))
	for i, x := range e.List {
		lines[i] = fmt.Sprintf("%s:%d: %s", e.File, x.Line, x.Message)
	}
	return strings.Join(lines, "\n")
}

// Parse decodes and validates a model file, then prepares it for use. name
// labels the file in error messages. Any problem yields an *Errors listing
// all of them.
func Parse(name string, data []byte) (*roster.Model, error) {
	root, err := decodeDocument(data)
	if err != nil {
		return nil, &Errors{File: name, List: []Error{*err}}
	}
	p := newParser()
	m := p.model(root)
	p.validate(m)
	if len(p.errs) > 0 {
		sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Line < p.errs[j].Line })
		return nil, &Errors{File: name, List: p.errs}
	}
	if err := m.Prepare(); err != nil { // validate should have caught it
		return nil, &Errors{File: name, List: []Error{{Line: 1, Message: err.Error()}}}
	}
	return m, nil
}

// decodeDocument reads exactly one YAML document and returns its root node.
func decodeDocument(data []byte) (*yaml.Node, *Error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{Line: 1, Message: "the model file is empty"}
		}
		return nil, syntaxError(err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, &Error{Line: next.Line, Message: "a model file holds one YAML document; found another"}
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxError(err)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, &Error{Line: 1, Message: "the model file is empty"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &Error{Line: root.Line, Message: "the model must be a mapping of keys (name, names, features, roles, plans, ...), got " + got(root)}
	}
	return root, nil
}

// syntaxError turns a YAML error ("yaml: line 7: ...") into an Error.
func syntaxError(err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	var n int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &n); scanErr == nil && n > 0 {
		line = n
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
		// yaml.v3 numbers its parser's errors ("did not find expected key",
		// "... ',' or ']'") from 0 and its scanner's from 1: measured with
		// go.yaml.in/yaml/v3 v3.0.6, see TestSyntaxErrorLines.
		if strings.HasPrefix(msg, "did not find expected") {
			line++
		}
	}
	return &Error{Line: line, Message: "YAML: " + msg}
}
