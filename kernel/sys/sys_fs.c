/* File-system calls before there are files: the console fds, and ENOENT. */
#include <kernel/errno.h>
#include <kernel/time.h>

#include "fd.h"
#include "syscall.h"
#include <kernel/uaccess.h>

#define PATH_MAX_     4096
#define AT_EMPTY_PATH 0x1000
#define S_IFCHR	      0020000

/* The kernel's struct stat on x86-64 (144 bytes). */
struct k_stat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	int64_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
	int64_t unused[3];
};
_Static_assert(sizeof(struct k_stat) == 144, "struct stat");

/*
 * No file system yet: every path names nothing. The path is still
 * checked, so a bad pointer gets -EFAULT and an overlong one
 * -ENAMETOOLONG, as they would with files.
 */
static long no_such_file(const char __user *path)
{
	long n = strnlen_user(path, PATH_MAX_);

	return n < 0 ? n : -ENOENT;
}

/* A console fd looks like a serial terminal: a character device (the
 * first 16550, major 4 minor 64, as /dev/ttyS0). */
static long stat_fd(int fd, struct k_stat __user *out)
{
	uint64_t now = clock_realtime_ns();
	struct k_stat st = {
	    .dev = 5,
	    .ino = 3 + (uint64_t)fd,
	    .nlink = 1,
	    .mode = S_IFCHR | 0620,
	    .rdev = (4 << 8) | 64,
	    .blksize = 1024,
	    .atime = (int64_t)(now / NSEC_PER_SEC),
	    .mtime = (int64_t)(now / NSEC_PER_SEC),
	    .ctime = (int64_t)(now / NSEC_PER_SEC),
	};

	if (fd_check(fd) < 0)
		return -EBADF;
	return copy_to_user(out, &st, sizeof st);
}

long sys_open(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];

	return no_such_file(path);
}

long sys_openat(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[1];

	return no_such_file(path);
}

long sys_access(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];

	return no_such_file(path);
}

long sys_faccessat(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[1];

	return no_such_file(path);
}

long sys_readlink(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];

	return no_such_file(path);
}

long sys_readlinkat(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[1];

	return no_such_file(path);
}

long sys_fstat(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	struct k_stat __user *st = (void __user *)a->arg[1];

	return stat_fd(fd, st);
}

long sys_newfstatat(const struct sys_args *a)
{
	int dirfd = (int)a->arg[0];
	const char __user *path = (const char __user *)a->arg[1];
	struct k_stat __user *st = (void __user *)a->arg[2];
	int flags = (int)a->arg[3];
	char c;
	int err;

	/* fstatat(fd, "", st, AT_EMPTY_PATH) is how musl's fstat() asks. */
	if ((flags & AT_EMPTY_PATH)) {
		if ((err = copy_from_user(&c, path, 1)) < 0)
			return err;
		if (c == '\0')
			return stat_fd(dirfd, st);
	}
	return no_such_file(path);
}
