/* devproc: the guest's /dev, /proc and /sys nodes, and synthesized /etc. */
/*
 * Runs only in the guest (the host's /proc differs by design). Prints
 * "ok NAME" or "not ok NAME: why" per check; tests/files/run.sh turns them
 * into PASS/FAIL files_NAME. argv[1] is the number of CPUs kiln run was
 * given (--smp).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

static int failed;

static void check(const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("ok %s\n", name);
		return;
	}
	failed = 1;
	printf("not ok %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (errno %d %s)\n", errno, strerror(errno));
}

/* The whole of a (proc) file, NUL-terminated; size is not known ahead. */
static char *slurp(const char *path, size_t *len)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	ssize_t r;

	*len = 0;
	if (fd < 0)
		return NULL;
	while (n < sizeof(buf) - 1 &&
	       (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void dev_null(void)
{
	char b[8];
	struct stat st;
	int fd = open("/dev/null", O_RDWR);

	check("dev_null_open", fd >= 0, "open /dev/null");
	check("dev_null_write", write(fd, "abc", 3) == 3, "write");
	check("dev_null_read_eof", read(fd, b, sizeof(b)) == 0, "read");
	check("dev_null_is_chr", fstat(fd, &st) == 0 && S_ISCHR(st.st_mode),
	      "fstat mode %o", st.st_mode);
	close(fd);
}

static void dev_zero_random(void)
{
	static char z[8192];
	unsigned char a[64], b[64], c[16];
	int fd = open("/dev/zero", O_RDONLY), all = 1;

	memset(z, 1, sizeof(z));
	ssize_t n = fd < 0 ? -1 : read(fd, z, sizeof(z));
	for (size_t i = 0; i < sizeof(z); i++)
		all = all && z[i] == 0;
	check("dev_zero", n == (ssize_t)sizeof(z) && all, "read %zd", n);
	close(fd);

	fd = open("/dev/urandom", O_RDONLY);
	int ok = fd >= 0 && read(fd, a, sizeof(a)) == sizeof(a) &&
		 read(fd, b, sizeof(b)) == sizeof(b);
	int nz = 0;
	for (size_t i = 0; i < sizeof(a); i++)
		nz += a[i] != 0;
	check("dev_urandom", ok && nz > 32 && memcmp(a, b, sizeof(a)) != 0,
	      "two reads of 64 bytes: %d non-zero, %s", nz,
	      memcmp(a, b, sizeof(a)) ? "different" : "equal");
	close(fd);
	fd = open("/dev/random", O_RDONLY);
	check("dev_random", fd >= 0 && read(fd, c, sizeof(c)) == sizeof(c),
	      "read /dev/random");
	close(fd);
}

static void dev_console(void)
{
	char target[256];
	ssize_t n;
	int fd = open("/dev/console", O_WRONLY);

	check("dev_console",
	      fd >= 0 && write(fd, "via /dev/console\n", 17) == 17,
	      "write /dev/console");
	close(fd);
	n = readlink("/dev/stdout", target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	check("dev_stdout_link", n > 0 && !strcmp(target, "/proc/self/fd/1"),
	      "readlink /dev/stdout = '%s'", target);
	fd = open("/dev/stdout", O_WRONLY);
	check("dev_stdout_write",
	      fd >= 0 && write(fd, "via /dev/stdout\n", 16) == 16,
	      "write /dev/stdout");
	close(fd);
	fd = open("/dev/stderr", O_WRONLY);
	check("dev_stderr_open", fd >= 0, "open /dev/stderr");
	close(fd);
}

static void proc_self(const char *argv0)
{
	char target[512], want[64];
	ssize_t n = readlink("/proc/self/exe", target, sizeof(target) - 1);
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	target[n > 0 ? n : 0] = '\0';
	check("proc_self_exe",
	      n > 1 && target[0] == '/' && strstr(target, base) != NULL,
	      "readlink /proc/self/exe = '%s'", target);

	int fd = open("/etc/site.conf", O_RDONLY);
	snprintf(want, sizeof(want), "/proc/self/fd/%d", fd);
	n = readlink(want, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	check("proc_self_fd_file", n > 0 && !strcmp(target, "/etc/site.conf"),
	      "readlink %s = '%s'", want, target);
	close(fd);
	n = readlink("/proc/self/fd/1", target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	check("proc_self_fd_console", n > 0 && target[0] == '/',
	      "readlink /proc/self/fd/1 = '%s'", target);
}

/* "0" or "0-N": the CPU count, or -1. */
static int parse_online(const char *s)
{
	char *end;
	long a = strtol(s, &end, 10), b = a;

	if (end == s || a != 0)
		return -1;
	if (*end == '-') {
		s = end + 1;
		b = strtol(s, &end, 10);
		if (end == s || b < 1)
			return -1;
	}
	if (strcmp(end, "\n") != 0)
		return -1;
	return (int)b + 1;
}

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;
	size_t len = strlen(prefix);

	for (const char *l = text; l && *l;
	     l = strchr(l, '\n'), l = l ? l + 1 : l)
		n += strncmp(l, prefix, len) == 0;
	return n;
}

static void proc_sys(int cpus)
{
	size_t len;
	char *s = slurp("/sys/devices/system/cpu/online", &len);
	int online = s ? parse_online(s) : -1;

	check("sys_cpu_online", online == cpus,
	      "/sys/devices/system/cpu/online = '%s', wanted %d CPUs",
	      s ? s : "(missing)", cpus);
	s = slurp("/proc/cpuinfo", &len);
	int procs = s ? count_lines(s, "processor") : -1;
	check("proc_cpuinfo_processors", procs == cpus,
	      "%d processor lines, wanted %d", procs, cpus);
	check("proc_cpuinfo_fields",
	      s && count_lines(s, "vendor_id") == cpus &&
		      count_lines(s, "model name") == cpus &&
		      count_lines(s, "flags") == cpus &&
		      count_lines(s, "cpu MHz") == cpus,
	      "vendor_id, model name, flags, cpu MHz once per CPU");
	long conf = sysconf(_SC_NPROCESSORS_ONLN);
	check("sysconf_nprocessors", conf == cpus, "sysconf says %ld", conf);

	s = slurp("/proc/meminfo", &len);
	unsigned long total = 0, fre = 0, avail = 0;
	char *t = s ? strstr(s, "MemTotal:") : NULL;
	char *f = s ? strstr(s, "MemFree:") : NULL;
	char *a = s ? strstr(s, "MemAvailable:") : NULL;
	if (t)
		total = strtoul(t + 9, NULL, 10);
	if (f)
		fre = strtoul(f + 8, NULL, 10);
	if (a)
		avail = strtoul(a + 13, NULL, 10);
	/* kiln run --mem 64M: a little less than 65536 kB is usable. */
	check("proc_meminfo",
	      total > 32768 && total <= 65536 && fre > 0 && fre <= total &&
		      avail <= total && strstr(s, " kB\n"),
	      "MemTotal %lu kB, MemFree %lu kB, MemAvailable %lu kB", total,
	      fre, avail);
}

static void etc_and_root(void)
{
	struct addrinfo hints = {.ai_family = AF_INET}, *res = NULL;
	struct stat a, b;
	char buf[64], cwd[64];
	size_t len;

	int r = getaddrinfo("localhost", NULL, &hints, &res);
	const char *ip = "";
	if (r == 0 && res)
		ip = inet_ntop(AF_INET,
			       &((struct sockaddr_in *)res->ai_addr)->sin_addr,
			       buf, sizeof(buf));
	check("etc_hosts_localhost", r == 0 && ip && !strcmp(ip, "127.0.0.1"),
	      "getaddrinfo(localhost) = %d %s (%s)", r, ip ? ip : "",
	      gai_strerror(r));
	if (res)
		freeaddrinfo(res);
	char *h = slurp("/etc/hosts", &len);
	check("etc_hosts_kiln", h && strstr(h, "kiln"), "/etc/hosts: %s",
	      h ? h : "(missing)");

	check("root_dotdot",
	      stat("/", &a) == 0 && stat("/..", &b) == 0 &&
		      a.st_ino == b.st_ino && stat("/../../etc/..", &b) == 0 &&
		      a.st_ino == b.st_ino,
	      "/.. is not /");
	check("root_chdir_dotdot",
	      chdir("/tmp/../..") == 0 && getcwd(cwd, sizeof(cwd)) &&
		      !strcmp(cwd, "/"),
	      "chdir /tmp/../.. then getcwd");
	check("tmp_mode_1777",
	      stat("/tmp", &a) == 0 && S_ISDIR(a.st_mode) &&
		      (a.st_mode & 07777) == 01777,
	      "/tmp mode %o", a.st_mode);
	h = slurp("/data/abs", &len);
	check("absolute_symlink", h && !strcmp(h, "port=8080\n"),
	      "/data/abs -> /etc/site.conf reads '%s'", h ? h : "(nothing)");
	struct statfs sf;
	check("statfs_root", statfs("/", &sf) == 0 && sf.f_bsize > 0,
	      "statfs /");
}

int main(int argc, char **argv)
{
	int cpus = argc > 1 ? atoi(argv[1]) : 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	dev_null();
	dev_zero_random();
	dev_console();
	proc_self(argv[0]);
	proc_sys(cpus);
	etc_and_root();
	return failed;
}
