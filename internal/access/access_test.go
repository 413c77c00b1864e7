package access_test

import (
	"testing"

	"masthead/internal/access"
)

// The callers of DESIGN.md's access table, one column each.
var (
	anonymous  = access.Principal{}
	reader     = access.Principal{Subject: "u-reader", Role: access.RoleReader}
	subscriber = access.Principal{Subject: "u-sub", Role: access.RoleSubscriber}
	headlines  = access.Principal{Subject: "p-1", Role: access.RolePartner, Scopes: []string{access.ScopeHeadlines}}
	fullText   = access.Principal{Subject: "p-2", Role: access.RolePartner, Scopes: []string{access.ScopeHeadlines, access.ScopeFullText}}
	editor     = access.Principal{Subject: "u-ed", Role: access.RoleEditor}
	admin      = access.Principal{Subject: "u-admin", Role: access.RoleAdmin}
)

func TestDecide(t *testing.T) {
	t.Parallel()
	const (
		full    = true
		preview = false
	)
	type row struct {
		caller string
		p      access.Principal
		want   bool
		reason string
	}
	// Written from DESIGN.md's table, not from the code.
	table := map[access.Level][]row{
		access.Public: {
			{"anonymous", anonymous, full, access.ReasonPublic},
			{"reader", reader, full, access.ReasonPublic},
			{"subscriber", subscriber, full, access.ReasonPublic},
			{"partner headlines", headlines, full, access.ReasonPublic},
			{"partner full_text", fullText, full, access.ReasonPublic},
			{"editor", editor, full, access.ReasonPublic},
			{"admin", admin, full, access.ReasonPublic},
		},
		access.Registered: {
			{"anonymous", anonymous, preview, access.ReasonLoginRequired},
			{"reader", reader, full, access.ReasonRegistered},
			{"subscriber", subscriber, full, access.ReasonSubscriber},
			{"partner headlines", headlines, preview, access.ReasonLicenseRequired},
			{"partner full_text", fullText, full, access.ReasonLicensed},
			{"editor", editor, full, access.ReasonStaff},
			{"admin", admin, full, access.ReasonStaff},
		},
		access.Subscribers: {
			{"anonymous", anonymous, preview, access.ReasonSubscriptionRequired},
			{"reader", reader, preview, access.ReasonSubscriptionRequired},
			{"subscriber", subscriber, full, access.ReasonSubscriber},
			{"partner headlines", headlines, preview, access.ReasonLicenseRequired},
			{"partner full_text", fullText, full, access.ReasonLicensed},
			{"editor", editor, full, access.ReasonStaff},
			{"admin", admin, full, access.ReasonStaff},
		},
	}
	// An unknown level is treated as the strictest one, subscribers.
	table["premium"] = table[access.Subscribers]
	table[""] = table[access.Subscribers]
	table["PUBLIC"] = table[access.Subscribers]

	for level, rows := range table {
		for _, r := range rows {
			t.Run(string(level)+"/"+r.caller, func(t *testing.T) {
				got := access.Decide(level, r.p)
				if got.Granted != r.want || got.Reason != r.reason {
					t.Errorf("Decide(%q, %s) = %+v, want granted=%v reason=%q", level, r.caller, got, r.want, r.reason)
				}
			})
		}
	}
}

func TestDecideCallerEdges(t *testing.T) {
	t.Parallel()
	// A partner without any scope gets what a headlines partner gets.
	noScope := access.Principal{Subject: "p-3", Role: access.RolePartner}
	if d := access.Decide(access.Registered, noScope); d.Granted {
		t.Errorf("scopeless partner on registered: %+v, want preview", d)
	}
	// full_text is a partner scope: it grants nothing to a reader.
	readerFT := access.Principal{Subject: "u", Role: access.RoleReader, Scopes: []string{access.ScopeFullText}}
	if d := access.Decide(access.Subscribers, readerFT); d.Granted {
		t.Errorf("reader with full_text scope on subscribers: %+v, want preview", d)
	}
	// A token with an unknown role (cannot come from Verify) gets nothing extra.
	odd := access.Principal{Subject: "u", Role: "superuser"}
	for _, l := range []access.Level{access.Registered, access.Subscribers} {
		if d := access.Decide(l, odd); d.Granted {
			t.Errorf("unknown role on %s: %+v, want preview", l, d)
		}
	}
}

func TestPrincipal(t *testing.T) {
	t.Parallel()
	if !anonymous.Anonymous() || reader.Anonymous() {
		t.Error("Anonymous: wrong for the zero value or a reader")
	}
	if !editor.Staff() || !admin.Staff() || subscriber.Staff() || fullText.Staff() {
		t.Error("Staff: only editors and admins")
	}
	if !fullText.HasScope(access.ScopeFullText) || headlines.HasScope(access.ScopeFullText) {
		t.Error("HasScope: wrong")
	}
	for _, r := range []access.Role{access.RoleReader, access.RoleSubscriber, access.RoleEditor, access.RoleAdmin, access.RolePartner} {
		if !r.Valid() {
			t.Errorf("%q.Valid() = false", r)
		}
	}
	for _, r := range []access.Role{"", "Admin", "root", "subscriber "} {
		if r.Valid() {
			t.Errorf("%q.Valid() = true", r)
		}
	}
}
