// Command masthead is the headless content API for a news publisher.
//
//	masthead serve    [--addr] [--data] [--db] [--demo] …   serve the API
//	masthead migrate  [up|status] [--data] [--db]            apply or list migrations
//	masthead rerender [--data] [--db] [--preview-words]       recompute stored previews and renderings
//	masthead search reindex [--data] [--db]                   rebuild the full-text search index
//	masthead token    --role R --sub S [--scope "a b"] [--ttl 1h] [--data]
//	masthead user     create|set-role|set-subscription --email E …  accounts
//	masthead seed     --articles N [--seed S] [--append] [--data] [--db]  write a generated archive
//	masthead health   [--addr]                                probe /healthz
//	masthead backup   DIR [--data] [--db]                      copy the database and media, online
//	masthead restore  DIR [--force] [--data] [--db]            bring a backup back (server stopped)
//
// Every flag has a MASTHEAD_* environment variable; flags win.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "masthead:", err)
		os.Exit(1)
	}
}

const usage = `usage: masthead <command> [flags]

commands:
  serve     serve the API (--demo loads demo content into an empty database)
  migrate   apply pending migrations (up, the default) or list them (status)
  rerender  recompute every article's stored preview and renderings with the current rules and budget
  search    "search reindex": rebuild the full-text search index
  token     print a signed token for a role and a subject
  user      create an account (password on stdin), set its role or its subscription end
  seed      write a generated archive of --articles N articles (fr, en, de, ru) into an empty database
  import    "import wordpress EXPORT.xml": bring a WordPress site in: posts, categories, tags, authors, photos, comments, old links
  health    exit 0 when the server at --addr answers /healthz (for container health checks)
  backup    copy the SQLite database, its media and the signing key into a new folder, while serving
  restore   bring a backup folder back into the data folder (stop the server first; --force over data)

"masthead <command> -h" lists a command's flags.
`

// run dispatches a command; it is main without the process around it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], getenv, stdout, stderr)
	case "rerender":
		return rerender(ctx, args[1:], getenv, stdout, stderr)
	case "search":
		return searchCmd(ctx, args[1:], getenv, stdout, stderr)
	case "token":
		return token(args[1:], getenv, stdout, stderr)
	case "user":
		return user(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "seed":
		return seedCmd(ctx, args[1:], getenv, stdout, stderr)
	case "import":
		return importCmd(ctx, args[1:], getenv, stdout, stderr)
	case "health":
		return health(ctx, args[1:], getenv, stdout, stderr)
	case "backup":
		return backupCmd(ctx, args[1:], getenv, stdout, stderr)
	case "restore":
		return restoreCmd(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
