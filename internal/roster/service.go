package roster

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Index is the in-memory authorization index (internal/authz) as the
// service uses it: it is fed every committed change and answers checks.
type Index interface {
	// Put installs a snapshot unless a newer revision is installed already.
	Put(a OrgAccess) bool
	// PutAll is Put for many organizations at once.
	PutAll(all []OrgAccess) int
	// PutMember installs revision to of org as the installed revision from
	// with one membership replaced, without rebuilding the organization; it
	// reports false when it cannot (another revision is installed).
	PutMember(org OrgID, from, to int64, m MemberAccess) bool
	Remove(org OrgID)
	// Decide answers a check (R19) with its reason.
	Decide(org OrgID, user UserID, perm string, client ClientID) (allowed bool, reason string)
	// Revision reports whether the organization is indexed, at which revision.
	Revision(org OrgID) (int64, bool)
	// MemberStatus is the status of the user's membership, if any.
	MemberStatus(org OrgID, user UserID) (MemberStatus, bool)
}

// PasswordHasher hashes and verifies passwords (internal/password). When it
// has no capacity for a hash within its bounded wait it returns an error
// with the method Overloaded() bool reporting true (and, optionally,
// RetryAfter() time.Duration); the service answers that with
// CodeUnavailable (503 with Retry-After), never as a wrong password.
type PasswordHasher interface {
	Hash(ctx context.Context, password string) (string, error)
	Verify(ctx context.Context, password, encoded string) (ok, needsRehash bool, err error)
	// VerifyDummy spends the time of a verification, for unknown users, and
	// fails as Verify would (overloaded, context done).
	VerifyDummy(ctx context.Context, password string) error
}

// sheddingHasher turns the hasher's overload refusals into the contract's
// 503, at every call: login, sign-up, acceptance, password checks.
type sheddingHasher struct{ PasswordHasher }

func (h sheddingHasher) Hash(ctx context.Context, password string) (string, error) {
	s, err := h.PasswordHasher.Hash(ctx, password)
	return s, overloaded(err)
}

func (h sheddingHasher) Verify(ctx context.Context, password, encoded string) (bool, bool, error) {
	ok, rehash, err := h.PasswordHasher.Verify(ctx, password, encoded)
	return ok, rehash, overloaded(err)
}

func (h sheddingHasher) VerifyDummy(ctx context.Context, password string) error {
	return overloaded(h.PasswordHasher.VerifyDummy(ctx, password))
}

// admit reserves a place for a password check before its database reads,
// when the hasher bounds them (password.Hasher.Admit); release when done.
func (h sheddingHasher) admit() (release func(), err error) {
	a, ok := h.PasswordHasher.(interface{ Admit() (func(), error) })
	if !ok {
		return func() {}, nil
	}
	release, err = a.Admit()
	return release, overloaded(err)
}

// overloaded maps an overload refusal of the hasher to CodeUnavailable with
// its Retry-After (1 s unless the hasher says otherwise); other errors pass
// unchanged.
func overloaded(err error) error {
	var o interface{ Overloaded() bool }
	if err == nil || !errors.As(err, &o) || !o.Overloaded() {
		return err
	}
	wait := time.Second
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) && ra.RetryAfter() > 0 {
		wait = ra.RetryAfter()
	}
	return &Error{Code: CodeUnavailable, Message: "the server is busy checking other passwords; try again shortly", RetryAfter: wait}
}

// OTP is the TOTP toolkit (internal/totp).
type OTP interface {
	NewSecret() ([]byte, error)
	EncodeSecret(secret []byte) string
	URL(issuer, account string, secret []byte) string
	Verify(secret []byte, code string, now time.Time, lastUsedStep int64) (step int64, ok bool)
	RecoveryCodes(n int) ([]string, error)
	NormalizeRecoveryCode(s string) string
}

// Sealer encrypts secrets at rest (internal/seal).
type Sealer interface {
	Seal(plaintext, additionalData []byte) ([]byte, error)
	Open(sealed, additionalData []byte) ([]byte, error)
}

