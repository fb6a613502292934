/* I/O system calls on file descriptors: read, write, ioctl, fcntl, dup... */
#include <kernel/errno.h>

#include "fd.h"
#include "syscall.h"
#include <kernel/uaccess.h>

struct k_iovec {
	uint64_t base;
	uint64_t len;
};

#define IOV_MAX	   1024
#define SSIZE_MAX_ 0x7fffffffffffffffULL

long sys_read(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	void __user *buf = (void __user *)a->arg[1];
	size_t len = a->arg[2];

	return fd_read(fd, buf, len);
}

long sys_write(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	const void __user *buf = (const void __user *)a->arg[1];
	size_t len = a->arg[2];

	return fd_write(fd, buf, len);
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

static long do_iov(int fd, const struct k_iovec __user *iov, int cnt,
		   bool to_user)
{
	struct k_iovec v;
	long total = 0, n;
	int err;

	if (fd_check(fd) < 0)
		return -EBADF;
	if ((err = (int)check_iov(iov, cnt, to_user)) < 0)
		return err;
	for (int i = 0; i < cnt; i++) {
		if ((err = copy_from_user(&v, &iov[i], sizeof v)) < 0)
			return total ? total : err;
		if (to_user)
			n = fd_read(fd, (void __user *)v.base, v.len);
		else
			n = fd_write(fd, (const void __user *)v.base, v.len);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((uint64_t)n < v.len)
			break;
	}
	return total;
}

long sys_readv(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	const struct k_iovec __user *iov = (const void __user *)a->arg[1];
	int cnt = (int)a->arg[2];

	return do_iov(fd, iov, cnt, true);
}

long sys_writev(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	const struct k_iovec __user *iov = (const void __user *)a->arg[1];
	int cnt = (int)a->arg[2];

	return do_iov(fd, iov, cnt, false);
}

/* The console cannot seek. */
long sys_pread64(const struct sys_args *a)
{
	int fd = (int)a->arg[0];

	return fd_check(fd) < 0 ? -EBADF : -ESPIPE;
}

long sys_pwrite64(const struct sys_args *a)
{
	int fd = (int)a->arg[0];

	return fd_check(fd) < 0 ? -EBADF : -ESPIPE;
}

long sys_lseek(const struct sys_args *a)
{
	int fd = (int)a->arg[0];

	return fd_check(fd) < 0 ? -EBADF : -ESPIPE;
}

long sys_close(const struct sys_args *a)
{
	int fd = (int)a->arg[0];

	return fd_close(fd);
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

	if (oldfd == newfd)
		return fd_check(oldfd) < 0 ? -EBADF : newfd;
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

#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_DUPFD_CLOEXEC 1030

long sys_fcntl(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	int cmd = (int)a->arg[1];
	uint64_t arg = a->arg[2];

	if (fd_check(fd) < 0)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= FD_MAX)
			return -EINVAL;
		return fd_dup_min(fd, (int)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fd_get_cloexec(fd);
	case F_SETFD:
		return fd_set_cloexec(fd, arg & FD_CLOEXEC);
	case F_GETFL:
		return fd_get_status(fd);
	case F_SETFL:
		return fd_set_status(fd, (int)arg);
	default:
		return -EINVAL;
	}
}

/* ioctl requests (asm-generic/ioctls.h) and the kernel's struct termios. */
#define TCGETS	   0x5401
#define TCSETS	   0x5402
#define TCSETSW	   0x5403
#define TCSETSF	   0x5404
#define TIOCGPGRP  0x540f
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONBIO	   0x5421
#define FIONCLEX   0x5450
#define FIOCLEX	   0x5451

struct k_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

struct k_winsize {
	uint16_t row, col, xpixel, ypixel;
};

/* termios(3) bits, octal as in Linux's asm-generic/termbits.h. */
#define ICRNL	0000400
#define IXON	0002000
#define OPOST	0000001
#define ONLCR	0000004
#define B38400	0000017
#define CS8	0000060
#define CREAD	0000200
#define HUPCL	0002000
#define ISIG	0000001
#define ICANON	0000002
#define ECHO	0000010
#define ECHOE	0000020
#define ECHOK	0000040
#define ECHOCTL 0001000
#define ECHOKE	0004000
#define IEXTEN	0100000

/*
 * The console answers like a terminal (a serial line at 38400 8N1,
 * canonical mode, 24x80), so musl line-buffers stdout as it would on a
 * tty: an application's lines reach the console as they are printed.
 * c_cc holds the usual control characters, VINTR (^C) to VEOL2.
 */
static struct k_termios tty = {
    .c_iflag = ICRNL | IXON,
    .c_oflag = OPOST | ONLCR,
    .c_cflag = B38400 | CS8 | CREAD | HUPCL,
    .c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
    .c_cc = {3, 034, 0177, 025, 4, 0, 1, 0, 021, 023, 032, 0, 022, 017, 027,
	     026, 0},
};
static struct k_winsize winsize = {24, 80, 0, 0};

/* Copied whole before use: a bad pointer leaves the settings unchanged. */
static int set_termios(const void __user *arg)
{
	struct k_termios t;
	int err = copy_from_user(&t, arg, sizeof t);

	if (err == 0)
		tty = t;
	return err;
}

static int set_winsize(const void __user *arg)
{
	struct k_winsize w;
	int err = copy_from_user(&w, arg, sizeof w);

	if (err == 0)
		winsize = w;
	return err;
}

long sys_ioctl(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	unsigned int req = (unsigned int)a->arg[1];
	void __user *arg = (void __user *)a->arg[2];
	int on;
	int err;

	if (fd_check(fd) < 0)
		return -EBADF;
	switch (req) {
	case TCGETS:
		return copy_to_user(arg, &tty, sizeof tty);
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return set_termios(arg);
	case TIOCGWINSZ:
		return copy_to_user(arg, &winsize, sizeof winsize);
	case TIOCSWINSZ:
		return set_winsize(arg);
	case TIOCGPGRP:
		on = 1;
		return copy_to_user(arg, &on, sizeof on);
	case FIONBIO:
		if ((err = copy_from_user(&on, arg, sizeof on)) < 0)
			return err;
		return fd_set_status(
		    fd, (fd_get_status(fd) & ~O_RDWR & ~O_NONBLOCK) |
			    (on ? O_NONBLOCK : 0));
	case FIOCLEX:
	case FIONCLEX:
		return fd_set_cloexec(fd, req == FIOCLEX);
	default:
		return -ENOTTY;
	}
}
