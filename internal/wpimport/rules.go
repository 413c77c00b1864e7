package wpimport

import (
	"fmt"
	"strings"

	"masthead/internal/content"
)

// AccessRule gives an access level to the posts that match it: those in a
// category or with a tag (by slug), or with a post meta key, optionally of
// a given value. Rules are tried in order; the most restrictive level that
// matches wins, so that the order in which a newsroom lists them never
// opens a paid story.
type AccessRule struct {
	Kind     string // "category", "tag" or "meta"
	Key      string // the category or tag slug, or the meta key
	Value    string // for meta: the value to match; empty matches any non-empty value
	HasValue bool
	Access   content.Access
}

// ParseAccessRule reads a rule as the command line gives it:
//
//	category:SLUG=LEVEL
//	tag:SLUG=LEVEL
//	meta:KEY=LEVEL           (any non-empty value)
//	meta:KEY=VALUE=LEVEL     (that value)
//
// LEVEL is public, registered or subscribers.
func ParseAccessRule(s string) (AccessRule, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		return AccessRule{}, fmt.Errorf("access rule %q: want category:SLUG=LEVEL, tag:SLUG=LEVEL or meta:KEY[=VALUE]=LEVEL", s)
	}
	i := strings.LastIndexByte(rest, '=')
	if i < 0 {
		return AccessRule{}, fmt.Errorf("access rule %q: no =LEVEL", s)
	}
	match, level := rest[:i], content.Access(rest[i+1:])
	if !level.Valid() {
		return AccessRule{}, fmt.Errorf("access rule %q: level %q is not public, registered or subscribers", s, level)
	}
	r := AccessRule{Kind: kind, Access: level}
	switch kind {
	case "category", "tag":
		r.Key = match
	case "meta":
		r.Key, r.Value, r.HasValue = strings.Cut(match, "=")
	default:
		return AccessRule{}, fmt.Errorf("access rule %q: %q is not category, tag or meta", s, kind)
	}
	if strings.TrimSpace(r.Key) == "" {
		return AccessRule{}, fmt.Errorf("access rule %q: no %s to match", s, kind)
	}
	return r, nil
}

// String is the rule as the command line gives it.
func (r AccessRule) String() string {
	if r.Kind == "meta" && r.HasValue {
		return r.Kind + ":" + r.Key + "=" + r.Value + "=" + string(r.Access)
	}
	return r.Kind + ":" + r.Key + "=" + string(r.Access)
}

// rank orders the levels from open to closed.
func rank(a content.Access) int {
	switch a {
	case content.AccessSubscribers:
		return 2
	case content.AccessRegistered:
		return 1
	}
	return 0
}
