package roster

import (
	"fmt"
	"strings"
)

// ClientAccessRule is a role's rule for which clients its members see (R10).
type ClientAccessRule string

const (
	AccessAll          ClientAccessRule = "all"            // every client, cannot be narrowed
	AccessAllByDefault ClientAccessRule = "all_by_default" // every client unless narrowed
	AccessSpecific     ClientAccessRule = "specific"       // only assigned clients
	AccessNone         ClientAccessRule = "none"           // the model has no clients
)

// ExistingUsersPolicy says what an invitation does to an address that already
// has a verified account (R4).
type ExistingUsersPolicy string

const (
	ExistingUsersJoin   ExistingUsersPolicy = "join"
	ExistingUsersInvite ExistingUsersPolicy = "invite"
)

// MaxPermissions bounds a model's catalog so a permission set fits a PermSet.
const MaxPermissions = 256

// Model is one deployment's declaration of names, permissions, roles, plans and
// policy switches (docs/rules.md, "The model file"). It is read by internal/model from YAML and
// must be Prepared before use; after that it is immutable.
type Model struct {
	Name  string `json:"name"`
	Names Names  `json:"names"`

	Features []Feature `json:"features"`
	Roles    []RoleDef `json:"roles"` // system roles in display order
	Plans    []Plan    `json:"plans"`

	OwnerRole   string `json:"owner_role"`
	DefaultRole string `json:"default_role"`
	DefaultPlan string `json:"default_plan"`

	ExistingUsers          ExistingUsersPolicy `json:"existing_users"`
	InviteNamesRequired    bool                `json:"invite_names_required"`
	OwnershipTransfer      bool                `json:"ownership_transfer"`
	BillingContact         bool                `json:"billing_contact"`
	AgentAccess            bool                `json:"agent_access"`
	Teams                  bool                `json:"teams"`
	MembersViewPermission  string              `json:"members_view_permission,omitempty"`
	SettingsPermission     string              `json:"settings_permission,omitempty"`
	ClientsAdminPermission string              `json:"clients_admin_permission,omitempty"`

	// Derived by Prepare.
	permIndex map[string]int
	perms     []Permission
	roleIndex map[string]int
	all       PermSet
}

// Names holds what the model calls an organization and a client. Client is
// empty when the model has no clients.
type Names struct {
	Organization string `json:"organization"`
	Client       string `json:"client,omitempty"`
}

// Feature groups permissions; its key is the part of a permission key before
// the dot.
type Feature struct {
	Key         string       `json:"key"`
	Name        string       `json:"name"`
	Permissions []Permission `json:"permissions"`
}

// Permission is one `feature.action` key of the catalog.
type Permission struct {
	Key       string `json:"key"`
	Name      string `json:"name"`
	PerClient bool   `json:"per_client"`
}

// RoleDef is a system role of the model.
type RoleDef struct {
	Key          string           `json:"key"`
	Name         string           `json:"name"`
	Description  string           `json:"description,omitempty"`
	Permissions  []string         `json:"permissions"`
	ClientAccess ClientAccessRule `json:"client_access"`
	Admin        bool             `json:"admin"`
	// NotAssignable roles cannot be given by invitation or role change
	// (the accounts preset's primary role).
	NotAssignable bool `json:"not_assignable,omitempty"`
}

// Plan is a subscription level. Nil limits mean unlimited.
type Plan struct {
	Key            string `json:"key"`
	Name           string `json:"name"`
	Seats          *int   `json:"seats"`
	AgentSeats     *int   `json:"agent_seats"`
	FreeAgentSeats int    `json:"free_agent_seats"`
	CustomRoles    bool   `json:"custom_roles"`
}

