/* Boot test guest: poll, select, epoll and eventfd on pipes and eventfds;
 * run on the host too, and the lines starting "R " must match. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

static int failures;

/* Compared with the host: a name and what the call gave. */
#define R(name, fmt, ...) printf("R %s: " fmt "\n", name, __VA_ARGS__)

/* "ret errno": the result of a call that may fail */
#define RC(name, call)                                                         \
	do {                                                                   \
		long rc_;                                                      \
		errno = 0;                                                     \
		rc_ = (long)(call);                                            \
		R(name, "%ld %s", rc_, rc_ < 0 ? strerror(errno) : "-");       \
	} while (0)

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The call waited at least want ms and not absurdly longer (TCG). */
static void elapsed(const char *name, uint64_t t0, uint64_t want)
{
	uint64_t d = now_ms() - t0;

	if (d < want || d > want + 3000) {
		printf("readiness FAIL %s: waited %llu ms, want %llu\n", name,
		       (unsigned long long)d, (unsigned long long)want);
		failures++;
	}
	R(name, "%s", "waited");
}

static int pollmask(int fd, short events)
{
	struct pollfd p = {fd, events, 0};
	int n = poll(&p, 1, 0);

	return n < 0 ? -errno : p.revents;
}

static void pipes(void)
{
	char buf[4096] = {0};
	int p[2], q[2], n;
	struct pollfd pf[3];

	pipe2(p, O_NONBLOCK);
	R("pipe empty read end", "%#x", pollmask(p[0], POLLIN | POLLOUT));
	R("pipe write end", "%#x", pollmask(p[1], POLLIN | POLLOUT));
	write(p[1], "x", 1);
	R("pipe data read end", "%#x", pollmask(p[0], POLLIN | POLLOUT));
	n = 0;
	while (write(p[1], buf, sizeof buf) > 0 && n < 100)
		n++;
	R("pipe full write end", "%#x", pollmask(p[1], POLLOUT));
	/* (a partly read page is not room yet on Linux: not compared) */
	read(p[0], buf, 100);
	read(p[0], buf, sizeof buf);
	R("pipe 4196 read write end", "%#x", pollmask(p[1], POLLOUT));
	close(p[1]);
	R("pipe hup with data", "%#x", pollmask(p[0], POLLIN));
	while (read(p[0], buf, sizeof buf) > 0)
		;
	R("pipe hup empty", "%#x", pollmask(p[0], POLLIN));
	R("pipe hup unasked", "%#x", pollmask(p[0], 0));
	close(p[0]);
	pipe(q);
	close(q[0]);
	R("pipe no reader", "%#x", pollmask(q[1], POLLOUT));
	close(q[1]);

	/* POLLNVAL for a closed descriptor, negative fds ignored */
	pipe(p);
	write(p[1], "y", 1);
	pf[0] = (struct pollfd){p[0], POLLIN, 0x7f};
	pf[1] = (struct pollfd){-1, POLLIN, 0x7f};
	pf[2] = (struct pollfd){900, POLLIN, 0x7f};
	n = poll(pf, 3, 0);
	R("poll nval", "%d %#x %#x %#x", n, pf[0].revents, pf[1].revents,
	  pf[2].revents);
	RC("poll too many", poll(NULL, 1U << 20, 0));
	close(p[0]);
	close(p[1]);
}

static void timeouts(void)
{
	int p[2];
	struct pollfd pf;
	struct timeval tv = {0, 150000};
	struct timespec ts = {0, 120000000};
	fd_set r;
	sigset_t mask;
	uint64_t t0;
	int ep;
	struct epoll_event ev = {.events = EPOLLIN};

	pipe(p);
	pf = (struct pollfd){p[0], POLLIN, 0};
	t0 = now_ms();
	RC("poll 100ms", poll(&pf, 1, 100));
	elapsed("poll 100ms", t0, 100);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	t0 = now_ms();
	RC("select 150ms", select(p[0] + 1, &r, NULL, NULL, &tv));
	elapsed("select 150ms", t0, 150);
	R("select 150ms set", "%d", FD_ISSET(p[0], &r));
	sigemptyset(&mask);
	t0 = now_ms();
	RC("ppoll 120ms", ppoll(&pf, 1, &ts, &mask));
	elapsed("ppoll 120ms", t0, 120);
	FD_SET(p[0], &r);
	t0 = now_ms();
	RC("pselect 120ms", pselect(p[0] + 1, &r, NULL, NULL, &ts, &mask));
	elapsed("pselect 120ms", t0, 120);
	ep = epoll_create1(EPOLL_CLOEXEC);
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	t0 = now_ms();
	RC("epoll_wait 100ms", epoll_wait(ep, &ev, 1, 100));
	elapsed("epoll_wait 100ms", t0, 100);
	t0 = now_ms();
	RC("epoll_pwait 50ms", epoll_pwait(ep, &ev, 1, 50, &mask));
	elapsed("epoll_pwait 50ms", t0, 50);
	/* nothing to watch: a sleep */
	t0 = now_ms();
	RC("poll none 80ms", poll(NULL, 0, 80));
	elapsed("poll none 80ms", t0, 80);
	tv = (struct timeval){0, 90000};
	t0 = now_ms();
	RC("select none 90ms", select(0, NULL, NULL, NULL, &tv));
	elapsed("select none 90ms", t0, 90);
	/* ready before the timeout: no wait */
	write(p[1], "z", 1);
	RC("poll ready", poll(&pf, 1, 10000));
	RC("epoll ready", epoll_wait(ep, &ev, 1, 10000));
	tv = (struct timeval){0, -1};
	RC("select bad timeval", select(1, NULL, NULL, NULL, &tv));
	ts = (struct timespec){0, 1000000000};
	RC("ppoll bad timespec", ppoll(&pf, 1, &ts, NULL));
	close(ep);
	close(p[0]);
	close(p[1]);
}

