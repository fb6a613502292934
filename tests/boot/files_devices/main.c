/* Boot test guest: /dev's nodes, /tmp and /etc/hosts exist without a packed tree. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int failures;

#define EXPECT(cond, ...)                                                  \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("devices FAIL %s: ", #cond);                \
			printf(__VA_ARGS__);                               \
			printf("\n");                                      \
			failures++;                                        \
		}                                                          \
	} while (0)

static void check_null_zero_full(void)
{
	char buf[64];
	int fd = open("/dev/null", O_RDWR);
	struct stat st;

	EXPECT(fd >= 0, "open /dev/null: %s", strerror(errno));
	EXPECT(read(fd, buf, sizeof buf) == 0, "/dev/null read not EOF");
	EXPECT(write(fd, buf, sizeof buf) == sizeof buf, "/dev/null write");
	EXPECT(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
		   major(st.st_rdev) == 1 && minor(st.st_rdev) == 3,
	       "/dev/null is not char 1:3");
	EXPECT(lseek(fd, 100, SEEK_SET) == 0, "/dev/null lseek");
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 'x', sizeof buf);
	EXPECT(read(fd, buf, sizeof buf) == sizeof buf && buf[0] == 0 &&
		   buf[63] == 0,
	       "/dev/zero gave non-zero bytes");
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	EXPECT(m != MAP_FAILED && m[4097] == 0, "mmap /dev/zero");
	close(fd);
	fd = open("/dev/full", O_WRONLY);
	EXPECT(write(fd, "x", 1) == -1 && errno == ENOSPC,
	       "/dev/full write did not fail with ENOSPC");
	close(fd);
}

static void check_random(void)
{
	unsigned char a[32], b[32];
	int nonzero = 0;
	int fd = open("/dev/urandom", O_RDONLY);

	EXPECT(fd >= 0 && read(fd, a, sizeof a) == sizeof a &&
		   read(fd, b, sizeof b) == sizeof b,
	       "/dev/urandom read");
	for (size_t i = 0; i < sizeof a; i++)
		nonzero |= a[i];
	EXPECT(nonzero && memcmp(a, b, sizeof a) != 0,
	       "/dev/urandom gave zeros or the same bytes twice");
	close(fd);
	fd = open("/dev/random", O_RDONLY);
	EXPECT(fd >= 0 && read(fd, a, sizeof a) == sizeof a, "/dev/random");
	close(fd);
}

static void check_console(void)
{
	char target[64];
	ssize_t n;
	int fd;

	EXPECT(isatty(1), "stdout is not a terminal");
	n = readlink("/dev/stdout", target, sizeof target - 1);
	EXPECT(n > 0 && (target[n] = 0, !strcmp(target, "/proc/self/fd/1")),
	       "readlink /dev/stdout");
	n = readlink("/proc/self/fd/1", target, sizeof target - 1);
	EXPECT(n > 0 && (target[n] = 0, !strcmp(target, "/dev/console")),
	       "readlink /proc/self/fd/1 = %s", n > 0 ? target : "?");
	fd = open("/dev/stdout", O_WRONLY);
	EXPECT(fd >= 0, "open /dev/stdout: %s", strerror(errno));
	dprintf(fd, "devices: through /dev/stdout\n");
	close(fd);
	fd = open("/dev/fd/2", O_WRONLY);
	dprintf(fd, "devices: through /dev/fd/2\n");
	close(fd);
	fd = open("/dev/tty", O_RDWR);
	EXPECT(fd >= 0 && isatty(fd), "/dev/tty");
	close(fd);
}

static void check_tmp_and_etc(void)
{
	struct stat st;
	struct hostent *h;
	FILE *f;

	EXPECT(stat("/tmp", &st) == 0 && S_ISDIR(st.st_mode) &&
		   (st.st_mode & 07777) == 01777,
	       "/tmp is not a 1777 directory");
	f = fopen("/tmp/x", "w");
	EXPECT(f && fputs("tmp ok\n", f) >= 0 && fclose(f) == 0,
	       "write /tmp/x");
	EXPECT(stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode), "/dev/shm");
	/* musl's resolver reads /etc/hosts before any DNS */
	h = gethostbyname("kiln");
	EXPECT(h && h->h_length == 4 &&
		   !memcmp(h->h_addr_list[0], "\177\0\1\1", 4),
	       "kiln does not resolve to 127.0.1.1 through /etc/hosts");
	EXPECT(access("/etc/resolv.conf", F_OK) == -1 && errno == ENOENT,
	       "/etc/resolv.conf exists without a network");
}

int main(void)
{
	check_null_zero_full();
	check_random();
	check_console();
	check_tmp_and_etc();
	if (failures) {
		printf("devices: %d checks failed\n", failures);
		return 1;
	}
	printf("devices ok\n");
	return 0;
}
