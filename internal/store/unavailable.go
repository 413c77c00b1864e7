package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"masthead/internal/fault"
)

// unavailable wraps err in fault.ErrUnavailable when it says the database
// could not be reached, rather than that a statement failed: the one place
// that knows what such failures look like, for every statement (see
// watchConnections), transaction and ping.
func unavailable(err error) error {
	if err == nil || errors.Is(err, fault.ErrUnavailable) || !isConnectionFailure(err) {
		return err
	}
	return fmt.Errorf("%w: %w", fault.ErrUnavailable, err)
}

// isConnectionFailure tells a database that does not answer (refused,
// reset, a connection the server closed, PostgreSQL's connection
// exceptions and shutdowns) from an error in a statement. A cancelled or
// timed-out context is the request's own end, not the database's: the
// HTTP layer maps it already.
func isConnectionFailure(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01-57P03: the server is
		// shutting down, crashed or starting; 53300: too many connections.
		return strings.HasPrefix(pe.Code, "08") ||
			pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || pe.Code == "53300"
	}
	var (
		ce *pgconn.ConnectError
		ne *net.OpError
	)
	switch {
	case errors.As(err, &ce), errors.As(err, &ne):
		return true
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	}
	// pgx's word for "nothing was sent": the connection failed before the
	// statement (such as one already closed).
	return pgconn.SafeToRetry(err)
}

// watchConnections makes every statement GORM runs on g report a database
// that does not answer as fault.ErrUnavailable.
func watchConnections(g *gorm.DB) error {
	mark := func(db *gorm.DB) { db.Error = unavailable(db.Error) }
	cb := g.Callback()
	for _, err := range []error{
		cb.Create().After("*").Register("masthead:unavailable", mark),
		cb.Query().After("*").Register("masthead:unavailable", mark),
		cb.Update().After("*").Register("masthead:unavailable", mark),
		cb.Delete().After("*").Register("masthead:unavailable", mark),
		cb.Row().After("*").Register("masthead:unavailable", mark),
		cb.Raw().After("*").Register("masthead:unavailable", mark),
	} {
		if err != nil {
			return fmt.Errorf("register the connection watch: %w", err)
		}
	}
	return nil
}