static void selects(void)
{
	int p[2];
	fd_set r, w;
	struct timeval tv = {0, 0};

	pipe(p);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	RC("select write ready", select(p[1] + 1, &r, &w, NULL, &tv));
	R("select sets", "%d %d", FD_ISSET(p[0], &r), FD_ISSET(p[1], &w));
	write(p[1], "a", 1);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	FD_SET(p[0], &w);
	RC("select both", select(p[1] + 1, &r, &w, NULL, &tv));
	R("select both sets", "%d %d %d", FD_ISSET(p[0], &r),
	  FD_ISSET(p[1], &w), FD_ISSET(p[0], &w));
	FD_ZERO(&r);
	FD_SET(p[1] + 5, &r);
	RC("select closed fd", select(p[1] + 6, &r, NULL, NULL, &tv));
	/* a bit past n is not looked at */
	RC("select past n", select(p[1] + 5, &r, NULL, NULL, &tv));
	RC("select negative n", select(-1, NULL, NULL, NULL, &tv));
	close(p[1]);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	RC("select hup readable", select(p[0] + 1, &r, NULL, NULL, &tv));
	close(p[0]);
}

static void eventfds(void)
{
	uint64_t v = 0;
	uint32_t small;
	int e = eventfd(3, EFD_NONBLOCK), s;

	R("efd poll 3", "%#x", pollmask(e, POLLIN | POLLOUT));
	RC("efd read", read(e, &v, 8));
	R("efd value", "%llu", (unsigned long long)v);
	RC("efd read empty", read(e, &v, 8));
	R("efd poll 0", "%#x", pollmask(e, POLLIN | POLLOUT));
	RC("efd read small", read(e, &small, 4));
	v = 2;
	RC("efd write", write(e, &v, 8));
	RC("efd write small", write(e, &small, 4));
	v = ~0ULL;
	RC("efd write max", write(e, &v, 8));
	v = 0xfffffffffffffffdULL;
	RC("efd write to top", write(e, &v, 8));
	R("efd poll top", "%#x", pollmask(e, POLLIN | POLLOUT));
	v = 1;
	RC("efd write over", write(e, &v, 8));
	RC("efd read top", read(e, &v, 8));
	R("efd top value", "%#llx", (unsigned long long)v);
	RC("efd bad flags", eventfd(0, 0x40));
	close(e);

	s = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	RC("efd cloexec", fcntl(s, F_GETFD) & FD_CLOEXEC);
	RC("efd sem read 1", read(s, &v, 8));
	R("efd sem value 1", "%llu", (unsigned long long)v);
	RC("efd sem read 2", read(s, &v, 8));
	R("efd sem value 2", "%llu", (unsigned long long)v);
	RC("efd sem read 3", read(s, &v, 8));
	close(s);
}

