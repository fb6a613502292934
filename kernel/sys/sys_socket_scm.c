/* sendmsg/recvmsg control messages: SCM_RIGHTS in and out. */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/mm.h>
#include <kernel/socket.h>
#include <kernel/string.h>
#include <kernel/uaccess.h>

#include "scm.h"
#include "syscall.h"

/* Control messages (cmsg(3), x86-64 layout; Linux's net/core/scm.c). */
#define SCM_RIGHTS	1
#define SCM_CREDENTIALS 2
#define SCM_MAX_FD	253   /* descriptors in one message */
#define OPTMEM_MAX	20480 /* net.core.optmem_max: the longest control */

struct k_cmsghdr {
	uint64_t len;
	int32_t level, type;
};

static uint64_t cmsg_align(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

void scm_put_files(struct sock_msg *m)
{
	for (int i = 0; i < m->nfiles; i++)
		file_put(m->files[i]);
	kfree(m->files);
	m->files = NULL;
	m->nfiles = 0;
}

/* sendmsg's control data as Linux's __scm_send(): SCM_RIGHTS descriptors
 * referenced into m->files; SCM_CREDENTIALS accepted (kiln has one
 * process: nothing to prove); other SOL_SOCKET types -EINVAL, other
 * levels skipped. */
long scm_in(uint64_t uctl, uint64_t len, struct sock_msg *m)
{
	struct k_cmsghdr c;
	char *ctl;
	long err = 0;

	if (len > OPTMEM_MAX)
		return -ENOBUFS;
	if (len < sizeof c)
		return 0;
	if (!(ctl = kmalloc(len)) ||
	    !(m->files = kmalloc(SCM_MAX_FD * sizeof *m->files))) {
		kfree(ctl);
		return -ENOMEM;
	}
	if ((err = copy_from_user(ctl, (void __user *)uctl, len)) < 0)
		goto out;
	for (uint64_t at = 0; at + sizeof c <= len; at += cmsg_align(c.len)) {
		memcpy(&c, ctl + at, sizeof c);
		if (c.len < sizeof c || c.len > len - at) {
			err = -EINVAL;
			goto out;
		}
		if (c.level != SOL_SOCKET)
			continue;
		if (c.type == SCM_CREDENTIALS)
			continue;
		if (c.type != SCM_RIGHTS) {
			err = -EINVAL;
			goto out;
		}
		for (uint64_t i = 0; i < (c.len - sizeof c) / 4; i++) {
			int32_t fd;
			struct file *f;

			memcpy(&fd, ctl + at + sizeof c + 4 * i, sizeof fd);
			if (m->nfiles == SCM_MAX_FD) {
				err = -EINVAL;
				goto out;
			}
			if (!(f = fd_get(fd))) {
				err = -EBADF;
				goto out;
			}
			m->files[m->nfiles++] = f;
		}
	}
out:
	kfree(ctl);
	if (err < 0)
		scm_put_files(m);
	return err;
}

/* recvmsg's received descriptors: installed as far as the control buffer
 * (ulen bytes at uctl) holds them, the rest dropped with MSG_CTRUNC, as
 * Linux's scm_detach_fds(). The control bytes used, or -errno. */
long scm_out(struct sock_msg *m, uint64_t uctl, uint64_t ulen,
		    bool cloexec)
{
	struct k_cmsghdr c = {0, SOL_SOCKET, SCM_RIGHTS};
	int32_t fds[SCM_MAX_FD];
	uint64_t used;
	int n = 0, fit;
	long err;

	if (!m->nfiles)
		return 0;
	fit = ulen < sizeof c ? 0 : (int)MIN((ulen - sizeof c) / 4, SCM_MAX_FD);
	while (n < m->nfiles && n < fit) {
		int fd = fd_install(m->files[n], 0, cloexec);

		if (fd < 0)
			break;
		fds[n++] = fd; /* the table has the reference now */
	}
	if (n < m->nfiles)
		m->out_flags |= MSG_CTRUNC;
	for (int i = n; i < m->nfiles; i++)
		file_put(m->files[i]);
	kfree(m->files);
	m->files = NULL;
	m->nfiles = 0;
	if (!n)
		return 0;
	c.len = sizeof c + 4 * (uint64_t)n;
	used = MIN(cmsg_align(c.len), ulen);
	if ((err = copy_to_user((void __user *)uctl, &c, sizeof c)) < 0 ||
	    (err = copy_to_user((void __user *)(uctl + sizeof c), fds,
				4 * (size_t)n)) < 0)
		return err;
	return (long)used;
}

