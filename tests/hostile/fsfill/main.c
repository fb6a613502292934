/* Hostile guest: fill the in-memory file system; ENOSPC, then space comes back. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

static char chunk[65536];

/* Write /tmp/fill until the file system is full; the bytes written. */
static long fill(void)
{
	long total = 0;
	ssize_t n;
	int fd = open("/tmp/fill", O_CREAT | O_WRONLY | O_TRUNC, 0600);

	if (fd < 0)
		return -1;
	while ((n = write(fd, chunk, sizeof chunk)) > 0)
		total += n;
	if (n < 0 && errno != ENOSPC) {
		printf("fsfill: write failed with errno %d, not ENOSPC\n", errno);
		total = -1;
	}
	close(fd);
	return total;
}

int main(void)
{
	struct statfs sf;
	long first, second;
	int files = 0;
	char name[32];

	memset(chunk, 'f', sizeof chunk);
	first = fill();
	/* tmpfs's default: half of the memory */
	printf("fsfill: %ld MiB written\n", first >> 20);
	if (first < (6L << 20) || first > (8L << 20))
		printf("fsfill: FAILED, expected about 8 MiB of 16\n");
	if (statfs("/tmp", &sf) != 0 || sf.f_bfree != 0)
		printf("fsfill: FAILED, statfs shows %lu blocks free\n",
		       (unsigned long)sf.f_bfree);
	if (unlink("/tmp/fill") != 0)
		printf("fsfill: FAILED unlink\n");
	second = fill();
	if (second != first)
		printf("fsfill: FAILED, %ld bytes the second time\n", second);
	unlink("/tmp/fill");
	/* many empty files: names cost heap, never the kernel its life */
	for (;;) {
		snprintf(name, sizeof name, "/tmp/e%d", files);
		int fd = open(name, O_CREAT | O_WRONLY, 0600);
		if (fd < 0 || files == 20000)
			break;
		close(fd);
		files++;
	}
	printf("fsfill: %d empty files\n", files);
	while (files-- > 0) {
		snprintf(name, sizeof name, "/tmp/e%d", files);
		unlink(name);
	}
	printf("fsfill ok\n");
	return 0;
}
