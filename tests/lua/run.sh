#!/bin/bash
# A real program nobody here wrote: Debian's Lua 5.4, built with musl, booted.
#
#   BUILD=build bash tests/lua/run.sh
#
# Fetches the lua5.4 source package into $BUILD/src (once; later runs reuse
# it), builds the `lua` interpreter as a static musl program, packs it with
# kiln, and runs a few scripts both in the guest and on the host: the guest's
# output, less the kernel's own log lines, must equal the host's. Prints
# PASS/FAIL lua_<case>, or SKIP lua_build when the source cannot be had.

cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
case $BUILD in
/*) ;;
*) BUILD=$PWD/$BUILD ;;
esac
KILN=$BUILD/kiln
SRC=$BUILD/src/lua5.4
WORK=$BUILD/tests/lua
LUA=$WORK/lua
MUSL_GCC=${MUSL_GCC:-musl-gcc}
. tests/boot/lib.sh
trap stop_bounded INT TERM
mkdir -p "$SRC" "$WORK"

# fetch: the unpacked source tree into $SRC (prints its path), or returns 1
# with the reason on stdout.
fetch()
{
	sh mk/debsrc.sh lua5.4 "$SRC" src/lua.c
}

# build DIR: the lua interpreter as a static musl program. Debian's patched
# src/Makefile builds shared libraries through libtool, so the objects of
# upstream's `make posix` (every src/*.c but luac.c) are compiled here
# directly, two at a time.
build()
{
	local dir=$1 obj=$WORK/obj f
	local cflags="-std=gnu99 -O2 -DLUA_COMPAT_5_3 -DLUA_USE_POSIX"
	if [ -x "$LUA" ] && [ -z "$(find "$dir/src" -newer "$LUA" -name '*.[ch]')" ]; then
		return 0
	fi
	rm -rf "$obj"
	mkdir -p "$obj"
	# Debian's luaconf.h includes a header its debian/rules generates.
	printf '#define DEB_HOST_MULTIARCH "x86_64-linux-musl"\n' \
		>"$obj/lua5.4-deb-multiarch.h"
	cflags="$cflags -I$obj"
	for f in "$dir"/src/*.c; do
		[ "${f##*/}" = luac.c ] || echo "$f"
	done | xargs -P "$(nproc)" -I{} sh -c \
		'"$0" $1 -c "$2" -o "$3/$(basename "$2" .c).o"' \
		"$MUSL_GCC" "$cflags" {} "$obj" >"$WORK/build.log" 2>&1 || return 1
	"$MUSL_GCC" -static -o "$LUA" "$obj"/*.o -lm >>"$WORK/build.log" 2>&1
}

# guest_lines FILE: the console output without the loader's and the
# kernel's own lines ("[LOADER] ...", "[0][INFO] ...").
guest_lines()
{
	sed 's/\r$//' "$1" | grep -Ev '^\[(LOADER|[0-9]+)\]'
}

# case NAME LUA-ARGS...: runs lua with the arguments on the host and in the
# guest; the guest's output and exit status must equal the host's.
lua_case()
{
	local name=$1 hst gst
	shift
	# argv[0] "lua", as kiln pack names the guest: lua prints it in errors.
	(exec -a lua "$LUA" "$@") >"$WORK/$name.host" 2>&1 </dev/null
	hst=$?
	run_bounded 60 "$WORK/$name.guest" null "$KILN" run "$IMG" -- "$@"
	gst=$?
	guest_lines "$WORK/$name.guest" >"$WORK/$name.guest.app"
	if [ "$gst" = 124 ]; then
		echo "FAIL lua_$name: timed out after 60s"
	elif [ "$gst" != "$hst" ]; then
		echo "FAIL lua_$name: status $gst in the guest, $hst on the host"
	elif ! cmp -s "$WORK/$name.host" "$WORK/$name.guest.app"; then
		echo "FAIL lua_$name: output differs from the host's"
		diff "$WORK/$name.host" "$WORK/$name.guest.app" | head -n 20 |
			sed 's/^/    | /'
		return
	else
		echo "PASS lua_$name"
		return
	fi
	tail -n 20 "$WORK/$name.guest" | sed 's/^/    | /'
}

if ! dir=$(fetch); then
	echo "SKIP lua_build: $dir"
	exit 0
fi
if ! build "$dir"; then
	echo "FAIL lua_build: $(grep -m1 -E 'error' "$WORK/build.log")"
	tail -n 20 "$WORK/build.log" | sed 's/^/    | /'
	exit 1
fi
echo "PASS lua_build"
if [ ! -x "$KILN" ]; then
	echo "FAIL lua_pack: build/kiln missing"
	exit 1
fi
IMG=$WORK/lua.img
if ! "$KILN" pack "$LUA" -o "$IMG" >"$WORK/pack.log" 2>&1; then
	echo "FAIL lua_pack: $(head -n 1 "$WORK/pack.log")"
	exit 1
fi

lua_case format -e \
	'print(string.format("%d %s %.3f", 6*7, _VERSION, math.pi))'

# One line: statements need no newlines, and a command line keeps it simple.
script=$(tr '\n' ' ' <<'EOF'
local t = {} for i = 1, 10 do t[#t + 1] = i * i end
print(table.concat(t, ","))
local function counter() local n = 0 return function() n = n + 1 return n end end
local c = counter() c() c() print("closure", c())
print(("kiln unikernel"):upper(), ("a,b,,c"):gsub(",", ";"))
local w = {} for s in ("the quick brown fox"):gmatch("%a+") do w[#w + 1] = s end
table.sort(w) print(table.concat(w, " "))
local m = setmetatable({}, {__index = function(_, k) return k .. "!" end})
print(m.hi, rawget(m, "hi"))
print("os.time", math.type(os.time()))
local kb = collectgarbage("count")
print("gc", type(kb), kb > 0, collectgarbage("step") ~= nil)
print(string.rep("ab", 3, "-"), #string.rep("x", 100000))
print(math.maxinteger, 7 // 2, 7 / 2, 2 ^ 10, 10 % 3, -7 // 2)
print(select("#", 1, nil, 3), tostring(nil), tonumber("0x10"), ("%q"):format("a\"b"))
local ok, err = pcall(error, {code = 7}) print(ok, type(err), err.code)
print(utf8.char(72, 233, 8364), utf8.len("h\u{e9}"))
EOF
)
lua_case script -e "$script"

lua_case error -e 'error("boom")'

# A script and a module from the root file system, and a file written to
# /tmp and read back (tests/lua/main.lua): `lua lua/main.lua TMPDIR` from
# the root in the guest, from a copy of the same tree on the host.
FS=$WORK/rootfs
rm -rf "$FS" "$WORK/tmp"
mkdir -p "$FS/lua" "$WORK/tmp"
cp tests/lua/main.lua tests/lua/mod.lua "$FS/lua/"
if ! "$KILN" pack "$LUA" --rootfs "$FS" -o "$WORK/lua-fs.img" \
	>"$WORK/pack.log" 2>&1; then
	echo "FAIL lua_rootfs: $(head -n 1 "$WORK/pack.log")"
	exit 1
fi
(cd "$FS" && exec -a lua "$LUA" lua/main.lua "$WORK/tmp") \
	>"$WORK/rootfs.host" 2>&1 </dev/null
hst=$?
run_bounded 60 "$WORK/rootfs.guest" null "$KILN" run "$WORK/lua-fs.img" -- \
	lua/main.lua /tmp
gst=$?
guest_lines "$WORK/rootfs.guest" >"$WORK/rootfs.guest.app"
if [ "$hst" != 0 ]; then
	echo "FAIL lua_rootfs: the host run exited $hst"
	sed 's/^/    | /' "$WORK/rootfs.host" | head -n 10
elif [ "$gst" != 0 ]; then
	echo "FAIL lua_rootfs: status $gst in the guest"
	tail -n 15 "$WORK/rootfs.guest" | sed 's/^/    | /'
elif ! cmp -s "$WORK/rootfs.host" "$WORK/rootfs.guest.app"; then
	echo "FAIL lua_rootfs: output differs from the host's"
	diff "$WORK/rootfs.host" "$WORK/rootfs.guest.app" | head -n 20 |
		sed 's/^/    | /'
else
	echo "PASS lua_rootfs"
fi
