-- Mixed load for make soak and make faults: care-team reads, LCM list pages
-- and assignments, every assignment a change.
--
-- Each wrk thread owns the patients p with p % THREADS == its number - 1 and
-- writes them in turn, pass after pass; pass k gives patient p the oLCM
-- 101 + (p % 200 + 1 + k) % 200, never the seed's (101 + p % 200) nor the
-- previous pass's. A patient comes round again only after thousands of
-- requests, so no two writes of one patient overlap: each write answered
-- 200 changed exactly one role and left exactly one activity row.
--
-- Environment: PREFIX, TOKEN, PATIENTS (10000), THREADS (wrk -t), WRITE_PCT
-- (20), LIST_PCT (10), PASS0 (0: the first pass; runs on one database give
-- each its own range of passes, below 199). done() prints "mixed: NAME VALUE"
-- lines.
local prefix = os.getenv("PREFIX") or "/v1/admin/clinic/ecm"
local token = os.getenv("TOKEN") or "admintoken"
local patients = tonumber(os.getenv("PATIENTS") or "10000")
local nthreads = tonumber(os.getenv("THREADS") or "2")
local write_pct = tonumber(os.getenv("WRITE_PCT") or "20")
local list_pct = tonumber(os.getenv("LIST_PCT") or "10")
local pass0 = tonumber(os.getenv("PASS0") or "0")

local threads = {}
local n = 0
function setup(thread)
  n = n + 1
  thread:set("tid", n)
  table.insert(threads, thread)
end

local get_h, post_h
local cursor, pass
function init(args)
  math.randomseed(os.time() * 1000 + tid * 7919 + math.floor(os.clock() * 1e6))
  get_h = {["X-User-Token"] = token}
  post_h = {["X-User-Token"] = token, ["Content-Type"] = "application/json"}
  cursor = tid
  pass = pass0
  statuses = {}
  writes_ok = 0
  writes_bad = 0
end

request = function()
  local r = math.random(100)
  if r <= write_pct then
    local p = cursor
    cursor = cursor + nthreads
    if cursor > patients then
      cursor = tid
      pass = pass + 1
    end
    local u = 101 + ((p % 200) + 1 + pass) % 200
    return wrk.format("POST", prefix .. "/lead_care_managers/assign", post_h,
      string.format('{"patient_id":%d,"olcm_user_id":%d}', p, u))
  elseif r <= write_pct + list_pct then
    return wrk.format("GET", prefix .. "/lead_care_managers?per_page=25&page=" .. math.random(1, 8), get_h)
  end
  return wrk.format("GET", prefix .. "/patients/" .. math.random(1, patients) .. "/lead_care_managers", get_h)
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if string.find(body, '"message":"Lead Care Manager assigned successfully"', 1, true) then
    if status == 200 then writes_ok = writes_ok + 1 else writes_bad = writes_bad + 1 end
  end
end

function done(summary, latency, requests)
  local all, ok, bad = {}, 0, 0
  for _, t in ipairs(threads) do
    ok = ok + (t:get("writes_ok") or 0)
    bad = bad + (t:get("writes_bad") or 0)
    local s = t:get("statuses") or {}
    for k, v in pairs(s) do all[k] = (all[k] or 0) + v end
  end
  local keys = {}
  for k in pairs(all) do table.insert(keys, k) end
  table.sort(keys)
  local line = ""
  for _, k in ipairs(keys) do line = line .. string.format(" %d:%d", k, all[k]) end
  io.write("mixed: statuses" .. line .. "\n")
  io.write(string.format("mixed: writes_200 %d\n", ok))
  io.write(string.format("mixed: requests %d\n", summary.requests))
  local e = summary.errors
  io.write(string.format("mixed: socket_errors %d connect %d read %d write %d timeout %d\n",
    e.connect + e.read + e.write + e.timeout, e.connect, e.read, e.write, e.timeout))
  io.write(string.format("mixed: latency_max_ms %.1f p99_ms %.1f\n", latency.max / 1000,
    latency:percentile(99) / 1000))
end
