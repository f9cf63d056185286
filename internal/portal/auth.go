package portal

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/roster-dev/roster/internal/httpkit"
	"github.com/roster-dev/roster/internal/roster"
)

// home sends a signed-in user to their first organization's Users page;
// a visitor gets the landing page.
func (p *Portal) home(w http.ResponseWriter, r *http.Request) error {
	pr, ok := p.principal(r)
	if !ok {
		return p.render(w, r, http.StatusOK, "home", view{Title: "Roster"})
	}
	_, ms, err := p.svc.Me(r.Context(), pr)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return p.redirect(w, r, "/orgs", "")
	}
	return p.redirect(w, r, "/o/"+string(ms[0].Org.ID)+"/users", "")
}

type signupData struct {
	Email, FirstName, LastName, OrgName string
}

func (p *Portal) signupPage(w http.ResponseWriter, r *http.Request) error {
	return p.render(w, r, http.StatusOK, "signup", view{Title: "Create your " + p.model.Names.Organization, P: signupData{}})
}

func (p *Portal) signupForm(w http.ResponseWriter, r *http.Request) error {
	d := signupData{Email: r.PostFormValue("email"), FirstName: r.PostFormValue("first_name"),
		LastName: r.PostFormValue("last_name"), OrgName: r.PostFormValue("organization_name")}
	res, err := p.svc.Signup(r.Context(), roster.SignupInput{
		Email: d.Email, Password: r.PostFormValue("password"), FirstName: d.FirstName, LastName: d.LastName, OrganizationName: d.OrgName,
		IP: httpkit.ClientIP(r),
	})
	if err != nil {
		v := view{Title: "Create your " + p.model.Names.Organization, P: d}
		if ferr := formError(&v, err); ferr != nil {
			return ferr
		}
		return p.render(w, r, formStatus(w, err), "signup", v)
	}
	p.startSession(w, r, res.Token)
	return p.redirect(w, r, "/o/"+string(res.Org.ID)+"/users",
		"Welcome to Roster. We sent a link to "+res.User.Email+" to confirm your address.")
}

type loginData struct {
	Email   string
	Next    string
	Pending string // sealed email and password, at the two-factor step
}

func (p *Portal) loginPage(w http.ResponseWriter, r *http.Request) error {
	if _, ok := p.principal(r); ok {
		return p.redirect(w, r, safeNext(r.URL.Query().Get("next")), "")
	}
	return p.render(w, r, http.StatusOK, "login", view{Title: "Log in", P: loginData{Next: safeNext(r.URL.Query().Get("next"))}})
}

// loginForm is R2 through the portal: the password step, then, where the
// account has 2FA, the code step with the first step's answers sealed.
func (p *Portal) loginForm(w http.ResponseWriter, r *http.Request) error {
	d := loginData{Email: strings.TrimSpace(r.PostFormValue("email")), Next: safeNext(r.PostFormValue("next"))}
	password := r.PostFormValue("password")
	code := strings.TrimSpace(r.PostFormValue("code"))
	until := p.now().Add(pendingTTL)
	if sealed := r.PostFormValue("pending"); sealed != "" {
		email, pw, first, err := p.openPair(p.inBrowser(r, "login"), sealed)
		until = first
		if err != nil {
			v := view{Title: "Log in", Error: "That took too long: please log in again.", P: loginData{Next: d.Next}}
			return p.render(w, r, http.StatusUnauthorized, "login", v)
		}
		d.Email, password = email, pw
	}
	token, _, err := p.svc.Login(r.Context(), roster.LoginInput{Email: d.Email, Password: password, TOTPCode: code, IP: httpkit.ClientIP(r)})
	if err == nil {
		p.startSession(w, r, token)
		return p.redirect(w, r, d.Next, "")
	}
	v := view{Title: "Log in"}
	if roster.CodeOf(err) == roster.CodeTOTPRequired || (r.PostFormValue("pending") != "" && roster.CodeOf(err) == roster.CodeInvalidCredentials) {
		if d.Pending, err = p.sealPair(p.inBrowser(r, "login"), d.Email, password, until); err != nil {
			return err
		}
		v.Title = "Two-factor code"
		if code != "" {
			v.Error = "That code is not correct. Try the current code, or a recovery code."
		}
		v.P = d
		return p.render(w, r, http.StatusUnauthorized, "login", v)
	}
	if ferr := formError(&v, err); ferr != nil {
		return ferr
	}
	v.P = d
	return p.render(w, r, formStatus(w, err), "login", v)
}

