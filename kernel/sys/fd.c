/* The file-descriptor table; every open fd is the serial console for now. */
#include <kernel/errno.h>
#include <kernel/log.h>

#include "fd.h"
#include <kernel/uaccess.h>

struct fd_entry {
	bool open;
	bool cloexec;
	int status; /* O_APPEND | O_NONBLOCK as set by fcntl */
};

static struct fd_entry fds[FD_MAX];

void fd_init(void)
{
	for (int i = 0; i < FD_MAX; i++)
		fds[i] = (struct fd_entry){i < 3, false, 0};
}

int fd_check(int fd)
{
	if (fd < 0 || fd >= FD_MAX || !fds[fd].open)
		return -EBADF;
	return 0;
}

int fd_dup_min(int oldfd, int min, bool cloexec)
{
	if (fd_check(oldfd) < 0)
		return -EBADF;
	if (min < 0 || min >= FD_MAX)
		return -EINVAL;
	for (int i = min; i < FD_MAX; i++) {
		if (!fds[i].open) {
			fds[i] = fds[oldfd];
			fds[i].cloexec = cloexec;
			return i;
		}
	}
	return -EMFILE;
}

int fd_dup_to(int oldfd, int newfd, bool cloexec)
{
	if (fd_check(oldfd) < 0 || newfd < 0 || newfd >= FD_MAX)
		return -EBADF;
	if (oldfd != newfd) {
		fds[newfd] = fds[oldfd];
		fds[newfd].cloexec = cloexec;
	}
	return newfd;
}

int fd_close(int fd)
{
	if (fd_check(fd) < 0)
		return -EBADF;
	fds[fd].open = false;
	return 0;
}

int fd_get_cloexec(int fd)
{
	if (fd_check(fd) < 0)
		return -EBADF;
	return fds[fd].cloexec ? FD_CLOEXEC : 0;
}

int fd_set_cloexec(int fd, bool on)
{
	if (fd_check(fd) < 0)
		return -EBADF;
	fds[fd].cloexec = on;
	return 0;
}

int fd_get_status(int fd)
{
	if (fd_check(fd) < 0)
		return -EBADF;
	return O_RDWR | fds[fd].status;
}

int fd_set_status(int fd, int flags)
{
	if (fd_check(fd) < 0)
		return -EBADF;
	fds[fd].status = flags & (O_APPEND | O_NONBLOCK);
	return 0;
}

/* Linux's MAX_RW_COUNT: one read or write moves at most this much. */
#define RW_MAX 0x7ffff000UL
#define CHUNK  256

long fd_write(int fd, const void __user *buf, size_t len)
{
	const char __user *p = buf;
	char chunk[CHUNK];
	size_t done = 0;
	int err;

	if (fd_check(fd) < 0)
		return -EBADF;
	len = MIN(len, RW_MAX);
	/* All or nothing for a bad buffer: nothing reaches the console. */
	if ((err = user_range_ok(buf, len, false)) < 0)
		return err;
	while (done < len) {
		size_t c = MIN(len - done, sizeof chunk);

		if ((err = copy_from_user(chunk, p + done, c)) < 0)
			return done ? (long)done : err;
		console_write(chunk, c);
		done += c;
	}
	return (long)done;
}

long fd_read(int fd, void __user *buf, size_t len)
{
	int err;

	if (fd_check(fd) < 0)
		return -EBADF;
	len = MIN(len, RW_MAX);
	if ((err = user_range_ok(buf, len, true)) < 0)
		return err;
	/* No console input yet: every read is end of file. */
	return 0;
}
