#!/usr/bin/env bash
# The bounded mixed load test behind `make loadtest` (docs/reliability.md).
#
# For each database (DB=sqlite, postgres or both): start `masthead serve
# --demo` from bin/masthead on a free 127.0.0.1 port with a fresh data
# folder (and, for PostgreSQL, a fresh database on 127.0.0.1:5432, dropped
# afterwards), mint tokens from that folder, run wrk with loadtest/mix.lua
# for DURATION seconds over CONNECTIONS connections, then check:
#
#   - no 5xx, and no other status than 2xx (every request of the mix is a
#     valid one: anything else means the server or the mix is wrong);
#   - no socket error or timeout in wrk (connect, read, write, 10 s timeout);
#   - no "database is locked" (nor SQLITE_BUSY) in the server's log;
#   - each kind of write (comment, draft save, new draft) succeeded;
#   - RSS flat over the last 30 s of load: the last sample at most
#     RSS_GROWTH (1.10) times the sample taken 30 s before it (half the run
#     when DURATION is under 60 s);
#   - goroutines back to the baseline, measured before the load, within
#     GOROUTINE_MARGIN (5), within 30 s of the load's end.
#
# Everything is bounded in time, targets 127.0.0.1 only, and stops by itself:
# the trap stops the server and drops the database on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-60}
DURATION=${DURATION%s}
CONNECTIONS=${CONNECTIONS:-256}
DB=${DB:-both}
THREADS=${THREADS:-2}
GOROUTINE_MARGIN=${GOROUTINE_MARGIN:-5}
RSS_GROWTH=${RSS_GROWTH:-1.10}

# shellcheck source=loadtest/lib.sh
source loadtest/lib.sh

die() { log "$*"; failed=1; exit 2; }

