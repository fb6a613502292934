/* fsops: issue 4's file system calls, printed for a host/guest comparison. */
/*
 * Usage: fsops ROOT SCRATCH
 *   ROOT     the tree tests/files/run.sh packs (guest: "/", host: a copy)
 *   SCRATCH  a writable directory to work in (created if missing)
 *
 * One line per step: what was done and its result ("= 5", "= -1 ENOENT"),
 * grouped in sections that start with "== name". Nothing printed may
 * differ legitimately between a Linux host and the guest: no absolute
 * paths, inode or device numbers, times, block sizes, directory sizes or
 * link counts, descriptor numbers above the lowest free ones, or the order
 * of directory entries (sorted first). The same static binary runs in
 * both places; tests/files/run.sh compares the two outputs line by line.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

static const char *root, *scratch;
static int sfd; /* SCRATCH, for the *at calls */

/* ---- printing ---- */

static const char *ename(int e)
{
	static char other[32];
#define E(x)                                                                   \
	case x:                                                                \
		return #x
	switch (e) {
		E(EPERM);
		E(ENOENT);
		E(EIO);
		E(EBADF);
		E(EAGAIN);
		E(ENOMEM);
		E(EACCES);
		E(EFAULT);
		E(EBUSY);
		E(EEXIST);
		E(EXDEV);
		E(ENOTDIR);
		E(EISDIR);
		E(EINVAL);
		E(ENFILE);
		E(EMFILE);
		E(ENOTTY);
		E(EFBIG);
		E(ENOSPC);
		E(ESPIPE);
		E(EROFS);
		E(EMLINK);
		E(EPIPE);
		E(ERANGE);
		E(ENAMETOOLONG);
		E(ENOSYS);
		E(ENOTEMPTY);
		E(ELOOP);
		E(EOVERFLOW);
		E(EOPNOTSUPP);
		E(ENODEV);
	}
#undef E
	snprintf(other, sizeof(other), "errno%d", e);
	return other;
}

static void section(const char *name)
{
	printf("== %s\n", name);
	fflush(stdout);
}

/* "label = r", or "label = -1 ENAME" for a failed call. */
static long show(const char *label, long r)
{
	if (r < 0)
		printf("%s = -1 %s\n", label, ename(errno));
	else
		printf("%s = %ld\n", label, r);
	fflush(stdout);
	return r;
}

#define T(label, expr)                                                         \
	({                                                                     \
		errno = 0;                                                     \
		show(label, (long)(expr));                                     \
	})

/* A path under ROOT or SCRATCH, from a small ring of buffers. */
static const char *at(const char *base, const char *rel)
{
	static char ring[8][8192];
	static int next;
	char *b = ring[next++ % 8];

	snprintf(b, sizeof(ring[0]), "%s/%s", base, rel);
	return b;
}
#define R(rel) at(root, rel)
#define S(rel) at(scratch, rel)

