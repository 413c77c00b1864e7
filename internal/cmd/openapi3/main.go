// Command openapi3 converts swag's Swagger 2.0 output to OpenAPI 3.0 with
// kin-openapi, so that the API serves, and the tests validate against, an
// OpenAPI 3 document. `make docs` runs it; its output is committed.
//
//	go run ./internal/cmd/openapi3 docs/swagger.json docs/openapi.json
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: openapi3 SWAGGER2.json OPENAPI3.json")
		os.Exit(2)
	}
	if err := convert(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "openapi3:", err)
		os.Exit(1)
	}
}

func convert(in, out string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var v2 openapi2.T
	if err := json.Unmarshal(b, &v2); err != nil {
		return fmt.Errorf("read %s: %w", in, err)
	}
	v3, err := openapi2conv.ToV3(&v2)
	if err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	v3.Servers = openapi3.Servers{{URL: "/", Description: "this server"}}
	if err := adjust(v3); err != nil {
		return err
	}
	addRateLimits(v3)
	if err := v3.Validate(openapi3.NewLoader().Context); err != nil {
		return fmt.Errorf("the converted document is not valid OpenAPI 3: %w", err)
	}
	js, err := json.MarshalIndent(v3, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(js, '\n'), 0o644)
}

// adjust says in OpenAPI 3 what Swagger 2.0 (and so swag) cannot:
//   - problem documents are served as application/problem+json;
//   - a Bearer token is optional on public reads (an empty security
//     requirement means "anonymous is fine") unless the operation carries
//     `@x-auth-required true`;
//   - an operation marked `@x-merge-into "<path>"` documents another media
//     type of that path's operation (same method): its responses' content
//     is added to that operation's, and its own path is dropped. Swagger 2.0
//     has one schema per status, OpenAPI 3 one per media type.
func adjust(doc *openapi3.T) error {
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			target, _ := op.Extensions["x-merge-into"].(string)
			if target == "" {
				continue
			}
			into := doc.Paths.Value(target)
			if into == nil || into.GetOperation(method) == nil {
				return fmt.Errorf("%s %s: x-merge-into names no such operation: %s", method, p, target)
			}
			for status, ref := range op.Responses.Map() {
				dst := into.GetOperation(method).Responses.Value(status)
				if dst == nil || dst.Value == nil || ref.Value == nil {
					continue
				}
				for mt, content := range ref.Value.Content {
					dst.Value.Content[mt] = content
				}
			}
			doc.Paths.Delete(p)
		}
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, ref := range op.Responses.Map() {
				resp := ref.Value
				if resp == nil || resp.Content == nil {
					continue
				}
				// Swagger 2.0 gives an error the operation's produced
				// types (feeds: RSS, Atom, JSON Feed); it is a problem
				// document whatever the operation produces.
				for _, mt := range resp.Content {
					if mt != nil && mt.Schema != nil && mt.Schema.Ref == "#/components/schemas/api.Problem" {
						resp.Content = openapi3.Content{"application/problem+json": mt}
						break
					}
				}
			}
			if op.Security == nil || len(*op.Security) == 0 {
				continue
			}
			if req, _ := op.Extensions["x-auth-required"].(bool); req {
				continue
			}
			sec := append(openapi3.SecurityRequirements{{}}, *op.Security...)
			op.Security = &sec
		}
	}
	return nil
}

// Rate limit headers, as api/ratelimit.go sets them.
var rateLimitHeaders = []struct{ name, desc string }{
	{"X-RateLimit-Limit", "the caller's budget, in requests per minute"},
	{"X-RateLimit-Remaining", "requests left in the budget right now"},
	{"X-RateLimit-Reset", "seconds until the whole budget is back (a delay, not a date)"},
}

// addRateLimits documents the rate limiter on the operations it covers:
// every /v1 operation that takes a Bearer token (the limiter runs in the
// authentication middleware). Each response may carry the X-RateLimit-*
// headers (anonymous callers and partners get them), and each operation
// may answer 429 rate_limited with Retry-After.
func addRateLimits(doc *openapi3.T) {
	if doc.Components.Headers == nil {
		doc.Components.Headers = openapi3.Headers{}
	}
	integer := func(desc string) *openapi3.HeaderRef {
		return &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
			Description: desc, Schema: openapi3.NewIntegerSchema().NewRef()}}}
	}
	refs := openapi3.Headers{}
	for _, h := range rateLimitHeaders {
		doc.Components.Headers[h.name] = integer(h.desc)
		refs[h.name] = &openapi3.HeaderRef{Ref: "#/components/headers/" + h.name, Value: doc.Components.Headers[h.name].Value}
	}
	var problem *openapi3.Schema
	if ref := doc.Components.Schemas["api.Problem"]; ref != nil {
		problem = ref.Value
	}
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/v1/") {
			continue
		}
		for _, op := range item.Operations() {
			if op.Security == nil || !takesBearer(*op.Security) {
				continue
			}
			if op.Responses.Value("429") == nil {
				desc := "Too Many Requests: past the caller's rate limit (`rate_limited`)"
				op.Responses.Set("429", &openapi3.ResponseRef{Value: &openapi3.Response{
					Description: &desc,
					Content: openapi3.Content{"application/problem+json": &openapi3.MediaType{
						Schema: &openapi3.SchemaRef{Ref: "#/components/schemas/api.Problem", Value: problem}}},
				}})
			}
			for code, ref := range op.Responses.Map() {
				resp := ref.Value
				if resp == nil {
					continue
				}
				if resp.Headers == nil {
					resp.Headers = openapi3.Headers{}
				}
				for name, h := range refs {
					if _, ok := resp.Headers[name]; !ok {
						resp.Headers[name] = h
					}
				}
				if _, ok := resp.Headers["Retry-After"]; code == "429" && !ok {
					resp.Headers["Retry-After"] = integer("seconds to wait before the next request")
				}
			}
		}
	}
}

func takesBearer(reqs openapi3.SecurityRequirements) bool {
	for _, r := range reqs {
		if _, ok := r["BearerAuth"]; ok {
			return true
		}
	}
	return false
}
