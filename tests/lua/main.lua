-- Run from the root file system: a module, a file written and read back.
-- tests/lua/run.sh runs it as `lua lua/main.lua TMPDIR` from / in the guest
-- and from a copy of the same tree on the host; the outputs must match.
package.path = "lua/?.lua;" .. package.path
local mod = require("mod")
print(mod.greet("kiln"), package.searchpath("mod", package.path))
print("loaded", package.loaded.mod == mod)

local path = assert(arg[1], "usage: main.lua TMPDIR") .. "/lua-out.txt"
local f = assert(io.open(path, "w"))
for i = 1, 200 do
	f:write(string.format("%d %d\n", i, mod.square(i)))
end
print("close", f:close())

local n, sum = 0, 0
for line in io.lines(path) do
	n = n + 1
	sum = sum + tonumber(line:match(" (%d+)$"))
end
print("read back", n, sum)

f = assert(io.open(path, "a"))
f:write("tail\n")
f:close()
f = assert(io.open(path, "rb"))
local all = f:read("a")
print("size", #all, f:seek("cur"), f:seek("set", 4), f:read(3))
print("end", all:sub(-5) == "tail\n", f:seek("end"))
f:close()

print("rename", os.rename(path, path .. ".2"))
print("old name", select(3, io.open(path)))
print("remove", os.remove(path .. ".2"))
print("removed", select(3, io.open(path .. ".2")))
local ok, err = pcall(require, "missing")
print("require missing", ok, err:match("module 'missing' not found") ~= nil)
