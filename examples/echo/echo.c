/* examples/echo: a TCP echo server on port 8080 (or argv[1]) with poll(2). */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * An ordinary POSIX program: it builds and runs on Linux unchanged. Every
 * descriptor is non-blocking; a client's bytes are written back before
 * more are read from it (so a slow reader slows its own writer, and no
 * buffer grows); end of file from a client is answered, once everything
 * is written back, with end of file (shutdown(SHUT_WR)), so half-closing
 * clients get all of their data. A client's buffer exists only while it
 * holds bytes not yet written back, so idle connections cost a pollfd.
 */
#define MAX_CLIENTS 16384
#define BUF_SIZE    16384

struct client {
	char *buf;
	size_t len, off; /* bytes held; how many already written back */
	int eof;	 /* the client has shut down its side */
};

static struct pollfd pfds[MAX_CLIENTS + 1];
static struct client clients[MAX_CLIENTS + 1];
static int npfds;

static int listen_on(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((unsigned short)port),
				 .sin_addr.s_addr = htonl(INADDR_ANY)};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		perror("echo: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(fd, 1024) < 0) {
		perror("echo: bind/listen");
		close(fd);
		return -1;
	}
	return fd;
}

static void drop(int i)
{
	close(pfds[i].fd);
	free(clients[i].buf);
	npfds--;
	pfds[i] = pfds[npfds];
	clients[i] = clients[npfds];
}

static void accept_all(int lfd)
{
	int one = 1, fd;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN: no more for now */
		if (npfds > MAX_CLIENTS) {
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		pfds[npfds] = (struct pollfd){fd, POLLIN, 0};
		clients[npfds] = (struct client){NULL, 0, 0, 0};
		npfds++;
	}
}

/* Move what can move now; 0 to keep the client, -1 to drop it. */
static int serve(int i)
{
	struct client *c = &clients[i];
	ssize_t n;

	if (c->off == c->len && !c->eof) {
		if (!c->buf && !(c->buf = malloc(BUF_SIZE)))
			return -1;
		n = read(pfds[i].fd, c->buf, BUF_SIZE);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		if (n == 0)
			c->eof = 1;
		c->len = (size_t)n;
		c->off = 0;
	}
	while (c->off < c->len) {
		n = write(pfds[i].fd, c->buf + c->off, c->len - c->off);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->off += (size_t)n;
	}
	if (c->eof) {
		shutdown(pfds[i].fd, SHUT_WR);
		return -1;
	}
	free(c->buf); /* all written back: idle until the next read */
	c->buf = NULL;
	return 0;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 8080;
	struct rlimit rl;
	int lfd;

	signal(SIGPIPE, SIG_IGN);
	/* as many descriptors as allowed: connections are the point */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((lfd = listen_on(port)) < 0)
		return 1;
	printf("echo: listening on port %d\n", port);
	fflush(stdout);
	pfds[0] = (struct pollfd){lfd, POLLIN, 0};
	npfds = 1;
	for (;;) {
		if (poll(pfds, (nfds_t)npfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("echo: poll");
			return 1;
		}
		if (pfds[0].revents)
			accept_all(lfd);
		for (int i = npfds - 1; i >= 1; i--) {
			if (!pfds[i].revents)
				continue;
			if (serve(i) < 0) {
				drop(i);
				continue;
			}
			/* wait to write back, or for more to read */
			pfds[i].events = clients[i].off < clients[i].len
						 ? POLLOUT
						 : POLLIN;
		}
	}
}
