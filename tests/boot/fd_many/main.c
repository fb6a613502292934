/* Many descriptors: the soft limit is 1024 as on Linux; raised to the hard
 * limit, thousands of descriptors open (a server's sockets), dup2 reaches
 * past the table's current end, and EMFILE comes exactly at the limit. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int main(void)
{
	struct rlimit rl;
	int fds[2], n = 0, last = -1;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1;
	printf("soft %llu, hard at least 65536: %s\n",
	       (unsigned long long)rl.rlim_cur,
	       rl.rlim_max >= 65536 ? "yes" : "no");
	rl.rlim_cur = 5000;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		printf("setrlimit: %s\n", strerror(errno));
		return 1;
	}
	if (pipe(fds) < 0)
		return 1;
	for (;;) {
		int fd = dup(fds[0]);
		if (fd < 0) {
			printf("dup stopped: %s after fd %d\n", strerror(errno),
			       last);
			break;
		}
		last = fd;
		n++;
	}
	printf("dup2 to 4999 on a full table: %s\n",
	       dup2(fds[1], 4999) == 4999 ? "ok" : strerror(errno));
	printf("dup2 to 5000: %s\n",
	       dup2(fds[1], 5000) < 0 ? strerror(errno) : "opened");
	for (int fd = 3; fd <= last; fd++)
		if (fd != fds[0] && fd != fds[1])
			close(fd);
	printf("after closing, dup gives %d\n", dup(fds[0]));
	return n == 4995 ? 0 : 1;
}
