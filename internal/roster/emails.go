package roster

import (
	"fmt"
	"strings"
)

// Email bodies are plain text; every link stands alone on its own line so
// it is never broken (docs/api.md, CLI section).

func greeting(first string) string {
	if first = strings.TrimSpace(first); first != "" {
		return "Hello " + first + ",\n\n"
	}
	return "Hello,\n\n"
}

func verifyEmailBody(u User, link string) string {
	return greeting(u.FirstName) +
		"Please confirm your email address by opening this link:\n\n" +
		link + "\n\n" +
		"If you did not create a Roster account, you can ignore this email.\n"
}

// securityNoticeBody tells a user of a change to how they sign in; the
// other sessions have ended.
func securityNoticeBody(u User, what string) string {
	return greeting(u.FirstName) +
		what + ". Every other session of your account has been signed out.\n\n" +
		"If you did not make this change, tell the people who run your organization at once.\n"
}

func (s *Service) invitationSubject(orgName string) string {
	return fmt.Sprintf("You are invited to join the %s %s", orgName, s.model.Names.Organization)
}

func (s *Service) invitationBody(first, orgName, inviter, link string, expires string) string {
	by := ""
	if inviter != "" {
		by = " by " + inviter
	}
	action := "accept the invitation"
	if s.model.InviteNamesRequired {
		action = "set your password and sign in"
	}
	return greeting(first) +
		fmt.Sprintf("You have been invited%s to join the %s %s.\n\n", by, orgName, s.model.Names.Organization) +
		fmt.Sprintf("Open this link to %s:\n\n", action) +
		link + "\n\n" +
		"The link works once and expires on " + expires + ".\n"
}

func (s *Service) addedBody(first, orgName, inviter string) string {
	by := ""
	if inviter != "" {
		by = " by " + inviter
	}
	return greeting(first) +
		fmt.Sprintf("You have been added%s to the %s %s.\n", by, orgName, s.model.Names.Organization) +
		"Sign in with your existing account to open it:\n\n" + s.cfg.BaseURL + "/\n"
}
