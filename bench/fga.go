package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	openfgav1 "github.com/openfga/api/proto/openfga/v1"
	"github.com/openfga/language/pkg/go/transformer"
	"github.com/openfga/openfga/pkg/server"
	"github.com/openfga/openfga/pkg/storage/migrate"
	"github.com/openfga/openfga/pkg/storage/sqlcommon"
	"github.com/openfga/openfga/pkg/storage/sqlite"

	"github.com/roster-dev/roster/internal/roster"
)

// fgaEval is OpenFGA embedded in the process: its server package over its
// SQLite datastore (a file in a temporary directory, migrated with its own
// migrations), without network listeners; Write and Check are called as Go
// methods, as the gRPC handlers would call them.
type fgaEval struct {
	batch   int // tuples per Write
	dir     string
	ds      *sqlite.Datastore
	srv     *server.Server
	store   string
	modelID string
	// perms is the catalog: relation name of each permission, and whether
	// it is checked on the client rather than the organization.
	perms map[string]fgaPerm
}

type fgaPerm struct {
	relation  string
	perClient bool
}

func (*fgaEval) name() string { return "OpenFGA (embedded, SQLite)" }

// relationName makes a permission or role key a relation name.
func relationName(key string) string { return strings.ReplaceAll(key, ".", "_") }

// fgaModel writes the authorization model in OpenFGA's DSL:
//
//   - organization: one relation per role (role_<key>, direct users), and
//     sees_all for the members whose effective mode is all; each permission
//     is the union of the roles that hold it.
//   - client: its organization (org) and the members it is assigned to in
//     mode specific (assigned); a per-client permission is the permission
//     on the client's organization intersected with the member's access to
//     the client (assigned, or sees_all on the organization).
//
// A client object's id is "<organization>/<client>", so that a client is
// only ever asked about within the organization of the query, as Roster's
// check looks the client up in that organization's snapshot.
func fgaModel(m *roster.Model) (string, map[string]fgaPerm) {
	var b strings.Builder
	b.WriteString("model\n  schema 1.1\n\ntype user\n\ntype organization\n  relations\n")
	holders := map[string][]string{}
	for _, role := range m.Roles {
		fmt.Fprintf(&b, "    define role_%s: [user]\n", relationName(role.Key))
		for _, key := range role.Permissions {
			holders[key] = append(holders[key], "role_"+relationName(role.Key))
		}
	}
	b.WriteString("    define sees_all: [user]\n")
	perms := map[string]fgaPerm{}
	var perClient []string
	for i := range m.PermissionCount() {
		p := m.PermissionAt(i)
		rel := relationName(p.Key)
		perms[p.Key] = fgaPerm{relation: rel, perClient: p.PerClient}
		if p.PerClient {
			perClient = append(perClient, rel)
		}
		if len(holders[p.Key]) == 0 {
			fmt.Fprintf(&b, "    define %s: [user]\n", rel) // held by no role: no tuple is ever written
			continue
		}
		fmt.Fprintf(&b, "    define %s: %s\n", rel, strings.Join(holders[p.Key], " or "))
	}
	b.WriteString("\ntype client\n  relations\n    define org: [organization]\n    define assigned: [user]\n")
	for _, rel := range perClient {
		fmt.Fprintf(&b, "    define %s: %s from org and (assigned or sees_all from org)\n", rel, rel)
	}
	return b.String(), perms
}

