/* Socket system calls: the family-independent checks, copies and flags. */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/mm.h>
#include <kernel/socket.h>
#include <kernel/string.h>
#include <kernel/uaccess.h>

#include "scm.h"
#include "signal.h"
#include "syscall.h"

#define SIGPIPE	    13
#define UIO_MAXIOV  1024
#define OPT_MAX	    256 /* the longest option value copied */
#define SO_PROTOCOL 38

/* The kernel's struct msghdr and iovec on x86-64. */
struct k_msghdr {
	uint64_t name;
	uint32_t namelen;
	uint32_t pad0;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	int32_t flags;
	uint32_t pad1;
};

struct k_iovec {
	uint64_t base;
	uint64_t len;
};

/* The socket open at fd, with a reference to its file in *fp: -EBADF,
 * or -ENOTSOCK for another kind of file (Linux's sockfd_lookup). */
static struct socket *sock_get(int fd, struct file **fp, int *err)
{
	struct file *f = fd_get(fd);
	struct socket *s;

	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (!(s = file_socket(f))) {
		file_put(f);
		*err = -ENOTSOCK;
		return NULL;
	}
	*fp = f;
	return s;
}

/* Linux's move_addr_to_kernel(). */
static int addr_in(const void __user *uaddr, int64_t len, struct sock_addr *a)
{
	if (len < 0 || len > SOCKADDR_MAX)
		return -EINVAL;
	*a = (struct sock_addr){.len = (uint32_t)len};
	if (len == 0)
		return 0;
	return copy_from_user(a->bytes, uaddr, (size_t)len);
}

/* Linux's move_addr_to_user(): at most *ulen bytes of the address, and
 * its whole length into *ulen. */
static int addr_out(const struct sock_addr *a, void __user *uaddr,
		    uint32_t __user *ulen)
{
	int32_t len;
	int err;

	if ((err = copy_from_user(&len, ulen, sizeof len)) < 0)
		return err;
	if (len < 0)
		return -EINVAL;
	if ((uint32_t)len > a->len)
		len = (int32_t)a->len;
	if (len && (err = copy_to_user(uaddr, a->bytes, (size_t)len)) < 0)
		return err;
	return copy_to_user(ulen, &a->len, sizeof a->len);
}

long sys_socket(const struct sys_args *a)
{
	int af = (int)a->arg[0];
	int type = (int)a->arg[1];
	int protocol = (int)a->arg[2];
	int flags = type & ~SOCK_TYPE_MASK;
	struct file *f;
	int err, fd;

	type &= SOCK_TYPE_MASK;
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	if (af < 0 || af >= AF_MAX)
		return -EAFNOSUPPORT;
	if (type >= SOCK_TYPE_MAX)
		return -EINVAL;
	if ((err = fd_check_room()) < 0)
		return err;
	if ((err = socket_create(af, type, protocol, flags, &f)) < 0)
		return err;
	if ((fd = fd_install(f, 0, flags & SOCK_CLOEXEC)) < 0)
		file_put(f);
	return fd;
}

/* Two connected sockets of a family that makes pairs (AF_UNIX). */
long sys_socketpair(const struct sys_args *a)
{
	int af = (int)a->arg[0];
	int type = (int)a->arg[1];
	int flags = type & ~SOCK_TYPE_MASK;
	int32_t __user *usv = (void __user *)a->arg[3];
	struct file *f[2] = {NULL, NULL};
	int32_t fd[2];
	int err;

	type &= SOCK_TYPE_MASK;
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	if (af < 0 || af >= AF_MAX)
		return -EAFNOSUPPORT;
	if (type >= SOCK_TYPE_MAX)
		return -EINVAL;
	if ((err = socket_create(af, type, (int)a->arg[2], flags, &f[0])) < 0)
		return err;
	if ((err = socket_create(af, type, (int)a->arg[2], flags, &f[1])) < 0)
		goto fail;
	if (!file_socket(f[0])->ops->pair) {
		err = -EOPNOTSUPP;
		goto fail;
	}
	if ((err = file_socket(f[0])->ops->pair(file_socket(f[0]),
						file_socket(f[1]))) < 0 ||
	    (err = user_range_ok(usv, sizeof fd, true)) < 0)
		goto fail;
	if ((fd[0] = fd_install(f[0], 0, flags & SOCK_CLOEXEC)) < 0) {
		err = fd[0];
		goto fail;
	}
	f[0] = NULL;
	if ((fd[1] = fd_install(f[1], 0, flags & SOCK_CLOEXEC)) < 0) {
		fd_close(fd[0]);
		err = fd[1];
		goto fail;
	}
	if ((err = copy_to_user(usv, fd, sizeof fd)) < 0) {
		fd_close(fd[0]);
		fd_close(fd[1]);
	}
	return err;
fail:
	for (int i = 0; i < 2; i++) {
		if (f[i])
			file_put(f[i]);
	}
	return err;
}

