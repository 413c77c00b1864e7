-- wrk script of loadtest/bench.sh: GET requests walking a list of paths
-- (articles by id, lists, filtered lists, searches, feeds, threads, change
-- log pages), one read of the benchmark per run. The environment says what
-- to send:
--
--   BENCH_PATHS   file with one request path per line (required)
--   BENCH_TOKEN   a JWT sent as "Authorization: Bearer ..." (optional)
--   BENCH_GZIP    1: send "Accept-Encoding: gzip" (what apps and browsers do)
--   BENCH_OFFSET  where in the list the first thread starts (default 0); the
--                 threads start evenly spread over the list from there
--   BENCH_ADDRS   optional "host:port host:port ...": thread i talks to
--                 address i modulo their count (two processes, one wrk)
--
-- done() prints parsable lines:
--
--   BENCH status CODE N
--   BENCH result requests=N rps=R p50_us=X p99_us=Y non2xx3xx=N socket_errors=N gzip=N bytes=N

local threads = {}
local addrs = {}
for a in string.gmatch(os.getenv("BENCH_ADDRS") or "", "%S+") do
	local host, port = a:match("^(.+):(%d+)$")
	if not host then error("bench.lua: BENCH_ADDRS: host:port, not " .. a) end
	addrs[#addrs + 1] = { host = host, port = port }
end

function setup(thread)
	local n = #threads
	thread:set("id", n)
	if #addrs > 0 then
		local a = addrs[n % #addrs + 1]
		thread.addr = wrk.lookup(a.host, a.port)[1]
	end
	threads[n + 1] = thread
end

local paths = {}
local headers = {}

function init(args)
	-- Globals: thread:get reads only those.
	statuses, gzipped = {}, 0
	local file = os.getenv("BENCH_PATHS") or error("bench.lua: BENCH_PATHS is not set")
	for line in io.lines(file) do
		if line ~= "" then paths[#paths + 1] = line end
	end
	if #paths == 0 then error("bench.lua: no path in " .. file) end
	local token = os.getenv("BENCH_TOKEN") or ""
	if token ~= "" then headers["Authorization"] = "Bearer " .. token end
	if os.getenv("BENCH_GZIP") == "1" then headers["Accept-Encoding"] = "gzip" end
	local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
	local offset = tonumber(os.getenv("BENCH_OFFSET") or "0")
	i = offset + math.floor((id or 0) * #paths / nthreads)
end

function request()
	i = i % #paths + 1
	return wrk.format("GET", paths[i], headers)
end

function response(status, hdrs, body)
	statuses[status] = (statuses[status] or 0) + 1
	local ce = hdrs["Content-Encoding"] or hdrs["content-encoding"]
	if ce == "gzip" then gzipped = gzipped + 1 end
end

function done(summary, latency, requests)
	local st, gz = {}, 0
	for _, t in ipairs(threads) do
		for k, v in pairs(t:get("statuses")) do st[k] = (st[k] or 0) + v end
		gz = gz + t:get("gzipped")
	end
	local bad = 0
	for k, v in pairs(st) do
		io.write(string.format("BENCH status %d %d\n", k, v))
		if k < 200 or k >= 400 then bad = bad + v end
	end
	local e = summary.errors
	local sockets = e.connect + e.read + e.write + e.timeout
	io.write(string.format(
		"BENCH result requests=%d rps=%.1f p50_us=%d p99_us=%d non2xx3xx=%d socket_errors=%d gzip=%d bytes=%d\n",
		summary.requests, summary.requests / (summary.duration / 1e6),
		latency:percentile(50), latency:percentile(99), bad, sockets, gz, summary.bytes))
end
