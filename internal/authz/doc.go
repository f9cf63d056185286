// Package authz is Roster's in-memory authorization index. It answers "may
// user U do permission P (on client C) in organization O?" (rule R19) with a
// Decision and its Reason, without I/O.
//
// Each organization is an immutable snapshot built from a roster.OrgAccess.
// Writers build a snapshot, then copy the organization map under a mutex and
// swap it atomically; readers never lock, and a check costs a few map lookups
// and a bit test and allocates nothing.
package authz
