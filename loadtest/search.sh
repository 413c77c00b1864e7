#!/usr/bin/env bash
# Search under load, against a same-run floor: behind `make loadtest-search`.
#
# For each SIZE in SIZES (default "demo 1000 100000") and each database
# (DB=sqlite, postgres or both; default sqlite):
#
#   1. a corpus, cached under CORPUS (./tmp/corpus) so that the big one is
#      built once: "demo" is what `masthead serve --demo` loads into an
#      empty database; a number N is `masthead seed --articles N --seed
#      SEED`. SQLite corpora are folders there; PostgreSQL ones are
#      databases named masthead_corpus_<size>_s<seed> on 127.0.0.1:5432,
#      marked done by a file in CORPUS (a corpus whose build was cut short is
#      dropped and built again). FRESH=1 rebuilds them.
#   2. `masthead search reindex` on it, timed (n/a before the command exists);
#   3. bin/masthead serve on a free 127.0.0.1 port, with rate limits off;
#   4. one real response of SEARCH_PATH (for the query "budget") captured
#      with curl, and loadtest/floor serving those bytes on another port;
#   5. wrk (THREADS threads, CONNECTIONS connections, DURATION seconds, after
#      a WARMUP-second run) with loadtest/search.lua, first on masthead, then
#      on the floor, with the same settings;
#   6. the size of the search index: SQLite, the pages of the tables whose
#      names start with "search" (dbstat); PostgreSQL,
#      pg_total_relation_size('search_docs'); n/a while they do not exist.
#
# It prints, per size and database, search and floor requests per second and
# p99, and their ratio, then the same as a markdown table. Any non-2xx answer
# or socket error from masthead fails the run (exit 1): the figures would
# not be those of search. Everything is bounded in time, targets 127.0.0.1
# only, and stops by itself; the trap stops the servers and drops a
# PostgreSQL corpus left half-built. PG_DROP=1 drops the PostgreSQL corpora
# at the end too.
#
# SEARCH_PATH (default /v1/search?q=%s; %s is the URL-encoded query) may
# point at another endpoint to try the harness before search exists, e.g.
# SEARCH_PATH='/v1/articles?limit=20'.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-demo 1000 100000}
DB=${DB:-sqlite}
DURATION=${DURATION:-20}
DURATION=${DURATION%s}
WARMUP=${WARMUP:-3}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
FLOOR=${FLOOR:-bin/floor}
SEARCH_PATH=${SEARCH_PATH:-/v1/search?q=%s}
# SERVE_FLAGS: more flags for serve, e.g. "--cache-ttl 0" to measure every
# search (the response cache otherwise answers repeated queries).
SERVE_FLAGS=${SERVE_FLAGS:-}
# REINDEX=0 skips timing `masthead search reindex` (minutes at 100,000).
REINDEX=${REINDEX:-1}
REINDEX_TIMEOUT=${REINDEX_TIMEOUT:-1800}
export SEARCH_PATH

# shellcheck source=loadtest/lib.sh
source loadtest/lib.sh

die() { log "$*"; exit 2; }

[[ $DURATION =~ ^[0-9]+$ && $DURATION -ge 1 && $DURATION -le 600 ]] || die "DURATION: seconds, 1 to 600"
[[ $WARMUP =~ ^[0-9]+$ && $WARMUP -le 60 ]] || die "WARMUP: seconds, 0 to 60"
[[ $CONNECTIONS =~ ^[0-9]+$ && $CONNECTIONS -ge 1 && $CONNECTIONS -le 10000 ]] || die "CONNECTIONS: 1 to 10000"
[[ $THREADS =~ ^[0-9]+$ && $THREADS -ge 1 ]] || die "THREADS: at least 1"
[[ $SEED =~ ^[0-9]+$ ]] || die "SEED: a number"
((THREADS <= CONNECTIONS)) || THREADS=$CONNECTIONS
for s in $SIZES; do
	[[ $s == demo || ($s =~ ^[0-9]+$ && $s -ge 1 && $s -le 10000000) ]] || die "SIZES: demo or article counts, not $s"
