package server

import (
	"net/http"

	"github.com/roster-dev/roster/internal/roster"
)

// route is one endpoint: its pattern, what it needs of the caller, and its
// handler. Every route of the API is in routeTable.
type route struct {
	pattern string
	need    roster.Requirement
	handle  func(w http.ResponseWriter, r *http.Request) error
}

// largeBodies lists the routes whose valid bodies exceed maxBodyBytes: a
// batch of 1000 checks.
var largeBodies = map[string]int64{"POST /api/v1/check": 1 << 20}

const org = "/api/v1/orgs/{org}"

// routeTable lists every route of the API, with the requirement checked
// before its body is read (the service checks again in its transaction).
func (s *Server) routeTable() []route {
	return []route{
		{"GET /healthz", roster.RequireNothing, s.healthz},
		{"GET /readyz", roster.RequireNothing, s.readyz},
		{"GET /api/v1/openapi.json", roster.RequireNothing, s.openapi},

		{"POST /api/v1/signup", roster.RequireNothing, s.signup},
		{"POST /api/v1/verify-email", roster.RequireNothing, s.verifyEmail},
		{"POST /api/v1/sessions", roster.RequireNothing, s.login},
		{"DELETE /api/v1/sessions/current", roster.RequireUser, s.logout},
		{"GET /api/v1/me", roster.RequireUser, s.me},
		{"PATCH /api/v1/me", roster.RequireUser, s.updateMe},
		{"POST /api/v1/me/totp", roster.RequireUser, s.beginTOTP},
		{"POST /api/v1/me/totp/confirm", roster.RequireUser, s.confirmTOTP},
		{"POST /api/v1/me/totp/disable", roster.RequireUser, s.disableTOTP},
		{"GET /api/v1/invitations/{token}", roster.RequireNothing, s.previewInvitation},
		{"POST /api/v1/invitations/accept", roster.RequireNothing, s.acceptInvitation},

		{"GET " + org, roster.RequireMember, s.getOrg},
		{"PATCH " + org, roster.RequireSettings, s.updateOrg},
		{"POST " + org + "/transfer-ownership", roster.RequireMember, s.transferOwnership},
		{"POST " + org + "/billing-contact", roster.RequireMember, s.setBillingContact},

		{"GET " + org + "/members", roster.RequireMember, s.listMembers},
		{"GET " + org + "/members/{member}", roster.RequireMember, s.getMember},
		{"PATCH " + org + "/members/{member}", roster.RequireManager, s.updateMember},
		{"PUT " + org + "/members/{member}/clients", roster.RequireManager, s.setMemberClients},
		{"POST " + org + "/members/{member}/revoke", roster.RequireManager, s.revokeMember},
		{"POST " + org + "/members/{member}/reactivate", roster.RequireManager, s.reactivateMember},
		{"POST " + org + "/members/{member}/resend", roster.RequireManager, s.resendInvitation},
		{"DELETE " + org + "/members/{member}", roster.RequireManager, s.deleteMember},
		{"GET " + org + "/members/{member}/access", roster.RequireMember, s.memberAccess},
		{"POST " + org + "/invitations", roster.RequireManager, s.invite},

		{"GET " + org + "/permissions", roster.RequireMember, s.listPermissions},
		{"GET " + org + "/roles", roster.RequireMember, s.listRoles},
		{"POST " + org + "/roles", roster.RequireManager, s.createRole},
		{"PUT " + org + "/roles/order", roster.RequireManager, s.reorderRoles},
		{"PATCH " + org + "/roles/{key}", roster.RequireManager, s.updateRole},
		{"DELETE " + org + "/roles/{key}", roster.RequireManager, s.deleteRole},

		{"GET " + org + "/teams", roster.RequireMember, s.listTeams},
		{"POST " + org + "/teams", roster.RequireManager, s.createTeam},
		{"DELETE " + org + "/teams/{team}", roster.RequireManager, s.deleteTeam},

		{"GET " + org + "/clients", roster.RequireMember, s.listClients},
		{"POST " + org + "/clients", roster.RequireClientsAdmin, s.createClient},
		{"PATCH " + org + "/clients/{client}", roster.RequireClientsAdmin, s.updateClient},

		{"GET " + org + "/audit", roster.RequireMember, s.listAudit},
		{"POST " + org + "/check", roster.RequireCaller, s.check}, // authorized from the index: no database query
		{"POST /api/v1/check", roster.RequireOperator, s.checkBatch},

		{"POST /api/v1/admin/orgs", roster.RequireOperator, s.adminCreateOrg},
		{"PATCH /api/v1/admin/orgs/{org}", roster.RequireOperator, s.adminUpdateOrg},
	}
}
