/* kiln: the command-line tool. Dispatches to one cmd_<verb>() per verb. */
#include <stdio.h>
#include <string.h>

#include "kiln.h"
#include "kiln/abi/exit.h"

static const struct verb {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} verbs[] = {
	{ "build", cmd_build, "compile C sources with musl, then pack" },
	{ "pack", cmd_pack, "pack a static x86-64 ELF into a bootable image" },
	{ "run", cmd_run, "boot an image on QEMU" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fputs("usage: kiln <command> [options]\n\ncommands:\n", f);
	for (const struct verb *v = verbs; v->name; v++)
		fprintf(f, "  %-6s %s\n", v->name, v->summary);
	fputs("  help   this text; `kiln help <command>` for one command\n",
	      f);
}

static const struct verb *find_verb(const char *name)
{
	for (const struct verb *v = verbs; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

/* One line, always: a file name may hold a newline. */
static void report(const char *msg)
{
	fputs("kiln: ", stderr);
	for (const char *p = msg; *p; p++)
		fputc(*p == '\n' || *p == '\r' ? '?' : *p, stderr);
	fputc('\n', stderr);
}

static int is_help(const char *arg)
{
	return strcmp(arg, "help") == 0 || strcmp(arg, "--help") == 0 ||
	       strcmp(arg, "-h") == 0;
}

int main(int argc, char **argv)
{
	const struct verb *v;
	int rc;

	if (argc < 2) {
		usage(stderr);
		return KILN_EXIT_USAGE;
	}
	if (is_help(argv[1]) && argc == 2) {
		usage(stdout);
		return 0;
	}
	if (is_help(argv[1])) {
		/* `kiln help run` is `kiln run --help`. */
		char *help_argv[] = { argv[2], "--help", NULL };

		if (!(v = find_verb(argv[2]))) {
			fprintf(stderr, "kiln: %s: unknown command (see kiln "
					"help)\n", argv[2]);
			return KILN_EXIT_USAGE;
		}
		return v->fn(2, help_argv) < 0 ? KILN_EXIT_USAGE : 0;
	}
	if (!(v = find_verb(argv[1]))) {
		fprintf(stderr, "kiln: %s: unknown command (see kiln help)\n",
			argv[1]);
		return KILN_EXIT_USAGE;
	}
	rc = v->fn(argc - 1, argv + 1);
	if (rc < 0) {
		report(kiln_errmsg());
		return KILN_EXIT_USAGE;
	}
	return rc;
}
