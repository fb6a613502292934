#!/bin/bash
# Print the kernel modules MODULE... need, dependencies first, as paths
# under DIR (an unpacked /lib/modules/<version>). Debian's kernel package
# carries no modules.dep (depmod writes it at install time), so the
# dependencies are read from each module's .modinfo section ("depends=").
#
# Usage: modules.sh DIR MODULE...
set -u
dir=$1
shift
declare -A seen
order=()

# path NAME: the module file for NAME (- and _ are the same in names).
path() {
	find "$dir" -name "${1//-/_}.ko" -o -name "${1//_/-}.ko" | head -1
}

depends() {
	objcopy -O binary --only-section=.modinfo "$1" /dev/stdout 2>/dev/null |
		tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '
}

visit() {
	local name=${1//-/_} file dep
	[ -n "${seen[$name]:-}" ] && return 0
	seen[$name]=1
	file=$(path "$name")
	[ -n "$file" ] || { echo "modules: no module $name in $dir" >&2; return 1; }
	for dep in $(depends "$file"); do
		visit "$dep" || return 1
	done
	order+=("${file#"$dir"/}")
}

for m in "$@"; do
	visit "$m" || exit 1
done
printf '%s\n' "${order[@]}"
