package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client calls one Roster node's JSON API. It is safe for concurrent use;
// its zero value is not usable: build it with New.
type Client struct {
	base      string
	token     string
	hc        *http.Client
	userAgent string
}

// Option configures a Client built by New.
type Option func(*Client)

// WithToken sets the bearer token sent with every request: a session token
// (from Signup, Login or AcceptInvitation) or the operator token.
func WithToken(token string) Option { return func(c *Client) { c.token = token } }

// WithHTTPClient sets the *http.Client the requests go through (timeouts,
// transport, proxies). The default is http.DefaultClient.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// New returns a client of the node at baseURL (scheme, host and port, such
// as "https://roster.example.com"; a trailing slash is ignored).
func New(baseURL string, opts ...Option) *Client {
	c := &Client{base: strings.TrimRight(baseURL, "/"), hc: http.DefaultClient, userAgent: "roster-go-client"}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// As returns a copy of c that sends token instead of c's token; c itself is
// unchanged. It suits programs that act for several users, such as tests.
func (c *Client) As(token string) *Client {
	cp := *c
	cp.token = token
	return &cp
}

// Token returns the bearer token c sends, or "".
func (c *Client) Token() string { return c.token }

// Ptr returns a pointer to v: a shorthand for the optional fields of the
// PATCH requests (client.Ptr("bookkeeper")).
func Ptr[T any](v T) *T { return &v }

// seg escapes one path segment.
func seg(s string) string { return url.PathEscape(s) }

func orgPath(orgID string, rest ...string) string {
	p := "/api/v1/orgs/" + seg(orgID)
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

// do sends one request and decodes a 2xx answer into out (unless out is nil
// or the answer is 204). A non-2xx answer is returned as *Error. Nothing is
// retried: a request that failed may or may not have been applied, so the
// caller decides (Error.RetryAfter says how long the node asks to wait).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("roster: encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(data)
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("roster: %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("roster: %s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return errorFrom(res)
	}
	if out == nil || res.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, res.Body)
		return nil
	}
	if raw, ok := out.(*[]byte); ok {
		*raw, err = io.ReadAll(res.Body)
		if err != nil {
			return fmt.Errorf("roster: read %s %s: %w", method, path, err)
		}
		return nil
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return fmt.Errorf("roster: decode %s %s: %w", method, path, err)
	}
	return nil
}

// page adds ?limit= and ?cursor= to q.
func page(q url.Values, limit int, cursor string) url.Values {
	if limit > 0 {
		q.Set("limit", fmt.Sprint(limit))
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	return q
}

// cursor turns the contract's nullable next_cursor into "" on the last page.
func cursor(c *string) string {
	if c == nil {
		return ""
	}
	return *c
}

// Health asks GET /healthz: nil when the process answers.
func (c *Client) Health(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/healthz", nil, nil, nil)
}

// Ready asks GET /readyz: nil when the node can serve (its database
// answers); an *Error with CodeUnavailable otherwise.
func (c *Client) Ready(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/readyz", nil, nil, nil)
}

// OpenAPI returns the node's OpenAPI 3 document (GET /api/v1/openapi.json).
func (c *Client) OpenAPI(ctx context.Context) ([]byte, error) {
	var doc []byte
	if err := c.do(ctx, http.MethodGet, "/api/v1/openapi.json", nil, nil, &doc); err != nil {
		return nil, err
	}
	return doc, nil
}
