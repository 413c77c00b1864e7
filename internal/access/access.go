// Package access decides who reads what: it issues and verifies Masthead's
// JWTs, turns claims into a Principal, and applies the entitlement table.
// The preview itself is computed by the blocks package when an article is
// written; this package only decides whether a reader gets it or the whole.
package access

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"slices"
)

// Role is what a token says its holder is.
type Role string

// Roles.
const (
	RoleReader     Role = "reader"
	RoleSubscriber Role = "subscriber"
	RoleEditor     Role = "editor"
	RoleAdmin      Role = "admin"
	RolePartner    Role = "partner"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleReader, RoleSubscriber, RoleEditor, RoleAdmin, RolePartner:
		return true
	}
	return false
}

// Partner scopes.
const (
	ScopeHeadlines = "headlines"
	ScopeFullText  = "full_text"
)

// Principal is the caller: anonymous (the zero value) or a verified token.
type Principal struct {
	Subject string
	Role    Role
	Scopes  []string
	TokenID string
}

// Anonymous reports whether no token was presented.
func (p Principal) Anonymous() bool { return p.Subject == "" }

// HasScope reports whether the token carries scope s.
func (p Principal) HasScope(s string) bool { return slices.Contains(p.Scopes, s) }

// Staff reports whether p works in the newsroom.
func (p Principal) Staff() bool { return p.Role == RoleEditor || p.Role == RoleAdmin }

// SyndicatesFullText is the rule of the syndication formats (feeds, the
// sync API, ninjs): whole bodies go to partners licensed for full text and
// to staff, who check what partners get. It is narrower than Decide: a
// subscriber reads every article in full but may not take the text away to
// republish, so everybody else gets at most the preview, whatever the
// article's level.
func (p Principal) SyndicatesFullText() bool {
	return p.Staff() || (p.Role == RolePartner && p.HasScope(ScopeFullText))
}

// Level is an article's access level, as the content package stores it.
type Level string

// Levels.
const (
	Public      Level = "public"
	Registered  Level = "registered"
	Subscribers Level = "subscribers"
)

// Reasons given in the access object.
const (
	ReasonPublic               = "public"
	ReasonRegistered           = "registered"
	ReasonSubscriber           = "subscriber"
	ReasonLicensed             = "licensed"
	ReasonStaff                = "staff"
	ReasonLoginRequired        = "login_required"
	ReasonSubscriptionRequired = "subscription_required"
	ReasonLicenseRequired      = "license_required"
)

// Decision is the outcome of the entitlement table for one caller and one
// article.
type Decision struct {
	Granted bool
	Reason  string
}

// Decide applies the entitlement table of DESIGN.md:
//
//	level        anonymous  reader   subscriber  partner headlines  partner full_text  editor, admin
//	public       full       full     full        full               full               full
//	registered   preview    full     full        preview            full               full
//	subscribers  preview    preview  full        preview            full               full
//
// An unknown level is treated as the strictest.
func Decide(level Level, p Principal) Decision {
	if level == Public {
		return Decision{Granted: true, Reason: ReasonPublic}
	}
	switch {
	case p.Anonymous():
		if level == Registered {
			return Decision{Reason: ReasonLoginRequired}
		}
		return Decision{Reason: ReasonSubscriptionRequired}
	case p.Staff():
		return Decision{Granted: true, Reason: ReasonStaff}
	case p.Role == RolePartner:
		if p.HasScope(ScopeFullText) {
			return Decision{Granted: true, Reason: ReasonLicensed}
		}
		return Decision{Reason: ReasonLicenseRequired}
	case p.Role == RoleSubscriber:
		return Decision{Granted: true, Reason: ReasonSubscriber}
	case p.Role == RoleReader && level == Registered:
		return Decision{Granted: true, Reason: ReasonRegistered}
	}
	return Decision{Reason: ReasonSubscriptionRequired}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func derive(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("masthead/" + purpose))
	return m.Sum(nil)
}
