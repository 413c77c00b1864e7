package comments

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"masthead/internal/fault"
	"masthead/internal/xmlchar"
)

// Moderation modes.
const (
	ModePre     = "pre"     // everything is held
	ModePost    = "post"    // published at once, moderated after
	ModeTrusted = "trusted" // held unless the author is trusted
)

// Hold reasons recorded on a comment for the moderators.
const (
	ReasonSuspectWords = "suspect_words"
	ReasonTooManyLinks = "too_many_links"
	ReasonPremod       = "premoderation"
	ReasonNewAuthor    = "new_author"
	ReasonHoneypot     = "honeypot"
)

// Body and name bounds, in characters (runes) after trimming.
const (
	MinBody = 2
	MaxBody = 5000
	MaxName = 80
)

// ErrClosed is the refusal of a comment on an article that no longer takes
// comments.
var ErrClosed = fault.Forbidden("comments_closed", "this article no longer takes comments")

func invalidField(field, message string) error {
	return fault.Invalid(fault.Field(field, message))
}

// Policy is the moderation policy and the submission limits.
type Policy struct {
	Mode      string   // pre, post or trusted ("" is trusted)
	MaxDepth  int      // deepest reply; 0 is 5
	MaxLinks  int      // more http(s) links than this hold; 0 is 2, negative is none allowed
	CloseDays int      // days after publication comments close; 0 never
	Banned    []string // words that reject a comment
	Suspect   []string // words that hold a comment
}

func (p Policy) mode() string {
	switch p.Mode {
	case ModePre, ModePost:
		return p.Mode
	}
	return ModeTrusted
}

func (p Policy) maxDepth() int {
	if p.MaxDepth <= 0 {
		return 5
	}
	return p.MaxDepth
}

func (p Policy) maxLinks() int {
	switch {
	case p.MaxLinks == 0:
		return 2
	case p.MaxLinks < 0:
		return 0
	}
	return p.MaxLinks
}

// ValidMode reports whether m names a moderation mode.
func ValidMode(m string) bool { return m == ModePre || m == ModePost || m == ModeTrusted }

// CheckBody cleans a comment body of the characters XML 1.0 forbids (see
// package xmlchar: U+000B becomes a line break, ETX or ESC are dropped),
// trims it and checks it: valid UTF-8, no other control characters but
// newline and tab, 2–5000 characters. It returns the cleaned body, or an
// invalid fault on field "body".
func CheckBody(body string) (string, error) {
	if !utf8.ValidString(body) {
		return "", invalidField("body", "must be valid UTF-8")
	}
	body = xmlchar.Text(body)
	b := strings.TrimSpace(body)
	for _, r := range b {
		if r == '\n' || r == '\t' {
			continue
		}
		if unicode.IsControl(r) || r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
			return "", invalidField("body", "must not contain control characters")
		}
	}
	n := utf8.RuneCountInString(b)
	if n < MinBody || n > MaxBody {
		return "", invalidField("body", fmt.Sprintf("must be %d to %d characters", MinBody, MaxBody))
	}
	return b, nil
}

// reservedNames are names nobody may post under as a guest, compared on
// letters and digits only ("Ad-min" is "admin").
var reservedNames = map[string]bool{
	"admin": true, "administrator": true, "moderator": true, "mod": true, "editor": true,
	"staff": true, "masthead": true, "root": true, "system": true, "newsroom": true,
}

func nameKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// checkGuest checks a guest's name and email and returns them trimmed (the
// email lower-cased).
func checkGuest(name, email string) (string, string, error) {
	var fields []fault.FieldError
	name = strings.TrimSpace(xmlchar.Line(name))
	n := utf8.RuneCountInString(name)
	switch {
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		fields = append(fields, fault.Field("author_name", "must be text without control characters"))
	case n < 1 || n > MaxName:
		fields = append(fields, fault.Field("author_name", fmt.Sprintf("must be 1 to %d characters", MaxName)))
	case reservedNames[nameKey(name)]:
		fields = append(fields, fault.Field("author_name", "this name is reserved"))
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
		fields = append(fields, fault.Field("email", "must be a valid email address"))
	}
	if len(fields) > 0 {
		return "", "", fault.Invalid(fields...)
	}
	return name, email, nil
}

// commentWords splits text into lower-cased words of letters and digits.
func commentWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
}

// containsWord reports whether text holds one of list as whole words (an
// entry of several words matches them in a row), case-insensitively.
func containsWord(text []string, list []string) bool {
	for _, entry := range list {
		want := commentWords(entry)
		if len(want) == 0 {
			continue
		}
	scan:
		for i := 0; i+len(want) <= len(text); i++ {
			for j, w := range want {
				if text[i+j] != w {
					continue scan
				}
			}
			return true
		}
	}
	return false
}

var linkRE = regexp.MustCompile(`(?i)https?://`)

// countLinks counts http(s) links.
func countLinks(s string) int { return len(linkRE.FindAllStringIndex(s, -1)) }
