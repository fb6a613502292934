/* The console as a file: /dev/console, /dev/tty and descriptors 0, 1, 2. */
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/poll.h>
#include <kernel/uaccess.h>

#include "fs_priv.h"

/* ioctl requests (asm-generic/ioctls.h) and the kernel's struct termios. */
#define TCGETS	   0x5401
#define TCSETS	   0x5402
#define TCSETSW	   0x5403
#define TCSETSF	   0x5404
#define TIOCGPGRP  0x540f
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414

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
 * The settings are only recorded: output is never translated (OPOST
 * notwithstanding), so binary output reaches the host byte for byte.
 * c_cc holds the usual control characters, VINTR (^C) to VEOL2.
 */
static struct k_termios tty = {
	.c_iflag = ICRNL | IXON,
	.c_oflag = OPOST | ONLCR,
	.c_cflag = B38400 | CS8 | CREAD | HUPCL,
	.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE |
		   IEXTEN,
	.c_cc = {3, 034, 0177, 025, 4, 0, 1, 0, 021, 023, 032, 0, 022, 017, 027,
		 026, 0},
};
static struct k_winsize winsize = {24, 80, 0, 0};

/* No console input yet: every read is end of file. */
static ssize_t con_read(struct file *f, const struct uio *u, uint64_t *pos)
{
	(void)f;
	(void)pos;
	if (u->user && user_range_ok(u->base, u->len, true) < 0)
		return -EFAULT;
	return 0;
}

static ssize_t con_write(struct file *f, const struct uio *u, uint64_t *pos)
{
	char chunk[256];
	size_t done = 0;
	int err;

	(void)f;
	(void)pos;
	/* All or nothing for a bad buffer: nothing reaches the console. */
	if (u->user && (err = user_range_ok(u->base, u->len, false)) < 0)
		return err;
	while (done < u->len) {
		size_t c = MIN(u->len - done, sizeof chunk);

		if ((err = uio_copy_from(u, done, chunk, c)) < 0)
			return done ? (ssize_t)done : err;
		console_write(chunk, c);
		done += c;
	}
	return (ssize_t)done;
}

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

static int con_ioctl(struct file *f, unsigned int req, uint64_t arg)
{
	void __user *p = (void __user *)arg;
	int pgrp = 1;

	(void)f;
	switch (req) {
	case TCGETS:
		return copy_to_user(p, &tty, sizeof tty);
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return set_termios(p);
	case TIOCGWINSZ:
		return copy_to_user(p, &winsize, sizeof winsize);
	case TIOCSWINSZ:
		return set_winsize(p);
	case TIOCGPGRP:
		return copy_to_user(p, &pgrp, sizeof pgrp);
	default:
		return -ENOTTY;
	}
}

static int64_t con_nread(struct file *f)
{
	(void)f;
	return 0;
}

/* Output never waits; input is end of file for now (no console input
 * yet), which reads as readable. A terminal is pollable, so epoll takes
 * it. */
static unsigned int con_poll(struct file *f, struct pollq **q)
{
	(void)f;
	(void)q; /* never changes: *q stays NULL */
	return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
}

/* A stream: no lseek, so lseek and pread answer -ESPIPE as on a tty. */
static const struct file_ops console_file_ops = {
	.read = con_read,
	.write = con_write,
	.ioctl = con_ioctl,
	.nread = con_nread,
	.poll = con_poll,
};

static int con_open(struct vnode *vn, struct file *f)
{
	(void)vn;
	f->ops = &console_file_ops;
	return 0;
}

const struct vnode_ops console_vnode_ops = {
	.open = con_open,
};
