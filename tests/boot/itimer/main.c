/* alarm, setitimer/getitimer, pause and sigsuspend, with SIGALRM handled,
 * then SIGALRM's default action ending the program. */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <pthread.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
	(void)sig;
	ticks++;
}

static void arm(long value_ms, long interval_ms);

/* Writes one byte to the pipe fd *arg after 150 ms. */
static void *late_writer(void *arg)
{
	struct timespec t = {0, 150000000};

	nanosleep(&t, NULL);
	write(*(int *)arg, "y", 1);
	return NULL;
}

/* A read blocked on an empty pipe when SIGALRM comes at 30 ms: with
 * SA_RESTART the read goes on and gets the byte written at 150 ms,
 * without it the read fails with EINTR. */
static void read_across_signal(int restart)
{
	struct sigaction sa;
	pthread_t t;
	int p[2];
	char c = 0;
	ssize_t r;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGALRM, &sa, NULL);
	pipe(p);
	ticks = 0;
	pthread_create(&t, NULL, late_writer, &p[1]);
	arm(30, 0);
	r = read(p[0], &c, 1);
	printf("read %s SA_RESTART: %zd %s, handler ran %d\n",
	       restart ? "with" : "without", r,
	       r < 0 ? strerror(errno) : (c == 'y' ? "the byte" : "?"),
	       ticks);
	pthread_join(t, NULL);
	close(p[0]);
	close(p[1]);
	sa.sa_flags = 0;
	sigaction(SIGALRM, &sa, NULL);
}

static volatile sig_atomic_t usr1;

static void on_usr1(int sig)
{
	(void)sig;
	usr1 = 1;
}

/* pthread_kill's the thread *arg after 30 ms. */
static void *killer(void *arg)
{
	struct timespec t = {0, 30000000};

	nanosleep(&t, NULL);
	pthread_kill(*(pthread_t *)arg, SIGUSR1);
	return NULL;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void arm(long value_ms, long interval_ms)
{
	struct itimerval it = {{interval_ms / 1000, interval_ms % 1000 * 1000},
			       {value_ms / 1000, value_ms % 1000 * 1000}};

	setitimer(ITIMER_REAL, &it, NULL);
}

int main(void)
{
	struct sigaction sa;
	struct itimerval cur, bad = {{0, 0}, {0, 1000000}};
	struct timespec t0, req = {2, 0}, rem = {0, 0};
	sigset_t block, empty, now;
	unsigned left;
	long ms;
	int r;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm; /* no SA_RESTART: waits end with EINTR */
	sigaction(SIGALRM, &sa, NULL);

	printf("alarm first %u\n", alarm(5));
	left = alarm(0);
	printf("alarm left %u\n", left);
	getitimer(ITIMER_REAL, &cur);
	printf("disarmed %ld %ld\n", (long)cur.it_value.tv_sec,
	       (long)cur.it_value.tv_usec);
	r = setitimer(ITIMER_REAL, &bad, NULL);
	printf("bad usec %d %s\n", r, r ? strerror(errno) : "");

	/* Periodic: five ticks of 20 ms, each ending a pause(). */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	arm(20, 20);
	getitimer(ITIMER_REAL, &cur);
	printf("armed interval %ld us, value in (0, 20 ms] %d\n",
	       (long)cur.it_interval.tv_usec,
	       cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 &&
		       cur.it_value.tv_usec <= 20000);
	while (ticks < 5) {
		r = pause();
		if (r != -1 || errno != EINTR)
			printf("pause gave %d %s\n", r, strerror(errno));
	}
	arm(0, 0);
	ms = ms_since(&t0);
	printf("5 ticks of 20 ms: %s\n",
	       ms >= 100 && ms < 1000 ? "on time" : "late or early");

	/* A sleep ends early with EINTR and the time left. */
	ticks = 0;
	arm(30, 0);
	r = nanosleep(&req, &rem);
	printf("nanosleep %d %s, left %s\n", r, r ? strerror(errno) : "",
	       rem.tv_sec == 1 || (rem.tv_sec == 0 && rem.tv_nsec > 0)
		       ? "most"
		       : "wrong");

	/* sigsuspend: SIGALRM blocked, waited for with an empty mask, the
	 * block back afterwards. */
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	ticks = 0;
	arm(10, 0);
	r = sigsuspend(&empty);
	sigprocmask(SIG_BLOCK, NULL, &now);
	printf("sigsuspend %d %s, handler ran %d, blocked again %d\n", r,
	       strerror(errno), ticks, sigismember(&now, SIGALRM));
	sigprocmask(SIG_UNBLOCK, &block, NULL);

	/* Readiness waits end with EINTR (never restarted, as on Linux). */
	int p[2], ep = epoll_create1(0);
	struct pollfd pfd;
	struct epoll_event ev = {.events = EPOLLIN}, out;
	struct timespec two = {2, 0};
	fd_set rd;

	pipe(p);
	pfd = (struct pollfd){.fd = p[0], .events = POLLIN};
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	arm(30, 0);
	r = poll(&pfd, 1, 2000);
	printf("poll %d %s\n", r, strerror(errno));
	arm(30, 0);
	r = epoll_wait(ep, &out, 1, 2000);
	printf("epoll_wait %d %s\n", r, strerror(errno));
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	arm(30, 0);
	r = select(p[0] + 1, &rd, NULL, NULL, &(struct timeval){2, 0});
	printf("select %d %s\n", r, strerror(errno));
	/* ppoll's mask lets a blocked SIGALRM in for the wait only. */
	sigprocmask(SIG_BLOCK, &block, NULL);
	ticks = 0;
	arm(30, 0);
	r = ppoll(&pfd, 1, &two, &empty);
	sigprocmask(SIG_BLOCK, NULL, &now);
	printf("ppoll %d %s, handler ran %d, blocked again %d\n", r,
	       strerror(errno), ticks, sigismember(&now, SIGALRM));
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	/* Ready data wins over a pending signal's EINTR. */
	write(p[1], "x", 1);
	r = poll(&pfd, 1, 2000);
	printf("poll ready %d\n", r);

	read_across_signal(1);
	read_across_signal(0);

	/* Loops that make no system call still get their signals: the
	 * timer's, and another thread's pthread_kill (from another CPU). */
	ticks = 0;
	arm(30, 0);
	while (!ticks)
		;
	puts("spinning loop got SIGALRM");
	{
		struct sigaction su;
		pthread_t self = pthread_self(), k;

		memset(&su, 0, sizeof su);
		su.sa_handler = on_usr1;
		sigaction(SIGUSR1, &su, NULL);
		pthread_create(&k, NULL, killer, &self);
		while (!usr1)
			;
		pthread_join(k, NULL);
		puts("spinning loop got pthread_kill");
	}

	/* One thread, nobody to write: only the timer can end the read. */
	{
		int q[2];
		char c;

		pipe(q);
		ticks = 0;
		arm(30, 0);
		r = (int)read(q[0], &c, 1);
		printf("lone read %d %s, handler ran %d\n", r, strerror(errno),
		       ticks);
		close(q[0]);
		close(q[1]);
	}

	/* The default action: the program ends, killed by SIGALRM. */
	signal(SIGALRM, SIG_DFL);
	puts("waiting for the default action");
	fflush(stdout);
	alarm(1);
	pause();
	puts("still here");
	return 0;
}
