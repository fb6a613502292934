/* The descriptor table: fd -> open file, with FD_CLOEXEC per descriptor. */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/mm.h>
#include <kernel/string.h>

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

/* fds[0..nslots) is allocated; it doubles when an install needs more. */
static struct fd_slot *fds;
static int nslots;
static int limit = FD_SOFT_DEFAULT;

void fd_set_limit(uint64_t n)
{
	limit = n < FD_MAX ? (int)n : FD_MAX;
}

/* Make room for descriptor fd (< FD_MAX); 0 or -EMFILE when out of memory
 * (Linux's expand_files answers -EMFILE there too). */
static int grow(int fd)
{
	int n = nslots ? nslots : 64;
	struct fd_slot *bigger;

	while (n <= fd)
		n *= 2;
	if (n > FD_MAX)
		n = FD_MAX;
	if (!(bigger = kzalloc((size_t)n * sizeof *bigger)))
		return -EMFILE;
	if (fds)
		memcpy(bigger, fds, (size_t)nslots * sizeof *fds);
	kfree(fds);
	fds = bigger;
	nslots = n;
	return 0;
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

	for (int i = 0; i < nslots; i++)
		fd_close(i);
	if (!fds && grow(2) < 0)
		return -ENOMEM;
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
	return fd >= 0 && fd < nslots ? fds[fd].f : NULL;
}

int fd_install(struct file *f, int min, bool cloexec)
{
	if (min < 0)
		return -EINVAL;
	for (int i = min; i < limit; i++) {
		if (i >= nslots && grow(i) < 0)
			return -EMFILE;
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
		if (i >= nslots || !fds[i].f)
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
	if (newfd >= nslots && grow(newfd) < 0)
		return -EMFILE;
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
