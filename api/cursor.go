package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"
)

// cursors makes and checks the opaque list cursors. A cursor is the
// base64url of a small JSON position followed by a truncated HMAC, so a
// cursor we did not issue (or one edited by hand) is refused with a 400
// instead of being trusted as a position.
type cursors struct {
	key []byte
}

// position is what a cursor carries: the sort key of the last item served,
// and the list it belongs to (a cursor of one list is refused by another).
type position struct {
	List string    `json:"l"`
	Time time.Time `json:"t"`
	ID   string    `json:"i"`
	// Score is the rank of the last hit of a search page.
	Score *float64 `json:"s,omitempty"`
}

const macSize = 12

var errBadCursor = errors.New("cursor was not issued by this API")

func (cs cursors) encode(p position) string {
	raw, _ := json.Marshal(p) // a struct of strings and a time cannot fail
	m := hmac.New(sha256.New, cs.key)
	m.Write(raw)
	return base64.RawURLEncoding.EncodeToString(append(raw, m.Sum(nil)[:macSize]...))
}

func (cs cursors) decode(list, s string) (position, error) {
	if len(s) > 512 {
		return position{}, errBadCursor
	}
	// A cursor has one spelling: the decoder would otherwise skip line
	// breaks and ignore trailing bits that encode never sets.
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) <= macSize || base64.RawURLEncoding.EncodedLen(len(b)) != len(s) {
		return position{}, errBadCursor
	}
	raw, sum := b[:len(b)-macSize], b[len(b)-macSize:]
	m := hmac.New(sha256.New, cs.key)
	m.Write(raw)
	if !hmac.Equal(sum, m.Sum(nil)[:macSize]) {
		return position{}, errBadCursor
	}
	var p position
	if err := json.Unmarshal(raw, &p); err != nil || p.List != list || p.ID == "" || p.Time.IsZero() {
		return position{}, errBadCursor
	}
	return p, nil
}
