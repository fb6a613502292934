/* bench/echo_client.c: measure a TCP echo server on 127.0.0.1. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loopback.h"

/*
 * Usage: echo-client [-t SECONDS] MODE PORT [ARG]
 *
 *   wait PORT           until one byte sent comes back; prints "<ns>"
 *   rtt PORT COUNT      COUNT 1-byte round trips on one connection;
 *                       prints "<median> <p99> <min> <max> <count>" in ns
 *   bulk PORT MIB       MIB MiB sent while the echo is read back;
 *                       prints "<ns> <bytes>"
 *   conns PORT N        N connections open at once (opened a few at a
 *                       time, see OPEN_WINDOW), then one byte on each,
 *                       all at once; prints "<ns> <answered> <ns to open>
 *                       <ns for all to answer>" (all: answered == N)
 *   hold PORT MAX STEP  connections held open, STEP more at a time up to
 *                       MAX, every held one answering after each step;
 *                       prints the largest count that fully answered and
 *                       "all", "unanswered" or "deadline"
 *
 * Only 127.0.0.1 is ever contacted. Everything ends by the deadline
 * (-t, default 60 s); on failure one line "FAIL <reason>" and status 1.
 */

static long long deadline;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int left_ms(void)
{
	long long left = deadline - now_ns();

	return left <= 0 ? 0 : (int)(left / 1000000) + 1;
}

static void fail(const char *what)
{
	printf("FAIL %s%s%s\n", what, errno ? ": " : "",
	       errno ? strerror(errno) : "");
	exit(1);
}

/* lo_ping, bounded by the deadline too. */
static int ping(int fd, int ms)
{
	return lo_ping(fd, ms < left_ms() ? ms : left_ms());
}

/* Until the deadline: connect, ping; the port may not answer yet. */
static void mode_wait(int port)
{
	long long t0 = now_ns();

	while (left_ms() > 0) {
		int fd = lo_connect(port);

		if (fd >= 0 && ping(fd, 200) == 0) {
			printf("%lld\n", now_ns() - t0);
			close(fd);
			return;
		}
		if (fd >= 0)
			close(fd);
		usleep(5000);
	}
	errno = 0;
	fail("no answer before the deadline");
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static void mode_rtt(int port, int count)
{
	long long *ns = calloc(count, sizeof(*ns));
	int fd = lo_connect(port);

	if (!ns || fd < 0 || !lo_wait(fd, POLLOUT, left_ms()))
		fail("connect");
	for (int i = 0; i < count; i++) {
		long long t0 = now_ns();

		if (ping(fd, left_ms()) < 0)
			fail("round trip");
		ns[i] = now_ns() - t0;
	}
	qsort(ns, count, sizeof(*ns), cmp_ll);
	printf("%lld %lld %lld %lld %d\n", ns[count / 2],
	       ns[(long long)count * 99 / 100], ns[0], ns[count - 1], count);
	close(fd);
}

/* The byte at offset I of the stream: checks what comes back is ours. */
static unsigned char pattern(long long i)
{
	return (unsigned char)(i * 7 ^ (i >> 9));
}

static void mode_bulk(int port, long long bytes)
{
	static unsigned char buf[65536];
	long long sent = 0, got = 0, t0 = now_ns();
	int fd = lo_connect(port);

	if (fd < 0)
		fail("connect");
	while (got < bytes) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (sent < bytes)
			p.events |= POLLOUT;
		if (poll(&p, 1, left_ms()) != 1) {
			errno = 0;
			fail("deadline passed");
		}
		if (p.revents & POLLIN) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n <= 0)
				fail("read");
			for (ssize_t k = 0; k < n; k++)
				if (buf[k] != pattern(got + k)) {
					errno = 0;
					fail("echoed bytes differ");
				}
			got += n;
		}
		if ((p.revents & POLLOUT) && sent < bytes) {
			long long n = bytes - sent;

			if (n > (long long)sizeof(buf))
				n = sizeof(buf);
			for (long long k = 0; k < n; k++)
				buf[k] = pattern(sent + k);
			ssize_t w = write(fd, buf, n);

			if (w < 0 && errno != EAGAIN)
				fail("write");
			if (w > 0)
				sent += w;
		}
	}
	printf("%lld %lld\n", now_ns() - t0, bytes);
	close(fd);
}

