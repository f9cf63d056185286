package portal

import (
	"net/http"
	"strings"
	"time"

	"github.com/roster-dev/roster/internal/httpkit"
	"github.com/roster-dev/roster/internal/roster"
)

// acceptData is the invitation page: the preview, and which form to show.
type acceptData struct {
	Token    string
	Invite   roster.InvitationPreview
	RoleName string
	// SignedInAs is the signed-in user's address when it is not the invited one.
	SignedInAs string
	// SameUser: the signed-in user is the invited address: one click joins.
	SameUser  bool
	FirstName string
	LastName  string
	Pending   string // sealed password at the two-factor step
}

// invitePage is the target of the emailed link (R4, R5): GET only shows.
func (p *Portal) invitePage(w http.ResponseWriter, r *http.Request) error {
	d, err := p.acceptData(r)
	if err != nil {
		return p.inviteRefused(w, r, err)
	}
	return p.render(w, r, http.StatusOK, "accept", view{Title: "Join " + d.Invite.Org.Name, P: d})
}

func (p *Portal) acceptData(r *http.Request) (acceptData, error) {
	token, ok := linkToken(r)
	if !ok {
		return acceptData{}, roster.ErrNotFound
	}
	inv, err := p.svc.PreviewInvitation(r.Context(), token)
	if err != nil {
		return acceptData{}, err
	}
	d := acceptData{Token: token, Invite: inv, RoleName: inv.Role, FirstName: inv.FirstName, LastName: inv.LastName}
	if def, ok := p.model.SystemRole(inv.Role); ok {
		d.RoleName = def.Name
	}
	if pr, ok := p.principal(r); ok {
		if roster.NormalizeEmail(pr.User.Email) == roster.NormalizeEmail(inv.Email) {
			d.SameUser = true
		} else {
			d.SignedInAs = pr.User.Email
		}
	}
	return d, nil
}

func (p *Portal) inviteRefused(w http.ResponseWriter, r *http.Request, err error) error {
	if _, ok := userMessage(err); !ok {
		return err
	}
	return p.render(w, r, formStatus(w, err), "accept", view{Title: "Invitation", Error: linkMessage(err), P: acceptData{}})
}

// inviteForm accepts: as a new account (password and names), as the
// signed-in account, or as an existing account by its password (+ code).
func (p *Portal) inviteForm(w http.ResponseWriter, r *http.Request) error {
	d, err := p.acceptData(r)
	if err != nil {
		return p.inviteRefused(w, r, err)
	}
	in := roster.AcceptInput{Token: d.Token, Password: r.PostFormValue("password"),
		FirstName: r.PostFormValue("first_name"), LastName: r.PostFormValue("last_name"),
		TOTPCode: strings.TrimSpace(r.PostFormValue("code")), IP: httpkit.ClientIP(r)}
	pr, _ := p.principal(r)
	if d.SameUser {
		in.Principal = &pr
	}
	until := p.now().Add(pendingTTL)
	if sealed := r.PostFormValue("pending"); sealed != "" {
		_, pw, first, err := p.openPair(p.inBrowser(r, "accept:"+d.Token), sealed)
		until = first
		if err != nil {
			v := view{Title: "Join " + d.Invite.Org.Name, Error: "That took too long: please enter your password again.", P: d}
			return p.render(w, r, http.StatusUnauthorized, "accept", v)
		}
		in.Password = pw
	}
	res, err := p.svc.AcceptInvitation(r.Context(), in)
	if err != nil {
		return p.acceptFailed(w, r, d, in, until, err)
	}
	p.startSession(w, r, res.Token) // ends the session the browser had, if any
	return p.redirect(w, r, "/o/"+string(res.Org.ID)+"/users", "You joined "+res.Org.Name+".")
}

func (p *Portal) acceptFailed(w http.ResponseWriter, r *http.Request, d acceptData, in roster.AcceptInput, until time.Time, err error) error {
	v := view{Title: "Join " + d.Invite.Org.Name}
	d.FirstName, d.LastName = in.FirstName, in.LastName
	code := roster.CodeOf(err)
	if code == roster.CodeTOTPRequired || (in.TOTPCode != "" && code == roster.CodeInvalidCredentials) {
		sealed, serr := p.sealPair(p.inBrowser(r, "accept:"+d.Token), d.Invite.Email, in.Password, until)
		if serr != nil {
			return serr
		}
		d.Pending = sealed
		if in.TOTPCode != "" {
			v.Error = "That code is not correct. Try the current code, or a recovery code."
		}
		v.P = d
		return p.render(w, r, http.StatusUnauthorized, "accept", v)
	}
	if ferr := formError(&v, err); ferr != nil {
		return ferr
	}
	v.P = d
	return p.render(w, r, formStatus(w, err), "accept", v)
}
