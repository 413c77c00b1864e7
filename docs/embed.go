// Package docs holds the API specification generated from the handlers'
// annotations by `make docs`: swagger.json (Swagger 2.0, swag's output) and
// openapi.json (the same converted to OpenAPI 3, which is served and which
// the tests validate every response against). Only this file is written by
// hand.
package docs

import _ "embed"

// OpenAPI is the OpenAPI 3 document served at /openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte
