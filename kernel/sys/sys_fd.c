/* Descriptor system calls: close, dup, fcntl, flock, ioctl, pipe, sendfile. */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/mm.h>
#include <kernel/uaccess.h>

#include "fs/vfs.h"
#include "signal.h"
#include "syscall.h"

#define SIGPIPE 13

long sys_close(const struct sys_args *a)
{
	int fd = (int)a->arg[0];

	return fd_close(fd);
}

#define CLOSE_RANGE_UNSHARE 2
#define CLOSE_RANGE_CLOEXEC 4

long sys_close_range(const struct sys_args *a)
{
	unsigned int first = (unsigned int)a->arg[0];
	unsigned int last = (unsigned int)a->arg[1];
	unsigned int flags = (unsigned int)a->arg[2];

	if (flags & ~(unsigned int)(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	for (unsigned int fd = first; fd <= last && fd < (unsigned int)fd_limit();
	     fd++) {
		if (flags & CLOSE_RANGE_CLOEXEC)
			fd_set_cloexec((int)fd, true);
		else
			fd_close((int)fd);
	}
	return 0;
}

long sys_dup(const struct sys_args *a)
{
	int fd = (int)a->arg[0];

	return fd_dup_min(fd, 0, false);
}

long sys_dup2(const struct sys_args *a)
{
	int oldfd = (int)a->arg[0];
	int newfd = (int)a->arg[1];

	return fd_dup_to(oldfd, newfd, false);
}

long sys_dup3(const struct sys_args *a)
{
	int oldfd = (int)a->arg[0];
	int newfd = (int)a->arg[1];
	int flags = (int)a->arg[2];

	if ((flags & ~O_CLOEXEC) || oldfd == newfd)
		return -EINVAL;
	return fd_dup_to(oldfd, newfd, flags & O_CLOEXEC);
}

/* fcntl(2) commands (Linux's fcntl.h). */
#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_GETLK		5
#define F_SETLK		6
#define F_SETLKW	7
#define F_SETOWN	8
#define F_GETOWN	9
#define F_OFD_GETLK	36
#define F_OFD_SETLK	37
#define F_OFD_SETLKW	38
#define F_SETLEASE	1024
#define F_GETLEASE	1025
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ	1031
#define F_GETPIPE_SZ	1032

#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2

/* Status flags F_SETFL may change. */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

struct k_flock {
	int16_t type, whence;
	int32_t pad;
	int64_t start, len;
	int32_t pid, pad2;
};

/*
 * Record locks: one process holds every lock there is, so each request
 * succeeds and F_GETLK finds nothing in the way. The request is still
 * checked as Linux checks it.
 */
static long record_lock(struct file *f, int cmd, void __user *arg)
{
	bool ofd = cmd >= F_OFD_GETLK && cmd <= F_OFD_SETLKW;
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	struct k_flock l;
	int err;

	if ((err = copy_from_user(&l, arg, sizeof l)) < 0)
		return err;
	if (l.type < F_RDLCK || l.type > F_UNLCK || l.whence < 0 ||
	    l.whence > 2 || (ofd && l.pid != 0))
		return -EINVAL;
	if (f->flags & O_PATH)
		return -EBADF;
	if (get) {
		l.type = F_UNLCK;
		return copy_to_user(arg, &l, sizeof l);
	}
	if ((l.type == F_RDLCK && !file_readable(f)) ||
	    (l.type == F_WRLCK && !file_writable(f)))
		return -EBADF;
	return 0;
}

static long fcntl_file(int fd, struct file *f, int cmd, uint64_t arg)
{
	int64_t cap;

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= (uint64_t)fd_limit())
			return -EINVAL;
		return fd_dup_min(fd, (int)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fd_get_cloexec(fd);
	case F_SETFD:
		return fd_set_cloexec(fd, arg & FD_CLOEXEC);
	case F_GETFL:
		return f->flags;
	case F_SETFL:
		if (f->flags & O_PATH)
			return -EBADF;
		f->flags = (f->flags & ~(uint32_t)SETFL_MASK) |
			   ((uint32_t)arg & SETFL_MASK);
		return 0;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return record_lock(f, cmd, (void __user *)arg);
	case F_GETOWN:
	case F_SETOWN:
		return 0;
	case F_GETLEASE:
		return F_UNLCK;
	case F_GETPIPE_SZ:
		return pipe_capacity(f);
	case F_SETPIPE_SZ:
		if ((cap = pipe_capacity(f)) < 0)
			return cap;
		return arg <= (uint64_t)cap ? cap : -EPERM;
	default:
		return -EINVAL;
	}
}

long sys_fcntl(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	int cmd = (int)a->arg[1];
	uint64_t arg = a->arg[2];
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = fcntl_file(fd, f, cmd, arg);
	file_put(f);
	return r;
}

#define LOCK_SH	  1
#define LOCK_EX	  2
#define LOCK_NB	  4
#define LOCK_UN	  8
#define LOCK_MAND 32

/* flock(2): like record locks, always granted. */
long sys_flock(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	unsigned int op = (unsigned int)a->arg[1];
	unsigned int cmd = op & ~(unsigned int)LOCK_NB;
	struct file *f = fd_get(fd);
	int err = 0;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		err = -EBADF;
	else if (!(op & LOCK_MAND) && cmd != LOCK_SH && cmd != LOCK_EX &&
		 cmd != LOCK_UN)
		err = -EINVAL;
	file_put(f);
	return err;
}

/* ioctl requests every descriptor understands (asm-generic/ioctls.h). */
#define FIONREAD 0x541b
#define FIONBIO	 0x5421
#define FIONCLEX 0x5450
#define FIOCLEX	 0x5451

static long ioctl_file(int fd, struct file *f, unsigned int req, uint64_t arg)
{
	void __user *p = (void __user *)arg;
	int on, err;
	int64_t n;

	switch (req) {
	case FIOCLEX:
	case FIONCLEX:
		return fd_set_cloexec(fd, req == FIOCLEX);
	case FIONBIO:
		if ((err = copy_from_user(&on, p, sizeof on)) < 0)
			return err;
		f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		return 0;
	case FIONREAD:
		if (!f->ops->nread)
			return -ENOTTY;
		if ((n = f->ops->nread(f)) < 0)
			return n;
		on = (int)MIN(n, INT32_MAX);
		return copy_to_user(p, &on, sizeof on);
	default:
		return f->ops->ioctl ? f->ops->ioctl(f, req, arg) : -ENOTTY;
	}
}

long sys_ioctl(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	unsigned int req = (unsigned int)a->arg[1];
	uint64_t arg = a->arg[2];
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = f->flags & O_PATH ? -EBADF : ioctl_file(fd, f, req, arg);
	file_put(f);
	return r;
}

static long do_pipe2(int __user *ufds, int flags)
{
	struct file *ends[2];
	int fds[2], err;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if ((err = pipe_create(flags, ends)) < 0)
		return err;
	fds[0] = fd_install(ends[0], 0, flags & O_CLOEXEC);
	fds[1] = fds[0] < 0 ? -EMFILE
			    : fd_install(ends[1], 0, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		if (fds[0] >= 0)
			fd_close(fds[0]);
		else
			file_put(ends[0]);
		file_put(ends[1]);
		return -EMFILE;
	}
	if ((err = copy_to_user(ufds, fds, sizeof fds)) < 0) {
		fd_close(fds[0]);
		fd_close(fds[1]);
	}
	return err;
}

long sys_pipe(const struct sys_args *a)
{
	int __user *fds = (int __user *)a->arg[0];

	return do_pipe2(fds, 0);
}

long sys_pipe2(const struct sys_args *a)
{
	int __user *fds = (int __user *)a->arg[0];
	int flags = (int)a->arg[1];

	return do_pipe2(fds, flags);
}

/*
 * sendfile: in_fd must have a position (a file), out_fd may be anything
 * writable. A plain read-then-write loop through a kernel buffer, so it
 * works for any pair (sockets too, once they exist).
 */
static long copy_file(struct file *in, uint64_t *pos, struct file *out,
		      size_t count)
{
	char *buf = kmalloc(PAGE_SIZE);
	size_t done = 0;
	long err = 0;

	if (!buf)
		return -ENOMEM;
	count = MIN(count, RW_MAX);
	while (done < count) {
		struct uio u = uio_kernel(buf, MIN(count - done, PAGE_SIZE));
		uint64_t start = *pos;
		ssize_t r = file_read(in, &u, pos), w;

		if (r <= 0) {
			err = r;
			break;
		}
		u.len = (size_t)r;
		w = file_write(out, &u, &out->pos);
		if (w <= 0) {
			*pos = start;
			err = w;
			break;
		}
		done += (size_t)w;
		if (w < r) {
			*pos = start + (uint64_t)w;
			break;
		}
	}
	kfree(buf);
	if (err == -EPIPE)
		signal_send_self(SIGPIPE);
	return done ? (long)done : err;
}

long sys_sendfile(const struct sys_args *a)
{
	int out_fd = (int)a->arg[0];
	int in_fd = (int)a->arg[1];
	int64_t __user *uoff = (int64_t __user *)a->arg[2];
	size_t count = a->arg[3];
	struct file *in = fd_get(in_fd), *out = fd_get(out_fd);
	int64_t off = 0;
	uint64_t pos;
	long r;
	int err;

	if (!in || !out || !file_readable(in) || !file_writable(out))
		r = -EBADF;
	else if (!in->ops->lseek || !in->vn || s_isdir(in->vn->mode) ||
		 (out->flags & O_APPEND))
		r = -EINVAL;
	else if (uoff && (r = copy_from_user(&off, uoff, sizeof off)) < 0)
		goto out;
	else if (off < 0)
		r = -EINVAL;
	else if (!uoff)
		r = copy_file(in, &in->pos, out, count);
	else {
		pos = (uint64_t)off;
		r = copy_file(in, &pos, out, count);
		off = (int64_t)pos;
		if ((err = copy_to_user(uoff, &off, sizeof off)) < 0 && r >= 0)
			r = err;
	}
out:
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return r;
}
