package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"sync"
	"time"

	"github.com/roster-dev/roster/client"
	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/model"
	"github.com/roster-dev/roster/internal/password"
)

// exampleNode starts a Roster node for an example: a fresh SQLite file, the
// preset's model, and a clock that moves one second at each reading (so
// that creation order is certain). stop shuts it down.
func exampleNode(preset string) (baseURL, operatorToken string, stop func()) {
	dir, err := os.MkdirTemp("", "roster-example-")
	if err != nil {
		log.Fatal(err)
	}
	m, err := model.Preset(preset)
	if err != nil {
		log.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	params := password.TestParams()
	srv := httptest.NewUnstartedServer(nil)
	baseURL = "http://" + srv.Listener.Addr().String()
	operatorToken = "example-operator-token-0123456789"
	a, err := app.New(context.Background(), app.Options{
		DB: filepath.Join(dir, "roster.db"), Model: m, MailDir: filepath.Join(dir, "mail"), BaseURL: baseURL,
		SignupOpen: true, InviteTTL: 7 * 24 * time.Hour, SecretKey: bytes.Repeat([]byte{7}, 32),
		OperatorToken: operatorToken, Clock: clock, PasswordParams: &params, MailPoll: time.Hour,
	})
	if err != nil {
		log.Fatal(err)
	}
	srv.Config.Handler = a.Handler
	srv.Start()
	return baseURL, operatorToken, func() {
		srv.Close()
		a.Close()
		os.RemoveAll(dir)
	}
}

const examplePassword = "correct-kettle-orbit-42"

// An accounting practice signs up, adds a client, invites a bookkeeper who
// serves only that client, and asks the node what the bookkeeper may do.
func Example() {
	baseURL, _, stop := exampleNode("practice")
	defer stop()
	ctx := context.Background()

	anon := client.New(baseURL)
	acct, err := anon.Signup(ctx, client.SignupRequest{
		Email: "ada@example.com", Password: examplePassword,
		FirstName: "Ada", LastName: "Lovelace", OrganizationName: "Lovelace & Co",
	})
	if err != nil {
		log.Fatal(err)
	}
	owner := client.New(baseURL, client.WithToken(acct.Token))
	orgID := acct.Organization.ID

	alpha, err := owner.CreateClient(ctx, orgID, client.CreateClientRequest{Name: "Alpha Ltd"})
	if err != nil {
		log.Fatal(err)
	}
	beta, err := owner.CreateClient(ctx, orgID, client.CreateClientRequest{Name: "Beta Ltd"})
	if err != nil {
		log.Fatal(err)
	}
	results, err := owner.Invite(ctx, orgID, client.InviteRequest{
		Emails:       []string{"bob@example.com"},
		Role:         "bookkeeper",
		ClientAccess: &client.ClientAccess{Mode: client.AccessSpecific, Clients: []string{alpha.ID}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(results[0].Email, results[0].Status)

	// Bob accepts with the token of his link (<base-url>/invite/<token>).
	bob, err := anon.AcceptInvitation(ctx, client.AcceptRequest{
		Token: path.Base(results[0].AcceptURL), Password: examplePassword, FirstName: "Bob", LastName: "Smith",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bob.Member.Role, bob.Member.Status)

	for _, clientID := range []string{alpha.ID, beta.ID} {
		d, err := owner.Check(ctx, orgID, client.CheckRequest{UserID: bob.User.ID, Permission: "clients.view", ClientID: clientID})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(d.Allowed, d.Reason)
	}
	// Output:
	// bob@example.com invited
	// bookkeeper active
	// true granted
	// false client_not_assigned
}

func ExampleNew() {
	c := client.New("https://roster.example.com",
		client.WithToken(os.Getenv("ROSTER_TOKEN")),
		client.WithHTTPClient(&http.Client{Timeout: 10 * time.Second}))
	_ = c
}

// Lists come a page at a time; NextCursor is "" on the last page.
func ExampleClient_ListMembers() {
	baseURL, _, stop := exampleNode("practice")
	defer stop()
	ctx := context.Background()
	acct, err := client.New(baseURL).Signup(ctx, client.SignupRequest{
		Email: "ada@example.com", Password: examplePassword, FirstName: "Ada", LastName: "Lovelace", OrganizationName: "Lovelace & Co"})
	if err != nil {
		log.Fatal(err)
	}
	c := client.New(baseURL, client.WithToken(acct.Token))
	orgID := acct.Organization.ID
	for _, email := range []string{"bob@example.com", "cy@example.com", "dee@example.com"} {
		if _, err := c.Invite(ctx, orgID, client.InviteRequest{Emails: []string{email}, Role: "view_only"}); err != nil {
			log.Fatal(err)
		}
	}

	q := client.MemberQuery{Statuses: []string{client.StatusInvited}, Limit: 2}
	for {
		page, err := c.ListMembers(ctx, orgID, q)
		if err != nil {
			log.Fatal(err)
		}
		for _, m := range page.Members {
			fmt.Println(m.Email, m.Role, m.Status)
		}
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}

	// AllMembers does the same walk.
	n := 0
	for _, err := range c.AllMembers(ctx, orgID, client.MemberQuery{Limit: 1}) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println(n, "members")
	// Output:
	// bob@example.com view_only invited
	// cy@example.com view_only invited
	// dee@example.com view_only invited
	// 4 members
}

// Refusals are *client.Error values: the HTTP status, the contract's code,
// and the field at fault for a 422.
func ExampleError() {
	baseURL, _, stop := exampleNode("practice")
	defer stop()
	ctx := context.Background()
	acct, err := client.New(baseURL).Signup(ctx, client.SignupRequest{
		Email: "ada@example.com", Password: examplePassword, FirstName: "Ada", LastName: "Lovelace", OrganizationName: "Lovelace & Co"})
	if err != nil {
		log.Fatal(err)
	}
	c := client.New(baseURL, client.WithToken(acct.Token))

	_, err = c.Invite(ctx, acct.Organization.ID, client.InviteRequest{Emails: []string{"bob@example.com"}, Role: "wizard"})
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Code, apiErr.Field)
	}

	_, err = c.GetMember(ctx, acct.Organization.ID, "mem_nothere")
	fmt.Println(client.StatusOf(err), client.IsCode(err, client.CodeNotFound))
	// Output:
	// 422 validation_failed role
	// 404 true
}

// A manager may not give a role that holds permissions it lacks (R8).
func ExampleIsCode() {
	baseURL, _, stop := exampleNode("practice")
	defer stop()
	ctx := context.Background()
	anon := client.New(baseURL)
	acct, err := anon.Signup(ctx, client.SignupRequest{
		Email: "ada@example.com", Password: examplePassword, FirstName: "Ada", LastName: "Lovelace", OrganizationName: "Lovelace & Co"})
	if err != nil {
		log.Fatal(err)
	}
	owner := anon.As(acct.Token)
	res, err := owner.Invite(ctx, acct.Organization.ID, client.InviteRequest{Emails: []string{"mgr@example.com"}, Role: "client_manager"})
	if err != nil {
		log.Fatal(err)
	}
	mgr, err := anon.AcceptInvitation(ctx, client.AcceptRequest{
		Token: path.Base(res[0].AcceptURL), Password: examplePassword, FirstName: "Max", LastName: "Manager"})
	if err != nil {
		log.Fatal(err)
	}

	_, err = anon.As(mgr.Token).Invite(ctx, acct.Organization.ID, client.InviteRequest{Emails: []string{"eve@example.com"}, Role: "practice_admin"})
	switch {
	case client.IsCode(err, client.CodeEscalation):
		fmt.Println("refused: the role is above the manager's")
	case err != nil:
		log.Fatal(err)
	}
	// Output:
	// refused: the role is above the manager's
}

// The operator checks many users of many organizations in one call.
func ExampleClient_CheckBatch() {
	baseURL, operatorToken, stop := exampleNode("practice")
	defer stop()
	ctx := context.Background()
	acct, err := client.New(baseURL).Signup(ctx, client.SignupRequest{
		Email: "ada@example.com", Password: examplePassword, FirstName: "Ada", LastName: "Lovelace", OrganizationName: "Lovelace & Co"})
	if err != nil {
		log.Fatal(err)
	}

	op := client.New(baseURL, client.WithToken(operatorToken))
	ds, err := op.CheckBatch(ctx, []client.BatchCheck{
		{OrgID: acct.Organization.ID, UserID: acct.User.ID, Permission: "practice.billing"},
		{OrgID: acct.Organization.ID, UserID: "usr_stranger", Permission: "practice.billing"},
		{OrgID: acct.Organization.ID, UserID: acct.User.ID, Permission: "rockets.launch"},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range ds {
		fmt.Println(d.Allowed, d.Reason)
	}
	// Output:
	// true granted
	// false not_member
	// false unknown_permission
}