// Config holds the service's collaborators and settings.
type Config struct {
	Model  *Model
	Store  Store
	Index  Index
	Hasher PasswordHasher
	// ValidatePassword applies the password policy (R2); nil error means ok.
	ValidatePassword func(password, email string) error
	OTP              OTP
	Sealer           Sealer
	// MailNotify nudges the outbox sender after a commit that queued email.
	MailNotify func()
	Clock      func() time.Time
	Logger     *slog.Logger

	BaseURL    string // links in emails: <BaseURL>/invite/<token>
	InviteTTL  time.Duration
	SignupOpen bool
	Issuer     string // TOTP issuer shown in authenticator apps

	// Limiter counts the events of SignupIPLimit and InviteLimit
	// (internal/ratelimit, in memory: the limits hold per node); nil
	// applies neither limit.
	Limiter Limiter
	// SignupIPLimit is sign-ups per client address per hour (20; negative:
	// no limit). InviteLimit is invitation calls per inviter per hour (120;
	// each call holds up to 100 addresses).
	SignupIPLimit int
	InviteLimit   int

	LoginEmailLimit int           // failed logins per address per window (10)
	LoginIPLimit    int           // failed logins per IP per window (100)
	LoginWindow     time.Duration // 15m
	SessionIdle     time.Duration // 30m
	SessionMax      time.Duration // 12h
}

// Service holds every rule of docs/rules.md.
type Service struct {
	cfg   Config
	model *Model
	store Store
	index Index
	log   *slog.Logger
	now   func() time.Time
	// lagging are organizations whose refresh failed after a commit.
	lagging laggingOrgs
}

