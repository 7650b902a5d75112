-- wrk script: POST signed Twilio webhooks from a pregenerated pool, count every
-- non-2xx answer, and print one machine-readable line from done().
--
-- Environment:
--   BENCH_REQUESTS  path of the pool: one request per line, path TAB signature TAB
--                   body (written by bench/signing.py)
--   BENCH_EXPECT    optional text every 2xx body must contain (e.g. "<Response")
--   BENCH_THREADS   wrk's --threads, so that each thread starts on its own share
--
-- Each thread cycles through the whole pool from the start of its own share, so
-- concurrent connections work on different calls and, until the pool wraps, no call's
-- entry webhook is posted twice (Twilio posts it once per call).

local pool_path = os.getenv("BENCH_REQUESTS")
local expect = os.getenv("BENCH_EXPECT") or ""

local threads = {}
local thread_count = 0

function setup(thread)
   thread:set("id", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

local requests = {}
local size = 0
local index = 0

non2xx = 0
unexpected = 0
statuses = ""     -- "403=12,500=1": tables are awkward to read back from a thread
sample = ""       -- the first bad body seen, for the report
local counts = {}

function init(args)
   if pool_path == nil then
      error("BENCH_REQUESTS is not set")
   end
   for line in io.lines(pool_path) do
      local path, signature, body = string.match(line, "^([^\t]*)\t([^\t]*)\t(.*)$")
      if path ~= nil then
         local headers = {}
         headers["Content-Type"] = "application/x-www-form-urlencoded"
         headers["X-Twilio-Signature"] = signature
         size = size + 1
         requests[size] = wrk.format("POST", path, headers, body)
      end
   end
   if size == 0 then
      error("no requests in " .. pool_path)
   end
   local shares = tonumber(os.getenv("BENCH_THREADS") or "1")
   index = ((id or 0) * math.floor(size / shares)) % size
end

function request()
   index = index + 1
   if index > size then
      index = 1
   end
   return requests[index]
end

local function remember(status, body)
   local key = tostring(status)
   counts[key] = (counts[key] or 0) + 1
   local parts = {}
   for k, v in pairs(counts) do
      table.insert(parts, k .. "=" .. v)
   end
   statuses = table.concat(parts, ",")
   if sample == "" and body ~= nil then
      sample = string.sub(body, 1, 300)
   end
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      remember(status, body)
   elseif expect ~= "" and (body == nil or not string.find(body, expect, 1, true)) then
      unexpected = unexpected + 1
      remember("2xx-unexpected", body)
   end
end

local function json_string(s)
   s = string.gsub(s, '[%c"\\]', function(c)
      if c == '"' then return '\\"' end
      if c == "\\" then return "\\\\" end
      return " "
   end)
   return '"' .. s .. '"'
end

function done(summary, latency, requests)
   local bad, odd, first = 0, 0, ""
   local merged = {}
   for _, t in ipairs(threads) do
      bad = bad + (t:get("non2xx") or 0)
      odd = odd + (t:get("unexpected") or 0)
      if first == "" then first = t:get("sample") or "" end
      local s = t:get("statuses") or ""
      for k, v in string.gmatch(s, "([^,=]+)=(%d+)") do
         merged[k] = (merged[k] or 0) + tonumber(v)
      end
   end
   local parts = {}
   for k, v in pairs(merged) do
      table.insert(parts, json_string(k) .. ": " .. v)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, '
      .. '"timeouts": %d, "status_errors": %d, "non2xx": %d, "unexpected": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d, '
      .. '"statuses": {%s}, "sample": %s}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.timeout, e.status, bad, odd,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.mean, latency.max,
      table.concat(parts, ", "), json_string(first)))
end
