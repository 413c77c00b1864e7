#!/usr/bin/env bash
# The benchmark anyone can rerun: behind `make bench` and `make bench-short`
# (docs/performance.md says how to read it).
#
# For each SIZE in SIZES (default "1000 100000"; "demo" is the demo content)
# and each database (DB=sqlite, postgres or both; default sqlite):
#
#   1. the corpus, built once and cached under CORPUS (tmp/corpus) by
#      loadtest/lib.sh (`masthead seed --articles N`, with --comments
#      COMMENTS when the binary has that flag);
#   2. bin/masthead serve on it, on a free 127.0.0.1 port, rate limits off;
#      start-up time is from exec to the first 200 of /readyz. On
#      PostgreSQL, PG_PROCS (2) processes serve the same database and wrk
#      spreads its threads over them (bench.lua's BENCH_ADDRS: thread i
#      talks to process i modulo PG_PROCS), so the figures are their sum;
#   3. the reads, each a list of paths walked by loadtest/bench.lua:
#      article and sub-article (anonymous, and with a subscriber token)
#      hot (HOT_IDS ids: a breaking story) and cold (COLD_IDS ids walked
#      from a different place each run: the long tail), list (20), list
#      filtered by section, by tag and by language, search, the latest RSS
#      feed, a comments thread, and the change log (/v1/changes pages,
#      partner token); a thread with fewer than THREAD_COMMENTS (60)
#      comments is topped up through the API first (every other one a reply);
#   4. each read at each of CONNECTIONS ("32 128"), without and with
#      Accept-Encoding: gzip: wrk for DURATION seconds, after WARMUP
#      seconds (hot reads only: the cold walks start where no run has been);
#   5. Masthead's peak RSS (VmHWM of /proc/PID/status) once the reads are
#      done, then Masthead stops;
#   6. the floors, in the same run: for each read, loadtest/floor sending
#      the bytes of one real response of that read (captured with curl
#      before Masthead stopped), as identity, and with -gzip those bytes
#      compressed once at start to clients sending Accept-Encoding: gzip,
#      measured with the same wrk settings.
#
# Results go to OUT (tmp/bench/<time>): results.tsv (one line per wrk run)
# and runs.tsv (one line per database and size); BENCHREPORT (bin/benchreport)
# prints the table of ratios to the floors and, when DOC is set, writes the
# markdown page DOC and its chart SVG.
#
# As a check (make bench-short, CI): any response outside 2xx/3xx, any
# wrk socket error, or a run with no response at all (every request slower
# than DURATION) fails the run (exit 1), Masthead's or a floor's. Every
# run is bounded in time, targets 127.0.0.1 only, and stops by itself: the
# trap stops the servers and drops a PostgreSQL corpus left half-built.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-1000 100000}
DB=${DB:-sqlite}
DURATION=${DURATION:-10}
DURATION=${DURATION%s}
WARMUP=${WARMUP:-2}
WARMUP=${WARMUP%s}
CONNECTIONS=${CONNECTIONS:-32 128}
THREADS=${THREADS:-2}
HOT_IDS=${HOT_IDS:-5}
COLD_IDS=${COLD_IDS:-5000}
CHANGES_PAGES=${CHANGES_PAGES:-20}
THREAD_COMMENTS=${THREAD_COMMENTS:-60}
PG_PROCS=${PG_PROCS:-2}
FLOOR=${FLOOR:-bin/floor}
BENCHREPORT=${BENCHREPORT:-bin/benchreport}
# READS: the reads to measure (default all of them, in this order).
ALL_READS="article-hot article-cold sub-article-hot sub-article-cold list list-section list-tag list-lang search feed comments changes"
READS=${READS:-$ALL_READS}
# ENCODINGS: identity (no Accept-Encoding) and gzip (Accept-Encoding: gzip).
ENCODINGS=${ENCODINGS:-identity gzip}
OUT=${OUT:-tmp/bench/$(date -u +%Y%m%dT%H%M%SZ)}
# RUNS: database:size pairs to run instead of SIZES × DB, in this order,
# e.g. "sqlite:1000 sqlite:100000 postgres:1000".
RUNS=${RUNS:-}
# MERGE: result folders of earlier runs (comma-separated) to report with
# this one, e.g. a PostgreSQL run made apart.
MERGE=${MERGE:-}
# DOC: the page to write (docs/performance.md); empty: print the table only.
DOC=${DOC:-}
# BENCH_COMMAND: the command to quote in DOC.
BENCH_COMMAND=${BENCH_COMMAND:-loadtest/bench.sh}
# SERVE_FLAGS: more flags for serve, e.g. "--cache-ttl 0".
SERVE_FLAGS=${SERVE_FLAGS:-}