// NewService checks the configuration and fills defaults.
func NewService(cfg Config) (*Service, error) {
	if cfg.Model == nil || cfg.Store == nil || cfg.Index == nil || cfg.Hasher == nil {
		return nil, errors.New("roster: model, store, index and hasher are required")
	}
	if cfg.ValidatePassword == nil || cfg.OTP == nil || cfg.Sealer == nil {
		return nil, errors.New("roster: password policy, OTP and sealer are required")
	}
	if _, ok := cfg.Hasher.(sheddingHasher); !ok {
		cfg.Hasher = sheddingHasher{cfg.Hasher}
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MailNotify == nil {
		cfg.MailNotify = func() {}
	}
	setDefault(&cfg.InviteTTL, 7*24*time.Hour)
	setDefault(&cfg.LoginWindow, 15*time.Minute)
	setDefault(&cfg.SessionIdle, 30*time.Minute)
	setDefault(&cfg.SessionMax, 12*time.Hour)
	if cfg.LoginEmailLimit <= 0 {
		cfg.LoginEmailLimit = 10
	}
	if cfg.LoginIPLimit <= 0 {
		cfg.LoginIPLimit = 100
	}
	if cfg.Limiter == nil {
		cfg.Limiter = noLimits{}
	}
	if cfg.SignupIPLimit == 0 {
		cfg.SignupIPLimit = 20
	}
	if cfg.InviteLimit <= 0 {
		cfg.InviteLimit = 120
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "Roster"
	}
	return &Service{cfg: cfg, model: cfg.Model, store: cfg.Store, index: cfg.Index, log: cfg.Logger, now: func() time.Time { return cfg.Clock().UTC() }}, nil
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// Model returns the deployment's model.
func (s *Service) Model() *Model { return s.model }

// loadPageSize is how many organizations start-up reads per page.
const loadPageSize = 500

// LoadIndex fills the authorization index from the store, at start-up: a
// page of organizations at a time, each page in a fixed number of queries
// and installed with one copy of the index's organization map.
func (s *Service) LoadIndex(ctx context.Context) error {
	var after OrgID
	for {
		page, err := s.store.LoadAccessPage(ctx, after, loadPageSize)
		if err != nil {
			return fmt.Errorf("load index: %w", err)
		}
		s.index.PutAll(page)
		if len(page) < loadPageSize {
			return nil
		}
		after = page[len(page)-1].OrgID
	}
}

// refresh reloads one organization into the index (R7, R12, R19): called
// after every committed change, before the response is written.
func (s *Service) refresh(ctx context.Context, org OrgID) error {
	a, err := s.store.LoadOrgAccess(ctx, org)
	if errors.Is(err, ErrNotFound) {
		s.index.Remove(org)
		return nil
	}
	if err != nil {
		return fmt.Errorf("refresh %s: %w", org, err)
	}
	s.index.Put(a)
	s.lagging.mark(org, false)
	return nil
}

// RefreshOrg is refresh for adapters that learn of a change from elsewhere
// (the change feed of another node).
func (s *Service) RefreshOrg(ctx context.Context, org OrgID) error { return s.refresh(ctx, org) }

// change collects what a write transaction touched, for after the commit.
type change struct {
	s      *Service
	ctx    context.Context
	tx     Tx
	orgs   map[OrgID]int64 // revision after the change
	emails int
	// members holds, for an organization whose only change to what the
	// index holds is one membership, that membership after the change.
	members map[OrgID]MemberAccess
}

// update runs fn in one write transaction; after the commit it refreshes the
// index for every organization fn touched and nudges the mail sender.
func (s *Service) update(ctx context.Context, fn func(c *change) error) error {
	var c *change
	err := s.store.WithTx(ctx, func(tx Tx) error {
		c = &change{s: s, ctx: ctx, tx: tx, orgs: map[OrgID]int64{}, members: map[OrgID]MemberAccess{}}
		return fn(c)
	})
	if err != nil {
		return err
	}
	for org, rev := range c.orgs {
		if m, ok := c.members[org]; ok && s.index.PutMember(org, rev-1, rev, m) {
			s.lagging.mark(org, false)
			continue
		}
		s.refreshAfterCommit(ctx, org)
	}
	if c.emails > 0 {
		s.cfg.MailNotify()
	}
	return nil
}

// touch bumps the organization's revision once per transaction.
func (c *change) touch(org OrgID) error {
	if _, ok := c.orgs[org]; ok {
		return nil
	}
	rev, err := c.tx.BumpRevision(c.ctx, org)
	if err != nil {
		return fmt.Errorf("bump revision %s: %w", org, err)
	}
	c.orgs[org] = rev
	return nil
}

// onlyMember records that the transaction changed, of what the index holds
// of org, at most membership m: after the commit the index replaces that
// membership instead of reloading the organization. The caller has touched
// org. A membership without a user is not in the index.
func (c *change) onlyMember(org OrgID, m Member) {
	if m.UserID == "" {
		return
	}
	c.members[org] = MemberAccess{MemberID: m.ID, UserID: m.UserID, Role: m.Role, Status: m.Status, ClientMode: m.ClientMode, Clients: m.Clients}
}

// audit writes one event in the transaction (R18).
func (c *change) audit(actor Actor, org OrgID, action, targetType, targetID string, member MemberID, before, after any) error {
	info := RequestInfoFrom(c.ctx)
	e := AuditEvent{
		ID: NewEventID(), OrgID: org, ActorUserID: actor.UserID, ActorEmail: actor.Email,
		Action: action, TargetType: targetType, TargetID: targetID, MemberID: member,
		Before: mustJSON(before), After: mustJSON(after),
		IP: info.IP, RequestID: info.RequestID, Time: c.s.now(),
	}
	if actor.Operator {
		e.ActorEmail = "operator"
	}
	if err := c.tx.AppendAudit(c.ctx, e); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// email queues one message in the outbox, in the transaction (R20).
func (c *change) email(to, kind, subject, body string) error {
	e, err := SealEmail(c.s.cfg.Sealer, Email{ID: newID(prefixEmail), To: to, Kind: kind, Subject: subject, Body: body, CreatedAt: c.s.now()})
	if err != nil {
		return err
	}
	if err := c.tx.EnqueueEmail(c.ctx, e); err != nil {
		return fmt.Errorf("queue %s email: %w", kind, err)
	}
	c.emails++
	return nil
}

func mustJSON(v any) json.RawMessage {
	if v == nil {
		return json.RawMessage("{}")
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("audit payload: %v", err)) // only maps of plain values reach here
	}
	return b
}

// newToken returns a random 256-bit token and the hash that is stored.
func newToken() (token string, hash []byte) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token)
}

// HashToken is how tokens are stored and looked up: SHA-256.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Actor is who makes a request: a signed-in user or the operator.
type Actor struct {
	UserID   UserID
	Email    string
	Operator bool
}

// RequestInfo is per-request metadata recorded in audit events.
type RequestInfo struct {
	RequestID string
	IP        string
}

type requestInfoKey struct{}

// WithRequestInfo attaches request metadata to ctx.
func WithRequestInfo(ctx context.Context, info RequestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, info)
}

// RequestInfoFrom returns the request metadata of ctx, if any.
func RequestInfoFrom(ctx context.Context) RequestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(RequestInfo)
	return info
}
