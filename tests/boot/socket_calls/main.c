/* Boot test guest: the socket calls' checks before any family answers:
 * flags, types, families kiln has not (AF_INET6), descriptors
 * that are not sockets. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int failures;

/* call must fail with errno want */
#define FAILS(want, call)                                                      \
	do {                                                                   \
		long r_;                                                       \
		errno = 0;                                                     \
		r_ = (long)(call);                                             \
		if (r_ != -1 || errno != (want)) {                             \
			printf("socket FAIL %s: %ld, %s\n", #call, r_,         \
			       strerror(errno));                               \
			failures++;                                            \
		}                                                              \
	} while (0)

int main(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof sa;
	int p[2], v, sv[2];

	FAILS(ESOCKTNOSUPPORT, socket(AF_UNIX, 4 /* SOCK_RDM */, 0));
	FAILS(EAFNOSUPPORT, socket(AF_INET6, SOCK_STREAM, 0));
	FAILS(EAFNOSUPPORT, socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	FAILS(EAFNOSUPPORT, socket(46, SOCK_STREAM, 0));
	FAILS(EAFNOSUPPORT, socket(-1, SOCK_STREAM, 0));
	FAILS(EINVAL, socket(AF_UNIX, SOCK_STREAM | 0x10000000, 0));
	FAILS(EINVAL, socket(AF_UNIX, 11, 0));
	FAILS(EAFNOSUPPORT, socketpair(AF_INET6, SOCK_STREAM, 0, sv));
	FAILS(EINVAL, socketpair(AF_UNIX, SOCK_STREAM | 0x10000000, 0, sv));

	pipe(p);
	FAILS(EBADF, bind(99, (struct sockaddr *)&sa, sizeof sa));
	FAILS(ENOTSOCK, bind(p[0], (struct sockaddr *)&sa, sizeof sa));
	FAILS(ENOTSOCK, listen(p[0], 1));
	FAILS(ENOTSOCK, accept(p[0], NULL, NULL));
	FAILS(EBADF, accept4(99, NULL, NULL, 0x1));
	FAILS(ENOTSOCK, connect(p[1], (struct sockaddr *)&sa, sizeof sa));
	FAILS(ENOTSOCK, send(p[1], "x", 1, 0));
	FAILS(ENOTSOCK, recv(p[0], &v, 1, MSG_DONTWAIT));
	FAILS(ENOTSOCK, shutdown(p[0], SHUT_RD));
	FAILS(ENOTSOCK, getsockname(p[0], (struct sockaddr *)&sa, &len));
	FAILS(ENOTSOCK, getpeername(p[0], (struct sockaddr *)&sa, &len));
	len = sizeof v;
	FAILS(ENOTSOCK, getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &len));
	FAILS(ENOTSOCK, setsockopt(p[0], SOL_SOCKET, SO_REUSEADDR, &v, len));
	FAILS(EBADF, getsockopt(99, SOL_SOCKET, SO_TYPE, &v, &len));
	printf(failures ? "socket FAIL\n" : "socket ok\n");
	return failures != 0;
}
