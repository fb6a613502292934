/* Boot test guest: pipes with one thread: data, EOF, full, EPIPE, SIGPIPE. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int failures;

#define EXPECT(cond, ...)                                                  \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("pipe FAIL %s: ", #cond);                   \
			printf(__VA_ARGS__);                               \
			printf("\n");                                      \
			failures++;                                        \
		}                                                          \
	} while (0)

int main(void)
{
	static char big[70000];
	char buf[16];
	int p[2], n, total = 0;
	ssize_t r;

	EXPECT(pipe(p) == 0, "pipe");
	EXPECT(write(p[1], "0123456789", 10) == 10, "write");
	EXPECT(ioctl(p[0], FIONREAD, &n) == 0 && n == 10, "FIONREAD %d", n);
	EXPECT(read(p[0], buf, 4) == 4 && read(p[0], buf, 16) == 6 &&
		   !memcmp(buf, "456789", 6),
	       "read back");
	/* empty, writer open, blocking: nobody could ever write (one
	 * thread), so the read fails like a non-blocking one */
	errno = 0;
	EXPECT(read(p[0], buf, 1) == -1 && errno == EAGAIN,
	       "blocking read of an empty pipe: errno %d", errno);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	while ((r = write(p[1], big, sizeof big)) > 0)
		total += (int)r;
	EXPECT(total == 65536 && errno == EAGAIN, "capacity %d", total);
	EXPECT(fcntl(p[0], F_GETPIPE_SZ) == 65536, "F_GETPIPE_SZ");
	close(p[1]);
	total = 0;
	while ((r = read(p[0], big, sizeof big)) > 0)
		total += (int)r;
	EXPECT(total == 65536 && r == 0, "drain %d then EOF", total);
	close(p[0]);

	EXPECT(pipe(p) == 0, "pipe");
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	EXPECT(write(p[1], "x", 1) == -1 && errno == EPIPE, "EPIPE");
	if (failures) {
		printf("pipe: %d checks failed\n", failures);
		return 1;
	}
	printf("pipe ok\n");
	signal(SIGPIPE, SIG_DFL);
	write(p[1], "x", 1); /* killed by SIGPIPE */
	printf("pipe: still alive after SIGPIPE\n");
	return 1;
}
