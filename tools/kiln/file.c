/* Whole-file reads and atomic writes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kiln.h"

/* Larger than any program or image kiln has a reason to carry. */
#define FILE_MAX (1ULL << 31)

/* Closes fd (and frees buf) and records "path: why". */
static int read_fail(int fd, void *buf, const char *path, const char *why)
{
	free(buf);
	close(fd);
	return kiln_fail("%s: %s", path, why);
}

int read_file(const char *path, unsigned char **buf, size_t *size)
{
	struct stat st;
	size_t cap, len = 0;
	unsigned char *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kiln_fail("%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		return read_fail(fd, NULL, path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return read_fail(fd, NULL, path, strerror(EISDIR));
	if ((unsigned long long)st.st_size > FILE_MAX)
		return read_fail(fd, NULL, path, "too large (over 2 GiB)");

	/* st_size is only a hint: pipes say 0, files may grow. */
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
	p = xmalloc(cap);
	for (;;) {
		if (len == cap) {
			if (cap >= FILE_MAX)
				return read_fail(fd, p, path,
						 "too large (over 2 GiB)");
			cap *= 2;
			unsigned char *q = realloc(p, cap);
			if (!q)
				return read_fail(fd, p, path, "out of memory");
			p = q;
		}
		ssize_t n = read(fd, p + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return read_fail(fd, p, path, strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	*buf = p;
	*size = len;
	return 0;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *buf, size_t size)
{
	char *tmp = xasprintf("%s.tmp", path);
	int fd, err = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		err = errno;
		free(tmp);
		return kiln_fail("%s: %s", path, strerror(err));
	}
	if (write_all(fd, buf, size) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && rename(tmp, path) < 0)
		err = errno;
	if (err) {
		unlink(tmp);
		free(tmp);
		return kiln_fail("%s: %s", path, strerror(err));
	}
	free(tmp);
	return 0;
}

const char *path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

const char *tmp_dir(void)
{
	const char *t = getenv("TMPDIR");

	return t && t[0] ? t : "/tmp";
}
