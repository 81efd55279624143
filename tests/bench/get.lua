-- A copy of the PHP-FPM peer's get.lua (shared/bench-peer), so the repo stands alone: keep the rest identical.
-- GET a random patient's LCMs; path prefix from PREFIX env (default /peer)
local prefix = os.getenv("PREFIX") or "/peer"
request = function()
  local id = math.random(1, 10000)
  return wrk.format("GET", prefix .. "/patients/" .. id .. "/lead_care_managers", {["X-User-Token"] = os.getenv("TOKEN") or "admintoken"})
end
