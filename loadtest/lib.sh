# shellcheck shell=bash
# What loadtest/run.sh, loadtest/search.sh and loadtest/bench.sh share:
# logging, tools, ports, starting and stopping processes, waiting for a
# server, and the corpora cached under CORPUS. Sourced, never run; the
# caller sets `set -euo pipefail` and cds to the repository first.
#
# Globals the functions read or set (the caller may set them before):
#   BIN CORPUS SEED COMMENTS PG_HOST PG_PORT SEED_TIMEOUT
#   work          the run's scratch folder (logs)
#   server_pid    a server being started (prepare's demo load uses it)
#   building_pg   a PostgreSQL corpus being built: dropped by lib_cleanup
#   pg_made       PostgreSQL corpora used by this run, and pg_done their
#                 marker files

BIN=${BIN:-bin/masthead}
CORPUS=${CORPUS:-tmp/corpus}
SEED=${SEED:-1}
# COMMENTS: comments per corpus for `masthead seed --comments M`, passed
# only when the binary has the flag (empty or 0: none).
COMMENTS=${COMMENTS:-}
SEED_TIMEOUT=${SEED_TIMEOUT:-3600}
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
server_pid=${server_pid:-}
building_pg=${building_pg:-}
pg_made=() pg_done=()

log() { printf '==> %s\n' "$*" >&2; }

# need_tools CMD...: install with apt-get the Debian packages of the
# commands that are missing (psql comes with postgresql-client).
need_tools() {
	local need=() c
	for c in "$@"; do
		command -v "$c" >/dev/null && continue
		case $c in
		psql) need+=(postgresql-client) ;;
		rsvg-convert) need+=(librsvg2-bin) ;;
		*) need+=("$c") ;;
		esac
	done
	((${#need[@]})) || return 0
	log "installing ${need[*]}"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
}

# dbs_of DB: the databases of DB (sqlite, postgres or both), one per line.
dbs_of() {
	case $1 in
	sqlite) echo sqlite ;;
	postgres) echo postgres ;;
	both) printf 'sqlite\npostgres\n' ;;
	*) return 1 ;;
	esac
}

psqlc() { psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -qXtAv ON_ERROR_STOP=1 "$@"; }