done
mapfile -t dbs < <(dbs_of "$DB") || die "DB: sqlite, postgres or both"
((${#dbs[@]})) || die "DB: sqlite, postgres or both"
[[ -x $BIN ]] || die "$BIN is missing: make build"
[[ -x $FLOOR ]] || die "$FLOOR is missing: go build -o $FLOOR ./loadtest/floor"

tools=(wrk curl sqlite3)
[[ " ${dbs[*]} " == *" postgres "* ]] && tools+=(psql)
need_tools "${tools[@]}"

mkdir -p "$CORPUS"
work=$(mktemp -d "${TMPDIR:-/tmp}/masthead-search.XXXXXX")
floor_pid='' wrk_pid='' failed=0
rows=()

cleanup() {
	local rc=$?
	[[ -n $wrk_pid ]] && kill "$wrk_pid" 2>/dev/null || true
	stop_pid "$server_pid"
	stop_pid "$floor_pid"
	server_pid='' floor_pid='' wrk_pid=''
	lib_cleanup
	if ((failed || rc != 0)) || [[ -n ${KEEP:-} ]]; then
		log "kept $work (logs)"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# reindex DB SIZE: seconds taken by masthead search reindex, or n/a.
reindex() {
	local args t0 rc=0
	if [[ ${REINDEX:-1} == 0 ]]; then
		echo skipped
		return 0
	fi
	read -ra args <<<"$(db_args "$1" "$2")"
	t0=$(date +%s.%N)
	timeout "$REINDEX_TIMEOUT" "$BIN" search reindex "${args[@]}" --log-level warn >"$work/reindex.out" 2>&1 || rc=$?
	if ((rc != 0)); then
		if grep -q 'unknown command' "$work/reindex.out"; then
			log "$1 $2: no search reindex command yet"
		else
			log "$1 $2: search reindex failed ($rc): $(tail -3 "$work/reindex.out")"
		fi
		echo n/a
		return 0
	fi
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}

# index_size DB SIZE: bytes of the search tables, or n/a.
index_size() {
	local db=$1 size=$2 n
	if [[ $db == sqlite ]]; then
		local f
		f="$CORPUS/sqlite-$(corpus_name "$size")/masthead.db"
		n=$(sqlite3 -readonly "$f" "SELECT COUNT(*) FROM sqlite_schema WHERE name LIKE 'search%'" 2>/dev/null || echo 0)
		((n > 0)) || { echo n/a; return 0; }
		sqlite3 -readonly "$f" "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search%'" 2>/dev/null || echo n/a
	else
		psqlc -d "$(pg_name "$size")" -c \
			"SELECT COALESCE(pg_total_relation_size(to_regclass('search_docs'))::text, 'n/a')" 2>/dev/null || echo n/a
	fi
}

# db_size DB SIZE: bytes of the whole database (SQLite: with its WAL).
db_size() {
	if [[ $1 == sqlite ]]; then
		local f
		f="$CORPUS/sqlite-$(corpus_name "$2")/masthead.db"
		stat -c %s "$f" "$f-wal" 2>/dev/null | awk '{ n += $1 } END { print n }'
	else
		psqlc -c "SELECT pg_database_size('$(pg_name "$2")')"
	fi
}

# load NAME URL: wrk on URL with search.lua; prints the SEARCH result line.
load() {
	local name=$1 url=$2 rc=0
	if ((WARMUP > 0)); then
		timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 10s \
			-s loadtest/search.lua "$url" >"$work/$name.warmup" 2>&1 || true
	fi
	timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s \
		-s loadtest/search.lua "$url" >"$work/$name.wrk" 2>&1 &
	wrk_pid=$!
	wait "$wrk_pid" || rc=$?
	wrk_pid=''
	((rc == 0)) || { cat "$work/$name.wrk" >&2; die "wrk on $name failed ($rc)"; }
	grep '^SEARCH result ' "$work/$name.wrk" || die "no result line from wrk on $name"
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

human() { # bytes in MB, or as it is
	[[ $1 =~ ^[0-9]+$ ]] && awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1048576 }' || echo "$1"
}

run_one() {
	local db=$1 size=$2 args port floor_port api fl
	prepare "$db" "$size"
	read -ra args <<<"$(db_args "$db" "$size")"
	local took
	took=$(reindex "$db" "$size")

	port=$(free_port)
	"$BIN" serve "${args[@]}" --addr "127.0.0.1:$port" --log-level warn \
		--rate-limit-anon 0 --rate-limit-partner 0 $SERVE_FLAGS >"$work/serve.out" 2>"$work/serve.log" &
	server_pid=$!
	api="http://127.0.0.1:$port"
	wait_ready "$api" "$server_pid" "$work/serve.log"

	# One real response, the floor's body.
	local first=${SEARCH_PATH//%s/budget} ctype
	ctype=$(curl -sS --max-time 30 -o "$work/body" -w '%{content_type}' "$api$first")
	[[ -s $work/body ]] || die "$db $size: empty response from $first"
	floor_port=$(free_port)
	"$FLOOR" -addr "127.0.0.1:$floor_port" -body "$work/body" -type "${ctype:-application/json}" >"$work/floor.out" 2>&1 &
	floor_pid=$!
	fl="http://127.0.0.1:$floor_port"
	for _ in $(seq 1 50); do curl -fsS --max-time 2 -o /dev/null "$fl/" 2>/dev/null && break; sleep 0.2; done

	log "$db $size: wrk ${DURATION}s, $CONNECTIONS connections, $THREADS threads on $SEARCH_PATH (body of \"budget\": $(stat -c %s "$work/body") bytes)"
	local s f
	s=$(load "search-$db-$size" "$api")
	stop_pid "$server_pid"
	server_pid=''
	f=$(load "floor-$db-$size" "$fl")
	stop_pid "$floor_pid"
	floor_pid=''

	local srps sp50 sp99 frps fp99 ratio non2xx sock idx total
	srps=$(field rps "$s") sp50=$(field p50_ms "$s") sp99=$(field p99_ms "$s")
	frps=$(field rps "$f") fp99=$(field p99_ms "$f")
	non2xx=$(field non2xx "$s") sock=$(field socket_errors "$s")
	ratio=$(awk -v a="$srps" -v b="$frps" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
	idx=$(index_size "$db" "$size")
	total=$(db_size "$db" "$size")
	local verdict=ok
	if ((non2xx > 0 || sock > 0)); then
		verdict="FAIL: $non2xx non-2xx, $sock socket errors ($(grep '^SEARCH status' "$work/search-$db-$size.wrk" | awk '{ printf "%s×%s ", $3, $4 }'))"
		failed=1
	fi
	printf '%s %s: search %s req/s p50 %s ms p99 %s ms | floor %s req/s p99 %s ms | ratio %s | index %s of %s | reindex %s s | %s\n' \
		"$db" "$size" "$srps" "$sp50" "$sp99" "$frps" "$fp99" "$ratio" "$(human "$idx")" "$(human "$total")" "$took" "$verdict"
	rows+=("$(printf '| %-8s | %-6s | %8s | %8s | %8s | %8s | %8s | %5s× | %10s | %10s | %7s | %s |' \
		"$size" "$db" "$srps" "$sp50" "$sp99" "$frps" "$fp99" "$ratio" "$(human "$idx")" "$(human "$total")" "$took" "$verdict")")
}

for size in $SIZES; do
	for db in "${dbs[@]}"; do
		run_one "$db" "$size"
	done
done

printf '\nSearch load: %s, wrk %ss (after %ss warm-up), %s connections, %s threads, loadtest/search.lua; seed %s; %s\n\n' \
	"$SEARCH_PATH" "$DURATION" "$WARMUP" "$CONNECTIONS" "$THREADS" "$SEED" "$(date -u +%Y-%m-%dT%H:%MZ)"
printf '| size     | db       | search req/s | p50 ms | p99 ms | floor req/s | floor p99 ms | ratio | index size | db size | reindex s | result |\n'
printf '|----------|----------|--------------|--------|--------|-------------|--------------|-------|------------|---------|-----------|--------|\n'
printf '%s\n' "${rows[@]}"
exit "$failed"
