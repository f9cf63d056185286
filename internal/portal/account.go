package portal

import (
	"net/http"
	"strings"

	"github.com/roster-dev/roster/internal/roster"
)

// accountData is the signed-in person's own account: names (R15) and 2FA.
type accountData struct {
	User roster.User
	Back string // the page the forms return to
	// Enrolment, while 2FA is being set up: the secret and its QR code.
	Secret     string
	OTPAuthURL string
	Sealed     string // the enrolment, sealed, to show it again after a wrong code
	Recovery   []string
}

// accountPage is the account of a user in no organization; members see
// the same forms on their profile.
func (p *Portal) accountPage(w http.ResponseWriter, r *http.Request) error {
	pr, ok := p.requireLogin(w, r)
	if !ok {
		return nil
	}
	_, ms, err := p.svc.Me(r.Context(), pr)
	if err != nil {
		return err
	}
	if len(ms) > 0 {
		return p.redirect(w, r, "/o/"+string(ms[0].Org.ID)+"/profile", "")
	}
	v := view{Title: "Your account", Orgs: ms, P: accountData{User: pr.User, Back: "/account"}}
	return p.render(w, r, http.StatusOK, "account", v)
}

func backTo(r *http.Request) string {
	b := safeNext(r.PostFormValue("back"))
	if b == "/" {
		return "/account"
	}
	return b
}

// accountNames is R15: a person edits their own names, and only theirs.
func (p *Portal) accountNames(w http.ResponseWriter, r *http.Request) error {
	pr, ok := p.requireLogin(w, r)
	if !ok {
		return nil
	}
	first, last := r.PostFormValue("first_name"), r.PostFormValue("last_name")
	if _, err := p.svc.UpdateMe(r.Context(), pr, roster.UpdateMeInput{FirstName: &first, LastName: &last}); err != nil {
		return p.backWithError(w, r, backTo(r), err)
	}
	return p.redirect(w, r, backTo(r), "Your name is saved.")
}

// totpBegin starts enrolment and shows the QR code and the secret.
func (p *Portal) totpBegin(w http.ResponseWriter, r *http.Request) error {
	pr, ok := p.requireLogin(w, r)
	if !ok {
		return nil
	}
	en, err := p.svc.BeginTOTP(r.Context(), pr)
	if err != nil {
		return p.backWithError(w, r, backTo(r), err)
	}
	return p.renderEnrolment(w, r, http.StatusOK, pr, en.Secret, en.OTPAuthURL, "")
}

func (p *Portal) renderEnrolment(w http.ResponseWriter, r *http.Request, status int, pr roster.Principal, secret, url, msg string) error {
	sealed, err := p.sealPair("totp:"+pr.SessionID, secret, url, p.now().Add(pendingTTL))
	if err != nil {
		return err
	}
	d := accountData{User: pr.User, Back: backTo(r), Secret: secret, OTPAuthURL: url, Sealed: sealed}
	return p.render(w, r, status, "totp", view{Title: "Set up two-factor authentication", Section: "profile", Error: msg, P: d})
}

// totpConfirm turns 2FA on with a first code and shows the recovery codes
// once.
func (p *Portal) totpConfirm(w http.ResponseWriter, r *http.Request) error {
	pr, ok := p.requireLogin(w, r)
	if !ok {
		return nil
	}
	codes, err := p.svc.ConfirmTOTP(r.Context(), pr, strings.TrimSpace(r.PostFormValue("code")))
	if err != nil {
		msg, ok := userMessage(err)
		if !ok {
			return err
		}
		secret, url, _, perr := p.openPair("totp:"+pr.SessionID, r.PostFormValue("enrolment"))
		if perr != nil {
			return p.backWithError(w, r, backTo(r), roster.Invalid("code", "the set-up took too long: start again"))
		}
		return p.renderEnrolment(w, r, formStatus(w, err), pr, secret, url, msg)
	}
	d := accountData{User: pr.User, Back: backTo(r), Recovery: codes}
	return p.render(w, r, http.StatusOK, "totp", view{Title: "Two-factor authentication is on", Section: "profile", P: d})
}

// totpDisable turns 2FA off with a current code or a recovery code.
func (p *Portal) totpDisable(w http.ResponseWriter, r *http.Request) error {
	pr, ok := p.requireLogin(w, r)
	if !ok {
		return nil
	}
	if err := p.svc.DisableTOTP(r.Context(), pr, strings.TrimSpace(r.PostFormValue("code"))); err != nil {
		return p.backWithError(w, r, backTo(r), err)
	}
	return p.redirect(w, r, backTo(r), "Two-factor authentication is off.")
}
