/* filebench: median time of small file operations, inside one process. */
/*
 * Usage: filebench DIR [N]
 * In the writable directory DIR: N times (default 2000) open + read 4 KiB
 * + close of one 4 KiB file, then N times create + write 4 KiB + fsync +
 * close of a new file (removed again outside the timed part). Each
 * operation is timed alone with CLOCK_MONOTONIC; prints
 *   filebench read4k_ns MEDIAN P10 P90
 *   filebench write4k_ns MEDIAN P10 P90
 * and exits 0, or prints "filebench error: ..." and exits 1. The same
 * static binary runs on the host, in the Linux guest and on kiln
 * (bench/files.sh).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, long long *t, int n)
{
	qsort(t, n, sizeof(*t), cmp_ll);
	printf("filebench %s %lld %lld %lld\n", what, t[n / 2], t[n / 10],
	       t[n * 9 / 10]);
}

static int fail(const char *what, const char *path)
{
	printf("filebench error: %s %s\n", what, path);
	return 1;
}

int main(int argc, char **argv)
{
	static char buf[4096], path[4096];
	int n = argc > 2 ? atoi(argv[2]) : 2000;
	long long *t;
	int fd;

	if (argc < 2 || n < 10) {
		fprintf(stderr, "usage: filebench DIR [N >= 10]\n");
		return 2;
	}
	t = malloc(sizeof(*t) * n);
	memset(buf, 'k', sizeof(buf));
	snprintf(path, sizeof(path), "%s/filebench-4k", argv[1]);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (!t || fd < 0 || write(fd, buf, sizeof(buf)) != sizeof(buf) ||
	    close(fd) < 0)
		return fail("cannot create", path);

	for (int i = 0; i < n; i++) {
		long long t0 = now_ns();
		fd = open(path, O_RDONLY);
		ssize_t got = read(fd, buf, sizeof(buf));
		close(fd);
		t[i] = now_ns() - t0;
		if (fd < 0 || got != sizeof(buf))
			return fail("cannot read", path);
	}
	report("read4k_ns", t, n);
	unlink(path);

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/filebench-new-%d", argv[1], i);
		long long t0 = now_ns();
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		ssize_t put = write(fd, buf, sizeof(buf));
		int synced = fsync(fd);
		close(fd);
		t[i] = now_ns() - t0;
		if (fd < 0 || put != sizeof(buf) || synced < 0)
			return fail("cannot write", path);
		unlink(path);
	}
	report("write4k_ns", t, n);
	return 0;
}
