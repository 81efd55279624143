-- A copy of the PHP-FPM peer's post.lua (shared/bench-peer), so the repo stands alone: keep the rest identical.
-- POST an assignment for a random patient; path from ASSIGN env (default /peer/assign)
local path = os.getenv("ASSIGN") or "/peer/assign"
request = function()
  local body = string.format('{"patient_id":%d,"olcm_user_id":%d}', math.random(1, 10000), math.random(101, 300))
  return wrk.format("POST", path, {["X-User-Token"] = os.getenv("TOKEN") or "admintoken", ["Content-Type"] = "application/json"}, body)
end
