-- Runs the script named by SCRIPT (get.lua or post.lua) with each wrk thread's
-- random generator seeded apart. wrk's LuaJIT starts every thread, and every
-- run, on the same sequence: with the peer's scripts as they are, both threads
-- send the same patients in the same order, and a measured run replays its
-- warm-up, so about half of post.lua's assignments change nothing.
dofile(os.getenv("SCRIPT"))
local n = 0
function setup(thread)
  n = n + 1
  thread:set("thread_no", n)
end
function init(args)
  math.randomseed(os.time() * 1000 + (thread_no or 0) * 7919 + math.floor(os.clock() * 1e6))
end