static void epoll_errors(void)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int ep = epoll_create1(0), ep2 = epoll_create1(0), p[2];
	int f = open("/proc/self/exe", O_RDONLY);

	pipe(p);
	RC("epoll_create1 flags", epoll_create1(1));
	RC("epoll_create 0", epoll_create(0));
	RC("epoll_create 1", epoll_create(1) >= 0);
	RC("ctl regular file", epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev));
	RC("ctl self", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
	RC("ctl not epoll", epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev));
	RC("ctl bad epfd", epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev));
	RC("ctl bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev));
	RC("ctl add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	RC("ctl add again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	RC("ctl mod missing", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
	RC("ctl del missing", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], &ev));
	RC("ctl bad op", epoll_ctl(ep, 7, p[0], &ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	RC("ctl mod exclusive", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	RC("ctl add exclusive epoll", epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev));
	RC("ctl add exclusive", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
	ev.events = EPOLLOUT;
	RC("ctl mod of exclusive", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
	ev.events = EPOLLIN;
	RC("ctl nest", epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev));
	RC("ctl loop", epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev));
	RC("ctl del", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	RC("wait max 0", epoll_wait(ep, &ev, 0, 0));
	RC("wait not epoll", epoll_wait(p[0], &ev, 1, 0));
	RC("wait bad fd", epoll_wait(999, &ev, 1, 0));
	close(f);
	close(ep);
	close(ep2);
	close(p[0]);
	close(p[1]);
}

/* epoll_wait with timeout 0: "n events data" */
static void wait0(const char *name, int ep)
{
	struct epoll_event evs[4];
	int n = epoll_wait(ep, evs, 4, 0);

	if (n <= 0)
		R(name, "%d", n);
	else if (n == 1)
		R(name, "1 %#x %llu", evs[0].events,
		  (unsigned long long)evs[0].data.u64);
	else
		R(name, "%d %#x %llu %#x %llu", n, evs[0].events,
		  (unsigned long long)evs[0].data.u64, evs[1].events,
		  (unsigned long long)evs[1].data.u64);
}

static void epoll_modes(void)
{
	int lt = epoll_create1(0), et = epoll_create1(0), os = epoll_create1(0);
	int outer = epoll_create1(0), p[2], d, e = eventfd(0, EFD_NONBLOCK);
	struct epoll_event ev;
	char buf[64];
	uint64_t v = 5;

	pipe2(p, O_NONBLOCK);
	ev = (struct epoll_event){EPOLLIN, {.u64 = 1}};
	epoll_ctl(lt, EPOLL_CTL_ADD, p[0], &ev);
	ev = (struct epoll_event){EPOLLIN | EPOLLET, {.u64 = 2}};
	epoll_ctl(et, EPOLL_CTL_ADD, p[0], &ev);
	ev = (struct epoll_event){EPOLLIN | EPOLLONESHOT, {.u64 = 3}};
	epoll_ctl(os, EPOLL_CTL_ADD, p[0], &ev);
	ev = (struct epoll_event){EPOLLIN, {.u64 = 4}};
	epoll_ctl(outer, EPOLL_CTL_ADD, lt, &ev);
	wait0("empty lt", lt);
	wait0("empty et", et);
	wait0("empty outer", outer);
	R("empty lt pollable", "%#x", pollmask(lt, POLLIN));
	write(p[1], "hello", 5);
	wait0("lt 1", lt);
	wait0("lt 2", lt);
	wait0("et 1", et);
	wait0("et 2", et);
	wait0("oneshot 1", os);
	wait0("oneshot 2", os);
	R("lt pollable", "%#x", pollmask(lt, POLLIN));
	wait0("outer", outer);
	read(p[0], buf, sizeof buf);
	wait0("lt drained", lt);
	wait0("outer drained", outer);
	write(p[1], "again", 5);
	wait0("et rearmed by data", et);
	wait0("oneshot stays off", os);
	ev = (struct epoll_event){EPOLLIN | EPOLLONESHOT, {.u64 = 33}};
	epoll_ctl(os, EPOLL_CTL_MOD, p[0], &ev);
	wait0("oneshot mod", os);
	/* an eventfd and the pipe's write end, two at once */
	ev = (struct epoll_event){EPOLLIN, {.u64 = 7}};
	epoll_ctl(et, EPOLL_CTL_ADD, e, &ev);
	wait0("efd not ready", et);
	write(e, &v, 8);
	wait0("efd ready", et);
	ev = (struct epoll_event){EPOLLOUT, {.u64 = 8}};
	epoll_ctl(et, EPOLL_CTL_ADD, p[1], &ev);
	write(e, &v, 8);
	wait0("efd and write end", et);
	/* a watched file lives while any descriptor has it */
	d = dup(p[0]);
	close(p[0]);
	wait0("after close, dup open", lt);
	close(d);
	wait0("after last close", lt);
	wait0("hup on write end", et);
	close(p[1]);
	close(e);
	close(lt);
	close(et);
	close(os);
	close(outer);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	pipes();
	timeouts();
	selects();
	eventfds();
	epoll_errors();
	epoll_modes();
	printf(failures ? "readiness FAIL\n" : "readiness ok\n");
	return failures != 0;
}
