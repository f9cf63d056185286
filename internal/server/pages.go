package server

import (
	"embed"
	"html/template"
	"net/http"

	"github.com/roster-dev/roster/internal/roster"
)

// The minimal pages the binary serves before the portal: a home page, and
// the targets of the emailed links (/invite/<token>, /verify/<token>).
//
//go:embed web
var webFS embed.FS

type pageData struct {
	Title  string
	Error  string
	Model  string
	Token  string
	Invite *roster.InvitationPreview
	Done   string
}

func parsePage(name string) *template.Template {
	return template.Must(template.ParseFS(webFS, "web/page.html", "web/"+name+".html"))
}

// pages are parsed once at start-up.
type pages struct {
	home, invite, verify *template.Template
}

func newPages() pages {
	return pages{home: parsePage("home"), invite: parsePage("invite"), verify: parsePage("verify")}
}

func (s *Server) render(w http.ResponseWriter, t *template.Template, status int, d pageData) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	return t.ExecuteTemplate(w, "page", d)
}

func (s *Server) homePage(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, s.pages.home, http.StatusOK, pageData{Title: "Roster", Model: s.svc.Model().Name})
}

func (s *Server) invitePage(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	p, err := s.svc.PreviewInvitation(r.Context(), token)
	if err != nil {
		return s.render(w, s.pages.invite, pageStatus(err), pageData{Title: "Invitation", Error: pageMessage(err)})
	}
	return s.render(w, s.pages.invite, http.StatusOK, pageData{Title: "Invitation", Token: token, Invite: &p})
}

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, s.pages.verify, http.StatusOK, pageData{Title: "Confirm your email", Token: r.PathValue("token")})
}

// verifyForm is the page's POST: state changes only by POST.
func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request) error {
	u, err := s.svc.VerifyEmail(r.Context(), r.PathValue("token"))
	if err != nil {
		return s.render(w, s.pages.verify, pageStatus(err), pageData{Title: "Confirm your email", Error: pageMessage(err)})
	}
	return s.render(w, s.pages.verify, http.StatusOK, pageData{Title: "Email confirmed", Done: u.Email})
}

func (s *Server) stylesheet(w http.ResponseWriter, r *http.Request) error {
	css, err := webFS.ReadFile("web/roster.css")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write(css)
	return err
}

func pageStatus(err error) int {
	if st := statusOf[roster.CodeOf(err)]; st != 0 {
		return st
	}
	return http.StatusInternalServerError
}

func pageMessage(err error) string {
	switch roster.CodeOf(err) {
	case roster.CodeNotFound:
		return "This link is not valid (it may have been replaced by a newer one)."
	case roster.CodeInvitationExpired:
		return "This invitation has expired: ask for a new one."
	case roster.CodeInvitationUsed:
		return "This invitation was already used or cancelled."
	case "":
		return "Something went wrong; please try again."
	}
	return "This link cannot be used."
}
