# Build tags live here and nowhere else: mattn/go-sqlite3 has FTS5 only with
# sqlite_fts5, and every new tag set recompiles SQLite's C code (~1 min).
TAGS    := sqlite_fts5
GO      ?= go
GOTAGS  := -tags $(TAGS)
SWAG    := github.com/swaggo/swag/cmd/swag@v1.16.6
LINTER  := github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.6.2
PG_URL  ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
FUZZTIME ?= 30s
# make loadtest: seconds of load, connections, and sqlite, postgres or both.
DURATION ?= 60
CONNECTIONS ?= 256
DB ?= both
# make loadtest-search: corpus sizes and database (sqlite, postgres or both), seconds and connections of each wrk run.
SEARCH_SIZES ?= $(or $(SIZES),demo 1000 100000)
SEARCH_DB ?= sqlite
SEARCH_DURATION ?= 20
SEARCH_CONNECTIONS ?= 32
# make bench: corpus sizes, database (sqlite, postgres: two processes, or both), seconds of each wrk run, connection
# counts, comments per corpus (passed to seed once it has --comments), and the page written (empty: none).
BENCH_SIZES ?= $(or $(SIZES),1000 100000)
BENCH_DB ?= sqlite
BENCH_DURATION ?= 10
BENCH_CONNECTIONS ?= 32 128
BENCH_COMMENTS ?=
BENCH_DOC ?= docs/performance.md
SWAGFLAGS := init -g api/server.go -d ./ --parseInternal --outputTypes json --overridesFile .swaggo --quiet

.PHONY: run build test test-pg vet lint fmt-check tidy-check fuzz docs docs-check bench bench-short bench-tools bench-go bench-feed loadtest loadtest-short loadtest-search seed migrate-new clean

## run: start the server on 127.0.0.1:8080 with demo content in ./data
run:
	$(GO) run $(GOTAGS) . serve --demo --log-format text

## build: the masthead binary in ./bin
build:
	$(GO) build $(GOTAGS) -trimpath -o bin/masthead .

## test: every test, with the race detector, on SQLite (and on PostgreSQL too when TEST_DATABASE_URL is set)
test:
	@.ci/services redis
	$(GO) test $(GOTAGS) -race -count=1 -timeout 30m ./...

## test-pg: every test on the local PostgreSQL
test-pg:
	@.ci/services redis postgres
	TEST_DATABASE_URL='$(PG_URL)' $(GO) test $(GOTAGS) -race -count=1 -timeout 30m ./...

vet:
	$(GO) vet $(GOTAGS) ./...

## tidy-check: fail when go mod tidy would change go.mod or go.sum
tidy-check:
	$(GO) mod tidy -diff

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt'd:"; echo "$$out"; exit 1; fi

## lint: vet, gofmt and golangci-lint (pinned, run through go run)
lint: vet fmt-check
	$(GO) run $(LINTER) run --build-tags $(TAGS) ./...

## fuzz: run each fuzzer for FUZZTIME
fuzz:
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzPreview$$' -fuzztime=$(FUZZTIME) ./internal/blocks/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzHTML$$' -fuzztime=$(FUZZTIME) ./internal/blocks/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzCursor$$' -fuzztime=$(FUZZTIME) ./api/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzAuthorization$$' -fuzztime=$(FUZZTIME) ./api/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzUploadPhoto$$' -fuzztime=$(FUZZTIME) ./api/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzFromHTML$$' -fuzztime=$(FUZZTIME) ./internal/blocks/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzSlug$$' -fuzztime=$(FUZZTIME) ./internal/content/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzCanonicalPath$$' -fuzztime=$(FUZZTIME) ./internal/content/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzCommentBody$$' -fuzztime=$(FUZZTIME) ./internal/comments/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzExternalVerify$$' -fuzztime=$(FUZZTIME) ./internal/access/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzFeedXML$$' -fuzztime=$(FUZZTIME) ./internal/feed/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzText$$' -fuzztime=$(FUZZTIME) ./internal/xmlchar/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzWebhookURL$$' -fuzztime=$(FUZZTIME) ./internal/webhooks/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzVerifyClaims$$' -fuzztime=$(FUZZTIME) ./internal/access/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzExternalVerifyClaims$$' -fuzztime=$(FUZZTIME) ./internal/access/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzCost$$' -fuzztime=$(FUZZTIME) ./internal/media/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s ./internal/search/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzAnalyze$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s ./internal/search/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzSnippet$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s ./internal/search/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzReader$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s ./internal/wordpress/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzConvertBody$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s ./internal/wordpress/
	$(GO) test $(GOTAGS) -run='^$$' -fuzz='^FuzzCanonicalPath$$' -fuzztime=$(FUZZTIME) ./internal/wordpress/

## docs: regenerate docs/swagger.json (swag) and docs/openapi.json (OpenAPI 3)
docs:
	$(GO) run $(SWAG) $(SWAGFLAGS) -o docs
	$(GO) run ./internal/cmd/openapi3 docs/swagger.json docs/openapi.json

## docs-check: fail when the committed spec is not what the code generates
docs-check:
	@tmp=$$(mktemp -d); \
	$(GO) run $(SWAG) $(SWAGFLAGS) -o $$tmp && \
	$(GO) run ./internal/cmd/openapi3 $$tmp/swagger.json $$tmp/openapi.json && \
	diff -u docs/swagger.json $$tmp/swagger.json && diff -u docs/openapi.json $$tmp/openapi.json \
	|| { echo "docs/ is stale: run make docs and commit the result"; rm -rf $$tmp; exit 1; }; \
	rm -rf $$tmp; echo "docs/ is up to date"

