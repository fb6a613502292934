/* bench/timer.c: run one command, print the nanoseconds from fork to exit. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loopback.h"

/*
 * Usage: timer [-t SECONDS] [-o FILE] [-s STATUS] [-m STRING] [-p PORT]
 *              -- CMD [ARG...]
 *
 * CMD runs with stdin on /dev/null (QEMU's -serial stdio needs an open fd 0),
 * stdout and stderr in FILE (default /dev/null), in a process group of its
 * own so that a timeout kills what it started too (kiln run starts QEMU).
 *
 * On success prints "<ns> <max RSS in KiB>" and exits 0. Otherwise prints
 * "FAIL <reason>" on stdout (so the bench can put it in its cell) and exits
 * 1: the command timed out (it is killed by its PID, then its group), ended
 * with a status other than STATUS (default 0), or FILE lacks STRING. On
 * SIGINT, SIGTERM or SIGHUP it kills the command the same way, then dies of
 * that signal.
 *
 * With -p the command is a server: the time taken is from fork until a
 * byte sent to 127.0.0.1:PORT comes back; then the command is killed by
 * its PID (its status is not checked) and FILE is checked for STRING.
 */

static void usage(void)
{
	fprintf(stderr, "usage: timer [-t SECONDS] [-o FILE] [-s STATUS] "
			"[-m STRING] [-p PORT] -- CMD [ARG...]\n");
	exit(2);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void child(const char *out, char **argv, const sigset_t *wait)
{
	int in = open("/dev/null", O_RDONLY);
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (in < 0 || fd < 0 || dup2(in, 0) < 0 || dup2(fd, 1) < 0 ||
	    dup2(fd, 2) < 0)
		_exit(126);
	setpgid(0, 0);
	sigprocmask(SIG_UNBLOCK, wait, NULL);
	execvp(argv[0], argv);
	_exit(127);
}

/* Does FILE contain STRING? */
static int file_has(const char *file, const char *string)
{
	struct stat st;
	int fd = open(file, O_RDONLY);
	int found = 0;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		void *p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (p != MAP_FAILED) {
			found = memmem(p, st.st_size, string, strlen(string)) !=
				NULL;
			munmap(p, st.st_size);
		}
	}
	close(fd);
	return found;
}

/*
 * Wait until PID has exited (0), DEADLINE (ns) has passed (-1) or one of
 * the signals in WAIT other than SIGCHLD arrived (its number). PID is left
 * unreaped (WNOWAIT), so its PID and group id cannot be reused while the
 * caller kills what is left of the group.
 */
static int wait_until(pid_t pid, long long deadline, const sigset_t *wait)
{
	for (;;) {
		siginfo_t si = {0};

		if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == pid)
			return 0;
		long long left = deadline - now_ns();

		if (left <= 0)
			return -1;
		struct timespec ts = {left / 1000000000LL, left % 1000000000LL};
		int sig = sigtimedwait(wait, NULL, &ts);

		if (sig > 0 && sig != SIGCHLD)
			return sig;
	}
}

/*
 * Like wait_until, for a server: 0 once a byte sent to 127.0.0.1:PORT came
 * back, -2 when PID exited first.
 */
static int wait_answer(pid_t pid, int port, long long deadline,
		       const sigset_t *wait)
{
	static const struct timespec poll_gap = {0, 1000000};

	for (;;) {
		/* A deadline of now: has it exited, without waiting. */
		int end = wait_until(pid, now_ns(), wait);

		if (end == 0)
			return -2;
		if (end > 0)
			return end;
		if (now_ns() >= deadline)
			return -1;
		/* The forward accepts before the guest listens, then closes:
		 * only an echoed byte says the server answers. */
		int fd = lo_connect(port);

		if (fd >= 0) {
			int ok = lo_ping(fd, 100) == 0;

			close(fd);
			if (ok)
				return 0;
		}
		int sig = sigtimedwait(wait, NULL, &poll_gap);

		if (sig > 0 && sig != SIGCHLD)
			return sig;
	}
}

/* Parse the options; returns the index of CMD in argv. */
static int parse_args(int argc, char **argv, double *timeout, const char **out,
		      int *want, const char **expect, int *port)
{
	int opt;

	while ((opt = getopt(argc, argv, "+t:o:s:m:p:")) != -1) {
		switch (opt) {
		case 't':
			*timeout = atof(optarg);
			break;
		case 'o':
			*out = optarg;
			break;
		case 's':
			*want = atoi(optarg);
			break;
		case 'm':
			*expect = optarg;
			break;
		case 'p':
			*port = atoi(optarg);
			if (*port <= 0 || *port > 65535)
				usage();
			break;
		default:
			usage();
		}
	}
	/* -m reads the output back: it needs -o. */
	if (optind >= argc || *timeout <= 0 ||
	    (*expect && !strcmp(*out, "/dev/null")))
		usage();
	return optind;
}

int main(int argc, char **argv)
{
	const char *out = "/dev/null", *expect = NULL;
	double timeout = 60;
	int want = 0, port = 0, status;
	struct rusage ru;
	sigset_t wait;
	int cmd = parse_args(argc, argv, &timeout, &out, &want, &expect, &port);

	/*
	 * Blocked before fork, so sigtimedwait cannot miss them. The command
	 * has a process group of its own, so ^C on the terminal reaches only
	 * this timer: it stops the command (and a VM under it) by PID first.
	 */
	sigemptyset(&wait);
	sigaddset(&wait, SIGCHLD);
	sigaddset(&wait, SIGINT);
	sigaddset(&wait, SIGTERM);
	sigaddset(&wait, SIGHUP);
	sigprocmask(SIG_BLOCK, &wait, NULL);

	long long t0 = now_ns();
	pid_t pid = fork();

	if (pid < 0) {
		printf("FAIL fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0)
		child(out, argv + cmd, &wait);
	setpgid(pid, pid);
	long long until = t0 + (long long)(timeout * 1e9);
	int end = port ? wait_answer(pid, port, until, &wait)
		       : wait_until(pid, until, &wait);
	long long t1 = now_ns();

	/* On a timeout or signal the command goes, with what it started; a
	 * server goes once it answered. */
	if (end || port)
		kill(pid, SIGKILL);
	kill(-pid, SIGKILL);
	wait4(pid, &status, 0, &ru);
	if (end > 0) {
		signal(end, SIG_DFL);
		sigprocmask(SIG_UNBLOCK, &wait, NULL);
		raise(end);
		return 128 + end;
	}
	if (end == -1) {
		printf("FAIL timeout after %gs\n", timeout);
		return 1;
	}
	if (end == -2) {
		printf("FAIL exited before port %d answered\n", port);
		return 1;
	}
	/* A server was killed by us: its status says nothing. */
	if (!port && WIFSIGNALED(status)) {
		printf("FAIL killed by signal %d\n", WTERMSIG(status));
		return 1;
	}
	if (!port && WEXITSTATUS(status) != want) {
		printf("FAIL exit status %d, expected %d\n",
		       WEXITSTATUS(status), want);
		return 1;
	}
	if (expect && !file_has(out, expect)) {
		printf("FAIL no \"%s\" in the output\n", expect);
		return 1;
	}
	printf("%lld %ld\n", t1 - t0, ru.ru_maxrss);
	return 0;
}
