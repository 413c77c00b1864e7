package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"
	"gorm.io/gorm"

	"masthead/internal/store"
)

// Session is a login's current refresh token. RefreshToken is the raw,
// opaque value: it is handed to the client once and never stored.
type Session struct {
	RefreshToken string
	FamilyID     string
	ExpiresAt    time.Time
}

// refreshBytes is the entropy of a refresh token (256 bits).
const refreshBytes = 32

func newRefreshToken() (raw, hash string, err error) {
	b := make([]byte, refreshBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("refresh token: %w", err)
	}
	raw = base64.RawURLEncoding.EncodeToString(b)
	return raw, hashToken(raw), nil
}

func hashToken(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// wellFormed reports whether raw could be a token we issued, so that junk
// costs no query.
func wellFormed(raw string) bool {
	if len(raw) != base64.RawURLEncoding.EncodedLen(refreshBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(raw)
	return err == nil
}

// Login authenticates and starts a new login (a new refresh token family).
func (s *Service) Login(ctx context.Context, email, password string) (User, Session, error) {
	u, err := s.Authenticate(ctx, email, password)
	if err != nil {
		return User{}, Session{}, err
	}
	sess, err := s.StartSession(ctx, u.ID)
	if err != nil {
		return User{}, Session{}, err
	}
	return u, sess, nil
}

// StartSession issues the first refresh token of a new family for userID.
func (s *Service) StartSession(ctx context.Context, userID string) (Session, error) {
	var sess Session
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var err error
		sess, err = s.issue(tx, userID, ulid.Make().String())
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("start session of %s: %w", userID, translate(store.Translate(err)))
	}
	return sess, nil
}

func (s *Service) issue(tx *gorm.DB, userID, family string) (Session, error) {
	raw, hash, err := newRefreshToken()
	if err != nil {
		return Session{}, err
	}
	now := s.clock()
	row := refreshRow{ID: ulid.Make().String(), TokenHash: hash, FamilyID: family, UserID: userID,
		ExpiresAt: now.Add(s.refreshTTL), CreatedAt: now}
	if err := tx.Create(&row).Error; err != nil {
		return Session{}, err
	}
	return Session{RefreshToken: raw, FamilyID: family, ExpiresAt: row.ExpiresAt}, nil
}

// revokeFamily revokes every token of a login that is not yet revoked.
func (s *Service) revokeFamily(tx *gorm.DB, family string, now time.Time) error {
	return tx.Model(&refreshRow{}).Where("family_id = ? AND revoked_at IS NULL", family).
		Update("revoked_at", now).Error
}

// Refresh rotates raw: it marks it used and returns the account (read
// afresh, so role and subscription changes apply) with the next token of
// the same login. A token presented a second time revokes the whole login
// and is ErrTokenReused; an unknown, expired or revoked one is
// ErrTokenInvalid. Two concurrent refreshes of one token: one wins, the
// other is a reuse (the conditional UPDATE sees used_at set).
func (s *Service) Refresh(ctx context.Context, raw string) (User, Session, error) {
	if !wellFormed(raw) {
		return User{}, Session{}, ErrTokenInvalid
	}
	var (
		outcome error
		user    User
		sess    Session
	)
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		outcome = nil
		now := s.clock()
		var row refreshRow
		if err := tx.Where("token_hash = ?", hashToken(raw)).Take(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				outcome = ErrTokenInvalid
				return nil
			}
			return err
		}
		switch {
		case row.RevokedAt != nil:
			outcome = ErrTokenInvalid
			return nil
		case row.UsedAt != nil:
			outcome = ErrTokenReused
			return s.revokeFamily(tx, row.FamilyID, now)
		case !now.Before(row.ExpiresAt):
			outcome = ErrTokenInvalid
			return nil
		}
		res := tx.Model(&refreshRow{}).Where("id = ? AND used_at IS NULL AND revoked_at IS NULL", row.ID).
			Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			// Someone used it between our read and our write.
			outcome = ErrTokenReused
			return s.revokeFamily(tx, row.FamilyID, now)
		}
		var u userRow
		if err := tx.Where("id = ?", row.UserID).Take(&u).Error; err != nil {
			return err
		}
		user = u.user()
		var err error
		sess, err = s.issue(tx, row.UserID, row.FamilyID)
		return err
	})
	if err != nil {
		return User{}, Session{}, fmt.Errorf("refresh: %w", translate(store.Translate(err)))
	}
	if outcome != nil {
		return User{}, Session{}, outcome
	}
	return user, sess, nil
}

// Logout revokes the whole login raw belongs to, whatever the token's
// state. An unknown token is not an error (RFC 7009): there is nothing to
// revoke, and the answer tells a caller nothing about which tokens exist.
func (s *Service) Logout(ctx context.Context, raw string) error {
	if !wellFormed(raw) {
		return nil
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var row refreshRow
		if err := tx.Where("token_hash = ?", hashToken(raw)).Take(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil
			}
			return err
		}
		return s.revokeFamily(tx, row.FamilyID, s.clock())
	})
	if err != nil {
		return fmt.Errorf("logout: %w", store.Translate(err))
	}
	return nil
}
