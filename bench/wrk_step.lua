-- One benchmark step for wrk: the requests come from a generated table (bench/load.py
-- writes it in front of this file). Each thread takes every n-th request, so several
-- threads never send the same one-off request (a quiz start, a submit, a log-out) twice.
-- In "once" mode each request is sent once: a connection that finds none left waits
-- past the end of the run (delay), and a thread stops once its share is answered.

local counter, sent, answered, share = 0, 0, 0, 0

function setup(thread)
  thread:set("id", THREAD_COUNTER)
  THREAD_COUNTER = THREAD_COUNTER + 1
end

function init(args)
  counter = id
  for i = id + 1, #REQUESTS, THREADS do share = share + 1 end
end

local function submission_key()
  return string.format("%08x%08x%08x%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff),
                       math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
end

function delay()
  if ONCE and sent >= share then return 3600000 end
  return 0
end

function request()
  local r = REQUESTS[(counter % #REQUESTS) + 1]
  counter = counter + THREADS
  sent = sent + 1
  local headers = {}
  if r[3] ~= "" then headers["Cookie"] = r[3] end
  local body = nil
  if r[4] ~= "" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = string.gsub(r[4], "{KEY}", submission_key)
  end
  return wrk.format(r[1], r[2], headers, body)
end

function response(status, headers, body)
  answered = answered + 1
  if ONCE and answered >= share then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\n", summary.requests, summary.duration, e.status,
                         e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(95),
                         latency:percentile(99)))
end
