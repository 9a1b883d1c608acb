-- wrk script for bench/webhook_ack.py: cycle through pre-signed distinct requests.
-- args: requests file (first line: timestamp; then signature TAB body), thread count
local reqs, n, idx = {}, 0, 0
wrapped = 0  -- global: done() reads it with thread:get
local threads, counter = {}, 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  local nthreads = tonumber(args[2])
  local f = assert(io.open(args[1], "r"))
  local ts = f:read("*l")
  local line_no = 0
  for line in f:lines() do
    if line_no % nthreads == tid then
      local tab = line:find("\t", 1, true)
      local headers = {["Content-Type"] = "application/json",
                       ["x-zm-request-timestamp"] = ts, ["x-zm-signature"] = line:sub(1, tab - 1)}
      n = n + 1
      reqs[n] = wrk.format("POST", "/webhooks/zoom", headers, line:sub(tab + 1))
    end
    line_no = line_no + 1
  end
  f:close()
end
function request()
  idx = idx + 1
  if idx > n then idx = 1; wrapped = wrapped + 1 end
  return reqs[idx]
end
function done(summary, latency, requests)
  local w = 0
  for _, t in ipairs(threads) do w = w + (t:get("wrapped") or 0) end
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"non2xx":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"wrapped":%d}\n', summary.requests, summary.duration, e.status, e.connect,
    e.read, e.write, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, w))
end