static uint32_t fnv(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static const char *type_name(mode_t m)
{
	if (S_ISREG(m))
		return "reg";
	if (S_ISDIR(m))
		return "dir";
	if (S_ISLNK(m))
		return "lnk";
	if (S_ISFIFO(m))
		return "fifo";
	if (S_ISCHR(m))
		return "chr";
	return "other";
}

/* Type, permissions, and the size where it means the same everywhere. */
static void show_stat(const char *label, int r, const struct stat *st)
{
	if (r < 0) {
		show(label, r);
		return;
	}
	printf("%s = 0 %s %04o", label, type_name(st->st_mode),
	       (unsigned)(st->st_mode & 07777));
	if (!S_ISDIR(st->st_mode))
		printf(" size %lld nlink %lu", (long long)st->st_size,
		       (unsigned long)st->st_nlink);
	printf("\n");
}

static void stat_path(const char *label, const char *path)
{
	struct stat st;
	errno = 0;
	int r = stat(path, &st);
	show_stat(label, r, &st);
}

static void lstat_path(const char *label, const char *path)
{
	struct stat st;
	errno = 0;
	int r = lstat(path, &st);
	show_stat(label, r, &st);
}

/* Read the whole file at path; print its size and checksum. */
static void show_content(const char *label, const char *path)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0) {
		show(label, -1);
		return;
	}
	while ((n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(fd);
	printf("%s = %zu bytes fnv %08x\n", label, len, fnv(buf, len));
}

/* The names in a directory, sorted, with their d_type, via getdents64. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void show_dir(const char *label, const char *path)
{
	char buf[512], *names[256];
	int fd = open(path, O_RDONLY | O_DIRECTORY), n = 0;
	long got;

	if (fd < 0) {
		show(label, -1);
		return;
	}
	/* A small buffer: several calls, so the offset is exercised. */
	while ((got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			const char *t = d->d_type == DT_DIR   ? "/"
					: d->d_type == DT_LNK ? "@"
					: d->d_type == DT_REG ? ""
							      : "?";
			if (n < 256)
				asprintf(&names[n++], "%s%s", d->d_name, t);
			off += d->d_reclen;
		}
	}
	if (got < 0)
		show(label, got);
	close(fd);
	qsort(names, n, sizeof(names[0]), by_name);
	printf("%s =", label);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

/* fcntl(F_GETFL) without O_LARGEFILE, which musl adds to every open. */
static long getfl(int fd)
{
	long f = fcntl(fd, F_GETFL);
	return f < 0 ? f : f & ~(long)O_LARGEFILE;
}

static int put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static void read_text(const char *label, int fd, size_t max)
{
	char buf[256];
	if (max > sizeof(buf) - 1)
		max = sizeof(buf) - 1;
	errno = 0;
	ssize_t n = read(fd, buf, max);
	if (n < 0) {
		show(label, n);
		return;
	}
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\n')
			buf[i] = '|';
		else if (buf[i] == '\0')
			buf[i] = '0';
	printf("%s = %zd \"%s\"\n", label, n, buf);
}

/* ---- sections ---- */

static void sec_rootfs(void)
{
	char target[64];

	section("rootfs");
	show_dir("ls data", R("data"));
	show_dir("ls data/nested", R("data/nested"));
	stat_path("stat etc/site.conf", R("etc/site.conf"));
	show_content("read etc/site.conf", R("etc/site.conf"));
	stat_path("stat data/big", R("data/big"));
	show_content("read data/big", R("data/big"));
	stat_path("stat data/empty", R("data/empty"));
	show_content("read data/empty", R("data/empty"));
	stat_path("stat bin/run.sh", R("bin/run.sh"));
	stat_path("stat data", R("data"));
	lstat_path("lstat data/link", R("data/link"));
	stat_path("stat data/link", R("data/link"));
	show_content("read data/link", R("data/link"));
	long n = T("readlink data/link",
		   readlink(R("data/link"), target, sizeof(target)));
	if (n >= 0)
		printf("  target %.*s\n", (int)n, target);
	show_content("read data/nested/deeper/leaf.txt",
		     R("data/nested/deeper/leaf.txt"));
	show_content("read via dotdot",
		     R("data/nested/../nested/./deeper//leaf.txt"));
	stat_path("stat data/dirlink/deeper", R("data/dirlink/deeper"));
	/* An image file written, then read again from the start. */
	int fd = T("open data/big O_RDWR", open(R("data/big"), O_RDWR));
	T("pwrite data/big", pwrite(fd, "PATCHED", 7, 4096));
	close(fd);
	show_content("read data/big after pwrite", R("data/big"));
}

static void sec_open(void)
{
	int fd, fd2;

	section("open");
	fd = T("open new O_CREAT|O_EXCL",
	       open(S("new"), O_WRONLY | O_CREAT | O_EXCL, 0640));
	T("write new", write(fd, "hello\n", 6));
	T("close", close(fd));
	T("open new O_CREAT|O_EXCL again",
	  open(S("new"), O_WRONLY | O_CREAT | O_EXCL, 0640));
	fd = T("open new O_RDONLY", open(S("new"), O_RDONLY));
	read_text("read new", fd, 100);
	close(fd);
	fd = T("open new O_TRUNC", open(S("new"), O_WRONLY | O_TRUNC));
	close(fd);
	stat_path("stat new after O_TRUNC", S("new"));
	fd = T("creat c", creat(S("c"), 0600));
	T("write c", write(fd, "abc", 3));
	read_text("read creat fd (write-only)", fd, 10);
	close(fd);
	stat_path("stat c", S("c"));
	fd = T("openat relative", openat(sfd, "c", O_RDONLY));
	read_text("read c", fd, 10);
	close(fd);
	fd = T("openat O_CREAT", openat(sfd, "d", O_RDWR | O_CREAT, 0644));
	close(fd);
	fd = T("open O_APPEND", open(S("c"), O_WRONLY | O_APPEND));
	T("lseek 0", lseek(fd, 0, SEEK_SET));
	T("write appends", write(fd, "de", 2));
	T("lseek CUR after append", lseek(fd, 0, SEEK_CUR));
	T("F_GETFL == O_WRONLY|O_APPEND", getfl(fd) == (O_WRONLY | O_APPEND));
	close(fd);
	show_content("content c", S("c"));
	fd = T("open dir O_DIRECTORY", open(scratch, O_RDONLY | O_DIRECTORY));
	close(fd);
	T("open file O_DIRECTORY", open(S("c"), O_RDONLY | O_DIRECTORY));
	T("open dir O_WRONLY", open(scratch, O_WRONLY));
	T("open dir O_RDWR", open(scratch, O_RDWR));
	T("symlink c-link", symlink("c", S("c-link")));
	T("open symlink O_NOFOLLOW", open(S("c-link"), O_RDONLY | O_NOFOLLOW));
	fd = T("open symlink", open(S("c-link"), O_RDONLY));
	close(fd);
	fd = T("open O_CLOEXEC", open(S("c"), O_RDONLY | O_CLOEXEC));
	T("F_GETFD", fcntl(fd, F_GETFD));
	fd2 = open(S("c"), O_RDONLY);
	T("F_GETFD without O_CLOEXEC", fcntl(fd2, F_GETFD));
	close(fd);
	close(fd2);
	T("open missing", open(S("missing"), O_RDONLY));
	T("open missing/dir/x O_CREAT",
	  open(S("missing/x"), O_WRONLY | O_CREAT, 0644));
	T("open file/ (trailing slash)", open(S("c/"), O_RDONLY));
	T("open newfile/ O_CREAT", open(S("nf/"), O_WRONLY | O_CREAT, 0644));
	T("open empty path", open("", O_RDONLY));
	T("open O_CREAT on dir", open(scratch, O_RDONLY | O_CREAT, 0644));
	T("open O_EXCL|O_CREAT on symlink",
	  open(S("c-link"), O_RDONLY | O_CREAT | O_EXCL, 0644));
	T("openat bad dirfd", openat(999, "c", O_RDONLY));
	T("openat file as dirfd", ({
		  int f = open(S("c"), O_RDONLY);
		  int r = openat(f, "x", O_RDONLY);
		  int e = errno;
		  close(f);
		  errno = e;
		  r;
	  }));
}

static void sec_rw(void)
{
	char buf[64], a[4], b[8];
	struct iovec iov[2];
	int fd;

	section("rw");
	fd = T("open rw O_CREAT", open(S("rw"), O_RDWR | O_CREAT, 0644));
	T("write", write(fd, "0123456789", 10));
	T("lseek SET 2", lseek(fd, 2, SEEK_SET));
	read_text("read 3", fd, 3);
	T("lseek CUR 1", lseek(fd, 1, SEEK_CUR));
	read_text("read 2", fd, 2);
	T("lseek END -3", lseek(fd, -3, SEEK_END));
	read_text("read to end", fd, 10);
	read_text("read at EOF", fd, 10);
	T("lseek negative", lseek(fd, -100, SEEK_CUR));
	T("lseek bad whence", lseek(fd, 0, 42));
	T("pread 4 at 5", pread(fd, buf, 4, 5));
	printf("  got %.4s\n", buf);
	T("lseek CUR after pread", lseek(fd, 0, SEEK_CUR));
	T("pwrite at 20 (hole)", pwrite(fd, "XY", 2, 20));
	T("pread past EOF", pread(fd, buf, 4, 100));
	T("pread negative offset", pread(fd, buf, 4, -1));
	T("lseek END", lseek(fd, 0, SEEK_END));
	T("lseek past EOF", lseek(fd, 30, SEEK_SET));
	T("write past EOF", write(fd, "Z", 1));
	close(fd);
	show_content("content rw", S("rw"));

	fd = open(S("rw"), O_RDWR);
	iov[0] = (struct iovec){"ab", 2};
	iov[1] = (struct iovec){"cdef", 4};
	T("writev", writev(fd, iov, 2));
	T("lseek 0", lseek(fd, 0, SEEK_SET));
	iov[0] = (struct iovec){a, sizeof(a)};
	iov[1] = (struct iovec){b, sizeof(b)};
	T("readv", readv(fd, iov, 2));
	printf("  got %.4s %.8s\n", a, b);
	T("readv iovcnt -1", readv(fd, iov, -1));
	T("ftruncate 4", ftruncate(fd, 4));
	T("lseek CUR after ftruncate", lseek(fd, 0, SEEK_CUR));
	T("fstat size", ({
		  struct stat st;
		  fstat(fd, &st) < 0 ? -1 : (long)st.st_size;
	  }));
	T("ftruncate 8 (grow)", ftruncate(fd, 8));
	T("pread grown tail", pread(fd, buf, 8, 0));
	printf("  zeros after 4: %d\n", !memcmp(buf + 4, "\0\0\0\0", 4));
	T("ftruncate negative", ftruncate(fd, -1));
	T("fsync", fsync(fd));
	T("fdatasync", fdatasync(fd));
	close(fd);
	T("truncate 2", truncate(S("rw"), 2));
	show_content("content after truncate", S("rw"));
	T("truncate missing", truncate(S("nothere"), 0));
	T("truncate dir", truncate(scratch, 0));
	fd = open(S("rw"), O_RDONLY);
	T("write to O_RDONLY", write(fd, "x", 1));
	T("ftruncate O_RDONLY", ftruncate(fd, 0));
	close(fd);
	fd = open(S("rw"), O_WRONLY);
	T("read from O_WRONLY", read(fd, buf, 1));
	close(fd);
	fd = open(scratch, O_RDONLY | O_DIRECTORY);
	T("read a directory", read(fd, buf, 1));
	T("write a directory fd", write(fd, "x", 1));
	close(fd);
	T("read bad fd", read(999, buf, 1));
	T("write bad fd", write(-1, buf, 1));
}

struct statx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};
/* statx(2): the layout from the man page (musl 1.2.3 has no wrapper). */
struct kstatx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, spare0;
	uint64_t ino, size, blocks, attributes_mask;
	struct statx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};