# stop_pid PID: TERM, up to 30 s, then KILL; reaps it.
stop_pid() {
	local pid=$1
	[[ -n $pid ]] || return 0
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

# free_port: a port on 127.0.0.1 nobody listens on now, below Linux's
# ephemeral range (32768 and up), where wrk's own connections, closing by
# the thousand, would make a bind fail.
free_port() {
	local p
	for _ in $(seq 1 100); do
		p=$((20000 + RANDOM % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	die "no free port"
}

# wait_ready URL PID LOG [PATH]: until URL/PATH (default /healthz) answers
# 2xx, 120 s at most; dies when the process exits first.
wait_ready() {
	local url=$1 pid=$2 logf=$3 path=${4:-/healthz}
	for _ in $(seq 1 2400); do
		curl -fsS --max-time 2 -o /dev/null "$url$path" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || { tail -20 "$logf" >&2; die "the server exited"; }
		sleep 0.05
	done
	tail -20 "$logf" >&2
	die "the server is not ready after 120 s"
}

# seed_comments: the --comments value to pass to seed, or nothing when
# COMMENTS is empty or 0 or the binary has no such flag (then the corpus
# has none).
seed_comments() {
	[[ -n $COMMENTS && $COMMENTS != 0 ]] || return 0
	if "$BIN" seed --help 2>&1 | grep -q -- '-comments'; then
		echo "$COMMENTS"
	else
		log "$BIN seed has no --comments flag yet: corpora without generated comments"
	fi
}

# CORPUS_FORMAT names what seed writes, so that a corpus cached by an older
# binary is not taken for a new one: 2 is with shared photos.
CORPUS_FORMAT=2

# corpus_name SIZE: the corpus's name, e.g. 1000-s1-f2 or 1000-c5000-s1-f2.
corpus_name() {
	local c
	c=$(seed_comments)
	if [[ $1 == demo ]]; then
		echo "demo-s$SEED"
	elif [[ -n $c ]]; then
		echo "$1-c$c-s$SEED-f$CORPUS_FORMAT"
	else
		echo "$1-s$SEED-f$CORPUS_FORMAT"
	fi
}

# pg_name SIZE: the PostgreSQL database of a corpus.
pg_name() { echo "masthead_corpus_$(corpus_name "$1" | tr '-' '_')"; }

# db_args DB SIZE: the flags naming the corpus's data folder and database.
db_args() {
	local db=$1 size=$2
	if [[ $db == sqlite ]]; then
		echo "--data $CORPUS/sqlite-$(corpus_name "$size")"
	else
		echo "--data $CORPUS/postgres-$(corpus_name "$size") --db postgres://postgres@$PG_HOST:$PG_PORT/$(pg_name "$size")?sslmode=disable"
	fi
}

# prepare DB SIZE: build the corpus unless it is cached. "demo" is what
# `masthead serve --demo` loads into an empty database; a number N is
# `masthead seed --articles N --seed SEED [--comments M]`. SQLite corpora
# are folders in CORPUS; PostgreSQL ones are databases on PG_HOST, marked
# done by a file in CORPUS (a corpus whose build was cut short is dropped
# and built again). FRESH=1 rebuilds them.
prepare() {
	local db=$1 size=$2 cname
	cname=$(corpus_name "$size")
	local done_file="$CORPUS/$db-$cname.done" name args comments lock_fd
	name=$(pg_name "$size")
	comments=$(seed_comments)
	read -ra args <<<"$(db_args "$db" "$size")"
	mkdir -p "$CORPUS"
	# One builder per corpus: another run building it holds its lock, and
	# this one waits for it rather than building it again.
	exec {lock_fd}>"$CORPUS/$db-$cname.lock"
	if ! flock -n "$lock_fd"; then
		log "$db $size: another run is building this corpus; waiting (up to SEED_TIMEOUT)"
		flock -w "$SEED_TIMEOUT" "$lock_fd" || die "$db $size: the corpus is still locked after $SEED_TIMEOUT s"
	fi
	if [[ -f $done_file && -z ${FRESH:-} ]]; then
		if [[ $db == sqlite ]] || [[ $(psqlc -c "SELECT 1 FROM pg_database WHERE datname = '$name'") == 1 ]]; then
			log "$db $size: cached corpus ($done_file)"
			[[ $db == postgres ]] && pg_made+=("$name") && pg_done+=("$done_file")
			exec {lock_fd}>&-
			return 0
		fi
	fi
	rm -f "$done_file"
	rm -rf "${CORPUS:?}/$db-$cname"
	mkdir -p "$CORPUS/$db-$cname"
	if [[ $db == postgres ]]; then
		building_pg=$name
		psqlc -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null
		psqlc -c "CREATE DATABASE $name" >/dev/null
	fi
	local t0=$SECONDS
	if [[ $size == demo ]]; then
		log "$db demo: loading the demo content (serve --demo)"
		local port
		port=$(free_port)
		"$BIN" serve --demo "${args[@]}" --addr "127.0.0.1:$port" --log-level warn >"$work/demo.out" 2>"$work/demo.log" &
		server_pid=$!
		wait_ready "http://127.0.0.1:$port" "$server_pid" "$work/demo.log"
		stop_pid "$server_pid"
		server_pid=''
	else
		log "$db $size: masthead seed --articles $size --seed $SEED${comments:+ --comments $comments}"
		timeout "$SEED_TIMEOUT" "$BIN" seed --articles "$size" --seed "$SEED" ${comments:+--comments "$comments"} \
			"${args[@]}" --log-level warn >&2
	fi
	log "$db $size: corpus ready in $((SECONDS - t0)) s"
	building_pg=''
	[[ $db == postgres ]] && pg_made+=("$name") && pg_done+=("$done_file")
	touch "$done_file"
	exec {lock_fd}>&-
}

# lib_cleanup: drop a PostgreSQL corpus left half-built, and with
# PG_DROP=1 the PostgreSQL corpora of the run.
lib_cleanup() {
	if [[ -n $building_pg ]]; then # a corpus cut short is no corpus
		psqlc -c "DROP DATABASE IF EXISTS $building_pg WITH (FORCE)" >/dev/null 2>&1 || log "could not drop $building_pg"
		building_pg=''
	fi
	if [[ -n ${PG_DROP:-} && ${PG_DROP:-0} != 0 ]]; then
		local d
		for d in "${pg_made[@]}"; do
			psqlc -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 || log "could not drop $d"
		done
		for d in "${pg_done[@]}"; do rm -f "$d"; done
		pg_made=() pg_done=()
	fi
}
