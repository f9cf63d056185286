package server

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// loadOpenAPI parses the embedded document.
func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openapiDoc, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	return doc
}

// openapiPath turns a ServeMux pattern into its OpenAPI operation key, e.g.
// "GET /api/v1/orgs/{org}" → ("GET", "/api/v1/orgs/{org}").
func openapiPath(pattern string) (method, path string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		return "", pattern
	}
	path = strings.ReplaceAll(path, "...}", "}")
	path = strings.TrimSuffix(path, "{$}")
	return strings.ToUpper(method), path
}

var openapiMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operation returns the operation object at method and path, or nil.
func operation(doc map[string]any, method, path string) map[string]any {
	paths, _ := doc["paths"].(map[string]any)
	item, _ := paths[path].(map[string]any)
	op, _ := item[strings.ToLower(method)].(map[string]any)
	return op
}

func TestOpenAPIMatchesRouteTable(t *testing.T) {
	doc := loadOpenAPI(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Fatalf("openapi = %q, want 3.x", doc["openapi"])
	}

	want := map[string]bool{}
	for _, rt := range (&Server{}).routeTable() { // the API and the service routes only: the portal's pages are not in it
		m, p := openapiPath(rt.pattern)
		want[m+" "+p] = true
	}
	got := map[string]bool{}
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatal("the document has no paths object")
	}
	for p, item := range paths {
		ops, ok := item.(map[string]any)
		if !ok {
			t.Errorf("path %s is not an object", p)
			continue
		}
		for k, op := range ops {
			if !slices.Contains(openapiMethods, k) {
				continue
			}
			got[strings.ToUpper(k)+" "+p] = true
			o, _ := op.(map[string]any)
			if id, _ := o["operationId"].(string); id == "" {
				t.Errorf("%s %s has no operationId", strings.ToUpper(k), p)
			}
			if _, ok := o["responses"].(map[string]any); !ok {
				t.Errorf("%s %s has no responses", strings.ToUpper(k), p)
			}
		}
	}
	var extra, missing []string
	for k := range got {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(extra)
	sort.Strings(missing)
	for _, k := range extra {
		t.Errorf("openapi.json documents %s, which is not in routeTable", k)
	}
	for _, k := range missing {
		t.Errorf("routeTable has %s, which openapi.json does not document", k)
	}
}

func TestOpenAPIOperationIDsUnique(t *testing.T) {
	doc := loadOpenAPI(t)
	seen := map[string]string{}
	for p, item := range doc["paths"].(map[string]any) {
		for k, op := range item.(map[string]any) {
			if !slices.Contains(openapiMethods, k) {
				continue
			}
			id, _ := op.(map[string]any)["operationId"].(string)
			if prev, dup := seen[id]; dup && id != "" {
				t.Errorf("operationId %q used by %s and %s %s", id, prev, strings.ToUpper(k), p)
			}
			seen[id] = strings.ToUpper(k) + " " + p
		}
	}
}

// resolveRef follows a local reference ("#/components/schemas/Error").
func resolveRef(doc map[string]any, ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func TestOpenAPIRefsResolve(t *testing.T) {
	doc := loadOpenAPI(t)
	n := 0
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				n++
				if !strings.HasPrefix(ref, "#/components/") {
					t.Errorf("%s: $ref %q does not point into components", at, ref)
				} else if _, ok := resolveRef(doc, ref); !ok {
					t.Errorf("%s: $ref %q does not resolve", at, ref)
				}
			}
			for k, e := range v {
				walk(at+"/"+k, e)
			}
		case []any:
			for i, e := range v {
				walk(at+"/"+strconv.Itoa(i), e)
			}
		}
	}
	walk("#", doc)
	if n == 0 {
		t.Fatal("no $ref found: the error responses should reference #/components/schemas/Error")
	}
}

// requestBodies maps each route that decodes a JSON body to its request
// struct; struct{}{} is a route that accepts only an empty object.
var requestBodies = map[string]any{
	"POST /api/v1/signup":                          signupRequest{},
	"POST /api/v1/verify-email":                    tokenRequest{},
	"POST /api/v1/sessions":                        loginRequest{},
	"PATCH /api/v1/me":                             updateMeRequest{},
	"POST /api/v1/me/totp":                         struct{}{},
	"POST /api/v1/me/totp/confirm":                 codeRequest{},
	"POST /api/v1/me/totp/disable":                 codeRequest{},
	"POST /api/v1/invitations/accept":              acceptRequest{},
	"PATCH " + org:                                 updateOrgRequest{},
	"POST " + org + "/transfer-ownership":          memberRefRequest{},
	"POST " + org + "/billing-contact":             memberRefRequest{},
	"PATCH " + org + "/members/{member}":           updateMemberRequest{},
	"PUT " + org + "/members/{member}/clients":     clientAccessRequest{},
	"POST " + org + "/members/{member}/revoke":     struct{}{},
	"POST " + org + "/members/{member}/reactivate": struct{}{},
	"POST " + org + "/members/{member}/resend":     struct{}{},
	"POST " + org + "/invitations":                 inviteRequest{},
	"POST " + org + "/clients":                     createClientRequest{},
	"PATCH " + org + "/clients/{client}":           updateClientRequest{},
	"POST " + org + "/check":                       checkRequest{},
	"POST /api/v1/check":                           batchCheckRequest{},
	"POST /api/v1/admin/orgs":                      adminCreateOrgRequest{},
	"PATCH /api/v1/admin/orgs/{org}":               adminUpdateOrgRequest{},
	"POST " + org + "/roles":                       roleRequest{},
	"PATCH " + org + "/roles/{key}":                roleRequest{},
	"PUT " + org + "/roles/order":                  reorderRolesRequest{},
	"POST " + org + "/teams":                       createTeamRequest{},
}

var jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// jsonFields lists the JSON names a struct decodes.
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f
	}
	return out
}

// objectSchema follows $ref and a oneOf/anyOf with null down to the object
// schema.
func objectSchema(doc map[string]any, v any) map[string]any {
	for range 10 {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if ref, ok := m["$ref"].(string); ok {
			v, _ = resolveRef(doc, ref)
			continue
		}
		alts, _ := m["oneOf"].([]any)
		if alts == nil {
			alts, _ = m["anyOf"].([]any)
		}
		if alts == nil {
			return m
		}
		v = nil
		for _, a := range alts {
			if am, _ := a.(map[string]any); am != nil && am["type"] != "null" {
				v = a
				break
			}
		}
	}
	return nil
}

// compareSchema checks that schema's properties are exactly the JSON fields
// of typ and that unknown fields are refused, then recurses into fields that
// are structs (or slices of, or pointers to, structs).
func compareSchema(t *testing.T, doc map[string]any, at string, typ reflect.Type, schema map[string]any) {
	t.Helper()
	if schema == nil {
		t.Errorf("%s: no object schema", at)
		return
	}
	if ap, ok := schema["additionalProperties"].(bool); !ok || ap {
		t.Errorf("%s: schema lacks additionalProperties: false (the decoder refuses unknown fields)", at)
	}
	props, _ := schema["properties"].(map[string]any)
	fields := jsonFields(typ)
	var extra, missing []string
	for name := range props {
		if _, ok := fields[name]; !ok {
			extra = append(extra, name)
		}
	}
	for name := range fields {
		if _, ok := props[name]; !ok {
			missing = append(missing, name)
		}
	}
	sort.Strings(extra)
	sort.Strings(missing)
	if len(extra) > 0 {
		t.Errorf("%s: schema has properties %v that %s does not decode", at, extra, typ)
	}
	if len(missing) > 0 {
		t.Errorf("%s: %s decodes %v, missing from the schema", at, typ, missing)
	}
	for name, f := range fields {
		ft, prop := f.Type, objectSchema(doc, props[name])
		if prop == nil || reflect.PointerTo(ft).Implements(jsonUnmarshalerType) {
			continue
		}
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			if ft.Kind() == reflect.Slice {
				prop = objectSchema(doc, prop["items"])
				if prop == nil {
					break
				}
			}
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && prop != nil && !reflect.PointerTo(ft).Implements(jsonUnmarshalerType) {
			compareSchema(t, doc, at+"."+name, ft, prop)
		} else if ft.Kind() == reflect.Struct && prop == nil {
			t.Errorf("%s.%s: no object schema for %s", at, name, ft)
		}
	}
}

func TestOpenAPIRequestBodiesMatchStructs(t *testing.T) {
	doc := loadOpenAPI(t)
	routes := map[string]bool{}
	for _, rt := range (&Server{}).routeTable() {
		routes[rt.pattern] = true
	}
	for pattern, v := range requestBodies {
		if !routes[pattern] {
			t.Errorf("%s is in requestBodies but not in routeTable", pattern)
			continue
		}
		method, path := openapiPath(pattern)
		op := operation(doc, method, path)
		if op == nil {
			t.Errorf("%s: no operation in openapi.json", pattern)
			continue
		}
		rb, _ := op["requestBody"].(map[string]any)
		content, _ := rb["content"].(map[string]any)
		media, _ := content["application/json"].(map[string]any)
		if media == nil {
			t.Errorf("%s: no application/json requestBody", pattern)
			continue
		}
		compareSchema(t, doc, pattern, reflect.TypeOf(v), objectSchema(doc, media["schema"]))
	}
	// A route without a request struct documents no body.
	for pattern := range routes {
		if _, ok := requestBodies[pattern]; ok {
			continue
		}
		method, path := openapiPath(pattern)
		if op := operation(doc, method, path); op != nil && op["requestBody"] != nil {
			t.Errorf("%s documents a requestBody but its handler decodes none (add it to requestBodies?)", pattern)
		}
	}
}

func TestOpenAPIErrorResponsesUseErrorSchema(t *testing.T) {
	doc := loadOpenAPI(t)
	for p, item := range doc["paths"].(map[string]any) {
		for k, op := range item.(map[string]any) {
			if !slices.Contains(openapiMethods, k) {
				continue
			}
			responses, _ := op.(map[string]any)["responses"].(map[string]any)
			for status, r := range responses {
				if status < "400" || status == "default" {
					continue
				}
				rm, _ := r.(map[string]any)
				content, _ := rm["content"].(map[string]any)
				media, _ := content["application/json"].(map[string]any)
				schema, _ := media["schema"].(map[string]any)
				if schema["$ref"] != "#/components/schemas/Error" {
					t.Errorf("%s %s: response %s does not reference #/components/schemas/Error", strings.ToUpper(k), p, status)
				}
			}
		}
	}
}
