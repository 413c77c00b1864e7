package partners

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"masthead/internal/store"
)

type partnerRow struct {
	ID             string `gorm:"primaryKey"`
	Name           string
	Scopes         string // space-separated
	RateLimit      int
	Active         bool
	FeedKeyHash    string
	TokenID        string
	TokenExpiresAt time.Time
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
	DisabledAt     *time.Time
}

func (partnerRow) TableName() string { return "partners" }

// Models lists the row types, for the schema agreement test.
func Models() []any { return []any{&partnerRow{}} }

func (r partnerRow) partner() Partner {
	p := Partner{ID: r.ID, Name: r.Name, Scopes: strings.Fields(r.Scopes), RateLimit: r.RateLimit,
		Active: r.Active, TokenID: r.TokenID, TokenExpiresAt: r.TokenExpiresAt.UTC(), Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.DisabledAt != nil {
		t := r.DisabledAt.UTC()
		p.DisabledAt = &t
	}
	return p
}

func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrStale), errors.Is(err, ErrConflict):
		return err
	case errors.Is(err, store.ErrNotFound), errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case errors.Is(err, store.ErrDuplicate), errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}

func (s *Service) insert(ctx context.Context, p Partner, feedKeyHash string) error {
	row := partnerRow{ID: p.ID, Name: p.Name, Scopes: strings.Join(p.Scopes, " "), RateLimit: p.RateLimit,
		Active: p.Active, FeedKeyHash: feedKeyHash, TokenID: p.TokenID, TokenExpiresAt: p.TokenExpiresAt,
		Version: 1, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, DisabledAt: p.DisabledAt}
	return translate(store.Translate(s.db.Write(ctx).Create(&row).Error))
}

// find reads one partner by a unique column: an indexed lookup, which the
// authentication of every partner request makes.
func (s *Service) find(ctx context.Context, where string, arg any) (Partner, error) {
	var row partnerRow
	if err := s.db.Read(ctx).Where(where, arg).Take(&row).Error; err != nil {
		return Partner{}, translate(store.Translate(err))
	}
	return row.partner(), nil
}

func (s *Service) list(ctx context.Context, limit int, after *Cursor) ([]Partner, *Cursor, error) {
	q := s.db.Read(ctx).Model(&partnerRow{})
	if after != nil {
		q = q.Where("created_at < ? OR (created_at = ? AND id < ?)", after.CreatedAt, after.CreatedAt, after.ID)
	}
	var rows []partnerRow
	if err := q.Order("created_at DESC, id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("list partners: %w", err)
	}
	var next *Cursor
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		next = &Cursor{CreatedAt: last.CreatedAt.UTC(), ID: last.ID}
	}
	out := make([]Partner, len(rows))
	for i, r := range rows {
		out[i] = r.partner()
	}
	return out, next, nil
}

// update changes the partner id in one transaction: it reads the row,
// checks expect against its version, asks change for the columns to set,
// and moves the version on by one.
func (s *Service) update(ctx context.Context, id string, expect int, change func(cur Partner, now time.Time) (map[string]any, error)) (Partner, error) {
	if !IsID(id) {
		return Partner{}, ErrNotFound
	}
	var out partnerRow
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var row partnerRow
		q := tx.Where("id = ?", id)
		if s.db.Dialect == store.Postgres {
			// Writers of one partner take turns, so the second reads what
			// the first wrote (SQLite's single writer does this already).
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Take(&row).Error; err != nil {
			return err
		}
		cur := row.partner()
		if expect != 0 && expect != cur.Version {
			return ErrStale
		}
		now := s.Now()
		set, err := change(cur, now)
		if err != nil {
			return err
		}
		if !now.After(cur.UpdatedAt) {
			now = cur.UpdatedAt.Add(time.Microsecond)
		}
		set["updated_at"] = now
		set["version"] = cur.Version + 1
		res := tx.Model(&partnerRow{}).Where("id = ? AND version = ?", id, cur.Version).Updates(set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrStale
		}
		return tx.Where("id = ?", id).Take(&out).Error
	})
	if err != nil {
		return Partner{}, fmt.Errorf("update partner %s: %w", id, translate(store.Translate(err)))
	}
	return out.partner(), nil
}
