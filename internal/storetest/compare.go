package storetest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// same compares deeply, with three allowances a store cannot avoid: times
// are equal when they are the same instant (time.Time.Equal, whatever the
// location), JSON documents when they decode to the same value, and a nil
// slice equals an empty one (tests that need non-nil slices say so).
func same(a, b any) bool {
	return sameValue(reflect.ValueOf(a), reflect.ValueOf(b))
}

func sameValue(a, b reflect.Value) bool {
	if !a.IsValid() || !b.IsValid() {
		return a.IsValid() == b.IsValid()
	}
	switch a.Type() {
	case timeType:
		return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
	case rawType:
		return sameJSON(a.Bytes(), b.Bytes())
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	default:
		return a.Equal(b)
	}
}

func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// sorted returns a sorted copy, for lists whose order the contract leaves open.
func sorted[T ~string](s []T) []T {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// normMember sorts the member's clients and teams.
func normMember(m roster.Member) roster.Member {
	m.Clients, m.Teams = sorted(m.Clients), sorted(m.Teams)
	return m
}

// memberIDs lists the ids of ms in order.
func memberIDs(ms []roster.Member) []roster.MemberID {
	ids := make([]roster.MemberID, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

func clientIDs(cs []roster.Client) []roster.ClientID {
	ids := make([]roster.ClientID, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func eventIDs(es []roster.AuditEvent) []roster.EventID {
	ids := make([]roster.EventID, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

// checkSlicesFilled fails when a member read back has nil Clients or Teams.
func checkSlicesFilled(t interface{ Errorf(string, ...any) }, what string, ms ...roster.Member) {
	for _, m := range ms {
		if m.Clients == nil || m.Teams == nil {
			t.Errorf("%s: member %s: got nil Clients (%v) or Teams (%v), want empty slices", what, m.ID, m.Clients == nil, m.Teams == nil)
		}
	}
}