# shellcheck source=loadtest/lib.sh
source loadtest/lib.sh

die() { log "$*"; exit 2; }

[[ $DURATION =~ ^[0-9]+$ && $DURATION -ge 1 && $DURATION -le 600 ]] || die "DURATION: seconds, 1 to 600"
[[ $WARMUP =~ ^[0-9]+$ && $WARMUP -le 60 ]] || die "WARMUP: seconds, 0 to 60"
for c in $CONNECTIONS; do
	[[ $c =~ ^[0-9]+$ && $c -ge 1 && $c -le 10000 ]] || die "CONNECTIONS: counts from 1 to 10000, not $c"
done
[[ $THREADS =~ ^[0-9]+$ && $THREADS -ge 1 ]] || die "THREADS: at least 1"
[[ $SEED =~ ^[0-9]+$ ]] || die "SEED: a number"
[[ $PG_PROCS =~ ^[0-9]+$ && $PG_PROCS -ge 1 && $PG_PROCS -le 8 ]] || die "PG_PROCS: 1 to 8"
for v in HOT_IDS COLD_IDS CHANGES_PAGES THREAD_COMMENTS; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v: a number"
done
((HOT_IDS >= 1 && COLD_IDS >= 1 && CHANGES_PAGES >= 1)) || die "HOT_IDS, COLD_IDS, CHANGES_PAGES: at least 1"
for s in $SIZES; do
	[[ $s == demo || ($s =~ ^[0-9]+$ && $s -ge 1 && $s -le 10000000) ]] || die "SIZES: demo or article counts, not $s"
done
for r in $READS; do
	[[ " $ALL_READS " == *" $r "* ]] || die "READS: among $ALL_READS, not $r"
done
for e in $ENCODINGS; do
	[[ $e == identity || $e == gzip ]] || die "ENCODINGS: identity and gzip, not $e"
done
for p in $RUNS; do
	[[ $p =~ ^(sqlite|postgres):(demo|[0-9]+)$ ]] || die "RUNS: database:size pairs (sqlite:1000), not $p"
	[[ $p == postgres:* ]] && DB=both
