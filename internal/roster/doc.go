// Package roster is the domain of Roster: organizations, users, members,
// invitations, roles, clients and the rules R1-R21 of docs/rules.md that bind them.
//
// It imports only the standard library. Storage (internal/sqlite), the
// authorization index (internal/authz), HTTP (internal/server) and mail
// (internal/mail) are adapters around it; cmd/roster wires them together.
//
// Every rule of docs/rules.md is implemented in a function or method whose doc
// comment starts with its number, e.g. "R8 no escalation": grep for "R8 " to
// find it.
package roster
