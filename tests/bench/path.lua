-- GET one path (QUERY_PATH, with its query string) again and again.
local path = os.getenv("QUERY_PATH")
local token = os.getenv("TOKEN") or "admintoken"
request = function()
  return wrk.format("GET", path, {["X-User-Token"] = token})
end
