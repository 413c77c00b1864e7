package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"masthead/internal/store"
)

type userRow struct {
	ID                string `gorm:"primaryKey"`
	Email             string
	Name              string
	PasswordHash      string
	Role              string
	SubscriptionUntil *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (userRow) TableName() string { return "users" }

// refreshRow is one refresh token. Only the SHA-256 of the token is kept:
// a copy of the table logs nobody in.
type refreshRow struct {
	ID        string `gorm:"primaryKey"`
	TokenHash string
	FamilyID  string
	UserID    string
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

func (refreshRow) TableName() string { return "refresh_tokens" }

// Models lists the row types, for the schema agreement test.
func Models() []any { return []any{&userRow{}, &refreshRow{}} }

func translate(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case errors.Is(err, store.ErrDuplicate), errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}

func toUserRow(u User) userRow {
	return userRow{ID: u.ID, Email: u.Email, Name: u.Name, PasswordHash: u.PasswordHash, Role: string(u.Role),
		SubscriptionUntil: u.SubscriptionUntil, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func (r userRow) user() User {
	u := User{ID: r.ID, Email: r.Email, Name: r.Name, PasswordHash: r.PasswordHash, Role: Role(r.Role),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.SubscriptionUntil != nil {
		t := r.SubscriptionUntil.UTC()
		u.SubscriptionUntil = &t
	}
	return u
}

func (s *Service) insertUser(ctx context.Context, u User) error {
	row := toUserRow(u)
	return translate(store.Translate(s.db.Write(ctx).Create(&row).Error))
}

func (s *Service) findUser(ctx context.Context, where string, arg any) (User, error) {
	var row userRow
	if err := s.db.Read(ctx).Where(where, arg).Take(&row).Error; err != nil {
		return User{}, translate(store.Translate(err))
	}
	return row.user(), nil
}

func (s *Service) nameTaken(ctx context.Context, name string) (bool, error) {
	var n int64
	err := s.db.Read(ctx).Model(&userRow{}).Where("lower(name) = lower(?)", name).Limit(1).Count(&n).Error
	return n > 0, err
}

// updateUser sets columns of the user with email and returns it afterwards.
func (s *Service) updateUser(ctx context.Context, email string, set map[string]any) (User, error) {
	set["updated_at"] = s.clock()
	var row userRow
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&userRow{}).Where("email = ?", email).Updates(set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return tx.Where("email = ?", email).Take(&row).Error
	})
	if err != nil {
		return User{}, translate(store.Translate(err))
	}
	return row.user(), nil
}