// safeNext keeps redirects on this site: a local absolute path only. No
// control characters or backslashes anywhere (browsers drop a tab and read
// "/\t/evil" as "//evil", and "\" as "/"), no scheme, no host.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// logout ends the session on the server (docs/security.md item 24), by POST only.
func (p *Portal) logout(w http.ResponseWriter, r *http.Request) error {
	if pr, ok := p.principal(r); ok {
		if err := p.svc.Logout(r.Context(), pr); err != nil {
			return err
		}
	}
	p.endSession(w)
	return p.redirect(w, r, "/login", "You are logged out.")
}

type verifyData struct {
	Token string
	Done  string
}

func (p *Portal) verifyPage(w http.ResponseWriter, r *http.Request) error {
	token, ok := linkToken(r)
	if !ok {
		v := view{Title: "Confirm your email", Error: linkMessage(roster.ErrNotFound), P: verifyData{}}
		return p.render(w, r, http.StatusNotFound, "verify", v)
	}
	return p.render(w, r, http.StatusOK, "verify", view{Title: "Confirm your email", P: verifyData{Token: token}})
}

// tokenShape is an emailed link's token: 32 random bytes, base64url.
var tokenShape = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// linkToken is the {token} of an emailed link when it has a token's shape.
// Anything else ("..%2F" and the like) is refused before it reaches a page:
// a token is echoed in the page's form, which must post back to this link.
func linkToken(r *http.Request) (string, bool) {
	t := r.PathValue("token")
	return t, tokenShape.MatchString(t)
}

// verifyForm confirms the address: by POST only, so that a mail scanner
// following the link changes nothing.
func (p *Portal) verifyForm(w http.ResponseWriter, r *http.Request) error {
	token, ok := linkToken(r)
	if !ok {
		v := view{Title: "Confirm your email", Error: linkMessage(roster.ErrNotFound), P: verifyData{}}
		return p.render(w, r, http.StatusNotFound, "verify", v)
	}
	u, err := p.svc.VerifyEmail(r.Context(), token)
	if err != nil {
		if _, ok := userMessage(err); !ok {
			return err
		}
		v := view{Title: "Confirm your email", Error: linkMessage(err), P: verifyData{}}
		return p.render(w, r, formStatus(w, err), "verify", v)
	}
	return p.render(w, r, http.StatusOK, "verify", view{Title: "Email confirmed", P: verifyData{Done: u.Email}})
}

// linkMessage explains why an emailed link cannot be used.
func linkMessage(err error) string {
	switch roster.CodeOf(err) {
	case roster.CodeNotFound:
		return "This link is not valid (it may have been used, or replaced by a newer one)."
	case roster.CodeInvitationExpired:
		return "This invitation has expired: ask for a new one."
	case roster.CodeInvitationUsed:
		return "This invitation was already used or cancelled."
	}
	return "This link cannot be used."
}

// orgsPage is the organization switcher: every active membership.
func (p *Portal) orgsPage(w http.ResponseWriter, r *http.Request) error {
	pr, ok := p.requireLogin(w, r)
	if !ok {
		return nil
	}
	_, ms, err := p.svc.Me(r.Context(), pr)
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "orgs", view{Title: "Your " + plural(p.model.Names.Organization), Orgs: ms})
}

func plural(s string) string {
	if strings.HasSuffix(s, "y") {
		return s
	}
	return s + "s"
}
