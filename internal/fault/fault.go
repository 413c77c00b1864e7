// Package fault is the small set of failures every domain reports, whatever
// the resource: not found, conflict, stale (someone saved first), invalid
// (with the fields at fault), and the two refusals a domain may decide
// itself (unauthenticated, forbidden). Domains wrap these; the HTTP layer
// maps them to problem documents in one place. It imports nothing of ours.
package fault

import "errors"

// The kinds. Every *Error unwraps to one of them, so that
// errors.Is(err, fault.ErrNotFound) holds for any domain's not-found.
var (
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrStale           = errors.New("stale")
	ErrInvalid         = errors.New("invalid")
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrForbidden       = errors.New("forbidden")
	// ErrUnavailable is a dependency that does not answer (the database
	// server stopped, its connections dropped): nothing is wrong with the
	// request, and the same request may succeed a moment later. The store
	// wraps it; domains pass it on.
	ErrUnavailable = errors.New("unavailable")
	// ErrGone is something that existed and is no more (an old path of
	// the site whose article was deleted or withdrawn): unlike a
	// not-found, it is known, and will not come back by asking again.
	ErrGone = errors.New("gone")
)

// FieldError is one invalid field of a write: its path in the request
// ("title", "tags[1]", "body.blocks[3].text") and what is wrong with it.
type FieldError struct {
	Field   string
	Message string
}

// Error is a fault with what a client may be told: a detail sentence, a
// stable code when the kind's default code is not precise enough (such as
// "comments_closed" for a forbidden), and the fields of an invalid write.
type Error struct {
	kind   error
	Code   string
	Detail string
	Fields []FieldError
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return e.Detail
	}
	if len(e.Fields) > 0 {
		return "invalid " + e.Fields[0].Field + ": " + e.Fields[0].Message
	}
	return e.kind.Error()
}

// Unwrap returns the kind.
func (e *Error) Unwrap() error { return e.kind }

// Kind is the sentinel this fault unwraps to.
func (e *Error) Kind() error { return e.kind }

// NotFound is a not-found fault saying what was not found.
func NotFound(detail string) *Error { return &Error{kind: ErrNotFound, Detail: detail} }

// Conflict is a conflict fault (a duplicate, or a resource still in use).
func Conflict(detail string) *Error { return &Error{kind: ErrConflict, Detail: detail} }

// Stale is the fault of a write based on a version that is no longer
// current: nothing of it was stored.
func Stale(detail string) *Error { return &Error{kind: ErrStale, Detail: detail} }

// Unavailable is the fault of a request that may succeed a moment later
// (a dependency busy or not answering); detail says what to wait for.
func Unavailable(detail string) *Error { return &Error{kind: ErrUnavailable, Detail: detail} }

// Gone is a gone fault saying what is gone.
func Gone(detail string) *Error { return &Error{kind: ErrGone, Detail: detail} }

// Unauthenticated is a refusal for want of valid credentials; code names
// which (such as "invalid_credentials").
func Unauthenticated(code, detail string) *Error {
	return &Error{kind: ErrUnauthenticated, Code: code, Detail: detail}
}

// Forbidden is a refusal the domain decides; code names why.
func Forbidden(code, detail string) *Error {
	return &Error{kind: ErrForbidden, Code: code, Detail: detail}
}

// Invalid is the fault of a write with invalid fields; it is nil when
// fields is empty, so that `return fault.Invalid(errs...)` ends a check.
func Invalid(fields ...FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{kind: ErrInvalid, Fields: fields}
}

// Field is one FieldError.
func Field(field, message string) FieldError { return FieldError{Field: field, Message: message} }

// Fields returns the field errors of an invalid fault in err's chain, and
// whether err is one.
func Fields(err error) ([]FieldError, bool) {
	var fe *Error
	if errors.As(err, &fe) && errors.Is(fe.kind, ErrInvalid) {
		return fe.Fields, true
	}
	return nil, false
}

// Collect adds the field errors of err to fields when err is an invalid
// fault, and returns any other error as it is.
func Collect(fields []FieldError, err error) ([]FieldError, error) {
	if err == nil {
		return fields, nil
	}
	if fs, ok := Fields(err); ok {
		return append(fields, fs...), nil
	}
	return fields, err
}