/* Room for N descriptors more than the few already open. */
static void want_fds(int n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)n + 64) {
		rl.rlim_cur = (rlim_t)n + 64;
		if (rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * Send one byte on each of FDS[0..N) (connected, or connecting) and collect
 * the echoes for at most MS milliseconds (and not past the deadline): how
 * many answered.
 */
static int ping_all(const int *fds, int n, int ms)
{
	struct pollfd *p = calloc(n, sizeof(*p));
	int answered = 0, open = 0;
	long long end = now_ns() + ms * 1000000LL;
	char c = 'c';

	if (!p)
		fail("out of memory");
	for (int i = 0; i < n; i++) {
		p[i].fd = fds[i];
		p[i].events = POLLOUT;
		open += fds[i] >= 0;
	}
	while (answered < open && left_ms() > 0 && now_ns() < end) {
		int wait = (int)((end - now_ns()) / 1000000) + 1;

		if (poll(p, n, wait < left_ms() ? wait : left_ms()) <= 0)
			break;
		for (int i = 0; i < n; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			if (p[i].revents & (POLLERR | POLLHUP)) {
				p[i].fd = -1;
				open--;
			} else if (p[i].events == POLLOUT) {
				if (write(fds[i], &c, 1) == 1)
					p[i].events = POLLIN;
			} else if (read(fds[i], &c, 1) == 1) {
				p[i].fd = -1;
				answered++;
			}
		}
	}
	free(p);
	return answered;
}

/*
 * QEMU's user-networking forward listens with a backlog of 1: a burst of
 * connects overflows the host's accept queue and most of them stall in SYN
 * cookies and retransmissions, the same for every guest. So connections
 * are opened OPEN_WINDOW at a time, each answering one byte before the
 * next ones start; they stay open.
 */
#define OPEN_WINDOW  2
#define OPEN_WAIT_MS 5000 /* for one window to answer: else it never will */

/* Open FDS[from..to): how many of FDS[0..to) are open and answered. */
static int open_conns(int *fds, int from, int to, int port)
{
	for (int i = from; i < to; i += OPEN_WINDOW) {
		int k = to - i < OPEN_WINDOW ? to - i : OPEN_WINDOW;

		for (int j = i; j < i + k; j++)
			fds[j] = lo_connect(port);
		if (ping_all(fds + i, k, OPEN_WAIT_MS) != k)
			return i;
	}
	return to;
}

/* N connections open at once; then each sends one byte, all at once. */
static void mode_conns(int port, int n)
{
	int *fds = calloc(n, sizeof(*fds));

	if (!fds)
		fail("out of memory");
	want_fds(n);
	long long t0 = now_ns();
	int opened = open_conns(fds, 0, n, port);
	long long t1 = now_ns();
	int answered = opened == n ? ping_all(fds, n, left_ms()) : 0;

	printf("%lld %d %lld %lld\n", now_ns() - t0, answered, t1 - t0,
	       now_ns() - t1);
}

static void mode_hold(int port, int max, int step)
{
	int *fds = calloc(max, sizeof(*fds));
	int held = 0;

	if (!fds || step <= 0)
		fail("bad arguments");
	want_fds(max);
	for (int n = step; n <= max && left_ms() > 0; n += step) {
		if (open_conns(fds, n - step, n, port) != n ||
		    ping_all(fds, n, left_ms()) != n)
			break;
		held = n;
	}
	printf("%d %s\n", held,
	       held == max     ? "all"
	       : left_ms() > 0 ? "unanswered"
			       : "deadline");
}

static void usage(void)
{
	fprintf(stderr, "usage: echo-client [-t SECONDS] "
			"wait|rtt|bulk|conns|hold PORT [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double seconds = 60;
	int opt;

	while ((opt = getopt(argc, argv, "+t:")) != -1) {
		if (opt != 't')
			usage();
		seconds = atof(optarg);
	}
	argv += optind;
	argc -= optind;
	if (argc < 2 || seconds <= 0)
		usage();
	deadline = now_ns() + (long long)(seconds * 1e9);

	const char *mode = argv[0];
	int port = atoi(argv[1]);
	long long arg = argc > 2 ? atoll(argv[2]) : 0;

	if (port <= 0 || port > 65535)
		usage();
	if (!strcmp(mode, "wait"))
		mode_wait(port);
	else if (!strcmp(mode, "rtt") && arg > 0)
		mode_rtt(port, (int)arg);
	else if (!strcmp(mode, "bulk") && arg > 0)
		mode_bulk(port, arg << 20);
	else if (!strcmp(mode, "conns") && arg > 0)
		mode_conns(port, (int)arg);
	else if (!strcmp(mode, "hold") && arg > 0 && argc > 3)
		mode_hold(port, (int)arg, atoi(argv[3]));
	else
		usage();
	return 0;
}
