package server

import (
	"reflect"

	"github.com/roster-dev/roster/internal/roster"
)

// RouteForTest is one entry of the route table, as the external tests of
// this package (package server_test) see it.
type RouteForTest struct {
	Pattern string
	Need    roster.Requirement
}

// RouteTableForTest returns the server's route table: the tenancy sweep
// (tenancy_sweep_test.go) calls every route it lists.
func RouteTableForTest() []RouteForTest {
	var out []RouteForTest
	for _, rt := range (&Server{}).routeTable() {
		out = append(out, RouteForTest{Pattern: rt.pattern, Need: rt.need})
	}
	return out
}

// RequestFieldsForTest maps each route that decodes a JSON body to the
// JSON names its request struct accepts (from requestBodies).
func RequestFieldsForTest() map[string][]string {
	out := map[string][]string{}
	for pattern, v := range requestBodies {
		out[pattern] = []string{}
		for name := range jsonFields(reflect.TypeOf(v)) {
			out[pattern] = append(out[pattern], name)
		}
	}
	return out
}