long sys_bind(const struct sys_args *a)
{
	struct sock_addr addr;
	struct socket *s;
	struct file *f;
	int err;

	if (!(s = sock_get((int)a->arg[0], &f, &err)))
		return err;
	if ((err = addr_in((void __user *)a->arg[1], (int)a->arg[2], &addr)) ==
	    0)
		err = s->ops->bind ? s->ops->bind(s, &addr) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

long sys_listen(const struct sys_args *a)
{
	struct socket *s;
	struct file *f;
	int err;

	if (!(s = sock_get((int)a->arg[0], &f, &err)))
		return err;
	err = s->ops->listen ? s->ops->listen(s, (int)a->arg[1]) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

static long do_accept(int fd, void __user *uaddr, uint32_t __user *ulen,
		      int flags)
{
	struct sock_addr peer = {0};
	struct socket *s, *ns;
	struct file *f, *nf;
	int err, nfd;

	/* Linux 6's order: -EBADF, then the flags, then -ENOTSOCK */
	if (!(f = fd_get(fd)))
		return -EBADF;
	file_put(f);
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	if (!(s = sock_get(fd, &f, &err)))
		return err;
	if (!s->ops->accept) {
		file_put(f);
		return -EOPNOTSUPP;
	}
	if ((err = fd_check_room()) < 0) {
		file_put(f);
		return err;
	}
	err = s->ops->accept(s, f->flags & O_NONBLOCK, &ns,
			     uaddr ? &peer : NULL);
	file_put(f);
	if (err < 0)
		return err;
	nf = ns->file;
	nf->flags = (nf->flags & ~O_NONBLOCK) | ((uint32_t)flags & O_NONBLOCK);
	/* as Linux: a bad address buffer loses the connection */
	if (uaddr && (err = addr_out(&peer, uaddr, ulen)) < 0) {
		file_put(nf);
		return err;
	}
	if ((nfd = fd_install(nf, 0, flags & SOCK_CLOEXEC)) < 0)
		file_put(nf);
	return nfd;
}

long sys_accept(const struct sys_args *a)
{
	return do_accept((int)a->arg[0], (void __user *)a->arg[1],
			 (void __user *)a->arg[2], 0);
}

long sys_accept4(const struct sys_args *a)
{
	return do_accept((int)a->arg[0], (void __user *)a->arg[1],
			 (void __user *)a->arg[2], (int)a->arg[3]);
}

long sys_connect(const struct sys_args *a)
{
	struct sock_addr addr;
	struct socket *s;
	struct file *f;
	int err;

	if (!(s = sock_get((int)a->arg[0], &f, &err)))
		return err;
	if ((err = addr_in((void __user *)a->arg[1], (int)a->arg[2], &addr)) ==
	    0)
		err = s->ops->connect
			      ? s->ops->connect(s, &addr, f->flags & O_NONBLOCK)
			      : -EOPNOTSUPP;
	file_put(f);
	return err;
}

/* The segments of a user iovec array, checked as Linux's import_iovec():
 * at most UIO_MAXIOV (else -EMSGSIZE), lengths summing to at most
 * SSIZE_MAX, every range in user memory. */
static long import_iov(uint64_t uiov, uint64_t cnt, bool write,
		       struct uio **out, size_t *total)
{
	struct k_iovec v;
	struct uio *segs;
	long err;

	if (cnt > UIO_MAXIOV)
		return -EMSGSIZE;
	if (!(segs = kmalloc(cnt ? cnt * sizeof *segs : 1)))
		return -ENOMEM;
	*total = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		err = copy_from_user(&v, (void __user *)(uiov + i * sizeof v),
				     sizeof v);
		if (!err && (v.len > RW_MAX || (*total += v.len) > RW_MAX))
			err = -EINVAL;
		if (!err)
			err = user_range_ok((void __user *)v.base, v.len,
					    write);
		if (err < 0) {
			kfree(segs);
			return err;
		}
		segs[i] = uio_user((void __user *)v.base, v.len);
	}
	*out = segs;
	return 0;
}

static long sock_send(struct socket *s, struct file *f, struct sock_msg *m)
{
	long n;

	if (!s->ops->sendmsg)
		return -EOPNOTSUPP;
	n = s->ops->sendmsg(
		s, m, (f->flags & O_NONBLOCK) || (m->flags & MSG_DONTWAIT));
	if (n == -EPIPE && !(m->flags & MSG_NOSIGNAL) &&
	    socket_epipe_signals(f))
		signal_send_self(SIGPIPE);
	return n;
}

static long sock_recv(struct socket *s, struct file *f, struct sock_msg *m)
{
	if (!s->ops->recvmsg)
		return -EOPNOTSUPP;
	return s->ops->recvmsg(
		s, m, (f->flags & O_NONBLOCK) || (m->flags & MSG_DONTWAIT));
}

bool socket_epipe_signals(struct file *f)
{
	struct socket *s = file_socket(f);

	return !s || s->type == SOCK_STREAM;
}

long socket_rw_iov(struct file *f, uint64_t uiov, int cnt, bool write)
{
	struct socket *s = file_socket(f);
	struct sock_msg m = {0};
	long n;

	if (cnt < 0)
		return -EINVAL;
	if ((n = import_iov(uiov, (uint64_t)cnt, !write, &m.iov, &m.len)) < 0)
		return n;
	m.iovcnt = cnt;
	n = write ? sock_send(s, f, &m) : sock_recv(s, f, &m);
	kfree(m.iov);
	return n;
}

long sys_sendto(const struct sys_args *a)
{
	void __user *buf = (void __user *)a->arg[1];
	size_t len = MIN(a->arg[2], RW_MAX);
	struct uio seg = uio_user(buf, len);
	struct sock_msg m = {
		.iov = &seg, .iovcnt = 1, .len = len, .flags = (int)a->arg[3]};
	struct sock_addr addr;
	struct socket *s;
	struct file *f;
	long err;
	int e;

	if (!(s = sock_get((int)a->arg[0], &f, &e)))
		return e;
	if ((err = user_range_ok(buf, len, false)) == 0 && a->arg[4]) {
		err = addr_in((void __user *)a->arg[4], (int)a->arg[5], &addr);
		m.addr = &addr;
	}
	if (err == 0)
		err = sock_send(s, f, &m);
	file_put(f);
	return err;
}

long sys_recvfrom(const struct sys_args *a)
{
	void __user *buf = (void __user *)a->arg[1];
	size_t len = MIN(a->arg[2], RW_MAX);
	void __user *uaddr = (void __user *)a->arg[4];
	struct uio seg = uio_user(buf, len);
	struct sock_addr addr = {0};
	struct sock_msg m = {.iov = &seg,
			     .iovcnt = 1,
			     .len = len,
			     .addr = uaddr ? &addr : NULL,
			     .flags = (int)a->arg[3]};
	struct socket *s;
	struct file *f;
	long n;
	int err;

	if (!(s = sock_get((int)a->arg[0], &f, &err)))
		return err;
	if ((n = user_range_ok(buf, len, true)) == 0)
		n = sock_recv(s, f, &m);
	file_put(f);
	if (n >= 0 && uaddr &&
	    (err = addr_out(&addr, uaddr, (void __user *)a->arg[5])) < 0)
		return err;
	return n;
}

long sys_sendmsg(const struct sys_args *a)
{
	struct k_msghdr __user *umsg = (void __user *)a->arg[1];
	struct sock_msg m = {.flags = (int)a->arg[2]};
	struct sock_addr addr;
	struct k_msghdr h;
	struct socket *s;
	struct file *f;
	long err;
	int e;

	if (!(s = sock_get((int)a->arg[0], &f, &e)))
		return e;
	if ((err = copy_from_user(&h, umsg, sizeof h)) < 0)
		goto out;
	if (h.name && (err = addr_in((void __user *)h.name, (int32_t)h.namelen,
				     &addr)) < 0)
		goto out;
	m.addr = h.name ? &addr : NULL;
	if ((err = import_iov(h.iov, h.iovlen, false, &m.iov, &m.len)) < 0)
		goto out;
	m.iovcnt = (int)h.iovlen;
	/* descriptors for AF_UNIX; other families ignore control data */
	if (h.control && h.controllen && s->family == AF_UNIX &&
	    (err = scm_in(h.control, h.controllen, &m)) < 0) {
		kfree(m.iov);
		goto out;
	}
	err = sock_send(s, f, &m);
	scm_put_files(&m); /* those the family did not take */
	kfree(m.iov);
out:
	file_put(f);
	return err;
}

long sys_recvmsg(const struct sys_args *a)
{
	struct k_msghdr __user *umsg = (void __user *)a->arg[1];
	struct sock_msg m = {.flags = (int)a->arg[2]};
	struct sock_addr addr = {0};
	struct k_msghdr h;
	struct socket *s;
	struct file *f;
	long n, ctl;
	int e;

	if (!(s = sock_get((int)a->arg[0], &f, &e)))
		return e;
	if ((n = copy_from_user(&h, umsg, sizeof h)) < 0 ||
	    (n = import_iov(h.iov, h.iovlen, true, &m.iov, &m.len)) < 0) {
		file_put(f);
		return n;
	}
	m.iovcnt = (int)h.iovlen;
	m.addr = h.name ? &addr : NULL;
	m.files_ok = true;
	n = sock_recv(s, f, &m);
	kfree(m.iov);
	file_put(f);
	if (n < 0)
		return n;
	if ((ctl = scm_out(&m, h.control, h.control ? h.controllen : 0,
			   m.flags & MSG_CMSG_CLOEXEC)) < 0)
		return ctl;
	/* the peer's address (cut to namelen), no control data, flags */
	if (h.name) {
		if ((int32_t)h.namelen < 0)
			return -EINVAL;
		if (h.namelen > addr.len)
			h.namelen = addr.len;
		if ((e = copy_to_user((void __user *)h.name, addr.bytes,
				      h.namelen)) < 0)
			return e;
		h.namelen = addr.len;
	}
	h.controllen = (uint64_t)ctl; /* the control bytes written */
	/* as Linux, msg_flags keeps MSG_CMSG_CLOEXEC */
	h.flags = m.out_flags | (m.flags & MSG_CMSG_CLOEXEC);
	if ((e = copy_to_user(&umsg->namelen, &h.namelen, sizeof h.namelen)) <
		    0 ||
	    (e = copy_to_user(&umsg->controllen, &h.controllen,
			      sizeof h.controllen)) < 0 ||
	    (e = copy_to_user(&umsg->flags, &h.flags, sizeof h.flags)) < 0)
		return e;
	return n;
}

long sys_shutdown(const struct sys_args *a)
{
	int how = (int)a->arg[1];
	struct socket *s;
	struct file *f;
	int err;

	if (!(s = sock_get((int)a->arg[0], &f, &err)))
		return err;
	if (how < SHUT_RD || how > SHUT_RDWR)
		err = -EINVAL;
	else
		err = s->ops->shutdown ? s->ops->shutdown(s, how) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

static long do_getname(const struct sys_args *a, bool peer)
{
	struct sock_addr addr = {0};
	struct socket *s;
	struct file *f;
	int err;

	if (!(s = sock_get((int)a->arg[0], &f, &err)))
		return err;
	err = s->ops->getname ? s->ops->getname(s, &addr, peer) : -EOPNOTSUPP;
	file_put(f);
	if (err < 0)
		return err;
	return addr_out(&addr, (void __user *)a->arg[1],
			(void __user *)a->arg[2]);
}

long sys_getsockname(const struct sys_args *a)
{
	return do_getname(a, false);
}

long sys_getpeername(const struct sys_args *a)
{
	return do_getname(a, true);
}

long sys_setsockopt(const struct sys_args *a)
{
	int level = (int)a->arg[1], name = (int)a->arg[2];
	int32_t len = (int32_t)a->arg[4];
	char val[OPT_MAX];
	struct socket *s;
	struct file *f;
	int err;

	if (!(s = sock_get((int)a->arg[0], &f, &err)))
		return err;
	if (len < 0) {
		err = -EINVAL;
	} else {
		len = MIN(len, OPT_MAX);
		err = copy_from_user(val, (void __user *)a->arg[3],
				     (size_t)len);
		if (!err)
			err = s->ops->setsockopt
				      ? s->ops->setsockopt(s, level, name, val,
							   (uint32_t)len)
				      : -ENOPROTOOPT;
	}
	file_put(f);
	return err;
}

long sys_getsockopt(const struct sys_args *a)
{
	int level = (int)a->arg[1], name = (int)a->arg[2];
	uint32_t __user *ulen = (void __user *)a->arg[4];
	char val[OPT_MAX] = {0};
	struct socket *s;
	struct file *f;
	int32_t len;
	uint32_t got;
	int err, v;

	if (!(s = sock_get((int)a->arg[0], &f, &err)))
		return err;
	if ((err = copy_from_user(&len, ulen, sizeof len)) < 0)
		goto out;
	if (len < 0) {
		err = -EINVAL;
		goto out;
	}
	got = (uint32_t)MIN(len, OPT_MAX);
	/* the options every socket answers the same way */
	if (level == SOL_SOCKET &&
	    (name == SO_TYPE || name == SO_DOMAIN || name == SO_PROTOCOL)) {
		v = name == SO_TYPE	? s->type
		    : name == SO_DOMAIN ? s->family
					: s->protocol;
		got = MIN(got, sizeof v);
		memcpy(val, &v, got);
	} else if (s->ops->getsockopt) {
		err = s->ops->getsockopt(s, level, name, val, &got);
	} else {
		err = -ENOPROTOOPT;
	}
	if (!err && !(err = copy_to_user((void __user *)a->arg[3], val, got)))
		err = copy_to_user(ulen, &got, sizeof got);
out:
	file_put(f);
	return err;
}
