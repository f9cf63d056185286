package portal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// Cookie names: the __Host- prefix (which needs Secure) whenever the portal
// is served over HTTPS (docs/security.md item 22).
func (p *Portal) cookieName(base string) string {
	if p.secure {
		return "__Host-" + base
	}
	return base
}

const (
	sessionCookie = "roster_session"
	anonCookie    = "roster_anon" // a random id binding the CSRF token of signed-out forms
	flashCookie   = "roster_flash"
)

func (p *Portal) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{ // #nosec G124 -- HttpOnly and SameSite=Lax always; Secure whenever the base URL is https (plain http only for local use)
		Name: p.cookieName(name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (p *Portal) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(p.cookieName(name))
	if err != nil {
		return ""
	}
	return c.Value
}

// startSession stores a session token (from Login, Signup or acceptance) in
// the cookie. The token is new at every login (no fixation); a session the
// browser held before is ended on the server, and the signed-out id is
// dropped, so that its CSRF token and any sealed login step it bound die
// with it.
func (p *Portal) startSession(w http.ResponseWriter, r *http.Request, token string) {
	if pr, ok := p.principal(r); ok {
		if err := p.svc.Logout(r.Context(), pr); err != nil {
			p.log.WarnContext(r.Context(), "end the previous session", "error", err)
		}
	}
	p.setCookie(w, sessionCookie, token, int((12 * time.Hour).Seconds()))
	p.setCookie(w, anonCookie, "", -1)
}

func (p *Portal) endSession(w http.ResponseWriter) { p.setCookie(w, sessionCookie, "", -1) }

type principalKey struct{}

// authenticate resolves the session cookie with the service (idle and
// absolute expiry are the service's); adapt stores the result in the
// request's context once.
func (p *Portal) authenticate(r *http.Request) roster.Principal {
	token := p.cookie(r, sessionCookie)
	if token == "" {
		return roster.Principal{}
	}
	pr, err := p.svc.Authenticate(r.Context(), token)
	if err != nil {
		if roster.CodeOf(err) != roster.CodeUnauthenticated {
			p.log.ErrorContext(r.Context(), "authenticate session", "error", err)
		}
		return roster.Principal{}
	}
	return pr
}

// principal is the signed-in user of the request, if any.
func (p *Portal) principal(r *http.Request) (roster.Principal, bool) {
	pr, _ := r.Context().Value(principalKey{}).(roster.Principal)
	return pr, pr.SessionID != ""
}

// requireLogin sends a signed-out visitor to the login page, coming back
// here afterwards.
func (p *Portal) requireLogin(w http.ResponseWriter, r *http.Request) (roster.Principal, bool) {
	pr, ok := p.principal(r)
	if !ok {
		if p.cookie(r, sessionCookie) != "" {
			p.endSession(w)
		}
		target := "/login"
		if r.Method == http.MethodGet {
			target += "?next=" + urlQueryEscape(r.URL.RequestURI())
		}
		http.Redirect(w, r, target, http.StatusSeeOther) // #nosec G710 -- target is "/login" plus the escaped request path as a query value
	}
	return pr, ok
}

// csrfToken is the token every form carries: an HMAC of the session id, or,
// signed out, of a random id held in its own cookie (set here when needed).
func (p *Portal) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if pr, ok := p.principal(r); ok {
		return p.mac("session:" + pr.SessionID)
	}
	id := p.cookie(r, anonCookie)
	if id == "" {
		id = randomID()
		p.setCookie(w, anonCookie, id, int((24 * time.Hour).Seconds()))
		r.AddCookie(&http.Cookie{Name: p.cookieName(anonCookie), Value: id}) // #nosec G124 -- a cookie on the incoming request, seen by this request only; attributes belong to Set-Cookie (setCookie above)
	}
	return p.mac("anon:" + id)
}

// validCSRF checks the form's token against the session, or, signed out
// only, against the signed-out id: a token from before the login is not
// accepted after it.
func (p *Portal) validCSRF(r *http.Request) bool {
	got := r.PostFormValue("csrf")
	if got == "" {
		return false
	}
	if pr, ok := p.principal(r); ok {
		return hmac.Equal([]byte(got), []byte(p.mac("session:"+pr.SessionID)))
	}
	id := p.cookie(r, anonCookie)
	return id != "" && hmac.Equal([]byte(got), []byte(p.mac("anon:"+id)))
}

func (p *Portal) mac(s string) string {
	m := hmac.New(sha256.New, p.csrfKey)
	m.Write([]byte(s))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func randomID() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// sealPair carries two values from one form to the next, sealed (AES-GCM)
// in a hidden field until a time, and bound to a purpose: a login's email
// and password from the password step to the two-factor step (so the
// password is not asked twice; bound to the browser's signed-out id, and
// re-sealed after a wrong code with its first expiry, never a later one),
// or a 2FA enrolment's secret and URL (bound to the session).
type sealedPair struct {
	A       string `json:"a"`
	B       string `json:"b"`
	Expires int64  `json:"x"`
}

const pendingTTL = 5 * time.Minute

func (p *Portal) sealPair(purpose, a, b string, until time.Time) (string, error) {
	data, err := json.Marshal(sealedPair{A: a, B: b, Expires: until.Unix()})
	if err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	aead, err := p.aead()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, data, []byte(purpose))), nil
}

var errSealExpired = errors.New("sealed form value expired or invalid")

func (p *Portal) openPair(purpose, sealed string) (a, b string, until time.Time, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return "", "", time.Time{}, errSealExpired
	}
	aead, err := p.aead()
	if err != nil {
		return "", "", time.Time{}, err
	}
	if len(raw) < aead.NonceSize() {
		return "", "", time.Time{}, errSealExpired
	}
	data, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(purpose))
	if err != nil {
		return "", "", time.Time{}, errSealExpired
	}
	var sp sealedPair
	if err := json.Unmarshal(data, &sp); err != nil || p.now().Unix() > sp.Expires {
		return "", "", time.Time{}, errSealExpired
	}
	return sp.A, sp.B, time.Unix(sp.Expires, 0), nil
}

// inBrowser binds a sealed value's purpose to this browser's signed-out id
// (an HttpOnly cookie): a value copied out of the page is useless elsewhere.
func (p *Portal) inBrowser(r *http.Request, purpose string) string {
	return purpose + "|" + p.cookie(r, anonCookie)
}

func (p *Portal) aead() (cipher.AEAD, error) {
	block, err := aes.NewCipher(p.sealKey)
	if err != nil {
		return nil, fmt.Errorf("pending login cipher: %w", err)
	}
	return cipher.NewGCM(block)
}
