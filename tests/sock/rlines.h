/* What tests/sock/loopback.c and unix.c share: "R " result lines (the
 * lines compared between a host run and a guest run), and small helpers. */
#ifndef TESTS_SOCK_RLINES_H
#define TESTS_SOCK_RLINES_H

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#define R(name, fmt, ...) printf("R %s: " fmt "\n", name, __VA_ARGS__)
/* a call's result as -errno, 0 or 1 (positive), with the error's text */
#define RC(name, call)                                                         \
	do {                                                                   \
		long rc_;                                                      \
		errno = 0;                                                     \
		rc_ = (long)(call);                                            \
		R(name, "%ld %s", rc_<0 ? rc_ : rc_> 0 ? 1L : 0L,              \
		  rc_ < 0 ? strerror(errno) : "-");                            \
	} while (0)

/* fd's poll events after waiting up to ms for ev (-1 on error). */
static inline int pollone(int fd, short ev, int ms)
{
	struct pollfd p = {fd, ev, 0};

	return poll(&p, 1, ms) < 0 ? -1 : p.revents;
}

/* SIGPIPEs seen, with on_pipe() as the handler. */
static int sigpipes;

static inline void on_pipe(int sig)
{
	(void)sig;
	sigpipes++;
}

#endif
