/* examples/echo-threads: a TCP echo server on port 8080 (or argv[1]), one
 * thread per connection. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * An ordinary POSIX program: it builds and runs on Linux unchanged. The
 * first thread accepts; each connection gets a detached thread that reads
 * with blocking calls and writes every byte back, then answers end of file
 * with end of file (shutdown(SHUT_WR)) so that half-closing clients get
 * all of their data. Small thread stacks keep a thousand connections in a
 * few megabytes.
 */
#define BUF_SIZE   16384
#define STACK_SIZE (64 * 1024)

static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char *buf = malloc(BUF_SIZE);
	ssize_t n;

	while (buf && (n = read(fd, buf, BUF_SIZE)) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));

			if (w < 0)
				goto out;
			off += w;
		}
	}
	shutdown(fd, SHUT_WR);
out:
	free(buf);
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 8080;
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((unsigned short)port),
				 .sin_addr.s_addr = htonl(INADDR_ANY)};
	pthread_attr_t attr;
	int one = 1;
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	signal(SIGPIPE, SIG_IGN); /* a vanished client is an EPIPE */
	if (lfd < 0) {
		perror("echo-threads: socket");
		return 1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(lfd, 1024) < 0) {
		perror("echo-threads: bind/listen");
		return 1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	printf("echo-threads: listening on port %d\n", port);
	fflush(stdout);
	for (;;) {
		pthread_t t;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("echo-threads: accept");
			sleep(1); /* out of descriptors: let connections end */
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (pthread_create(&t, &attr, serve, (void *)(intptr_t)fd)) {
			fprintf(stderr,
				"echo-threads: no thread for a client\n");
			close(fd);
		}
	}
}
