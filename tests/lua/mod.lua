-- A module main.lua loads from the root file system.
local M = {}

function M.greet(who)
	return "hello from mod.lua, " .. who
end

function M.square(x)
	return x * x
end

return M
