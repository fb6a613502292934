/* bench/loopback.c: TCP to 127.0.0.1 (the only address the bench talks to). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"

int lo_connect(int port)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	    errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int lo_wait(int fd, short events, int ms)
{
	struct pollfd p = {.fd = fd, .events = events};

	return poll(&p, 1, ms) == 1 && !(p.revents & POLLNVAL);
}

int lo_ping(int fd, int ms)
{
	char c = 'k', r;

	/* A connect still in progress completes with POLLOUT. */
	if (!lo_wait(fd, POLLOUT, ms) || write(fd, &c, 1) != 1)
		return -1;
	if (!lo_wait(fd, POLLIN, ms) || read(fd, &r, 1) != 1 || r != c)
		return -1;
	return 0;
}