#define STATX_BASIC_STATS 0x7ffU

static void sec_stat(void)
{
	struct kstatx sx;
	struct stat st;
	int fd;

	section("stat");
	put(S("st"), "12345");
	chmod(S("st"), 0640);
	T("symlink st-link", symlink("st", S("st-link")));
	T("symlink dangling", symlink("nowhere", S("dangling")));
	stat_path("stat st", S("st"));
	lstat_path("lstat st-link", S("st-link"));
	stat_path("stat st-link", S("st-link"));
	lstat_path("lstat dangling", S("dangling"));
	stat_path("stat dangling", S("dangling"));
	fd = open(S("st"), O_RDONLY);
	errno = 0;
	int r = fstat(fd, &st);
	show_stat("fstat", r, &st);
	close(fd);
	T("fstat bad fd", fstat(999, &st));
	errno = 0;
	r = fstatat(sfd, "st-link", &st, 0);
	show_stat("fstatat", r, &st);
	errno = 0;
	r = fstatat(sfd, "st-link", &st, AT_SYMLINK_NOFOLLOW);
	show_stat("fstatat AT_SYMLINK_NOFOLLOW", r, &st);
	fd = open(S("st"), O_RDONLY);
	errno = 0;
	r = fstatat(fd, "", &st, AT_EMPTY_PATH);
	show_stat("fstatat AT_EMPTY_PATH", r, &st);
	T("fstatat empty path without flag", fstatat(fd, "", &st, 0));
	close(fd);
	T("fstatat bad flags", fstatat(sfd, "st", &st, 0x40000000));
	T("stat missing", stat(S("missing"), &st));
	T("stat file/x", stat(S("st/x"), &st));

	memset(&sx, 0, sizeof(sx));
	T("statx", syscall(SYS_statx, sfd, "st", 0, STATX_BASIC_STATS, &sx));
	printf("  mode %o size %llu nlink %u\n", sx.mode,
	       (unsigned long long)sx.size, sx.nlink);
	T("statx symlink nofollow",
	  syscall(SYS_statx, sfd, "st-link", AT_SYMLINK_NOFOLLOW,
		  STATX_BASIC_STATS, &sx));
	printf("  mode %o size %llu\n", sx.mode, (unsigned long long)sx.size);
	T("statx missing",
	  syscall(SYS_statx, sfd, "missing", 0, STATX_BASIC_STATS, &sx));
	T("statx reserved mask bit",
	  syscall(SYS_statx, sfd, "st", 0, 0x80000000U, &sx));

	chmod(S("st"), 0644);
	put(S("exe"), "#!/bin/sh\n");
	chmod(S("exe"), 0755);
	T("access F_OK", access(S("st"), F_OK));
	T("access R_OK", access(S("st"), R_OK));
	T("access X_OK on 0644", access(S("st"), X_OK));
	T("access X_OK on 0755", access(S("exe"), X_OK));
	T("access missing", access(S("missing"), F_OK));
	T("access bad mode", access(S("st"), 0x100));
	T("faccessat", faccessat(sfd, "st", R_OK, 0));
	T("faccessat dangling", faccessat(sfd, "dangling", F_OK, 0));
	T("faccessat2 AT_SYMLINK_NOFOLLOW",
	  syscall(SYS_faccessat2, sfd, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
	T("faccessat2 bad flags",
	  syscall(SYS_faccessat2, sfd, "st", F_OK, 0x40000000));
}

static void sec_dirs(void)
{
	char cwd[4096], base[4096];
	int fd;

	section("dirs");
	T("mkdir d1", mkdir(S("d1"), 0755));
	T("mkdir d1 again", mkdir(S("d1"), 0755));
	T("mkdir d1/d2/ (trailing slash)", mkdir(S("d1/d2/"), 0700));
	T("mkdirat d3", mkdirat(sfd, "d1/d3", 0750));
	T("mkdir missing parent", mkdir(S("nope/x"), 0755));
	T("mkdir under a file", mkdir(S("d1file/x"), 0755));
	put(S("d1/f"), "f");
	T("mkdir over a file", mkdir(S("d1/f"), 0755));
	stat_path("stat d1/d2", S("d1/d2"));
	stat_path("stat d1/d3", S("d1/d3"));
	show_dir("ls d1", S("d1"));
	T("rmdir non-empty", rmdir(S("d1")));
	T("rmdir a file", rmdir(S("d1/f")));
	T("rmdir missing", rmdir(S("d1/nothere")));
	T("rmdir d1/d3/.", rmdir(S("d1/d3/.")));
	T("rmdir d1/d3", rmdir(S("d1/d3")));
	T("rmdir d1/d3 again", rmdir(S("d1/d3")));
	show_dir("ls d1 after rmdir", S("d1"));

	/* getcwd relative to where SCRATCH is, so no host path shows. */
	T("chdir scratch", chdir(scratch));
	if (!getcwd(base, sizeof(base)))
		strcpy(base, "?");
	T("chdir d1/d2", chdir("d1/d2"));
	T("getcwd", getcwd(cwd, sizeof(cwd)) ? 0 : -1);
	printf("  cwd SCRATCH%s\n",
	       strncmp(cwd, base, strlen(base)) ? "?" : cwd + strlen(base));
	T("chdir ..", chdir(".."));
	getcwd(cwd, sizeof(cwd));
	printf("  cwd SCRATCH%s\n",
	       strncmp(cwd, base, strlen(base)) ? "?" : cwd + strlen(base));
	T("open relative to cwd", ({
		  int f = open("f", O_RDONLY);
		  if (f >= 0)
			  close(f);
		  f < 0 ? -1 : 0;
	  }));
	T("getcwd size 1", getcwd(cwd, 1) ? 0 : -1);
	T("chdir a file", chdir("f"));
	T("chdir missing", chdir("missing"));
	fd = open(S("d1/d2"), O_RDONLY | O_DIRECTORY);
	T("fchdir", fchdir(fd));
	close(fd);
	getcwd(cwd, sizeof(cwd));
	printf("  cwd SCRATCH%s\n",
	       strncmp(cwd, base, strlen(base)) ? "?" : cwd + strlen(base));
	fd = open(S("d1/f"), O_RDONLY);
	T("fchdir a file", fchdir(fd));
	close(fd);
	T("fchdir bad fd", fchdir(999));
	/* The cwd removed under us. */
	T("mkdir gone", mkdir(S("gone"), 0755));
	T("chdir gone", chdir(S("gone")));
	T("rmdir gone (the cwd)", rmdir(S("gone")));
	T("getcwd of a removed cwd", getcwd(cwd, sizeof(cwd)) ? 0 : -1);
	T("creat in a removed cwd", creat("x", 0644));
	T("chdir back", chdir(scratch));

	/* Many entries: getdents64 over several calls. */
	T("mkdir many", mkdir(S("many"), 0755));
	for (int i = 0; i < 40; i++) {
		char name[32];
		snprintf(name, sizeof(name), "many/file-%02d", i);
		close(open(S(name), O_WRONLY | O_CREAT, 0644));
	}
	T("symlink many/l", symlink("file-00", S("many/l")));
	T("mkdir many/sub", mkdir(S("many/sub"), 0755));
	show_dir("ls many", S("many"));
	fd = open(S("many/file-00"), O_RDONLY);
	char buf[256];
	T("getdents64 on a file",
	  syscall(SYS_getdents64, fd, buf, sizeof(buf)));
	close(fd);
	fd = open(S("many"), O_RDONLY | O_DIRECTORY);
	T("getdents64 buffer too small", syscall(SYS_getdents64, fd, buf, 8));
	T("getdents64 bad fd", syscall(SYS_getdents64, 999, buf, sizeof(buf)));
	close(fd);
}

static void sec_names(void)
{
	char buf[64];
	struct stat st;
	long n;

	section("names");
	put(S("a"), "A");
	put(S("b"), "B");
	mkdir(S("dir"), 0755);
	mkdir(S("full"), 0755);
	put(S("full/x"), "x");
	T("unlink a file", unlink(S("b")));
	T("unlink it again", unlink(S("b")));
	T("unlink a directory", unlink(S("dir")));
	T("unlinkat AT_REMOVEDIR", unlinkat(sfd, "dir", AT_REMOVEDIR));
	T("unlinkat AT_REMOVEDIR a file", unlinkat(sfd, "a", AT_REMOVEDIR));
	T("unlinkat bad flag", unlinkat(sfd, "a", 0x1));
	mkdir(S("dir"), 0755);
	put(S("b"), "B");
	T("rename a -> a2", rename(S("a"), S("a2")));
	show_content("content a2", S("a2"));
	T("stat a (gone)", stat(S("a"), &st));
	T("rename a2 over b", rename(S("a2"), S("b")));
	show_content("content b", S("b"));
	T("rename to itself", rename(S("b"), S("b")));
	T("rename missing", rename(S("nothere"), S("x")));
	T("rename file over dir", rename(S("b"), S("dir")));
	T("rename dir over file", rename(S("dir"), S("b")));
	T("rename dir over non-empty dir", rename(S("dir"), S("full")));
	mkdir(S("empty"), 0755);
	T("rename dir over empty dir", rename(S("dir"), S("empty")));
	T("rename dir into itself", rename(S("empty"), S("empty/sub")));
	T("renameat", renameat(sfd, "b", sfd, "full/b"));
	put(S("p"), "P");
	put(S("q"), "Q");
	T("renameat2 NOREPLACE onto existing",
	  syscall(SYS_renameat2, sfd, "p", sfd, "q", 1 /* NOREPLACE */));
	T("renameat2 NOREPLACE",
	  syscall(SYS_renameat2, sfd, "p", sfd, "p2", 1));
	T("renameat2 EXCHANGE",
	  syscall(SYS_renameat2, sfd, "p2", sfd, "q", 2 /* EXCHANGE */));
	show_content("content p2", S("p2"));
	show_content("content q", S("q"));
	T("renameat2 EXCHANGE with missing",
	  syscall(SYS_renameat2, sfd, "p2", sfd, "nothere", 2));
	T("renameat2 both flags",
	  syscall(SYS_renameat2, sfd, "p2", sfd, "q", 3));
	show_dir("ls after renames", scratch);

	T("link q -> q-hard", link(S("q"), S("q-hard")));
	stat_path("stat q (2 links)", S("q"));
	put(S("q-hard"), "rewritten");
	show_content("content q via the other link", S("q"));
	T("unlink q", unlink(S("q")));
	stat_path("stat q-hard (1 link)", S("q-hard"));
	T("link onto existing", link(S("q-hard"), S("p2")));
	T("link a directory", link(S("full"), S("full2")));
	T("link missing", link(S("nothere"), S("x")));
	T("linkat", linkat(sfd, "q-hard", sfd, "q3", 0));
	T("symlink", symlink("q-hard", S("sym")));
	T("symlink onto existing", symlink("q-hard", S("sym")));
	T("symlinkat", symlinkat("../up", sfd, "sym2"));
	n = T("readlink", readlink(S("sym"), buf, sizeof(buf)));
	printf("  target %.*s\n", (int)(n > 0 ? n : 0), buf);
	n = T("readlinkat", readlinkat(sfd, "sym2", buf, sizeof(buf)));
	printf("  target %.*s\n", (int)(n > 0 ? n : 0), buf);
	n = T("readlink short buffer", readlink(S("sym"), buf, 3));
	printf("  target %.*s\n", (int)(n > 0 ? n : 0), buf);
	T("readlink not a link", readlink(S("q-hard"), buf, sizeof(buf)));
	T("readlink missing", readlink(S("nothere"), buf, sizeof(buf)));
	T("readlink bufsize 0", readlink(S("sym"), buf, 0));
	show_content("read through sym", S("sym"));
	T("unlink sym (not its target)", unlink(S("sym")));
	stat_path("stat q-hard", S("q-hard"));
	/* An open file outlives its name. */
	int fd = open(S("q3"), O_RDWR);
	T("unlink open file", unlink(S("q3")));
	T("write to unlinked", write(fd, "still", 5));
	T("lseek", lseek(fd, 0, SEEK_SET));
	read_text("read unlinked", fd, 20);
	close(fd);
}

static void sec_attrs(void)
{
	struct stat st;
	int fd;

	section("attrs");
	umask(022);
	T("umask 027 returns old", umask(027));
	fd = open(S("um"), O_WRONLY | O_CREAT, 0666);
	close(fd);
	stat_path("stat um (0666 & ~027)", S("um"));
	T("mkdir umd", mkdir(S("umd"), 0777));
	stat_path("stat umd", S("umd"));
	T("umask 022 returns old", umask(022));
	T("chmod 0600", chmod(S("um"), 0600));
	stat_path("stat um", S("um"));
	T("chmod 04755 (setuid kept)", chmod(S("um"), 04755));
	stat_path("stat um", S("um"));
	fd = open(S("um"), O_RDONLY);
	T("fchmod 0444", fchmod(fd, 0444));
	errno = 0;
	int r = fstat(fd, &st);
	show_stat("fstat um", r, &st);
	T("fchown to self", fchown(fd, getuid(), getgid()));
	T("fchown -1 -1", fchown(fd, -1, -1));
	close(fd);
	T("chown to self", chown(S("um"), getuid(), getgid()));
	T("lchown to self", lchown(S("um"), getuid(), getgid()));
	T("fchownat", fchownat(sfd, "um", getuid(), getgid(), 0));
	T("fchmodat", fchmodat(sfd, "um", 0640, 0));
	stat_path("stat um", S("um"));
	T("chmod missing", chmod(S("nothere"), 0644));
	T("fchmod bad fd", fchmod(999, 0644));
	T("chmod through symlink", ({
		  symlink("um", S("um-link"));
		  chmod(S("um-link"), 0604);
	  }));
	stat_path("stat um", S("um"));
	lstat_path("lstat um-link", S("um-link"));
}

static void sec_fds(void)
{
	struct flock fl;
	int p[2], fd, fd2;
	char buf[64];

	section("fds");
	put(S("f"), "file");
	/* The lowest free descriptor is used: 3 here, as 0-2 are open. */
	fd = T("open (lowest free)", open(S("f"), O_RDONLY));
	fd2 = T("dup", dup(fd));
	T("dup2 to 10", dup2(fd, 10));
	T("dup2 same fd", dup2(fd, fd));
	T("dup2 bad fd", dup2(999, 11));
	T("dup3 O_CLOEXEC", dup3(fd, 12, O_CLOEXEC));
	T("F_GETFD 12", fcntl(12, F_GETFD));
	/* The raw call: musl's dup3() checks some of this itself. */
	T("dup3 same fd", syscall(SYS_dup3, fd, fd, 0));
	T("dup3 bad flags", syscall(SYS_dup3, fd, 13, 0x1));
	T("close 10", close(10));
	T("close 10 again", close(10));
	T("close 12", close(12));
	T("dup shares offset: read", read(fd, buf, 2));
	T("dup shares offset: lseek dup", lseek(fd2, 0, SEEK_CUR));
	T("F_DUPFD >= 20", fcntl(fd, F_DUPFD, 20));
	T("F_DUPFD_CLOEXEC >= 20", fcntl(fd, F_DUPFD_CLOEXEC, 20));
	T("F_GETFD 21", fcntl(21, F_GETFD));
	T("F_SETFD 0", fcntl(21, F_SETFD, 0));
	T("F_GETFD 21 after", fcntl(21, F_GETFD));
	close(20);
	close(21);
	T("F_GETFL", getfl(fd));
	T("F_SETFL O_NONBLOCK|O_APPEND",
	  fcntl(fd, F_SETFL, O_NONBLOCK | O_APPEND));
	T("F_GETFL after", getfl(fd) == (O_RDONLY | O_NONBLOCK | O_APPEND));
	T("F_GETFL shared by the dup", getfl(fd2) == (O_NONBLOCK | O_APPEND));
	T("fcntl bad cmd", fcntl(fd, 9999));
	T("fcntl bad fd", fcntl(999, F_GETFD));
	close(fd2);

	/* Record locks: granted; a process never conflicts with itself. */
	fd = open(S("f"), O_RDWR);
	fl = (struct flock){.l_type = F_WRLCK,
			    .l_whence = SEEK_SET,
			    .l_start = 0,
			    .l_len = 4};
	T("F_SETLK write lock", fcntl(fd, F_SETLK, &fl));
	fl.l_type = F_WRLCK;
	T("F_GETLK", fcntl(fd, F_GETLK, &fl));
	printf("  l_type %s\n", fl.l_type == F_UNLCK ? "F_UNLCK" : "locked");
	fl.l_type = F_RDLCK;
	T("F_SETLKW read lock", fcntl(fd, F_SETLKW, &fl));
	fl.l_type = F_UNLCK;
	T("F_SETLK unlock", fcntl(fd, F_SETLK, &fl));
	fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET};
	T("F_OFD_SETLK", fcntl(fd, F_OFD_SETLK, &fl));
	fl.l_type = F_WRLCK;
	T("F_OFD_GETLK", fcntl(fd, F_OFD_GETLK, &fl));
	printf("  l_type %s\n", fl.l_type == F_UNLCK ? "F_UNLCK" : "locked");
	fl.l_type = 42;
	T("F_SETLK bad type", fcntl(fd, F_SETLK, &fl));

	/* ioctl on a regular file. */
	struct termios tio;
	T("ioctl TCGETS on a file", ioctl(fd, TCGETS, &tio));
	T("ioctl bad fd", ioctl(999, TCGETS, &tio));
	close(fd);

	/* Pipes. */
	T("pipe", pipe(p));
	T("write pipe", write(p[1], "through", 7));
	read_text("read pipe", p[0], 3);
	read_text("read pipe rest", p[0], 100);
	T("lseek on a pipe", lseek(p[0], 0, SEEK_SET));
	T("fsync on a pipe", fsync(p[0]));
	T("write read end", write(p[0], "x", 1));
	T("read write end", read(p[1], buf, 1));
	T("F_GETFL read end", getfl(p[0]));
	T("F_GETFL write end", getfl(p[1]));
	T("F_SETFL O_NONBLOCK", fcntl(p[0], F_SETFL, O_NONBLOCK));
	T("read empty non-blocking pipe", read(p[0], buf, 1));
	T("close write end", close(p[1]));
	T("read at EOF", read(p[0], buf, 1));
	close(p[0]);
	T("pipe2 O_CLOEXEC|O_NONBLOCK", pipe2(p, O_CLOEXEC | O_NONBLOCK));
	T("F_GETFD", fcntl(p[0], F_GETFD));
	T("F_GETFL", getfl(p[1]));
	T("read empty", read(p[0], buf, 1));
	T("pipe2 bad flags", pipe2(p + 0, 0x1) < 0 ? -1 : 0);
	signal(SIGPIPE, SIG_IGN);
	close(p[0]);
	T("write with no reader", write(p[1], "x", 1));
	close(p[1]);
	struct stat st;
	T("pipe", pipe(p));
	errno = 0;
	int r = fstat(p[0], &st);
	printf("fstat pipe = %d %s\n", r, type_name(st.st_mode));
	close(p[0]);
	close(p[1]);

	/* Descriptors run out: EMFILE at the limit (not printed, it
	 * differs), then close them all again. */
	struct rlimit rl = {256, 256};
	setrlimit(RLIMIT_NOFILE, &rl);
	static int fds[100000];
	int n = 0, err = 0;
	while (n < 100000) {
		int f = open(S("f"), O_RDONLY);
		if (f < 0) {
			err = errno;
			break;
		}
		fds[n++] = f;
	}
	printf("open until it fails = -1 %s\n", err ? ename(err) : "none");
	T("dup at the limit", dup(0));
	T("pipe at the limit", pipe(p));
	for (int i = 0; i < n; i++)
		close(fds[i]);
	fd = T("open after closing", open(S("f"), O_RDONLY));
	close(fd);
	T("close bad fd", close(-1));
	T("close 999", close(999));
}

static void sec_sendfile(void)
{
	int in, out, p[2];
	off_t off;
	char buf[64];

	section("sendfile");
	put(S("src"), "0123456789abcdef");
	in = open(S("src"), O_RDONLY);
	out = open(S("dst"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	T("sendfile file -> file", sendfile(out, in, NULL, 10));
	T("in offset moved", lseek(in, 0, SEEK_CUR));
	off = 12;
	T("sendfile with offset", sendfile(out, in, &off, 100));
	T("offset updated", off);
	T("in offset unchanged", lseek(in, 0, SEEK_CUR));
	T("sendfile at EOF", sendfile(out, in, &off, 10));
	close(out);
	show_content("content dst", S("dst"));
	T("pipe", pipe(p));
	off = 0;
	T("sendfile file -> pipe", sendfile(p[1], in, &off, 16));
	read_text("read pipe", p[0], 64);
	T("sendfile bad in fd", sendfile(p[1], 999, NULL, 1));
	T("sendfile to O_RDONLY", sendfile(in, in, NULL, 1));
	T("sendfile negative offset", ({
		  off = -1;
		  sendfile(p[1], in, &off, 1);
	  }));
	close(p[0]);
	close(p[1]);
	close(in);
	(void)buf;
}

static void sec_mmap(void)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd;
	char *m;

	section("mmap");
	fd = open(R("data/big"), O_RDONLY);
	struct stat st;
	fstat(fd, &st);
	m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	T("mmap data/big MAP_PRIVATE read", m == MAP_FAILED ? -1 : 0);
	if (m != MAP_FAILED) {
		printf("  fnv %08x\n", fnv(m, st.st_size));
		/* The last page past EOF reads as zeros. */
		long tail = (st.st_size + page - 1) / page * page;
		int zero = 1;
		for (long i = st.st_size; i < tail; i++)
			zero = zero && m[i] == 0;
		printf("  tail zeros %d\n", zero);
		munmap(m, st.st_size);
	}
	m = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, page);
	T("mmap at offset one page", m == MAP_FAILED ? -1 : 0);
	if (m != MAP_FAILED) {
		printf("  fnv %08x\n", fnv(m, page));
		munmap(m, page);
	}
	T("mmap unaligned offset",
	  mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED ? -1
									  : 0);
	T("mmap MAP_SHARED PROT_WRITE on O_RDONLY",
	  mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) ==
			  MAP_FAILED
		  ? -1
		  : 0);
	close(fd);
	T("mmap bad fd",
	  mmap(NULL, page, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED ? -1
									 : 0);
	fd = open(scratch, O_RDONLY | O_DIRECTORY);
	T("mmap a directory",
	  mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED ? -1
									: 0);
	close(fd);

	/* Written privately: the file does not change. */
	put(S("m"), "private original");
	fd = open(S("m"), O_RDWR);
	m = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	T("mmap MAP_PRIVATE write", m == MAP_FAILED ? -1 : 0);
	if (m != MAP_FAILED) {
		memcpy(m, "PRIVATE", 7);
		printf("  mapping %.16s\n", m);
		munmap(m, page);
	}
	close(fd);
	show_content("file after private write", S("m"));

	/* Shared: stores reach the file, read() sees them, and writes
	 * through write() show in the mapping. */
	put(S("s"), "shared original.");
	fd = open(S("s"), O_RDWR);
	m = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	T("mmap MAP_SHARED write", m == MAP_FAILED ? -1 : 0);
	if (m != MAP_FAILED) {
		memcpy(m, "SHARED", 6);
		T("msync", msync(m, page, MS_SYNC));
		T("lseek 0", lseek(fd, 0, SEEK_SET));
		read_text("read() sees the store", fd, 16);
		T("pwrite", pwrite(fd, "W", 1, 15));
		printf("  mapping sees write() %.16s\n", m);
		munmap(m, page);
	}
	close(fd);
	show_content("file after shared write", S("s"));
}

static void sec_errors(void)
{
	char name[300], *path;
	struct stat st;

	section("errors");
	memset(name, 'n', 255);
	name[255] = '\0';
	T("create 255-byte name", creat(S(name), 0644) >= 0 ? 0 : -1);
	T("stat 255-byte name", stat(S(name), &st));
	T("unlink 255-byte name", unlink(S(name)));
	name[255] = 'n';
	name[256] = '\0';
	T("create 256-byte name", creat(S(name), 0644));
	T("stat 256-byte name", stat(S(name), &st));
	T("mkdir 256-byte name", mkdir(S(name), 0755));
	path = malloc(5000);
	memset(path, 'a', 4999);
	path[0] = '/';
	for (int i = 100; i < 4999; i += 100)
		path[i] = '/';
	path[4999] = '\0';
	T("stat path of 4999 bytes", stat(path, &st));
	T("open path of 4999 bytes", open(path, O_RDONLY));
	free(path);

	/* Symlink loops and chains (path_resolution(7): 40 links). */
	T("symlink loop1 -> loop2", symlink("loop2", S("loop1")));
	T("symlink loop2 -> loop1", symlink("loop1", S("loop2")));
	T("open a loop", open(S("loop1"), O_RDONLY));
	T("stat a loop", stat(S("loop1"), &st));
	T("lstat a loop", lstat(S("loop1"), &st));
	T("symlink self", symlink("self", S("self")));
	T("open self-link", open(S("self"), O_RDONLY));
	T("open self-link O_CREAT", open(S("self"), O_WRONLY | O_CREAT, 0644));
	put(S("chain-end"), "end");
	for (int i = 1; i <= 41; i++) {
		char l[32], t[32];
		snprintf(l, sizeof(l), "chain%d", i);
		if (i == 1)
			snprintf(t, sizeof(t), "chain-end");
		else
			snprintf(t, sizeof(t), "chain%d", i - 1);
		symlink(t, S(l));
	}
	show_content("read through 40 links", S("chain40"));
	T("open through 41 links", open(S("chain41"), O_RDONLY));
	mkdir(S("ld"), 0755);
	put(S("ld/f"), "in ld");
	symlink("ld", S("ld-link"));
	show_content("a symlinked directory in the middle", S("ld-link/f"));
	T("symlinked dir with trailing slash O_NOFOLLOW", ({
		  int f = open(S("ld-link/"), O_RDONLY | O_NOFOLLOW);
		  if (f >= 0)
			  close(f);
		  f < 0 ? -1 : 0;
	  }));
	T("lstat symlink/ follows", ({
		  lstat(S("ld-link/"), &st) < 0 ? -1
						: (long)S_ISDIR(st.st_mode);
	  }));
	T("rmdir symlink-to-dir", rmdir(S("ld-link")));
	T("unlink symlink-to-dir/", unlink(S("ld-link/")));
	T("unlink symlink-to-dir", unlink(S("ld-link")));

	/* . and .. */
	T("stat ld/.", stat(S("ld/."), &st));
	T("stat ld/..", stat(S("ld/.."), &st));
	T("stat ld/f/..", stat(S("ld/f/.."), &st));
	T("mkdir ld/.", mkdir(S("ld/."), 0755));
	T("rmdir ld/..", rmdir(S("ld/..")));
	T("unlink ld/.", unlink(S("ld/.")));
	T("rename ld/. away", rename(S("ld/."), S("ld2")));
	T("rename onto ld/..", rename(S("ld/f"), S("ld/..")));

	/* EFAULT: bad pointers are refused, not followed. */
	T("open bad path pointer", open((const char *)8, O_RDONLY));
	/* The raw call: musl's stat() would copy through the pointer. */
	T("stat bad buffer",
	  syscall(SYS_newfstatat, AT_FDCWD, S("ld/f"), (void *)8, 0));
	int fd = open(S("ld/f"), O_RDONLY);
	T("read into a bad buffer", read(fd, (void *)8, 4));
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: fsops ROOT SCRATCH\n");
		return 2;
	}
	root = strcmp(argv[1], "/") ? argv[1] : "";
	scratch = argv[2];
	/* Descriptors a host shell or make passed on would shift ours. */
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	umask(022);
	if (mkdir(scratch, 0755) < 0 && errno != EEXIST) {
		perror(scratch);
		return 1;
	}
	sfd = open(scratch, O_RDONLY | O_DIRECTORY);
	if (sfd < 0) {
		perror(scratch);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sec_rootfs();
	sec_open();
	sec_rw();
	sec_stat();
	sec_dirs();
	sec_names();
	sec_attrs();
	sec_fds();
	sec_sendfile();
	sec_mmap();
	sec_errors();
	section("end");
	return 0;
}
