-- The wrk script of every benchmark run: POST one pre-built request per line, each exactly once.
--
--   wrk -t T -c C -d D -s bench/posts.lua URL -- REQUESTS_FILE T
--
-- REQUESTS_FILE holds one request a line: the path, a TAB, the JSON body (sent as Content-Type:
-- application/json, not compressed) and, for activations (`homeport_bench fixture`), a TAB and
-- the X-Homeport-Signature; pings come from bench/pings.py. Thread k of T sends lines k, k+T,
-- k+2T, ... (disjoint slices), so no line is sent twice unless a thread runs out; then it starts
-- over and the run is reported as "wrapped" (run.sh fails: a resent doc_id stores nothing).
-- Requests are formatted in init(), before the clock starts, so request() costs wrk nothing
-- but a table lookup. done() prints a machine-readable BENCH line for run.sh.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- Globals, not locals: done() reads `sent` and `count` of each thread through thread:get().
requests = {}
count = 0
sent = 0

function init(args)
  local path, nthreads = args[1], tonumber(args[2])
  if path == nil or nthreads == nil then
    error("usage: wrk ... -s posts.lua URL -- REQUESTS_FILE THREADS")
  end
  local file = assert(io.open(path, "r"))
  local headers = {}
  headers["Content-Type"] = "application/json"
  local line_no = 0
  for line in file:lines() do
    if line_no % nthreads == id then
      local tab = line:find("\t", 1, true)
      local sig = line:find("\t", tab + 1, true)
      headers["X-Homeport-Signature"] = sig and line:sub(sig + 1) or nil
      count = count + 1
      requests[count] = wrk.format("POST", line:sub(1, tab - 1), headers,
                                   line:sub(tab + 1, sig and sig - 1 or -1))
    end
    line_no = line_no + 1
  end
  file:close()
  if count == 0 then error("no requests for thread " .. id .. " in " .. path) end
end

function request()
  sent = sent + 1
  return requests[(sent - 1) % count + 1]
end

function done(summary, latency, _)
  local generated, available = 0, 0
  for _, t in ipairs(threads) do
    generated = generated + t:get("sent")
    available = available + t:get("count")
  end
  local e = summary.errors
  io.write(string.format("BENCH duration_us=%d requests=%d non2xx=%d connect_errors=%d " ..
                         "read_errors=%d write_errors=%d timeouts=%d generated=%d available=%d " ..
                         "wrapped=%s p50_us=%d p99_us=%d\n",
                         summary.duration, summary.requests, e.status, e.connect, e.read,
                         e.write, e.timeout, generated, available,
                         tostring(generated > available),
                         latency:percentile(50), latency:percentile(99)))
end
