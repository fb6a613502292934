/* The kernel command line: verbose=, env=K=V, then "--" and the app's argv. */
#ifndef KILN_LIB_KCMDLINE_H
#define KILN_LIB_KCMDLINE_H

#include <stddef.h>

#define KCMDLINE_MAX_ARGS 128
#define KCMDLINE_MAX_ENV  128

struct kcmdline {
	int verbose; /* -1 when not given, else 0..4 */
	int argc;    /* arguments after "--" (argv[0] is added by exec) */
	char *argv[KCMDLINE_MAX_ARGS];
	int envc;
	char *envp[KCMDLINE_MAX_ENV]; /* "K=V" strings */
	char buf[4096]; /* unquoted token storage; the pointers point here */
};

/*
 * Parse the NUL-terminated command line s into *out.
 *
 * Grammar (the inverse of the quoting `kiln run` writes): tokens are
 * separated by spaces, tabs or newlines; inside a token, double-quoted
 * parts may hold separators, and within quotes \" and \\ stand for " and \
 * (outside quotes a backslash is literal). Before a "--" token every token
 * is key=value: verbose=0..4 or env=K=V with K non-empty. After "--" every
 * token is an argument for the application. "--" may be absent.
 *
 * Returns 0, or -1 with a one-line reason in err (errlen bytes, always
 * NUL-terminated when errlen > 0). Never reads past the NUL of s; on error
 * *out is left in an unspecified but safe state.
 */
int kcmdline_parse(const char *s, struct kcmdline *out, char *err,
		   size_t errlen);

#endif
