/* `kiln build SRC.c...`: compile with musl-gcc -static, then pack. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kiln.h"

static const char build_usage[] =
	"usage: kiln build SRC.c [SRC.c...] [-o OUT] [--cc CC] [--net|--no-net]\n"
	"                  [--rootfs DIR|FILE.cpio] [--file SRC:DEST]...\n"
	"                  [-- CFLAGS...]\n"
	"\n"
	"Compile the sources into a static program (CC -static -O2, CC being\n"
	"--cc, else $CC, else musl-gcc), then pack it as `kiln pack` does.\n"
	"\n"
	"  -o OUT           write the image to OUT (default: SRC.c -> SRC.img)\n"
	"  --cc CC          the compiler\n"
	ROOTFS_USAGE;

enum {
	BO_OUT,
	BO_CC,
	BO_ROOTFS,
	BO_FILE,
	BO_NET,
	BO_NO_NET,
	BO_HELP,
	BO_HELP_SHORT,
	BO__COUNT
};

static const struct opt_spec build_specs[] = {
	[BO_OUT] = { "-o", 1 },
	[BO_CC] = { "--cc", 1 },
	[BO_ROOTFS] = { "--rootfs", 1 },
	[BO_FILE] = { "--file", 1 },
	[BO_NET] = { "--net", 0 },
	[BO_NO_NET] = { "--no-net", 0 },
	[BO_HELP] = { "--help", 0 },
	[BO_HELP_SHORT] = { "-h", 0 },
	[BO__COUNT] = { NULL, 0 },
};

/* "x/server.c" -> "server": the application's name. */
static char *source_stem(const char *src)
{
	const char *base = path_basename(src);
	size_t n = strlen(base);

	if (n > 2 && strcmp(base + n - 2, ".c") == 0)
		n -= 2;
	return xasprintf("%.*s", (int)n, base);
}

/* "x/server.c" -> "x/server.img". */
static char *default_output(const char *src)
{
	size_t n = strlen(src);

	if (n > 2 && strcmp(src + n - 2, ".c") == 0)
		n -= 2;
	return xasprintf("%.*s.img", (int)n, src);
}

/* CC may hold words ("ccache musl-gcc"), as it may for make. */
static void push_words(struct strvec *av, const char *s)
{
	char *copy = xstrdup(s), *save = NULL;

	for (char *w = strtok_r(copy, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save))
		strvec_push(av, w);
	free(copy);
}

static int compile(const char *cc, char **srcs, int nsrcs, char **cflags,
		   int ncflags, const char *out)
{
	struct strvec av = { 0 };
	int status, err, rc = -1;
	pid_t pid;

	push_words(&av, cc);
	if (av.n == 0)
		return kiln_fail("--cc: empty compiler");
	strvec_push(&av, "-static");
	strvec_push(&av, "-O2");
	strvec_push(&av, "-o");
	strvec_push(&av, out);
	for (int i = 0; i < nsrcs; i++)
		strvec_push(&av, srcs[i]);
	for (int i = 0; i < ncflags; i++)
		strvec_push(&av, cflags[i]);

	err = spawn_start(av.v, &pid);
	if (err == -ENOENT)
		kiln_fail("%s: compiler not found (apt-get install "
			  "musl-tools, or pass --cc)", av.v[0]);
	else if (err < 0)
		kiln_fail("%s: %s", av.v[0], strerror(-err));
	else if (spawn_wait(pid, &status) < 0)
		kiln_fail("%s: lost the compiler: %s", av.v[0],
			  strerror(errno));
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		kiln_fail("%s: compilation failed", av.v[0]);
	else
		rc = 0;
	strvec_free(&av);
	return rc;
}

/* The program goes to a private temporary file, never beside the
 * sources: only the image is an output. */
static int build_and_pack(const char *cc, char **srcs, int nsrcs,
			  char **cflags, int ncflags, const char *out,
			  const struct rootfs_spec *fs, int net)
{
	char *tmp = xasprintf("%s/kiln-build.XXXXXX", tmp_dir());
	char *name = source_stem(srcs[0]);
	char *def_out = out ? NULL : default_output(srcs[0]);
	int fd, rc = -1;

	fd = mkstemp(tmp);
	if (fd < 0) {
		kiln_fail("%s: %s", tmp, strerror(errno));
		goto out;
	}
	close(fd);
	if (compile(cc, srcs, nsrcs, cflags, ncflags, tmp) == 0)
		rc = pack_file(tmp, srcs[0], out ? out : def_out, name, fs,
			       net);
	unlink(tmp);
out:
	free(def_out);
	free(name);
	free(tmp);
	return rc;
}

int cmd_build(int argc, char **argv)
{
	struct opt_iter it = { argc, argv, 1, build_specs };
	const char *out = NULL, *cc = NULL, *val = NULL;
	char **srcs = xcalloc((size_t)argc, sizeof(char *));
	struct rootfs_spec fs = {
		.files = xcalloc((size_t)argc, sizeof(char *)),
		.mtime_env = getenv("SOURCE_DATE_EPOCH"),
	};
	int nsrcs = 0, id, rc = -1, net = PACK_NET_AUTO;

	while ((id = opt_next(&it, &val)) != OPT_END) {
		if (id == -1)
			goto out;
		if (id == BO_ROOTFS || id == BO_FILE) {
			if (pack_rootfs_option(&fs, build_specs[id].name, val))
				goto out;
		} else if (id == OPT_POSITIONAL) {
			srcs[nsrcs++] = (char *)val;
		} else if (id == BO_OUT) {
			out = val;
		} else if (id == BO_CC) {
			cc = val;
		} else if (id == BO_NET || id == BO_NO_NET) {
			if (pack_net_option(&net, id == BO_NET) < 0)
				goto out;
		} else {
			fputs(build_usage, stdout);
			rc = 0;
			goto out;
		}
	}
	if (nsrcs == 0) {
		kiln_fail("build: no source given (kiln build SRC.c)");
		goto out;
	}
	for (int i = 0; i < nsrcs; i++) {
		if (access(srcs[i], R_OK) < 0) {
			kiln_fail("%s: %s", srcs[i], strerror(errno));
			goto out;
		}
	}
	if (!cc)
		cc = getenv("CC");
	if (!cc || !cc[0])
		cc = "musl-gcc";
	rc = build_and_pack(cc, srcs, nsrcs, argv + it.i, argc - it.i, out,
			    &fs, net);
out:
	free(fs.files);
	free(srcs);
	return rc;
}
