/* Boot test guest: /proc/cpuinfo, meminfo, self/{exe,fd,status} and /sys's CPU list. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;

#define EXPECT(cond, ...)                                                  \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("proc FAIL %s: ", #cond);                   \
			printf(__VA_ARGS__);                               \
			printf("\n");                                      \
			failures++;                                        \
		}                                                          \
	} while (0)

#define MIN(a, b) ((a) < (b) ? (a) : (b))

static char text[16384];

/* The whole file into text, read in small pieces (as stdio would not). */
static size_t slurp(const char *path)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	text[0] = 0;
	if (fd < 0)
		return 0;
	while (len < sizeof text - 1 &&
	       (n = read(fd, text + len, MIN(100, sizeof text - 1 - len))) > 0)
		len += (size_t)n;
	text[len] = 0;
	close(fd);
	return len;
}

static int count_lines(const char *prefix)
{
	int n = 0;

	for (char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		n += !strncmp(p, prefix, strlen(prefix));
	return n;
}

static long field(const char *name)
{
	char *p = strstr(text, name);

	return p ? strtol(p + strlen(name), NULL, 10) : -1;
}

static void check_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	EXPECT(slurp("/proc/cpuinfo") > 0, "read /proc/cpuinfo");
	EXPECT(count_lines("processor\t: ") == n, "%d processor lines for %ld",
	       count_lines("processor\t: "), n);
	EXPECT(count_lines("model name\t: ") == n && count_lines("flags\t\t: ") == n,
	       "model name / flags lines");
	EXPECT(strstr(text, " fpu ") && strstr(text, " lm "), "flags");
	EXPECT(strstr(text, "cpu MHz\t\t: ") &&
		   atof(strstr(text, "cpu MHz\t\t: ") + 11) > 1,
	       "cpu MHz");
	EXPECT(slurp("/sys/devices/system/cpu/online") > 0, "read online");
	printf("proc: online %s", text);
	printf("proc: %ld cpus\n", n);
}

static void check_memory(void)
{
	long total, avail;

	EXPECT(slurp("/proc/meminfo") > 0, "read /proc/meminfo");
	total = field("MemTotal:");
	avail = field("MemAvailable:");
	/* kiln run --mem 32M: nearly all of it is the kernel's to manage */
	EXPECT(total > 28 * 1024 && total <= 32 * 1024, "MemTotal %ld kB",
	       total);
	EXPECT(avail > 0 && avail <= total && field("MemFree:") >= 0 &&
		   field("Cached:") >= 0 && field("Buffers:") == 0,
	       "MemAvailable %ld kB", avail);
}

static void check_exe(const char *argv0)
{
	char target[256], want[256];
	struct stat st;
	ssize_t n = readlink("/proc/self/exe", target, sizeof target - 1);
	int fd;

	snprintf(want, sizeof want, "/%s", argv0);
	EXPECT(n > 0 && (target[n] = 0, !strcmp(target, want)),
	       "readlink /proc/self/exe = %s, want %s", n > 0 ? target : "?",
	       want);
	fd = open("/proc/self/exe", O_RDONLY);
	EXPECT(fd >= 0 && read(fd, target, 4) == 4 &&
		   !memcmp(target, "\177ELF", 4),
	       "/proc/self/exe is not the ELF");
	EXPECT(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 4096,
	       "stat /proc/self/exe");
	close(fd);
	EXPECT(open("/proc/self/exe", O_RDWR) == -1 && errno == ETXTBSY,
	       "writing the running program is not ETXTBSY");
	EXPECT(truncate("/proc/self/exe", 0) == -1 && errno == ETXTBSY,
	       "truncating the running program is not ETXTBSY");
	n = readlink("/proc/self", target, sizeof target - 1);
	EXPECT(n == 1 && target[0] == '1' && getpid() == 1, "/proc/self");
	EXPECT(slurp("/proc/self/status") > 0 && strstr(text, "Pid:\t1\n"),
	       "/proc/self/status");
	snprintf(want, sizeof want, "Name:\t%.15s\n", argv0);
	EXPECT(strstr(text, want) != NULL, "status has no %s", want);
}

static void check_fds(void)
{
	char target[256];
	int p[2], fd = open("/tmp", O_RDONLY | O_DIRECTORY), seen = 0;
	int f = open("/tmp/file", O_CREAT | O_RDWR, 0600);
	struct dirent *e;
	DIR *d;
	ssize_t n;

	EXPECT(pipe(p) == 0, "pipe");
	snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
	n = readlink(target, target, sizeof target - 1);
	EXPECT(n == 4 && !memcmp(target, "/tmp", 4), "fd of /tmp");
	snprintf(target, sizeof target, "/proc/self/fd/%d", f);
	n = readlink(target, target, sizeof target - 1);
	EXPECT(n == 9 && !memcmp(target, "/tmp/file", 9), "fd of /tmp/file");
	unlink("/tmp/file");
	snprintf(target, sizeof target, "/proc/self/fd/%d", f);
	n = readlink(target, target, sizeof target - 1);
	EXPECT(n > 0 && (target[n] = 0, !strcmp(target, "/tmp/file (deleted)")),
	       "fd of an unlinked file");
	snprintf(target, sizeof target, "/proc/self/fd/%d", p[0]);
	n = readlink(target, target, sizeof target - 1);
	EXPECT(n > 6 && !memcmp(target, "pipe:[", 6), "fd of a pipe");
	d = opendir("/proc/self/fd");
	EXPECT(d != NULL, "opendir /proc/self/fd");
	while (d && (e = readdir(d))) {
		int i = atoi(e->d_name);

		if (e->d_name[0] != '.' && (i <= 2 || i == p[1] || i == f))
			seen++;
	}
	EXPECT(seen == 5, "/proc/self/fd lists %d of 0 1 2 and two more", seen);
	if (d)
		closedir(d);
}

int main(int argc, char **argv)
{
	(void)argc;
	check_cpus();
	check_memory();
	check_exe(argv[0]);
	check_fds();
	if (failures) {
		printf("proc: %d checks failed\n", failures);
		return 1;
	}
	printf("proc ok\n");
	return 0;
}