[[ $DURATION =~ ^[0-9]+$ && $DURATION -ge 5 && $DURATION -le 3600 ]] || die "DURATION: seconds, 5 to 3600"
[[ $CONNECTIONS =~ ^[0-9]+$ && $CONNECTIONS -ge 1 && $CONNECTIONS -le 10000 ]] || die "CONNECTIONS: 1 to 10000"
[[ $THREADS =~ ^[0-9]+$ && $THREADS -ge 1 ]] || die "THREADS: at least 1"
((THREADS <= CONNECTIONS)) || THREADS=$CONNECTIONS
mapfile -t dbs < <(dbs_of "$DB") || die "DB: sqlite, postgres or both"
((${#dbs[@]})) || die "DB: sqlite, postgres or both"
[[ -x $BIN ]] || die "$BIN is missing: make build"

tools=(wrk jq curl)
[[ " ${dbs[*]} " == *" postgres "* ]] && tools+=(psql)
need_tools "${tools[@]}"

# The window over which RSS must be flat: 30 s, or half a shorter run.
window=30
((DURATION >= 60)) || window=$((DURATION / 2))

server_pid='' sampler_pid='' wrk_pid='' pg_db='' work='' failed=0
rows=()

stop_server() {
	stop_pid "$server_pid"
	server_pid=''
}

cleanup() {
	for p in $wrk_pid $sampler_pid; do kill "$p" 2>/dev/null || true; done
	wrk_pid='' sampler_pid=''
	stop_server
	if [[ -n $pg_db ]]; then
		psqlc -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 ||
			log "could not drop database $pg_db"
		pg_db=''
	fi
	if [[ -n $work ]]; then
		if ((failed)) || [[ -n ${KEEP:-} ]]; then
			log "kept $work (server.log, wrk.out, rss)"
		else
			rm -rf "$work"
		fi
		work=''
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# goroutines reads "goroutine profile: total N" from the debug listener.
goroutines() {
	curl -fsS --max-time 5 "$debug/debug/pprof/goroutine?debug=1" | sed -n 's/^goroutine profile: total //p'
}

# logged FIELD MSG: FIELD of the server's first log line with msg MSG.
logged() {
	grep -F "\"msg\":\"$2\"" "$work/server.log" 2>/dev/null | head -1 | jq -r ".$1" 2>/dev/null || true
}

run_one() {
	local db=$1
	work=$(mktemp -d "${TMPDIR:-/tmp}/masthead-loadtest.XXXXXX")
	local args=(serve --demo --data "$work/data" --addr 127.0.0.1:0 --debug-addr 127.0.0.1:0
		--log-format json --log-level info
		--rate-limit-anon 0 --rate-limit-partner 0
		--comments-rate-account 1000000 --comments-rate-ip 1000000)
	if [[ $db == postgres ]]; then
		pg_db="masthead_load_$(date +%s)_$$"
		psqlc -c "CREATE DATABASE $pg_db" >/dev/null
		args+=(--db "postgres://postgres@$PG_HOST:$PG_PORT/$pg_db?sslmode=disable")
	fi

	log "$db: starting masthead serve --demo ($work)"
	"$BIN" "${args[@]}" >"$work/stdout" 2>"$work/server.log" &
	server_pid=$!
	local addr='' i
	for i in $(seq 1 240); do
		addr=$(logged addr ready)
		[[ -n $addr ]] && break
		kill -0 "$server_pid" 2>/dev/null || { tail -20 "$work/server.log" >&2; die "$db: serve exited"; }
		sleep 0.5
	done
	[[ -n $addr ]] || { tail -20 "$work/server.log" >&2; die "$db: serve not ready after 120 s"; }
	[[ $addr == 127.0.0.1:* ]] || die "$db: serve listens on $addr, not 127.0.0.1"
	local api="http://$addr"
	debug="http://$(logged addr 'debug server ready')"
	[[ $debug == http://127.0.0.1:* ]] || die "$db: no debug listener on 127.0.0.1 ($debug)"

	# Tokens from the same data folder, valid for the run and some margin.
	local ttl=$((DURATION + 600))s
	tok() { "$BIN" token --data "$work/data" --ttl "$ttl" --role "$1" --sub "$2" ${3:+--scope "$3"}; }
	LOAD_TOKEN_READER=$(tok reader load-reader)
	LOAD_TOKEN_SUBSCRIBER=$(tok subscriber load-subscriber)
	LOAD_TOKEN_PARTNER=$(tok partner load-partner headlines)
	LOAD_TOKEN_EDITOR=$(tok editor load-editor)
	export LOAD_TOKEN_READER LOAD_TOKEN_SUBSCRIBER LOAD_TOKEN_PARTNER LOAD_TOKEN_EDITOR

	# What the mix reads and writes: published articles, those open to
	# comments, sections, tags, authors, and drafts made for the run (32 of
	# them: an If-Match: * save retries three times when another save of the
	# same draft slips in, and a handful of drafts under 256 connections
	# would measure that race rather than the server; see reliability.md).
	local c=(curl -fsS --max-time 10)
	local articles v
	articles=$("${c[@]}" "$api/v1/articles?limit=100")
	LOAD_SLUGS=$(jq -r '.data[].slug' <<<"$articles" | xargs)
	LOAD_AUTHORS=$(jq -r '[.data[].authors[]?.slug] | unique[]' <<<"$articles" | xargs)
	LOAD_SECTIONS=$("${c[@]}" "$api/v1/sections" | jq -r '.data[].slug' | xargs)
	LOAD_TAGS=$("${c[@]}" "$api/v1/tags" | jq -r '.data[].slug' | xargs)
	LOAD_COMMENTABLE=''
	for v in $LOAD_SLUGS; do
		LOAD_COMMENTABLE+=" $("${c[@]}" "$api/v1/articles/$v" | jq -r 'select(.comments.enabled) | .id')"
	done
	LOAD_DRAFTS=''
	for i in $(seq 1 32); do
		LOAD_DRAFTS+=" $("${c[@]}" -X POST -H "Authorization: Bearer $LOAD_TOKEN_EDITOR" -H 'Content-Type: application/json' \
			--data "{\"title\":\"Load test desk draft $i\",\"lang\":\"en\",\"access\":\"subscribers\",\"status\":\"draft\",\"blocks\":[{\"type\":\"paragraph\",\"text\":\"Desk copy.\"}]}" \
			"$api/v1/admin/articles" | jq -r .id)"
	done
	export LOAD_SLUGS LOAD_COMMENTABLE LOAD_AUTHORS LOAD_SECTIONS LOAD_TAGS LOAD_DRAFTS
	for v in LOAD_SLUGS LOAD_COMMENTABLE LOAD_AUTHORS LOAD_SECTIONS LOAD_TAGS LOAD_DRAFTS; do
		[[ -n ${!v// /} ]] || die "$db: no $v from the demo content"
	done

	sleep 2 # the setup's connections close
	local base
	base=$(goroutines)
	[[ $base =~ ^[0-9]+$ ]] || die "$db: cannot read the goroutine count"

	log "$db: load for ${DURATION}s over $CONNECTIONS connections (wrk, $THREADS threads); goroutines before: $base"
	(while kill -0 "$server_pid" 2>/dev/null; do
		awk '/^VmRSS:/ { print $2; exit }' "/proc/$server_pid/status" 2>/dev/null || true
		sleep 1
	done) >"$work/rss" &
	sampler_pid=$!
	timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s \
		-s loadtest/mix.lua "$api" >"$work/wrk.out" 2>&1 &
	wrk_pid=$!
	local wrk_rc=0
	wait "$wrk_pid" || wrk_rc=$?
	wrk_pid=''
	kill "$sampler_pid" 2>/dev/null || true
	wait "$sampler_pid" 2>/dev/null || true
	sampler_pid=''
	((wrk_rc == 0)) || { cat "$work/wrk.out" >&2; die "$db: wrk failed ($wrk_rc)"; }

	# Goroutines back to the baseline once wrk's connections are closed.
	local after=$base g
	for i in $(seq 1 30); do
		after=$(goroutines || echo '?')
		[[ $after =~ ^[0-9]+$ ]] && ((after <= base + GOROUTINE_MARGIN)) && break
		sleep 1
	done

	stop_server

	# The figures.
	local out=$work/wrk.out
	local requests duration_us p99 errs rps fivexx other locked
	requests=$(awk '$1 == "LOAD" && $2 == "requests" { print $3 }' "$out")
	duration_us=$(awk '$1 == "LOAD" && $2 == "duration_us" { print $3 }' "$out")
	p99=$(awk '$1 == "LOAD" && $2 == "latency_us" && $3 == "p99" { printf "%.1f", $4 / 1000 }' "$out")
	errs=$(awk '$1 == "LOAD" && $2 == "socket_errors" { print $3 + $4 + $5 + $6 }' "$out")
	rps=$(awk -v n="$requests" -v d="$duration_us" 'BEGIN { printf "%.0f", n / (d / 1e6) }')
	fivexx=$(awk '$1 == "LOAD" && $2 == "status" && $3 >= 500 { n += $4 } END { print n + 0 }' "$out")
	other=$(awk '$1 == "LOAD" && $2 == "status" && ($3 < 200 || $3 >= 300) { n += $4 } END { print n + 0 }' "$out")
	locked=$(grep -ciE 'database is locked|database table is locked|SQLITE_BUSY' "$work/server.log" || true)

	local peak ref last flat
	peak=$(sort -n "$work/rss" | tail -1)
	mapfile -t rss <"$work/rss"
	local n=${#rss[@]}
	((n > window)) || die "$db: $n RSS samples, fewer than the window of $window"
	last=${rss[n - 1]}
	ref=${rss[n - 1 - window]}
	flat=$(awk -v l="$last" -v r="$ref" -v g="$RSS_GROWTH" 'BEGIN { print (l <= r * g) ? "yes" : "no" }')

	# Each kind of write went through, seen in the server's access log.
	local writes
	writes=$(jq -r 'select(.msg == "request" and .method != "GET") | "\(.method) \(.route) \(.status)"' "$work/server.log" | sort | uniq -c)
	local wrote_ok=yes route
	for route in 'POST /v1/articles/:id/comments 2' 'PATCH /v1/admin/articles/:id 2' 'POST /v1/admin/articles 2'; do
		grep -qE " ${route}[0-9]{2}\$" <<<"$writes" || wrote_ok=no
	done

	local verdict=pass why=()
	((fivexx == 0)) || why+=("$fivexx 5xx")
	((other == 0)) || why+=("$other non-2xx")
	((errs == 0)) || why+=("$errs socket errors")
	((locked == 0)) || why+=("$locked locked")
	[[ $flat == yes ]] || why+=("RSS grew")
	[[ $after =~ ^[0-9]+$ ]] && ((after <= base + GOROUTINE_MARGIN)) || why+=("goroutines $base -> $after")
	[[ $wrote_ok == yes ]] || why+=("a kind of write never succeeded")
	if ((${#why[@]})); then
		verdict="FAIL: $(IFS=,; echo "${why[*]}")"
		failed=1
	fi

	log "$db: statuses: $(awk '$1 == "LOAD" && $2 == "status" { printf "%s×%s ", $3, $4 }' "$out")"
	log "$db: requests sent by kind: $(awk '$1 == "LOAD" && $2 == "kind" { printf "%s=%s ", $3, $4 }' "$out" | tr ' ' '\n' | sort | xargs)"
	log "$db: writes in the access log (count, method, route, status):"
	sed 's/^/      /' <<<"$writes" >&2
	log "$db: latency ms: $(awk '$1 == "LOAD" && $2 == "latency_us" { printf "%s %.1f  ", $3, $4 / 1000 }' "$out")"
	if ((fivexx || locked)); then
		log "$db: server errors (first 10):"
		grep -iE '"level":"ERROR"|database is locked|SQLITE_BUSY' "$work/server.log" | head -10 >&2 || true
	fi

	rows+=("$(printf '| %-8s | %9s | %7s | %3s | %7s | %6s | %7s | %6s | %8s | %-17s | %-13s | %s |' \
		"$db" "$requests" "$rps" "$fivexx" "$other" "$errs" "$p99" "$locked" \
		"$((peak / 1024))" "$((ref / 1024)) → $((last / 1024)) $flat" "$base → $after" "$verdict")")
	cleanup
}

for db in "${dbs[@]}"; do
	run_one "$db"
done

printf '\nLoad test: %ss, %s connections, wrk with %s threads, mix in loadtest/mix.lua; %s\n\n' \
	"$DURATION" "$CONNECTIONS" "$THREADS" "$(date -u +%Y-%m-%dT%H:%MZ)"
printf '| database | requests |   req/s | 5xx | non-2xx | socket |  p99 ms | locked | peak MB | RSS last %2ss (MB) | goroutines    | result |\n' "$window"
printf '|----------|----------|---------|-----|---------|--------|---------|--------|---------|-------------------|---------------|--------|\n'
printf '%s\n' "${rows[@]}"
exit "$failed"
