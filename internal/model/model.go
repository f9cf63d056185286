// Package model reads Roster's model file (SPEC.md section 3): the YAML that
// declares what an organization and a client are called, the permission
// catalog, the system roles, the plans and the policy switches. The four
// presets of SPEC.md section 4 are model files embedded here.
//
// Parse reports every problem of a file at once, each with its line number,
// so `roster model check FILE` can print them all.
package model

import (
	"embed"
	"fmt"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/roster-dev/roster/internal/roster"
)

//go:embed presets/*.yaml
var presets embed.FS

// PresetNames lists the built-in presets.
func PresetNames() []string { return []string{"practice", "wealth", "marketing", "accounts"} }

// PresetSource returns a preset's YAML, for `roster model show`.
func PresetSource(name string) ([]byte, bool) {
	for _, n := range PresetNames() {
		if n == name {
			b, err := presets.ReadFile("presets/" + name + ".yaml")
			return b, err == nil
		}
	}
	return nil, false
}

// Preset parses a built-in preset.
func Preset(name string) (*roster.Model, error) {
	src, ok := PresetSource(name)
	if !ok {
		return nil, fmt.Errorf("unknown preset %q (presets: %s)", name, strings.Join(PresetNames(), ", "))
	}
	return Parse(name+".yaml", src)
}

// Load reads a preset by name, or else a model file by path.
func Load(nameOrPath string) (*roster.Model, error) {
	if _, ok := PresetSource(nameOrPath); ok {
		return Preset(nameOrPath)
	}
	data, err := os.ReadFile(nameOrPath)
	if err != nil {
		return nil, fmt.Errorf("model %q is neither a preset (%s) nor a readable file: %w", nameOrPath, strings.Join(PresetNames(), ", "), err)
	}
	return Parse(nameOrPath, data)
}

// Error is one problem of a model file.
type Error struct {
	Line    int
	Message string
}

// Errors is every problem of a model file, in line order.
type Errors struct {
	File string
	List []Error
}

func (e *Errors) Error() string {
	lines := make([]string, len(e.List))
	for i, x := range e.List {
		lines[i] = fmt.Sprintf("%s:%d: %s", e.File, x.Line, x.Message)
	}
	return strings.Join(lines, "\n")
}

// Parse reads and validates a model file, then prepares it for use.
func Parse(file string, data []byte) (*roster.Model, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Errors{File: file, List: []Error{yamlError(err)}}
	}
	p := &parser{}
	m := p.model(&doc)
	p.validate(m)
	if len(p.errs) > 0 {
		sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Line < p.errs[j].Line })
		return nil, &Errors{File: file, List: p.errs}
	}
	if err := m.Prepare(); err != nil {
		return nil, &Errors{File: file, List: []Error{{Line: 1, Message: err.Error()}}}
	}
	return m, nil
}

// yamlError turns a YAML syntax error ("yaml: line 7: ...") into an Error.
func yamlError(err error) Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	if line == 0 {
		line = 1
	}
	return Error{Line: line, Message: msg}
}
