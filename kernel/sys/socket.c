/* Sockets as files: the family registry and the socket file kind. */
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/poll.h>
#include <kernel/socket.h>

#include "fs/vfs.h"

#define SOCKFS_DEV   8 /* an anonymous device number, as Linux's sockfs */
#define FAMILIES_MAX 4

static const struct socket_family *families[FAMILIES_MAX];
static uint64_t next_ino = 1;

int socket_family_register(const struct socket_family *fam)
{
	for (int i = 0; i < FAMILIES_MAX; i++) {
		if (!families[i]) {
			families[i] = fam;
			return 0;
		}
	}
	return -ENOMEM;
}

/* The AF_INET family (kernel/net/socket_inet.c), when lwIP is linked
 * in. */
extern const struct socket_family inet_family __attribute__((weak));
/* AF_UNIX (kernel/sys/socket_unix.c): always there, NIC or not. */
extern const struct socket_family unix_family;

static const struct socket_family *family(int af)
{
	if (af == AF_INET && &inet_family)
		return &inet_family;
	if (af == AF_UNIX)
		return &unix_family;
	for (int i = 0; i < FAMILIES_MAX && families[i]; i++) {
		if (families[i]->family == af)
			return families[i];
	}
	return NULL;
}

struct sock_file {
	struct socket sock;
	uint64_t ino;
};

/* read and write are recvmsg and sendmsg of one segment, no flags. */
static ssize_t sock_read(struct file *f, const struct uio *u, uint64_t *pos)
{
	struct socket *s = file_socket(f);
	struct uio seg = *u;
	struct sock_msg m = {.iov = &seg, .iovcnt = 1, .len = u->len};

	(void)pos;
	if (!s->ops->recvmsg)
		return -EOPNOTSUPP;
	return s->ops->recvmsg(s, &m, f->flags & O_NONBLOCK);
}

static ssize_t sock_write(struct file *f, const struct uio *u, uint64_t *pos)
{
	struct socket *s = file_socket(f);
	struct uio seg = *u;
	struct sock_msg m = {.iov = &seg, .iovcnt = 1, .len = u->len};

	(void)pos;
	if (!s->ops->sendmsg)
		return -EOPNOTSUPP;
	return s->ops->sendmsg(s, &m, f->flags & O_NONBLOCK);
}

static unsigned int sock_poll(struct file *f, struct pollq **q)
{
	struct socket *s = file_socket(f);

	if (!s->ops->poll) {
		if (q)
			*q = NULL;
		return POLL_DEFAULT_MASK;
	}
	return s->ops->poll(s, q);
}

static int64_t sock_nread(struct file *f)
{
	struct socket *s = file_socket(f);

	return s->ops->nread ? s->ops->nread(s) : 0;
}

static int sock_stat(struct file *f, struct kstat *st)
{
	struct sock_file *sf = f->priv;

	*st = (struct kstat){
		.dev = SOCKFS_DEV,
		.ino = sf->ino,
		.nlink = 1,
		.mode = S_IFSOCK | 0777,
		.blksize = PAGE_SIZE,
	};
	return 0;
}

static int sock_link_name(struct file *f, char *buf, size_t size)
{
	return snprintf(buf, size, "socket:[%lu]",
			((struct sock_file *)f->priv)->ino);
}

static void sock_release(struct file *f)
{
	struct socket *s = file_socket(f);

	if (s->ops && s->ops->release)
		s->ops->release(s);
	kfree(f->priv);
}

static const struct file_ops socket_file_ops = {
	.read = sock_read,
	.write = sock_write,
	.stat = sock_stat,
	.link_name = sock_link_name,
	.nread = sock_nread,
	.poll = sock_poll,
	.release = sock_release,
};

struct socket *file_socket(struct file *f)
{
	return f->ops == &socket_file_ops ? &((struct sock_file *)f->priv)->sock
					  : NULL;
}

/* An empty socket file; the caller fills in the socket. */
static struct file *sock_file_new(int flags)
{
	struct sock_file *sf = kzalloc(sizeof *sf);
	struct file *f;

	if (!sf)
		return NULL;
	sf->ino = next_ino++;
	f = file_alloc(&socket_file_ops,
		       O_RDWR | ((uint32_t)flags & O_NONBLOCK), sf);
	if (!f) {
		kfree(sf);
		return NULL;
	}
	sf->sock.file = f;
	return f;
}

int socket_create(int af, int type, int protocol, int flags, struct file **out)
{
	const struct socket_family *fam = family(af);
	struct socket *s;
	struct file *f;
	int err;

	if (!fam)
		return -EAFNOSUPPORT;
	if (!(f = sock_file_new(flags)))
		return -ENOMEM;
	s = file_socket(f);
	s->family = af;
	s->type = type;
	s->protocol = protocol;
	if ((err = fam->create(s, type, protocol)) < 0) {
		s->ops = NULL; /* nothing for release to undo */
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}

int socket_file(struct socket *s, int flags, struct file **out)
{
	struct file *f = sock_file_new(flags);
	struct socket *ns;

	if (!f)
		return -ENOMEM;
	ns = file_socket(f);
	*ns = *s;
	ns->file = f;
	*out = f;
	return 0;
}

int socket_buf_size(int v, int floor)
{
	v = v < 0 ? 0 : MIN(v, SOCKBUF_MAX);
	return MAX(2 * v, floor);
}
