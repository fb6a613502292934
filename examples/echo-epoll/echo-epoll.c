/* examples/echo-epoll: a TCP echo server for many connections, with epoll. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * Port 8080 or argv[1]. Edge-triggered: each connection is drained until
 * EAGAIN on every wake. A client's bytes are written back before more are
 * read; its buffer (4 KiB, so that 10,000 connections fit in little
 * memory) is allocated while it holds unwritten data only.
 */
#define BUF_SIZE 4096

struct conn {
	int fd;
	int eof;
	size_t len, off;
	char *buf;
};

static int ep;

static int listen_on(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((unsigned short)port),
				 .sin_addr.s_addr = htonl(INADDR_ANY)};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		perror("echo-epoll: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(fd, 4096) < 0) {
		perror("echo-epoll: bind/listen");
		close(fd);
		return -1;
	}
	return fd;
}

static void drop(struct conn *c)
{
	close(c->fd); /* epoll forgets it with its last reference */
	free(c->buf);
	free(c);
}

static void accept_all(int lfd)
{
	struct epoll_event ev;
	struct conn *c;
	int one = 1, fd;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN: no more for now */
		if (!(c = calloc(1, sizeof *c))) {
			close(fd);
			continue;
		}
		c->fd = fd;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
			drop(c);
	}
}

/* Echo until the socket would block; 0 to keep it, -1 to drop it. */
static int serve(struct conn *c)
{
	ssize_t n;

	for (;;) {
		while (c->off < c->len) {
			n = write(c->fd, c->buf + c->off, c->len - c->off);
			if (n < 0)
				return errno == EAGAIN ? 0 : -1;
			c->off += (size_t)n;
		}
		if (c->eof) {
			shutdown(c->fd, SHUT_WR);
			return -1;
		}
		if (!c->buf && !(c->buf = malloc(BUF_SIZE)))
			return -1;
		n = read(c->fd, c->buf, BUF_SIZE);
		if (n < 0) {
			if (errno != EAGAIN)
				return -1;
			free(c->buf); /* idle: give the buffer back */
			c->buf = NULL;
			c->len = c->off = 0;
			return 0;
		}
		c->eof = n == 0;
		c->len = (size_t)n;
		c->off = 0;
	}
}

int main(int argc, char **argv)
{
	static struct epoll_event evs[256];
	int port = argc > 1 ? atoi(argv[1]) : 8080;
	struct rlimit rl;
	int lfd, n;

	signal(SIGPIPE, SIG_IGN);
	/* as many descriptors as allowed: connections are the point */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((lfd = listen_on(port)) < 0)
		return 1;
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		perror("echo-epoll: epoll_create1");
		return 1;
	}
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd,
		  &(struct epoll_event){EPOLLIN, {.ptr = NULL}});
	printf("echo-epoll: listening on port %d\n", port);
	fflush(stdout);
	for (;;) {
		n = epoll_wait(ep, evs, 256, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("echo-epoll: epoll_wait");
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (!c)
				accept_all(lfd);
			else if (serve(c) < 0)
				drop(c);
		}
	}
}
