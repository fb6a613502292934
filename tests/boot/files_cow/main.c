/* Boot test guest: files of the packed tree are copied on write, page by page. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;

#define EXPECT(cond, ...)                                                  \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("cow FAIL %s: ", #cond);                    \
			printf(__VA_ARGS__);                               \
			printf("\n");                                      \
			failures++;                                        \
		}                                                          \
	} while (0)

/* The bytes run wrote into /data/a.bin and /data/b.bin. */
#define SIZE (3 * 4096 + 100)
static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + 3);
}

static unsigned char buf[SIZE + 10];

static ssize_t slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf);

	close(fd);
	return n;
}

/* Bytes [from, to) of buf hold the pattern. */
static int intact(size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		if (buf[i] != pattern(i))
			return 0;
	}
	return 1;
}

static void check_packed(void)
{
	struct stat st;

	EXPECT(slurp("/data/a.bin") == SIZE && intact(0, SIZE), "a.bin");
	EXPECT(stat("/data/a.bin", &st) == 0 && (st.st_mode & 07777) == 0640 &&
		   st.st_uid == 0 && st.st_nlink == 1,
	       "a.bin mode %o", (unsigned)st.st_mode);
	EXPECT(slurp("/etc/c.conf") == 8 && !memcmp(buf, "c=value\n", 8),
	       "--file /etc/c.conf");
}

static void check_write(void)
{
	int fd = open("/data/a.bin", O_WRONLY);

	/* across the first page boundary: two pages get copied */
	EXPECT(pwrite(fd, "XYZ", 3, 4094) == 3, "pwrite a.bin");
	close(fd);
	EXPECT(slurp("/data/a.bin") == SIZE && !memcmp(buf + 4094, "XYZ", 3) &&
		   intact(0, 4094) && intact(4097, SIZE),
	       "a.bin after the write");
	EXPECT(slurp("/data/b.bin") == SIZE && intact(0, SIZE),
	       "b.bin changed by a write to a.bin");
}

static void check_mmap(void)
{
	int fd = open("/data/b.bin", O_RDWR);
	unsigned char *m;

	m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	EXPECT(m != MAP_FAILED && m[5000] == pattern(5000), "private map");
	m[5000] = 'p';
	munmap(m, SIZE);
	EXPECT(slurp("/data/b.bin") == SIZE && intact(0, SIZE),
	       "a private mapping wrote through to the file");
	m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT(m != MAP_FAILED, "shared map: %s", strerror(errno));
	m[SIZE - 1] = 's';
	EXPECT(pread(fd, buf, 1, SIZE - 1) == 1 && buf[0] == 's',
	       "read() does not see a store through MAP_SHARED");
	EXPECT(pwrite(fd, "w", 1, 100) == 1 && m[100] == 'w',
	       "the mapping does not see a write()");
	munmap(m, SIZE);
	close(fd);
	EXPECT(slurp("/data/b.bin") == SIZE && buf[SIZE - 1] == 's' &&
		   buf[100] == 'w' && intact(0, 100) && intact(101, SIZE - 1),
	       "b.bin after the shared mapping");
}

static void check_truncate(void)
{
	int fd;

	EXPECT(truncate("/data/a.bin", 10) == 0 &&
		   truncate("/data/a.bin", 5000) == 0,
	       "truncate");
	EXPECT(slurp("/data/a.bin") == 5000 && intact(0, 10) && buf[10] == 0 &&
		   buf[4999] == 0 && buf[4095] == 0,
	       "bytes past a shrink came back");
	fd = open("/data/b.bin", O_WRONLY | O_TRUNC);
	EXPECT(fd >= 0 && write(fd, "new", 3) == 3, "O_TRUNC b.bin");
	close(fd);
	EXPECT(slurp("/data/b.bin") == 3 && !memcmp(buf, "new", 3), "b.bin");
	EXPECT(rename("/data/b.bin", "/data/c.bin") == 0 &&
		   unlink("/data/c.bin") == 0 && rmdir("/data/sub") == 0,
	       "rename, unlink, rmdir in the packed tree");
}

int main(void)
{
	check_packed();
	check_write();
	check_mmap();
	check_truncate();
	if (failures) {
		printf("cow: %d checks failed\n", failures);
		return 1;
	}
	printf("cow ok\n");
	return 0;
}
