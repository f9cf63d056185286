// Package client is the Go client of Roster's JSON API (docs/api.md; the node
// serves the full contract at GET /api/v1/openapi.json). It uses the
// standard library only.
//
// Build a client with the node's base URL and a bearer token (a session
// token from Signup, Login or AcceptInvitation, or the operator token), then
// call one method per route, a context.Context first:
//
//	c := client.New("https://roster.example.com",
//		client.WithToken(os.Getenv("ROSTER_TOKEN")),
//		client.WithHTTPClient(&http.Client{Timeout: 10 * time.Second}))
//
//	results, err := c.Invite(ctx, orgID, client.InviteRequest{
//		Emails: []string{"ada@example.com"}, Role: "bookkeeper"})
//	switch {
//	case client.IsCode(err, client.CodeSeatLimitReached):
//		// the plan is full: nobody was invited
//	case err != nil:
//		return err
//	}
//	for _, r := range results {
//		fmt.Println(r.Email, r.Status) // invited, added, or error (r.Error)
//	}
//
//	d, err := c.Check(ctx, orgID, client.CheckRequest{
//		UserID: userID, Permission: "clients.view", ClientID: clientID})
//	if err == nil && d.Allowed { ... }
//
// A Client is safe for concurrent use. c.As(token) returns a copy that acts
// for another session, which suits programs (and tests) that act for
// several users.
//
// # Optional fields
//
// PATCH requests take pointers: a nil field is left unchanged. Ptr makes
// one from a value:
//
//	c.UpdateMember(ctx, orgID, memberID, client.UpdateMemberRequest{Role: client.Ptr("bookkeeper")})
//
// # Lists
//
// List methods return one page and its NextCursor ("" on the last page);
// pass it back as the query's Cursor. AllMembers walks every page:
//
//	for m, err := range c.AllMembers(ctx, orgID, client.MemberQuery{Statuses: []string{client.StatusActive}}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(m.Email, m.Role)
//	}
//
// # Errors
//
// Every answer outside 2xx is returned as an *Error holding the HTTP
// status and the contract's error body {"error": {"code", "message",
// "field"}}: the code (one of the Code constants), a message safe to show,
// the field at fault for 422 validation_failed, and Retry-After for 429
// rate_limited and 503 unavailable. Use errors.As, or the helpers IsCode,
// StatusOf and FieldOf:
//
//	_, err := c.UpdateMember(ctx, orgID, memberID, client.UpdateMemberRequest{Role: client.Ptr("admin")})
//	var apiErr *client.Error
//	if errors.As(err, &apiErr) && apiErr.Code == client.CodeEscalation {
//		// the role holds a permission the caller lacks (R8)
//	}
//
// Other errors (a network failure, a cancelled context) are returned
// wrapped, and StatusOf reports 0 for them.
//
// # Retries
//
// The client never retries. A request that failed on the network may or
// may not have been applied, and most of the API's calls (sign-up,
// invitations, revocations) are not idempotent; the caller decides, using
// Error.RetryAfter where the node gives one.
//
// Request bodies are sent as application/json. Fields the node does not
// know are refused by it (422 naming the field), so this package's request
// types hold only the contract's fields; response types ignore fields added
// to the contract later.
package client
