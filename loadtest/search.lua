-- wrk script of loadtest/search.sh: GET requests cycling through search
-- queries that find something both in the demo content and in a corpus
-- written by `masthead seed` (single words in French, English, German and
-- Russian, two words, prefixes and phrases). SEARCH_PATH is the request
-- path, %s standing for the URL-encoded query (a path without %s is sent
-- as it is, for a stand-in endpoint). done() prints parsable lines:
--
--   SEARCH requests N / duration_us N / latency_us pNN N / status CODE N
--   SEARCH result requests=N rps=R p50_ms=X p99_ms=Y non2xx=N socket_errors=N

local template = os.getenv("SEARCH_PATH") or "/v1/search?q=%s"

local queries = {
	-- single words, in the demo content and in the corpus
	"budget", "water", "eau", "border", "frontière", "hôpital", "hospital",
	"bridge", "pont", "élections", "elections",
	-- the corpus's own: accents, compounds, Cyrillic, inflected forms
	"Ouzbékistan", "États-Unis", "Nordrhein-Westfalen", "Haushalt",
	"Санкт-Петербург", "выборы",
	-- two words
	"budget elections", "eau potable", "border checks",
	-- prefixes
	"budg*", "hôpit*", "front*",
	-- phrases
	'"the border"', '"à la frontière"',
}

local function encode(s)
	return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local paths = {}
for i, q in ipairs(queries) do
	local enc = encode(q)
	paths[i] = template:gsub("%%s", function() return enc end)
end

local threads = {}
local next_id = 0

function setup(thread)
	thread:set("id", next_id)
	next_id = next_id + 1
	table.insert(threads, thread)
end

function init(args)
	statuses = {}
	i = (id or 0) * 7
end

function request()
	i = i % #paths + 1
	return wrk.format("GET", paths[i])
end

function response(status, headers, body)
	statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
	local st = {}
	for _, t in ipairs(threads) do
		for k, v in pairs(t:get("statuses")) do st[k] = (st[k] or 0) + v end
	end
	local non2xx = 0
	for k, v in pairs(st) do
		io.write(string.format("SEARCH status %d %d\n", k, v))
		if k < 200 or k >= 300 then non2xx = non2xx + v end
	end
	local e = summary.errors
	local sockets = e.connect + e.read + e.write + e.timeout
	io.write(string.format("SEARCH requests %d\n", summary.requests))
	io.write(string.format("SEARCH duration_us %d\n", summary.duration))
	for _, p in ipairs({ 50, 90, 99, 99.9 }) do
		io.write(string.format("SEARCH latency_us p%s %d\n", tostring(p), latency:percentile(p)))
	end
	io.write(string.format("SEARCH result requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
		summary.requests, summary.requests / (summary.duration / 1e6),
		latency:percentile(50) / 1000, latency:percentile(99) / 1000, non2xx, sockets))
end