## bench: every read under wrk over seeded corpora (cached in tmp/corpus) against same-run floors (identity and gzip): ratios, p50, p99, peak RSS, start-up; writes docs/performance.md and .svg; BENCH_SIZES, BENCH_DB, BENCH_DURATION, BENCH_CONNECTIONS, BENCH_COMMENTS, BENCH_DOC
bench: build bench-tools
	SIZES='$(BENCH_SIZES)' DB='$(BENCH_DB)' DURATION='$(BENCH_DURATION)' CONNECTIONS='$(BENCH_CONNECTIONS)' \
	COMMENTS='$(BENCH_COMMENTS)' DOC='$(BENCH_DOC)' \
	BENCH_COMMAND='$(or $(BENCH_COMMAND),make bench BENCH_SIZES="$(BENCH_SIZES)" BENCH_DB=$(BENCH_DB) BENCH_DURATION=$(BENCH_DURATION) BENCH_CONNECTIONS="$(BENCH_CONNECTIONS)")' \
	loadtest/bench.sh

## bench-short: the same over the demo content, 3 s runs at 32 connections on SQLite, no page written; fails on any non-2xx/3xx or socket error (CI)
bench-short: build bench-tools
	SIZES=demo DB=sqlite DURATION=3 WARMUP=0 CONNECTIONS=32 ENCODINGS=gzip COLD_IDS=100 THREAD_COMMENTS=10 DOC= \
	READS='article-hot sub-article-cold list-tag search comments changes' \
	BENCH_COMMAND='make bench-short' loadtest/bench.sh

bench-tools:
	$(GO) build -trimpath -o bin/floor ./loadtest/floor
	$(GO) build -trimpath -o bin/benchreport ./internal/cmd/benchreport

## bench-import: masthead import wordpress over a synthetic export (IMPORT_POSTS 20000 posts, 5 comments each, IMPORT_ATTACHMENTS 5000 photos) into a fresh SQLite database, then again (nothing changes): posts per second and peak RSS (/usr/bin/time)
IMPORT_POSTS ?= 20000
IMPORT_ATTACHMENTS ?= 5000
bench-import: build
	rm -rf tmp/import-bench && mkdir -p tmp/import-bench
	$(GO) run ./internal/cmd/wxrgen -out tmp/import-bench -posts $(IMPORT_POSTS) -comments 5 -attachments $(IMPORT_ATTACHMENTS)
	ls -l tmp/import-bench/export.xml
	/usr/bin/time -f 'first run: %e s, peak RSS %M KB' bin/masthead import wordpress tmp/import-bench/export.xml --uploads tmp/import-bench/uploads --data tmp/import-bench/data --log-level warn 2>tmp/import-bench/first.err | tee tmp/import-bench/first.out; tail -1 tmp/import-bench/first.err
	/usr/bin/time -f 'second run: %e s, peak RSS %M KB' bin/masthead import wordpress tmp/import-bench/export.xml --uploads tmp/import-bench/uploads --data tmp/import-bench/data --log-level warn 2>tmp/import-bench/second.err | tee tmp/import-bench/second.out; tail -1 tmp/import-bench/second.err

## bench-go: the Go benchmarks
bench-go:
	$(GO) test $(GOTAGS) -run='^$$' -bench=. -benchmem ./...

## bench-feed: 50-item feeds in each format, against same-run baselines (the list of 50; json.Marshal)
bench-feed:
	$(GO) test $(GOTAGS) -run='^$$' -bench=Feed -benchmem -count=5 ./api/ ./internal/feed/

## loadtest: mixed load (wrk) against serve --demo on 127.0.0.1, DURATION s at CONNECTIONS on DB; see docs/reliability.md
loadtest: build
	DURATION='$(DURATION)' CONNECTIONS='$(CONNECTIONS)' DB='$(DB)' loadtest/run.sh

## loadtest-short: the same checks, 10 s at 32 connections on SQLite (CI)
loadtest-short: build
	DURATION=10 CONNECTIONS=32 DB=sqlite loadtest/run.sh

## loadtest-search: search (wrk) over the demo content and seeded corpora (cached in tmp/corpus) against a fixed-bytes floor, with index size and reindex time; SEARCH_SIZES, SEARCH_DB, SEARCH_DURATION, SEARCH_CONNECTIONS
loadtest-search: build
	$(GO) build -trimpath -o bin/floor ./loadtest/floor
	SIZES='$(SEARCH_SIZES)' DB='$(SEARCH_DB)' DURATION='$(SEARCH_DURATION)' CONNECTIONS='$(SEARCH_CONNECTIONS)' loadtest/search.sh

## seed articles=N [comments=M]: write a generated archive of N articles (and M comments) into ./data (an empty database)
seed:
	@test -n "$(articles)" || { echo "usage: make seed articles=10000 [seed=S]"; exit 1; }
	$(GO) run $(GOTAGS) . seed --articles $(articles) --comments $(or $(comments),0) --seed $(or $(seed),1)

## migrate-new name=NAME: the next numbered migration, in both dialect folders
migrate-new:
	@test -n "$(name)" || { echo "usage: make migrate-new name=add_something"; exit 1; }
	@last=$$(ls migrations/sqlite | sed -n 's/^\([0-9]*\)_.*/\1/p' | sort -n | tail -1); \
	next=$$(printf '%05d' $$((10#$${last:-0} + 1))); \
	for d in sqlite postgres; do \
		f=migrations/$$d/$${next}_$(name).sql; \
		printf -- '-- +goose Up\n\n-- +goose Down\n' > $$f; echo "created $$f"; \
	done

clean:
	rm -rf bin
