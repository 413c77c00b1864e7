package fault_test

import (
	"errors"
	"fmt"
	"testing"

	"masthead/internal/fault"
)

func TestKindsSurviveWrapping(t *testing.T) {
	for _, tc := range []struct {
		err  error
		kind error
	}{
		{fault.NotFound("no photo has this id"), fault.ErrNotFound},
		{fault.Conflict("taken"), fault.ErrConflict},
		{fault.Stale("changed"), fault.ErrStale},
		{fault.Invalid(fault.Field("title", "is required")), fault.ErrInvalid},
		{fault.Unauthenticated("invalid_credentials", "wrong"), fault.ErrUnauthenticated},
		{fault.Forbidden("comments_closed", "closed"), fault.ErrForbidden},
		{fault.Gone("deleted"), fault.ErrGone},
	} {
		wrapped := fmt.Errorf("save x: %w", tc.err)
		if !errors.Is(wrapped, tc.kind) {
			t.Errorf("%v: not %v once wrapped", tc.err, tc.kind)
		}
		for _, other := range []error{fault.ErrNotFound, fault.ErrConflict, fault.ErrStale, fault.ErrInvalid, fault.ErrUnauthenticated, fault.ErrForbidden, fault.ErrGone} {
			if !errors.Is(other, tc.kind) && errors.Is(wrapped, other) {
				t.Errorf("%v is also %v", tc.err, other)
			}
		}
		var fe *fault.Error
		if !errors.As(wrapped, &fe) || !errors.Is(fe.Kind(), tc.kind) {
			t.Errorf("%v: errors.As finds %v", tc.err, fe)
		}
	}
}

func TestInvalidIsNilWithoutFields(t *testing.T) {
	if err := fault.Invalid(); err != nil {
		t.Fatalf("Invalid() = %v, want nil", err)
	}
	err := fault.Invalid(fault.Field("title", "is required"), fault.Field("tags[1]", "no tag has this slug"))
	fields, ok := fault.Fields(fmt.Errorf("create: %w", err))
	if !ok || len(fields) != 2 || fields[1].Field != "tags[1]" {
		t.Fatalf("Fields = %v, %v", fields, ok)
	}
	if err.Error() != "invalid title: is required" {
		t.Errorf("Error() = %q", err.Error())
	}
	if _, ok := fault.Fields(fault.Conflict("taken")); ok {
		t.Error("a conflict has field errors")
	}
}

func TestCollect(t *testing.T) {
	fields := []fault.FieldError{fault.Field("a", "x")}
	got, err := fault.Collect(fields, fault.Invalid(fault.Field("b", "y")))
	if err != nil || len(got) != 2 || got[1].Field != "b" {
		t.Fatalf("Collect(invalid) = %v, %v", got, err)
	}
	got, err = fault.Collect(got, nil)
	if err != nil || len(got) != 2 {
		t.Fatalf("Collect(nil) = %v, %v", got, err)
	}
	boom := errors.New("boom")
	if _, err := fault.Collect(got, boom); !errors.Is(err, boom) {
		t.Fatalf("Collect(other) = %v, want it back", err)
	}
}
