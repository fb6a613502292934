/* The descriptor table: fd -> open file, with FD_CLOEXEC per descriptor. */
#include <kernel/errno.h>
#include <kernel/file.h>

#include "fs/vfs.h"

/*
 * One table for the one process. Files, pipes and (later) sockets,
 * eventfds and epoll instances are all struct file, so dup, close, fcntl
 * and poll treat them alike. The limit is RLIMIT_NOFILE's (fd_set_limit).
 */
struct fd_slot {
	struct file *f;
	bool cloexec;
};

static struct fd_slot fds[FD_MAX];
static int limit = FD_MAX;

void fd_set_limit(uint64_t n)
{
	limit = n < FD_MAX ? (int)n : FD_MAX;
}

int fd_limit(void)
{
	return limit;
}

/* 0, 1 and 2 share one open /dev/console, as a login terminal's do. */
int fd_init(void)
{
	struct file *con;
	int err;

	for (int i = 0; i < FD_MAX; i++)
		fd_close(i);
	err = vfs_open(NULL, "/dev/console", O_RDWR | O_LARGEFILE, 0, &con);
	if (err < 0)
		return err;
	fds[0].f = con;
	fds[1].f = con;
	fds[2].f = con;
	con->refs = 3;
	return 0;
}

static struct file *slot(int fd)
{
	return fd >= 0 && fd < FD_MAX ? fds[fd].f : NULL;
}

int fd_install(struct file *f, int min, bool cloexec)
{
	if (min < 0)
		return -EINVAL;
	for (int i = min; i < limit; i++) {
		if (!fds[i].f) {
			fds[i] = (struct fd_slot){f, cloexec};
			return i;
		}
	}
	return -EMFILE;
}

int fd_check_room(void)
{
	for (int i = 0; i < limit; i++) {
		if (!fds[i].f)
			return 0;
	}
	return -EMFILE;
}

struct file *fd_get(int fd)
{
	struct file *f = slot(fd);

	if (f)
		file_get(f);
	return f;
}

int fd_close(int fd)
{
	struct file *f = slot(fd);

	if (!f)
		return -EBADF;
	fds[fd].f = NULL;
	fds[fd].cloexec = false;
	file_put(f);
	return 0;
}

int fd_dup_min(int oldfd, int min, bool cloexec)
{
	struct file *f = slot(oldfd);
	int fd;

	if (!f)
		return -EBADF;
	if (min < 0 || min >= limit)
		return -EINVAL;
	file_get(f);
	if ((fd = fd_install(f, min, cloexec)) < 0)
		file_put(f);
	return fd;
}

int fd_dup_to(int oldfd, int newfd, bool cloexec)
{
	struct file *f = slot(oldfd), *old;

	if (!f || newfd < 0 || newfd >= limit)
		return -EBADF;
	if (oldfd == newfd)
		return newfd;
	file_get(f);
	old = fds[newfd].f;
	fds[newfd] = (struct fd_slot){f, cloexec};
	if (old)
		file_put(old);
	return newfd;
}

int fd_get_cloexec(int fd)
{
	if (!slot(fd))
		return -EBADF;
	return fds[fd].cloexec ? FD_CLOEXEC : 0;
}

int fd_set_cloexec(int fd, bool on)
{
	if (!slot(fd))
		return -EBADF;
	fds[fd].cloexec = on;
	return 0;
}
