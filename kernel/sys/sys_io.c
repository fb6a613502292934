/* I/O calls on descriptors: read, write, lseek, readv, pread, getdents... */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/socket.h>
#include <kernel/uaccess.h>

#include "fs/vfs.h"
#include "signal.h"
#include "syscall.h"

struct k_iovec {
	uint64_t base;
	uint64_t len;
};

#define IOV_MAX	   1024
#define SSIZE_MAX_ 0x7fffffffffffffffULL
#define SIGPIPE	   13

/*
 * Every call here takes its own reference to the file (fd_get) for the
 * length of the call, so a descriptor closed meanwhile (by another thread,
 * once there are threads) cannot free the file under it. pos is the
 * file's position, or the caller's for pread/pwrite.
 */
static long rw(struct file *f, void __user *buf, size_t len, uint64_t *pos,
	       bool write)
{
	struct uio u = uio_user(buf, MIN(len, RW_MAX));
	long n;
	int err;

	/* A bad buffer is refused before anything moves. */
	if ((err = user_range_ok(buf, u.len, !write)) < 0)
		return err;
	n = write ? file_write(f, &u, pos) : file_read(f, &u, pos);
	if (n == -EPIPE && socket_epipe_signals(f))
		signal_send_self(SIGPIPE);
	return n;
}

static long rw_fd(int fd, void __user *buf, size_t len, bool write)
{
	struct file *f = fd_get(fd);
	long n;

	if (!f)
		return -EBADF;
	n = rw(f, buf, len, &f->pos, write);
	file_put(f);
	return n;
}

long sys_read(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	void __user *buf = (void __user *)a->arg[1];
	size_t len = a->arg[2];

	return rw_fd(fd, buf, len, false);
}

long sys_write(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	void __user *buf = (void __user *)a->arg[1];
	size_t len = a->arg[2];

	return rw_fd(fd, buf, len, true);
}

/* pread/pwrite at off, leaving the file's position alone. */
static long prw_fd(int fd, void __user *buf, size_t len, int64_t off,
		   bool write)
{
	struct file *f = fd_get(fd);
	uint64_t pos = (uint64_t)off;
	long n;

	if (!f)
		return -EBADF;
	if (off < 0)
		n = -EINVAL;
	else if (!f->ops->lseek)
		n = (f->flags & O_PATH) ? -EBADF : -ESPIPE;
	else
		n = rw(f, buf, len, &pos, write);
	file_put(f);
	return n;
}

long sys_pread64(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	void __user *buf = (void __user *)a->arg[1];
	size_t len = a->arg[2];
	int64_t off = (int64_t)a->arg[3];

	return prw_fd(fd, buf, len, off, false);
}

long sys_pwrite64(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	void __user *buf = (void __user *)a->arg[1];
	size_t len = a->arg[2];
	int64_t off = (int64_t)a->arg[3];

	return prw_fd(fd, buf, len, off, true);
}

/* Check every iovec (count, lengths, ranges) before moving a byte, as
 * Linux's import_iovec() does. */
static long check_iov(const struct k_iovec __user *iov, int cnt, bool write)
{
	struct k_iovec v;
	uint64_t total = 0;
	int err;

	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	for (int i = 0; i < cnt; i++) {
		if ((err = copy_from_user(&v, &iov[i], sizeof v)) < 0)
			return err;
		if (v.len > SSIZE_MAX_ ||
		    __builtin_add_overflow(total, v.len, &total) ||
		    total > SSIZE_MAX_)
			return -EINVAL;
		if ((err = user_range_ok((void __user *)v.base, v.len, write)) <
		    0)
			return err;
	}
	return 0;
}

/* readv/writev (pos the file's) and preadv/pwritev (off >= 0). */
static long iov_fd(int fd, const struct k_iovec __user *iov, int cnt,
		   int64_t off, bool write)
{
	struct file *f = fd_get(fd);
	uint64_t local = (uint64_t)off, *pos;
	struct k_iovec v;
	long total = 0, n = 0;

	if (!f)
		return -EBADF;
	pos = off < 0 ? &f->pos : &local;
	if ((n = check_iov(iov, cnt, !write)) < 0)
		goto out;
	if (off >= 0 && !f->ops->lseek) {
		n = -ESPIPE;
		goto out;
	}
	if (file_socket(f)) { /* one message, as Linux's sock_read_iter() */
		n = socket_rw_iov(f, (uint64_t)iov, cnt, write);
		goto out;
	}
	for (int i = 0; i < cnt; i++) {
		if ((n = copy_from_user(&v, &iov[i], sizeof v)) < 0)
			break;
		n = rw(f, (void __user *)v.base, v.len, pos, write);
		if (n < 0)
			break;
		total += n;
		if ((uint64_t)n < v.len)
			break;
	}
out:
	file_put(f);
	return total ? total : n;
}