done
mapfile -t dbs < <(dbs_of "$DB") || die "DB: sqlite, postgres or both"
((${#dbs[@]})) || die "DB: sqlite, postgres or both"
[[ -x $BIN ]] || die "$BIN is missing: make build"
[[ -x $FLOOR ]] || die "$FLOOR is missing: go build -o $FLOOR ./loadtest/floor"
[[ -x $BENCHREPORT ]] || die "$BENCHREPORT is missing: go build -o $BENCHREPORT ./internal/cmd/benchreport"

tools=(wrk curl jq)
[[ " ${dbs[*]} " == *" postgres "* ]] && tools+=(psql)
need_tools "${tools[@]}"

mkdir -p "$OUT"
work=$(mktemp -d "${TMPDIR:-/tmp}/masthead-bench.XXXXXX")
pids=() floor_pid='' wrk_pid='' failed=0

cleanup() {
	local rc=$? p
	[[ -n $wrk_pid ]] && kill "$wrk_pid" 2>/dev/null || true
	for p in "${pids[@]}" "$floor_pid" "$server_pid"; do stop_pid "$p"; done
	pids=() floor_pid='' server_pid='' wrk_pid=''
	lib_cleanup
	if ((failed || rc != 0)) || [[ -n ${KEEP:-} ]]; then
		log "kept $work (logs)"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

printf 'db\tsize\tprocs\tread\tencoding\tconnections\ttarget\trps\tp50_us\tp99_us\trequests\tbad\tsocket_errors\tgzip\tbytes\n' >"$OUT/results.tsv"
printf 'db\tsize\tprocs\tids\tthread_comments\tstartup_ms\tpeak_rss_kb\tloadavg\tbody_bytes\n' >"$OUT/runs.tsv"

now_ns() { date +%s%N; }

# start_masthead DB SIZE N: N processes on the corpus; sets pids, addrs and
# startup_ms (the first process's exec to /readyz 200).
start_masthead() {
	local db=$1 size=$2 n=$3 args i port t0 pid
	read -ra args <<<"$(db_args "$db" "$size")"
	addrs=()
	for ((i = 0; i < n; i++)); do
		port=$(free_port)
		t0=$(now_ns)
		# shellcheck disable=SC2086
		"$BIN" serve "${args[@]}" --addr "127.0.0.1:$port" --log-level warn \
			--rate-limit-anon 0 --rate-limit-partner 0 \
			--comments-rate-account 1000000 --comments-rate-ip 1000000 $SERVE_FLAGS \
			>"$work/serve$i.out" 2>"$work/serve$i.log" &
		pid=$!
		pids+=("$pid")
		for _ in $(seq 1 12000); do
			[[ $(curl -sS --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" 2>/dev/null) == 200 ]] && break
			kill -0 "$pid" 2>/dev/null || { tail -20 "$work/serve$i.log" >&2; die "$db $size: serve exited"; }
			sleep 0.01
		done
		((i > 0)) || startup_ms=$((($(now_ns) - t0) / 1000000))
		wait_ready "http://127.0.0.1:$port" "$pid" "$work/serve$i.log" /readyz
		addrs+=("127.0.0.1:$port")
	done
}

# paginate URL JQ N [TOKEN]: up to N values picked by JQ from the pages of
# URL (limit=100 and next_cursor, or since= for the change log).
paginate() {
	local url=$1 pick=$2 n=$3 token=${4:-} cursor='' page got=0 param=cursor
	[[ $url == */v1/changes* ]] && param=since
	while ((got < n)); do
		page=$(curl -fsS --max-time 60 ${token:+-H "Authorization: Bearer $token"} \
			"$url${cursor:+&$param=$cursor}") || die "GET $url failed"
		jq -r "$pick" <<<"$page" | head -n $((n - got))
		got=$((got + $(jq -r "[$pick] | length" <<<"$page")))
		cursor=$(jq -r '.next_cursor // empty' <<<"$page")
		[[ -n $cursor && $(jq -r '.data | length' <<<"$page") -gt 0 ]] || break
	done
}

urlencode() { jq -rn --arg s "$1" '$s | @uri'; }

# make_thread API: the id of the article whose comments thread is read,
# topped up through the API to THREAD_COMMENTS comments when it has fewer
# (a corpus seeded with --comments has its own threads).
make_thread() {
	local api=$1 id count i parent='' body status
	id=$(curl -fsS --max-time 30 "$api/v1/articles?limit=100" |
		jq -r '[.data[] | select(.access == "public")][0].id // .data[0].id')
	[[ -n $id && $id != null ]] || die "no article for the comments thread"
	count=$(curl -fsS --max-time 30 "$api/v1/comments/counts?articles=$id" | jq -r ".data[\"$id\"] // 0")
	if ((count < THREAD_COMMENTS)); then
		log "thread $id: $((THREAD_COMMENTS - count)) more comments through the API"
		local ed
		ed=$(token editor bench-editor)
		for ((i = count + 1; i <= THREAD_COMMENTS; i++)); do
			body=$(jq -nc --arg b "Comment $i of the benchmark thread: the figures of this piece hold up, and here is why." \
				--arg p "$parent" 'if $p == "" then {body: $b} else {body: $b, parent_id: $p} end')
			local resp
			resp=$(curl -sS --max-time 30 -X POST -H "Authorization: Bearer $ed" -H 'Content-Type: application/json' \
				--data "$body" "$api/v1/articles/$id/comments") || die "posting a comment failed"
			status=$(jq -r '.status // empty' <<<"$resp")
			[[ -n $status ]] || die "posting a comment: $resp"
			# Every other comment answers the last top-level one.
			if ((i % 2 == 1)); then parent=$(jq -r '.comment.id' <<<"$resp"); else parent=''; fi
			[[ $status == approved ]] || curl -fsS --max-time 30 -X POST -H "Authorization: Bearer $ed" \
				-H 'Content-Type: application/json' --data "{\"ids\":[\"$(jq -r '.comment.id' <<<"$resp")\"],\"status\":\"approved\"}" \
				"$api/v1/admin/comments/bulk" >/dev/null
		done
		count=$(curl -fsS --max-time 30 "$api/v1/comments/counts?articles=$id" | jq -r ".data[\"$id\"] // 0")
	fi
	thread_comments=$count
	echo "$id"
}

token() { # token ROLE SUB [SCOPE]: signed with the corpus's key
	local args
	read -ra args <<<"$(db_args "$cur_db" "$cur_size")"
	"$BIN" token "${args[@]:0:2}" --ttl 2h --role "$1" --sub "$2" ${3:+--scope "$3"}
}

# read_paths READ: the file of paths of READ; read_token READ: its token;
# floor_key READ: the floor it is compared with.
read_token() {
	case $1 in
	sub-article-*) echo "$tok_subscriber" ;;
	changes) echo "$tok_partner" ;;
	*) echo '' ;;
	esac
}
floor_key() {
	case $1 in
	article-*) echo article ;;
	sub-article-*) echo sub-article ;;
	*) echo "$1" ;;
	esac
}

# load NAME URL PATHS TOKEN GZIP CONNS OFFSET [ADDRS]: one wrk run; prints
# its result line.
load() {
	local name=$1 url=$2 paths=$3 tok=$4 gz=$5 conns=$6 offset=$7 addrs_=${8:-} rc=0 threads=$THREADS
	((threads <= conns)) || threads=$conns
	export BENCH_PATHS=$paths BENCH_TOKEN=$tok BENCH_GZIP=$gz BENCH_OFFSET=$offset BENCH_ADDRS=$addrs_ BENCH_THREADS=$threads
	timeout $((DURATION + 60)) wrk -t"$threads" -c"$conns" -d"${DURATION}s" --timeout 10s \
		-s loadtest/bench.lua "$url" >"$work/$name.wrk" 2>&1 &
	wrk_pid=$!
	wait "$wrk_pid" || rc=$?
	wrk_pid=''
	((rc == 0)) || { cat "$work/$name.wrk" >&2; die "wrk on $name failed ($rc)"; }
	local line
	while IFS= read -r line; do
		[[ $line == 'BENCH result '* ]] && { echo "$line"; return 0; }
	done <"$work/$name.wrk"
	cat "$work/$name.wrk" >&2
	die "no result line from wrk on $name"
}

warm() { # warm URL PATHS TOKEN GZIP CONNS [ADDRS]: WARMUP seconds, not recorded
	((WARMUP > 0)) || return 0
	local threads=$THREADS
	((threads <= $5)) || threads=$5
	BENCH_PATHS=$2 BENCH_TOKEN=$3 BENCH_GZIP=$4 BENCH_OFFSET=0 BENCH_ADDRS=${6:-} BENCH_THREADS=$threads \
		timeout $((WARMUP + 30)) wrk -t"$threads" -c"$5" -d"${WARMUP}s" --timeout 10s \
		-s loadtest/bench.lua "$1" >/dev/null 2>&1 || true
}

# record DB SIZE PROCS READ ENC CONNS TARGET RESULT: a line of results.tsv;
# a response outside 2xx/3xx or a socket error fails the run. (No
# subprocess: on a busy machine each one costs.)
record() {
	local kv
	declare -A f=()
	for kv in $8; do [[ $kv == *=* ]] && f[${kv%%=*}]=${kv#*=}; done
	local bad=${f[non2xx3xx]:-0} sock=${f[socket_errors]:-0}
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" \
		"${f[rps]:-}" "${f[p50_us]:-}" "${f[p99_us]:-}" "${f[requests]:-}" \
		"$bad" "$sock" "${f[gzip]:-}" "${f[bytes]:-}" >>"$OUT/results.tsv"
	local line
	printf -v line '%-6s %-7s %-16s %-8s c=%-4s %-8s %9s req/s  p50 %7s µs  p99 %8s µs' "$1" "$2" "$4" "$5" "$6" "$7" \
		"${f[rps]:-}" "${f[p50_us]:-}" "${f[p99_us]:-}"
	if [[ ${f[requests]:-0} == 0 ]]; then
		failed=1
		log "$line  FAIL: no response within the run"
	elif ((bad > 0 || sock > 0)); then
		failed=1
		log "$line  FAIL: $bad responses outside 2xx/3xx, $sock socket errors ($(grep '^BENCH status' "$work/$7-$4-$5-$6.wrk" | awk '{ printf "%s×%s ", $3, $4 }'))"
	else
		log "$line"
	fi
}

run_one() {
	local db=$1 size=$2 procs=1
	cur_db=$db cur_size=$size
	[[ $db == postgres ]] && procs=$PG_PROCS
	prepare "$db" "$size"

	local loadavg
	loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
	start_masthead "$db" "$size" "$procs"
	local api="http://${addrs[0]}"
	log "$db $size: $procs process(es) ready, start-up $startup_ms ms"

	tok_subscriber=$(token subscriber bench-subscriber)
	tok_partner=$(token partner bench-partner headlines)

	# What the reads walk.
	local r key tok gz
	local d=$work/$db-$size
	mkdir -p "$d"
	local articles
	articles=$(curl -fsS --max-time 60 "$api/v1/articles?limit=1" | jq -r '.data | length')
	((articles > 0)) || die "$db $size: no published article"
	paginate "$api/v1/articles?limit=100" '.data[].id' $((HOT_IDS + COLD_IDS)) >"$d/ids"
	local nids
	nids=$(wc -l <"$d/ids")
	head -n "$HOT_IDS" "$d/ids" | sed 's|^|/v1/articles/|' >"$d/article-hot"
	if ((nids > HOT_IDS)); then
		tail -n +$((HOT_IDS + 1)) "$d/ids" | sed 's|^|/v1/articles/|' >"$d/article-cold"
	else
		cp "$d/article-hot" "$d/article-cold"
	fi
	cp "$d/article-hot" "$d/sub-article-hot"
	cp "$d/article-cold" "$d/sub-article-cold"
	echo '/v1/articles?limit=20' >"$d/list"
	curl -fsS --max-time 60 "$api/v1/sections" | jq -r '.data[].slug' | sed 's|^|/v1/articles?limit=20\&section=|' >"$d/list-section"
	curl -fsS --max-time 60 "$api/v1/tags" | jq -r '.data[].slug' | sed 's|^|/v1/articles?limit=20\&tag=|' >"$d/list-tag"
	printf '/v1/articles?limit=20&lang=%s\n' fr en de ru >"$d/list-lang"
	local q
	: >"$d/search"
	for q in budget water eau frontière hôpital Haushalt выборы 'budget elections' 'eau potable' 'budg*' '"the border"'; do
		echo "/v1/search?q=$(urlencode "$q")" >>"$d/search"
	done
	echo '/v1/feeds/latest.rss' >"$d/feed"
	local thread
	thread=$(make_thread "$api")
	thread_comments=$(curl -fsS --max-time 30 "$api/v1/comments/counts?articles=$thread" | jq -r ".data[\"$thread\"] // 0")
	echo "/v1/articles/$thread/comments" >"$d/comments"
	{
		echo '/v1/changes?limit=50'
		paginate "$api/v1/changes?limit=50" '.next_cursor // empty' $((CHANGES_PAGES - 1)) "$tok_partner" |
			sed 's|^|/v1/changes?limit=50\&since=|'
	} >"$d/changes"
	log "$db $size: $nids ids ($HOT_IDS hot), $(wc -l <"$d/list-section") sections, $(wc -l <"$d/list-tag") tags, thread of $thread_comments comments, $(wc -l <"$d/changes") change log pages"

	# Every read once, measured or not, without and with gzip: each must
	# answer 2xx or 3xx.
	local code
	for r in $ALL_READS; do
		tok=$(read_token "$r")
		for gz in '' gzip; do
			code=$(curl -sS --max-time 60 -o /dev/null -w '%{http_code}' ${tok:+-H "Authorization: Bearer $tok"} \
				${gz:+-H 'Accept-Encoding: gzip'} "$api$(head -1 "$d/$r")" || true)
			if [[ ! $code =~ ^[23][0-9][0-9]$ ]]; then
				failed=1
				log "$db $size: $r${gz:+ (gzip)}: GET $(head -1 "$d/$r") answered $code"
			fi
		done
	done

	# One real response of each floor key, before Masthead stops.
	declare -A captured=()
	for r in $READS; do
		key=$(floor_key "$r")
		[[ -n ${captured[$key]:-} ]] && continue
		tok=$(read_token "$r")
		curl -fsS --max-time 60 ${tok:+-H "Authorization: Bearer $tok"} -o "$d/body-$key" \
			-w '%{content_type}' "$api$(head -1 "$d/$r")" >"$d/type-$key" || die "$db $size: capturing $r failed"
		captured[$key]=1
	done

	# Masthead.
	local enc gz conns res offset=0 addrs_=''
	((procs > 1)) && addrs_="${addrs[*]}"
	for r in $READS; do
		tok=$(read_token "$r")
		for enc in $ENCODINGS; do
			gz=0
			[[ $enc == gzip ]] && gz=1
			for conns in $CONNECTIONS; do
				if [[ $r == *-cold ]]; then
					offset=$((offset + 997)) # each run walks from elsewhere
				else
					warm "$api" "$d/$r" "$tok" "$gz" "$conns" "$addrs_"
				fi
				res=$(load "masthead-$r-$enc-$conns" "$api" "$d/$r" "$tok" "$gz" "$conns" "$offset" "$addrs_")
				record "$db" "$size" "$procs" "$r" "$enc" "$conns" masthead "$res"
			done
		done
	done

	# Peak RSS of the processes (the largest), then they stop.
	local peak=0 p v
	for p in "${pids[@]}"; do
		v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
		((v > peak)) && peak=$v
	done
	for p in "${pids[@]}"; do stop_pid "$p"; done
	pids=()

	# The floors.
	local body_bytes='' floor_port fl
	for key in "${!captured[@]}"; do
		body_bytes+="$key=$(stat -c %s "$d/body-$key") "
	done
	for r in $READS; do
		key=$(floor_key "$r")
		[[ ${captured[$key]} == 1 ]] || continue
		captured[$key]=2
		floor_port=$(free_port)
		"$FLOOR" -addr "127.0.0.1:$floor_port" -gzip -body "$d/body-$key" -type "$(cat "$d/type-$key")" >"$work/floor.out" 2>&1 &
		floor_pid=$!
		fl="http://127.0.0.1:$floor_port"
		wait_ready "$fl" "$floor_pid" "$work/floor.out" /
		for enc in $ENCODINGS; do
			gz=0
			[[ $enc == gzip ]] && gz=1
			for conns in $CONNECTIONS; do
				res=$(load "floor-$key-$enc-$conns" "$fl" "$d/$r" '' "$gz" "$conns" 0)
				record "$db" "$size" "$procs" "$key" "$enc" "$conns" floor "$res"
			done
		done
		stop_pid "$floor_pid"
		floor_pid=''
	done

	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$db" "$size" "$procs" "$nids" "$thread_comments" "$startup_ms" "$peak" \
		"$loadavg" "${body_bytes% }" >>"$OUT/runs.tsv"
	log "$db $size: peak RSS $((peak / 1024)) MB, start-up $startup_ms ms"
}

if [[ -n $RUNS ]]; then
	for p in $RUNS; do run_one "${p%%:*}" "${p#*:}"; done
else
	for size in $SIZES; do
		for db in "${dbs[@]}"; do
			run_one "$db" "$size"
		done
	done
fi

report=(-results "$OUT${MERGE:+,$MERGE}" -duration "$DURATION" -warmup "$WARMUP" -threads "$THREADS" -command "$BENCH_COMMAND"
	-wrk "$( (wrk -v 2>&1 || true) | awk 'NR == 1 { print $1, $2 }')")
[[ -n $DOC ]] && report+=(-doc "$DOC" -svg "${DOC%.md}.svg")
"$BENCHREPORT" "${report[@]}" | tee "$OUT/report.txt"
((failed == 0)) || log "FAILED: a response outside 2xx/3xx or a socket error (see above)"
exit "$failed"
