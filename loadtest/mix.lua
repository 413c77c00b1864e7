-- The request mix of `make loadtest`, for wrk (LuaJIT). Each request is
-- drawn at random: 90% reads (half anonymous, half with a reader,
-- subscriber or headlines partner token), 5% comment posts, 5% editorial
-- writes (a PATCH of a draft with If-Match: *, or a new draft).
--
-- run.sh passes the tokens and the ids through the environment; done()
-- prints "LOAD ..." lines that run.sh reads: totals, latency percentiles,
-- the statuses seen and the requests sent of each kind.

local function list(name)
	local t = {}
	for w in string.gmatch(os.getenv(name) or "", "%S+") do
		t[#t + 1] = w
	end
	if #t == 0 then
		error("loadtest: " .. name .. " is empty")
	end
	return t
end

local function need(name)
	local v = os.getenv(name)
	if v == nil or v == "" then
		error("loadtest: " .. name .. " is not set")
	end
	return v
end

-- Main state: one entry per thread, so that done() can read their counters.
local threads = {}

function setup(thread)
	thread:set("thread_id", #threads + 1)
	threads[#threads + 1] = thread
end

-- Thread state from here to done().
local slugs, commentable, drafts, sections, tags, authors
local bearer = {}
local seq = 0
local mix, total = {}, 0

local function pick(t)
	return t[math.random(#t)]
end

local function get(path, role)
	if role then
		return wrk.format("GET", path, { ["Authorization"] = bearer[role] })
	end
	return wrk.format("GET", path)
end

local function send(method, path, role, body, extra)
	local h = { ["Authorization"] = bearer[role], ["Content-Type"] = "application/json" }
	for k, v in pairs(extra or {}) do
		h[k] = v
	end
	return wrk.format(method, path, h, body)
end

local function add(weight, kind, build)
	total = total + weight
	mix[#mix + 1] = { upto = total, kind = kind, build = build }
end

function init(args)
	-- Globals: thread:get reads only those.
	kinds, statuses = {}, {}
	math.randomseed(os.time() * 1000 + thread_id)
	slugs = list("LOAD_SLUGS")
	commentable = list("LOAD_COMMENTABLE")
	drafts = list("LOAD_DRAFTS")
	sections = list("LOAD_SECTIONS")
	tags = list("LOAD_TAGS")
	authors = list("LOAD_AUTHORS")
	for _, role in ipairs({ "reader", "subscriber", "partner", "editor" }) do
		bearer[role] = "Bearer " .. need("LOAD_TOKEN_" .. string.upper(role))
	end

	-- Anonymous reads: 45.
	add(10, "anon_list", function() return get("/v1/articles?limit=10") end)
	add(4, "anon_list_section", function() return get("/v1/articles?limit=10&section=" .. pick(sections)) end)
	add(15, "anon_article", function() return get("/v1/articles/" .. pick(slugs)) end)
	add(5, "anon_comments", function() return get("/v1/articles/" .. pick(commentable) .. "/comments") end)
	add(3, "anon_taxonomy", function()
		if math.random(2) == 1 then return get("/v1/sections") end
		return get("/v1/tags")
	end)
	add(2, "anon_author", function() return get("/v1/authors/" .. pick(authors)) end)
	add(4, "anon_feed", function() return get("/v1/feeds/latest.rss") end)
	add(2, "anon_feed_tag", function() return get("/v1/feeds/tag/" .. pick(tags) .. ".atom") end)
	-- Reads with a token: 45.
	add(8, "reader_article", function() return get("/v1/articles/" .. pick(slugs), "reader") end)
	add(4, "reader_list", function() return get("/v1/articles?limit=20", "reader") end)
	add(15, "subscriber_article", function() return get("/v1/articles/" .. pick(slugs), "subscriber") end)
	add(4, "subscriber_comments", function() return get("/v1/articles/" .. pick(commentable) .. "/comments?view=flat&sort=newest", "subscriber") end)
	add(8, "partner_changes", function() return get("/v1/changes?limit=50", "partner") end)
	add(6, "partner_feed", function() return get("/v1/feeds/latest.json", "partner") end)
	-- Comment posts: 5, from readers and subscribers.
	add(5, "comment_post", function()
		seq = seq + 1
		local role = (seq % 2 == 0) and "reader" or "subscriber"
		local body = string.format('{"body":"Load test comment %d-%d: the figures in this piece hold up."}', thread_id, seq)
		return send("POST", "/v1/articles/" .. pick(commentable) .. "/comments", role, body)
	end)
	-- Editorial writes: 5, most of them saves of a draft, some new drafts.
	add(4, "draft_patch", function()
		seq = seq + 1
		local body = string.format('{"standfirst":"Revised by the load test, save %d-%d."}', thread_id, seq)
		return send("PATCH", "/v1/admin/articles/" .. pick(drafts), "editor", body, { ["If-Match"] = "*" })
	end)
	add(1, "draft_create", function()
		seq = seq + 1
		local body = string.format(
			'{"title":"Load test draft %d-%d-%d","lang":"en","access":"public","status":"draft",' ..
			'"blocks":[{"type":"paragraph","text":"A draft written under load."}]}',
			thread_id, seq, math.random(1000000000))
		return send("POST", "/v1/admin/articles", "editor", body)
	end)
end

function request()
	local r = math.random() * total
	for _, m in ipairs(mix) do
		if r < m.upto then
			kinds[m.kind] = (kinds[m.kind] or 0) + 1
			return m.build()
		end
	end
	local m = mix[#mix]
	kinds[m.kind] = (kinds[m.kind] or 0) + 1
	return m.build()
end

function response(status, headers, body)
	statuses[status] = (statuses[status] or 0) + 1
end

-- Main state again: sum the threads' counters and print them for run.sh.
function done(summary, latency, requests)
	local st, kd = {}, {}
	for _, t in ipairs(threads) do
		for k, v in pairs(t:get("statuses")) do st[k] = (st[k] or 0) + v end
		for k, v in pairs(t:get("kinds")) do kd[k] = (kd[k] or 0) + v end
	end
	local e = summary.errors
	io.write(string.format("LOAD requests %d\n", summary.requests))
	io.write(string.format("LOAD duration_us %d\n", summary.duration))
	io.write(string.format("LOAD socket_errors %d %d %d %d\n", e.connect, e.read, e.write, e.timeout))
	for _, p in ipairs({ 50, 90, 99, 99.9 }) do
		io.write(string.format("LOAD latency_us p%s %d\n", tostring(p), latency:percentile(p)))
	end
	io.write(string.format("LOAD latency_us max %d\n", latency.max))
	for k, v in pairs(st) do io.write(string.format("LOAD status %d %d\n", k, v)) end
	for k, v in pairs(kd) do io.write(string.format("LOAD kind %s %d\n", k, v)) end
end
