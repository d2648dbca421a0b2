-- The wrk script of bench/run: every request sends a message (or a batch of them) to a fresh
-- number, round-robin over the API keys; every answer is tallied per wall-clock second.
--
-- Environment (read by every wrk thread):
--   BENCH_MODE   single (POST /v1/messages), idem (the same with an Idempotency-Key, unique per
--                request), batch (POST /v1/messages/batch) or kannel (GET /cgi-bin/sendsms)
--   BENCH_KEYS   file, one credential a line: an smsgw API key, or "username password" for kannel
--   BENCH_BATCH  messages per batch (batch mode)
--   BENCH_OUT    where done() writes its JSON summary
--
-- Latency per second: each request carries X-Request-ID "<thread>-<n>-<start us>"; a server that
-- echoes it (smsgw does, Kannel does not) lets response() compute that request's latency. wrk's
-- own histogram (done()) covers every request either way.
local ffi = require("ffi")
ffi.cdef [[
struct bench_timespec { long tv_sec; long tv_nsec; };
int clock_gettime(int clk_id, struct bench_timespec *tp);
]]
local clock_buf = ffi.new("struct bench_timespec")
local CLOCK_REALTIME = 0  -- wall clock, so seconds line up with the servers' timestamps

local function now_us()
  ffi.C.clock_gettime(CLOCK_REALTIME, clock_buf)
  return tonumber(clock_buf.tv_sec) * 1000000 + math.floor(tonumber(clock_buf.tv_nsec) / 1000)
end

-- Latency histogram buckets 4% wide: mergeable across threads, 2% error at most.
local LOG_STEP = math.log(1.04)
local function bucket_of(us)
  if us < 1 then us = 1 end
  return math.floor(math.log(us) / LOG_STEP)
end

-- Main state: one table per thread, read back in done().
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

-- Thread state. wrk's thread:get() copies only plain values from a thread safely, so what done()
-- reads is kept as numbers and JSON strings: `closed` holds the finished seconds, `current` the
-- second under way (refreshed every few answers; the last ones of the final, partial second may
-- miss it, but that second is outside every measuring window).
local mode, batch_size, keys, n
local cur_sec, cur, since_refresh = nil, nil, 0
local status_counts = {}
closed = ""        -- '"<second>":{...},' for each finished second
current = ""       -- the same for the second under way
total_ok, total_msgs, total_other = 0, 0, 0
statuses = "{}"    -- JSON: answers that were not 2xx, by status
first_error = ""

function init(args)
  mode = os.getenv("BENCH_MODE") or "single"
  batch_size = tonumber(os.getenv("BENCH_BATCH") or "100")
  keys = {}
  for line in io.lines(os.getenv("BENCH_KEYS")) do
    if line ~= "" then table.insert(keys, line) end
  end
  assert(#keys > 0, "no credentials in BENCH_KEYS")
  if mode == "kannel" then
    for i, line in ipairs(keys) do
      local user, pass = line:match("^(%S+)%s+(%S+)$")
      keys[i] = "username=" .. user .. "&password=" .. pass
    end
  end
  n = 0
end

-- Valid Iranian mobile numbers, a different one for each message of a thread.
local function number(i)
  return string.format("98912%07d", 1000000 + (tid * 4000000 + i) % 9000000)
end

function request()
  n = n + 1
  local key = keys[n % #keys + 1]
  local headers = { ["X-Request-ID"] = string.format("%d-%d-%.0f", tid, n, now_us()) }
  if mode == "kannel" then
    return wrk.format("GET", "/cgi-bin/sendsms?" .. key .. "&from=smsgw&to=%2B" .. number(n) ..
      "&text=smsgw+bench+" .. n, headers)
  end
  headers["Authorization"] = "Bearer " .. key
  headers["Content-Type"] = "application/json"
  if mode == "idem" then
    headers["Idempotency-Key"] = headers["X-Request-ID"]  -- unique: thread, request, start time
  end
  if mode == "single" or mode == "idem" then
    return wrk.format("POST", "/v1/messages", headers,
      '{"to":"+' .. number(n) .. '","text":"smsgw bench ' .. n .. '"}')
  end
  local items = {}
  for i = 1, batch_size do
    local m = (n - 1) * batch_size + i
    items[i] = '{"to":"+' .. number(m) .. '","text":"smsgw bench ' .. m .. '"}'
  end
  return wrk.format("POST", "/v1/messages/batch", headers,
    '{"messages":[' .. table.concat(items, ",") .. ']}')
end

-- JSON by hand: wrk's Lua has no JSON library.
local function json_string(v)
  return '"' .. tostring(v):gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

local function json_counts(t)
  local parts = {}
  for k, v in pairs(t) do table.insert(parts, '"' .. k .. '":' .. v) end
  return "{" .. table.concat(parts, ",") .. "}"
end

local function second_json(sec, s)
  return '"' .. sec .. '":{"ok":' .. s.ok .. ',"msgs":' .. s.msgs .. ',"other":' .. s.other ..
    ',"hist":' .. json_counts(s.hist) .. '}'
end

function response(status, headers, body)
  local t = now_us()
  local sec = math.floor(t / 1000000)
  if sec ~= cur_sec then
    if cur_sec ~= nil then closed = closed .. second_json(cur_sec, cur) .. "," end
    cur_sec, cur, since_refresh, current = sec, { ok = 0, msgs = 0, other = 0, hist = {} }, 0, ""
  end
  if status >= 200 and status < 300 then
    -- Batches: per-item results; the accepted ones say so, refused ones carry a problem.
    local msgs = 1
    if mode == "batch" then _, msgs = body:gsub('"status"%s*:%s*"accepted"', "") end
    cur.ok, cur.msgs = cur.ok + 1, cur.msgs + msgs
    total_ok, total_msgs = total_ok + 1, total_msgs + msgs
  else
    cur.other, total_other = cur.other + 1, total_other + 1
    status_counts[status] = (status_counts[status] or 0) + 1
    statuses = json_counts(status_counts)
    if first_error == "" then first_error = status .. " " .. body:sub(1, 300) end
  end
  local echoed = headers["X-Request-ID"] or headers["x-request-id"]
  local start = echoed and tonumber(echoed:match("-(%d+)$"))
  if start then
    local b = bucket_of(t - start)
    cur.hist[b] = (cur.hist[b] or 0) + 1
  end
  since_refresh = since_refresh + 1
  if since_refresh >= 64 then
    current, since_refresh = second_json(cur_sec, cur), 0
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  local e = summary.errors
  out:write('{"duration_us":', summary.duration, ',"requests":', summary.requests,
    ',"errors":{"connect":', e.connect, ',"read":', e.read, ',"write":', e.write,
    ',"status":', e.status, ',"timeout":', e.timeout, '}',
    ',"latency_us":{"p50":', latency:percentile(50), ',"p90":', latency:percentile(90),
    ',"p99":', latency:percentile(99), ',"max":', latency.max, ',"mean":', latency.mean, '}',
    ',"bucket_step":1.04,"threads":[')
  for i, thread in ipairs(threads) do
    if i > 1 then out:write(",") end
    local secs = thread:get("closed") .. thread:get("current")
    out:write('{"ok":', thread:get("total_ok"), ',"msgs":', thread:get("total_msgs"),
      ',"other":', thread:get("total_other"), ',"statuses":', thread:get("statuses"),
      ',"first_error":', json_string(thread:get("first_error")),
      ',"seconds":{', (secs:gsub(",$", "")), '}}')
  end
  out:write("]}\n")
  out:close()
end