// Prepare computes the model's lookup tables. It reports the first
// inconsistency it finds; internal/model reports all of them with line
// numbers before this is called.
func (m *Model) Prepare() error {
	m.permIndex = map[string]int{}
	m.perms = nil
	for _, f := range m.Features {
		for _, p := range f.Permissions {
			if _, dup := m.permIndex[p.Key]; dup {
				return fmt.Errorf("model %s: duplicate permission %q", m.Name, p.Key)
			}
			if len(m.perms) == MaxPermissions {
				return fmt.Errorf("model %s: more than %d permissions", m.Name, MaxPermissions)
			}
			m.permIndex[p.Key] = len(m.perms)
			m.perms = append(m.perms, p)
			m.all.add(len(m.perms) - 1)
		}
	}
	m.roleIndex = map[string]int{}
	for i, r := range m.Roles {
		if _, dup := m.roleIndex[r.Key]; dup {
			return fmt.Errorf("model %s: duplicate role %q", m.Name, r.Key)
		}
		for _, p := range r.Permissions {
			if _, ok := m.permIndex[p]; !ok {
				return fmt.Errorf("model %s: role %s: unknown permission %q", m.Name, r.Key, p)
			}
		}
		m.roleIndex[r.Key] = i
	}
	for _, key := range []string{m.OwnerRole, m.DefaultRole} {
		if _, ok := m.roleIndex[key]; !ok {
			return fmt.Errorf("model %s: unknown role %q", m.Name, key)
		}
	}
	if _, ok := m.Plan(m.DefaultPlan); !ok {
		return fmt.Errorf("model %s: unknown default plan %q", m.Name, m.DefaultPlan)
	}
	return nil
}

// HasClients reports whether the model scopes access per client.
func (m *Model) HasClients() bool { return m.Names.Client != "" }

// PermissionCount is the size of the catalog.
func (m *Model) PermissionCount() int { return len(m.perms) }

// PermissionIndex returns the position of key in the catalog.
func (m *Model) PermissionIndex(key string) (int, bool) {
	i, ok := m.permIndex[key]
	return i, ok
}

// Permission returns the catalog entry for key.
func (m *Model) Permission(key string) (Permission, bool) {
	i, ok := m.permIndex[key]
	if !ok {
		return Permission{}, false
	}
	return m.perms[i], true
}

// PermissionAt returns the catalog entry at index i.
func (m *Model) PermissionAt(i int) Permission { return m.perms[i] }

// AllPermissions is the set of every permission in the catalog.
func (m *Model) AllPermissions() PermSet { return m.all }

// SystemRole returns the model's role with that key.
func (m *Model) SystemRole(key string) (RoleDef, bool) {
	i, ok := m.roleIndex[key]
	if !ok {
		return RoleDef{}, false
	}
	return m.Roles[i], true
}

// Plan returns the plan with that key.
func (m *Model) Plan(key string) (Plan, bool) {
	for _, p := range m.Plans {
		if p.Key == key {
			return p, true
		}
	}
	return Plan{}, false
}

// PermSetOf converts permission keys into a set; unknown keys are ignored.
func (m *Model) PermSetOf(keys []string) PermSet {
	var s PermSet
	for _, k := range keys {
		if i, ok := m.permIndex[k]; ok {
			s.add(i)
		}
	}
	return s
}

// Keys lists the permission keys of s in catalog order.
func (m *Model) Keys(s PermSet) []string {
	keys := []string{}
	for i, p := range m.perms {
		if s.Has(i) {
			keys = append(keys, p.Key)
		}
	}
	return keys
}

// FeatureOf returns the feature part of a permission key.
func FeatureOf(key string) string {
	f, _, _ := strings.Cut(key, ".")
	return f
}

// PermSet is a set of catalog positions, a fixed-size bit set so that checks
// allocate nothing.
type PermSet [MaxPermissions / 64]uint64

func (s *PermSet) add(i int) { s[i/64] |= 1 << (uint(i) % 64) }

// Has reports whether position i is in the set.
func (s *PermSet) Has(i int) bool { return s[i/64]&(1<<(uint(i)%64)) != 0 }

// Contains reports whether every member of o is in s.
func (s PermSet) Contains(o PermSet) bool {
	for i := range s {
		if o[i]&^s[i] != 0 {
			return false
		}
	}
	return true
}

// Equal reports whether the sets are the same.
func (s PermSet) Equal(o PermSet) bool { return s == o }
