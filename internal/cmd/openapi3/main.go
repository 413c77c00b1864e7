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
	adjust(v3)
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
//     `@x-auth-required true`.
func adjust(doc *openapi3.T) {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, ref := range op.Responses.Map() {
				resp := ref.Value
				if resp == nil || resp.Content == nil {
					continue
				}
				mt := resp.Content.Get("application/json")
				if mt != nil && mt.Schema != nil && mt.Schema.Ref == "#/components/schemas/api.Problem" {
					delete(resp.Content, "application/json")
					resp.Content["application/problem+json"] = mt
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
}
