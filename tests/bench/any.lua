-- The care-team read (KIND=get) or the assignment (KIND=post) of a random
-- patient among 1..PATIENTS, for the growth table; run through seeded.lua
-- (SCRIPT=any.lua), so that every assignment is a change almost surely.
local kind = os.getenv("KIND") or "get"
local n = tonumber(os.getenv("PATIENTS") or "10000")
local prefix = os.getenv("PREFIX") or "/v1/admin/clinic/ecm"
local token = os.getenv("TOKEN") or "admintoken"
request = function()
  local id = math.random(1, n)
  if kind == "post" then
    local body = string.format('{"patient_id":%d,"olcm_user_id":%d}', id, math.random(101, 300))
    return wrk.format("POST", prefix .. "/lead_care_managers/assign",
      {["X-User-Token"] = token, ["Content-Type"] = "application/json"}, body)
  end
  return wrk.format("GET", prefix .. "/patients/" .. id .. "/lead_care_managers",
    {["X-User-Token"] = token})
end
