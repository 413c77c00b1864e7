// Package migrations embeds the versioned SQL that owns Masthead's schema:
// one folder per dialect, the same numbered files in each.
package migrations

import "embed"

// FS holds sqlite/NNNNN_*.sql and postgres/NNNNN_*.sql.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
