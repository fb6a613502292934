/* Starting a child program (QEMU, the compiler) and waiting for it. */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kiln.h"

/*
 * An exec failure travels back over a close-on-exec pipe, so the caller
 * can say "not found" instead of decoding the child's exit status: a
 * successful exec closes the pipe with nothing written.
 */
int spawn_start(char *const argv[], pid_t *pid)
{
	pid_t parent = getpid();
	int fds[2], err = 0;
	sigset_t all;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	*pid = fork();
	if (*pid < 0) {
		err = errno;
		close(fds[0]);
		close(fds[1]);
		return -err;
	}
	if (*pid == 0) {
		/* Die with kiln, even if kiln is killed with SIGKILL; the
		 * getppid() check closes the race with a parent that died
		 * before the prctl. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		close(fds[0]);
		execvp(argv[0], argv);
		err = errno;
		(void)!write(fds[1], &err, sizeof(err));
		_exit(127);
	}
	close(fds[1]);
	ssize_t n;
	do {
		n = read(fds[0], &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n == (ssize_t)sizeof(err)) {
		int status;

		spawn_wait(*pid, &status);
		return -err;
	}
	return 0;
}

int spawn_wait(pid_t pid, int *wstatus)
{
	while (waitpid(pid, wstatus, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}
