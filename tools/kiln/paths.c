/* Finding loader.elf and kernel.elf: $KILN_LIBDIR, build tree, install. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiln.h"

static const char *const lib_files[] = { "loader.elf", "kernel.elf" };

static int has_file(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	int ok = access(p, R_OK) == 0;

	free(p);
	return ok;
}

static int has_all(const char *dir)
{
	for (size_t i = 0; i < sizeof(lib_files) / sizeof(lib_files[0]); i++)
		if (!has_file(dir, lib_files[i]))
			return 0;
	return 1;
}

static int exe_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	if (n < 0)
		return kiln_fail("/proc/self/exe: %s", strerror(errno));
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');
	if (!slash)
		return kiln_fail("/proc/self/exe: not an absolute path");
	*slash = '\0';
	return 0;
}

/*
 * $KILN_LIBDIR if set. Otherwise the directory of the kiln binary (the
 * build tree: build/kiln beside build/loader.elf and build/kernel.elf),
 * then <bindir>/../lib/kiln (make install). A directory holding both
 * files wins; failing that, the first one holding the file asked for,
 * so `pack` works in a tree whose loader is not built yet.
 */
int find_lib_file(const char *name, char **path)
{
	const char *env = getenv("KILN_LIBDIR");
	char exe[PATH_MAX];

	if (env && env[0]) {
		if (!has_file(env, name))
			return kiln_fail("%s: not found in KILN_LIBDIR (%s)",
					 name, env);
		*path = xasprintf("%s/%s", env, name);
		return 0;
	}
	if (exe_dir(exe, sizeof exe) < 0)
		return -1;

	char *dirs[2] = { xstrdup(exe), xasprintf("%s/../lib/kiln", exe) };
	const char *found = NULL;
	for (int i = 0; i < 2 && !found; i++)
		if (has_all(dirs[i]))
			found = dirs[i];
	for (int i = 0; i < 2 && !found; i++)
		if (has_file(dirs[i], name))
			found = dirs[i];
	if (found) {
		/* Tidy "bin/../lib" for --dry-run; either path works. */
		char *p = xasprintf("%s/%s", found, name);
		char *real = realpath(p, NULL);

		*path = real ? real : p;
		if (real)
			free(p);
	} else {
		kiln_fail("%s: not found (looked in %s and %s)", name, dirs[0],
			  dirs[1]);
	}
	free(dirs[0]);
	free(dirs[1]);
	return found ? 0 : -1;
}