long sys_readv(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	const struct k_iovec __user *iov = (const void __user *)a->arg[1];
	int cnt = (int)a->arg[2];

	return iov_fd(fd, iov, cnt, -1, false);
}

long sys_writev(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	const struct k_iovec __user *iov = (const void __user *)a->arg[1];
	int cnt = (int)a->arg[2];

	return iov_fd(fd, iov, cnt, -1, true);
}

long sys_preadv(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	const struct k_iovec __user *iov = (const void __user *)a->arg[1];
	int cnt = (int)a->arg[2];
	int64_t off = (int64_t)a->arg[3];

	return off < 0 ? -EINVAL : iov_fd(fd, iov, cnt, off, false);
}

long sys_pwritev(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	const struct k_iovec __user *iov = (const void __user *)a->arg[1];
	int cnt = (int)a->arg[2];
	int64_t off = (int64_t)a->arg[3];

	return off < 0 ? -EINVAL : iov_fd(fd, iov, cnt, off, true);
}

long sys_lseek(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	int64_t off = (int64_t)a->arg[1];
	int whence = (int)a->arg[2];
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		r = -EBADF;
	else if (!f->ops->lseek)
		r = -ESPIPE;
	else
		r = f->ops->lseek(f, off, whence);
	file_put(f);
	return r;
}

long sys_getdents64(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	void __user *buf = (void __user *)a->arg[1];
	size_t count = (unsigned int)a->arg[2];
	struct uio u = uio_user(buf, count);
	struct file *f = fd_get(fd);
	long n;

	if (!f)
		return -EBADF;
	if ((n = user_range_ok(buf, count, true)) == 0)
		n = file_getdents(f, &u);
	file_put(f);
	return n;
}

long sys_ftruncate(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	int64_t length = (int64_t)a->arg[1];
	struct file *f = fd_get(fd);
	int err;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		err = -EBADF;
	else if (length < 0 || !file_writable(f) || !f->vn ||
		 !s_isreg(f->vn->mode))
		err = -EINVAL;
	else
		err = vfs_truncate(f->vn, (uint64_t)length);
	file_put(f);
	return err;
}

/* Everything is in memory: syncing a file or directory has nothing to
 * write; pipes and terminals cannot be synced (-EINVAL, as Linux). */
static long sync_fd(int fd)
{
	struct file *f = fd_get(fd);
	int err = 0;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		err = -EBADF;
	else if (!f->vn || !(s_isreg(f->vn->mode) || s_isdir(f->vn->mode)))
		err = -EINVAL;
	file_put(f);
	return err;
}

long sys_fsync(const struct sys_args *a)
{
	int fd = (int)a->arg[0];

	return sync_fd(fd);
}

long sys_fdatasync(const struct sys_args *a)
{
	int fd = (int)a->arg[0];

	return sync_fd(fd);
}

long sys_sync(const struct sys_args *a)
{
	(void)a;
	return 0;
}

long sys_syncfs(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

#define POSIX_FADV_NOREUSE 5

long sys_fadvise64(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	int64_t len = (int64_t)a->arg[2];
	int advice = (int)a->arg[3];
	struct file *f = fd_get(fd);
	int err = 0;

	if (!f)
		return -EBADF;
	if (!f->vn)
		err = -ESPIPE;
	else if (advice < 0 || advice > POSIX_FADV_NOREUSE || len < 0)
		err = -EINVAL;
	file_put(f);
	return err;
}

#define FALLOC_FL_KEEP_SIZE 1

/* Space is never reserved in memory: fallocate only grows the size. */
long sys_fallocate(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	int mode = (int)a->arg[1];
	int64_t off = (int64_t)a->arg[2];
	int64_t len = (int64_t)a->arg[3];
	struct file *f = fd_get(fd);
	uint64_t end;
	int err = 0;

	if (!f)
		return -EBADF;
	if (off < 0 || len <= 0)
		err = -EINVAL;
	else if (!file_writable(f))
		err = -EBADF;
	else if (!f->vn)
		err = -ESPIPE;
	else if (s_isdir(f->vn->mode))
		err = -EISDIR;
	else if (!s_isreg(f->vn->mode))
		err = -ENODEV;
	else if (mode & ~FALLOC_FL_KEEP_SIZE)
		err = -EOPNOTSUPP;
	else if (__builtin_add_overflow((uint64_t)off, (uint64_t)len, &end) ||
		 end > (uint64_t)INT64_MAX)
		err = -EFBIG;
	else if (!(mode & FALLOC_FL_KEEP_SIZE) && end > f->vn->size)
		err = vfs_truncate(f->vn, end);
	file_put(f);
	return err;
}