func (f *fgaEval) load(w *workload) error {
	ctx := context.Background()
	var err error
	if f.dir, err = os.MkdirTemp("", "roster-bench-openfga-"); err != nil {
		return err
	}
	uri := "file:" + filepath.Join(f.dir, "openfga.db")
	if err := migrate.RunMigrations(migrate.MigrationConfig{Engine: "sqlite", URI: uri, Timeout: time.Minute, PingTimeout: 10 * time.Second}); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if f.ds, err = sqlite.New(uri, sqlcommon.NewConfig(sqlcommon.WithMaxTuplesPerWrite(f.batch))); err != nil {
		return fmt.Errorf("datastore: %w", err)
	}
	if f.srv, err = server.NewServerWithOpts(server.WithDatastore(f.ds)); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	st, err := f.srv.CreateStore(ctx, &openfgav1.CreateStoreRequest{Name: "roster-bench"})
	if err != nil {
		return fmt.Errorf("create store: %w", err)
	}
	f.store = st.GetId()
	dsl, perms := fgaModel(w.Model)
	f.perms = perms
	am, err := transformer.TransformDSLToProto(dsl)
	if err != nil {
		return fmt.Errorf("model: %w\n%s", err, dsl)
	}
	wm, err := f.srv.WriteAuthorizationModel(ctx, &openfgav1.WriteAuthorizationModelRequest{
		StoreId: f.store, TypeDefinitions: am.GetTypeDefinitions(), SchemaVersion: am.GetSchemaVersion(),
	})
	if err != nil {
		return fmt.Errorf("write model: %w\n%s", err, dsl)
	}
	f.modelID = wm.GetAuthorizationModelId()
	var tuples []*openfgav1.TupleKey
	flush := func() error {
		if len(tuples) == 0 {
			return nil
		}
		_, err := f.srv.Write(ctx, &openfgav1.WriteRequest{
			StoreId: f.store, AuthorizationModelId: f.modelID,
			Writes: &openfgav1.WriteRequestWrites{TupleKeys: tuples},
		})
		tuples = tuples[:0]
		return err
	}
	add := func(user, relation, object string) error {
		tuples = append(tuples, &openfgav1.TupleKey{User: user, Relation: relation, Object: object})
		if len(tuples) == f.batch {
			return flush()
		}
		return nil
	}
	for i := range w.Orgs {
		a := &w.Orgs[i]
		org := "organization:" + string(a.OrgID)
		for _, c := range a.Clients {
			if err := add(org, "org", fgaClient(a.OrgID, c)); err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
		var werr error
		grants(w.Model, a, func(g grant) {
			user := "user:" + string(g.user)
			werr = firstErr(werr, add(user, "role_"+relationName(g.role), org))
			switch g.mode {
			case roster.AccessAll:
				werr = firstErr(werr, add(user, "sees_all", org))
			case roster.AccessSpecific:
				for _, c := range g.clients {
					werr = firstErr(werr, add(user, "assigned", fgaClient(a.OrgID, c)))
				}
			}
		})
		if werr != nil {
			return fmt.Errorf("write: %w", werr)
		}
	}
	if err := flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func fgaClient(org roster.OrgID, c roster.ClientID) string {
	return "client:" + string(org) + "/" + string(c)
}

// check asks OpenFGA's Check. What the catalog settles without a relation
// to ask about is settled here, as an application in front of OpenFGA would
// settle it: an unknown permission has no relation (Check would fail with
// an invalid-relation error), and a per-client permission without a client
// has no object.
func (f *fgaEval) check(q *query) (bool, error) {
	p, ok := f.perms[q.Perm]
	if !ok {
		return false, nil
	}
	object := "organization:" + string(q.Org)
	if p.perClient {
		if q.Client == "" {
			return false, nil
		}
		object = fgaClient(q.Org, q.Client)
	}
	res, err := f.srv.Check(context.Background(), &openfgav1.CheckRequest{
		StoreId: f.store, AuthorizationModelId: f.modelID,
		TupleKey: &openfgav1.CheckRequestTupleKey{User: "user:" + string(q.User), Relation: p.relation, Object: object},
	})
	if err != nil {
		return false, err
	}
	return res.GetAllowed(), nil
}

// dbBytes is the size of the SQLite files: the data OpenFGA keeps outside
// the Go heap.
func (f *fgaEval) dbBytes() int64 {
	var n int64
	entries, _ := os.ReadDir(f.dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			n += info.Size()
		}
	}
	return n
}

func (f *fgaEval) close() {
	switch {
	case f.srv != nil:
		f.srv.Close() // closes the datastore too
	case f.ds != nil:
		f.ds.Close()
	}
	if f.dir != "" {
		if err := os.RemoveAll(f.dir); err != nil {
			fmt.Fprintf(os.Stderr, "bench: remove OpenFGA's database: %v\n", err)
		}
	}
}
