package client

import (
	"context"
	"net/http"
	"time"
)

// SignupRequest is the body of Signup.
type SignupRequest struct {
	Email            string `json:"email"`
	Password         string `json:"password"`
	FirstName        string `json:"first_name"`
	LastName         string `json:"last_name"`
	OrganizationName string `json:"organization_name"`
}

// Account is what Signup and AcceptInvitation answer: the user, the
// organization, the user's member in it and a new session token.
type Account struct {
	User         User         `json:"user"`
	Organization Organization `json:"organization"`
	Member       Member       `json:"member"`
	Token        string       `json:"token"`
}

// Signup creates an account and the organization it owns (R1), and
// signs it in: use Account.Token with As or WithToken. Sign-ups are rate
// limited per address (CodeRateLimited, with Error.RetryAfter).
func (c *Client) Signup(ctx context.Context, req SignupRequest) (*Account, error) {
	var out Account
	if err := c.do(ctx, http.MethodPost, "/api/v1/signup", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// VerifyEmail confirms an address with the token of the emailed
// <base-url>/verify/<token> link.
func (c *Client) VerifyEmail(ctx context.Context, token string) (*User, error) {
	var out struct {
		User User `json:"user"`
	}
	if err := c.do(ctx, http.MethodPost, "/api/v1/verify-email", nil, map[string]string{"token": token}, &out); err != nil {
		return nil, err
	}
	return &out.User, nil
}

// LoginRequest is the body of Login; TOTPCode (or a recovery code) is
// needed when the user has two-factor authentication on.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	TOTPCode string `json:"totp_code,omitempty"`
}

// Session is a new session: its bearer token and its user.
type Session struct {
	Token string `json:"token"`
	User  User   `json:"user"`
}

// Login opens a session. A wrong password is CodeInvalidCredentials; a
// missing second factor CodeTOTPRequired.
func (c *Client) Login(ctx context.Context, req LoginRequest) (*Session, error) {
	var out Session
	if err := c.do(ctx, http.MethodPost, "/api/v1/sessions", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Logout ends the session whose token the client sends.
func (c *Client) Logout(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/sessions/current", nil, nil, nil)
}

// Me is the signed-in user with its memberships.
type Me struct {
	User        User         `json:"user"`
	Memberships []Membership `json:"memberships"`
}

// Me returns the signed-in user and the organizations it belongs to.
func (c *Client) Me(ctx context.Context) (*Me, error) {
	var out Me
	if err := c.do(ctx, http.MethodGet, "/api/v1/me", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateMeRequest changes the user's own names; nil fields are left as
// they are.
type UpdateMeRequest struct {
	FirstName *string `json:"first_name,omitempty"`
	LastName  *string `json:"last_name,omitempty"`
}

// UpdateMe changes the signed-in user's names (R15).
func (c *Client) UpdateMe(ctx context.Context, req UpdateMeRequest) (*User, error) {
	var out struct {
		User User `json:"user"`
	}
	if err := c.do(ctx, http.MethodPatch, "/api/v1/me", nil, req, &out); err != nil {
		return nil, err
	}
	return &out.User, nil
}

// TOTPEnrollment is a started two-factor enrolment: the secret to put in
// an authenticator app, also as an otpauth:// URL.
type TOTPEnrollment struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauth_url"`
}

// BeginTOTP starts two-factor enrolment; ConfirmTOTP turns it on.
func (c *Client) BeginTOTP(ctx context.Context) (*TOTPEnrollment, error) {
	var out TOTPEnrollment
	if err := c.do(ctx, http.MethodPost, "/api/v1/me/totp", nil, struct{}{}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ConfirmTOTP turns two-factor authentication on with a current code and
// returns the one-time recovery codes.
func (c *Client) ConfirmTOTP(ctx context.Context, code string) ([]string, error) {
	var out struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	if err := c.do(ctx, http.MethodPost, "/api/v1/me/totp/confirm", nil, map[string]string{"code": code}, &out); err != nil {
		return nil, err
	}
	return out.RecoveryCodes, nil
}

// DisableTOTP turns two-factor authentication off with a current code.
func (c *Client) DisableTOTP(ctx context.Context, code string) error {
	return c.do(ctx, http.MethodPost, "/api/v1/me/totp/disable", nil, map[string]string{"code": code}, nil)
}

// InvitationPreview is what an invitation token shows before acceptance.
type InvitationPreview struct {
	Organization  OrganizationRef `json:"organization"`
	Email         string          `json:"email"`
	Role          string          `json:"role"`
	InvitedBy     *string         `json:"invited_by"`
	ExpiresAt     time.Time       `json:"expires_at"`
	AccountExists bool            `json:"account_exists"`
	FirstName     string          `json:"first_name"`
	LastName      string          `json:"last_name"`
}

// PreviewInvitation shows an invitation; no token is needed (the
// invitation token is the secret).
func (c *Client) PreviewInvitation(ctx context.Context, token string) (*InvitationPreview, error) {
	var out InvitationPreview
	if err := c.do(ctx, http.MethodGet, "/api/v1/invitations/"+seg(token), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AcceptRequest is the body of AcceptInvitation. A new account needs
// Password (and names unless the invitation has them); an existing account
// authenticates with the client's token or its Password.
type AcceptRequest struct {
	Token     string `json:"token"`
	Password  string `json:"password,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	TOTPCode  string `json:"totp_code,omitempty"`
}

// AcceptInvitation accepts an invitation and signs the user in.
func (c *Client) AcceptInvitation(ctx context.Context, req AcceptRequest) (*Account, error) {
	var out Account
	if err := c.do(ctx, http.MethodPost, "/api/v1/invitations/accept", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
