/* AF_UNIX sockets: pairs, path and abstract names, stream/dgram/seqpacket. */
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/poll.h>
#include <kernel/sched.h>
#include <kernel/socket.h>
#include <kernel/string.h>

#include "fs/vfs.h"
#include "path.h"
#include "unix_ring.h"

/*
 * The model is Linux's net/unix/af_unix.c, so that programs see its
 * answers. Every socket (struct usock) receives into its own ring: a
 * writer puts its bytes straight into its peer's ring. Datagrams and
 * seqpackets are records there (struct urec, the sender's address, the
 * data), so message boundaries hold. A connect() to a listener makes the
 * server's end at once (an "embryo" on the listener's queue, as Linux):
 * the client may write before accept(). All kernel code runs under one
 * lock, so state is plain; blocking is a wait on the ring owner's waitq.
 *
 * A usock is referenced by its socket file, by a peer's pointer and by a
 * listener's queue; us_close() is the file going away, the memory goes
 * with the last reference. A name is a path (an S_IFSOCK node, held
 * while the socket lives) or abstract (sun_path[0] == 0); bound sockets
 * are on one list, looked up by node or by name bytes.
 */

#define SUN_PATH_OFF  2	  /* offsetof(struct sockaddr_un, sun_path) */
#define SUN_LEN_MAX   110 /* sizeof(struct sockaddr_un) */
#define RCV_SHUTDOWN  1	  /* sk_shutdown bits (include/net/sock.h) */
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3
#define SOMAXCONN     4096

#define SO_ERROR       4
#define SO_SNDBUF      7
#define SO_RCVBUF      8
#define SO_PASSCRED    16
#define SO_PEERCRED    17
#define SO_ACCEPTCONN  30
#define SO_SNDBUFFORCE 32
#define SO_RCVBUFFORCE 33

/* Linux's defaults and floors (net.core.wmem_default, SOCK_MIN_SNDBUF...),
 * reported by SO_SNDBUF/SO_RCVBUF; the ring's size is the real bound. */
#define SOCKBUF_DEFAULT 212992
#define SOCK_MIN_RCVBUF 2304
#define SOCK_MIN_SNDBUF 4608

enum us_state { US_NEW, US_LISTEN, US_CONNECTED };

struct usock {
	int refs;
	int type;
	enum us_state state;
	bool dead;   /* its file is gone */
	bool embryo; /* on a listener's queue, not yet accepted */
	bool listed; /* on the bound list (an embryo copies a name only) */
	unsigned int shut; /* RCV_SHUTDOWN | SEND_SHUTDOWN */
	int err;	   /* pending error (positive), SO_ERROR */
	struct usock *peer;
	struct uring rx;
	uint64_t rx_in, rx_out; /* bytes ever put into, taken from rx */
	struct ufds *fds;	/* SCM_RIGHTS in flight to it, in order */
	size_t data; /* records' data bytes in rx (FIONREAD of seqpacket) */
	struct sock_addr name; /* len 0: unnamed */
	struct vnode *vn;      /* a path name's node, referenced */
	struct usock *bnext;   /* the bound list */
	struct usock *qhead, *qtail, *qnext; /* a listener's embryos */
	int qlen, backlog;
	int rcvbuf, sndbuf;
	struct pollq pq;
	struct waitq wq;
};

/* Descriptors passed with the byte at stream position at (for records:
 * the record that starts there). */
struct ufds {
	struct ufds *next;
	uint64_t at;
	int n;
	struct file **f;
};

/* A record's header in a datagram socket's ring. */
struct urec {
	uint32_t len;  /* data bytes */
	uint32_t alen; /* the sender's address bytes, before the data */
};

static struct usock *bound;
static uint32_t autobind_next;
static const struct socket_ops unix_ops;

static inline struct usock *U(struct socket *s)
{
	return s->priv;
}

void *uring_chunk_alloc(void)
{
	paddr_t pa = pmm_alloc_page();

	return pa ? phys_to_virt(pa) : NULL;
}

void uring_chunk_free(void *p)
{
	pmm_free_page(virt_to_phys(p));
}

static struct usock *us_new(int type)
{
	struct usock *u = kzalloc(sizeof *u);

	if (!u)
		return NULL;
	u->refs = 1;
	u->type = type;
	pollq_init(&u->pq);
	waitq_init(&u->wq);
	return u;
}

static struct usock *us_get(struct usock *u)
{
	u->refs++;
	return u;
}

static void us_put(struct usock *u)
{
	if (--u->refs > 0)
		return;
	uring_free(&u->rx);
	kfree(u);
}

/* Its state changed: wake pollers and blocked callers. */
static void wake(struct usock *u)
{
	pollq_wake(&u->pq, 0);
	waitq_wake_all(&u->wq);
}

/* Blocking with no other thread to end the wait: as pipes do, -EAGAIN and
 * a warning once, rather than a guest that hangs for ever. */
static int lone_thread(void)
{
	static bool warned;

	if (!warned)
		log_warn("an AF_UNIX call would wait for another thread, and "
			 "the application has one: -EAGAIN");
	warned = true;
	return -EAGAIN;
}

/* Sleep on u's queue until cond holds (evaluated with the wake armed):
 * 0, or -EAGAIN when no other thread could make it true. */
#define WAIT_UNTIL(u, cond)                                                    \
	({                                                                     \
		int e_ = 0;                                                    \
		signal_wait_begin(&(u)->wq);                                   \
		for (;;) {                                                     \
			waitq_prepare(&(u)->wq);                               \
			if (cond) {                                            \
				waitq_cancel(&(u)->wq);                        \
				break;                                         \
			}                                                      \
			if (thread_user_count() <= 1) {                        \
				waitq_cancel(&(u)->wq);                        \
				e_ = lone_thread();                            \
				break;                                         \
			}                                                      \
			if (signal_wait_pending()) {                           \
				waitq_cancel(&(u)->wq);                        \
				e_ = -ERESTARTSYS;                             \
				break;                                         \
			}                                                      \
			waitq_wait(&(u)->wq, 0);                               \
		}                                                              \
		signal_wait_end();                                             \
		e_;                                                            \
	})

static bool connection_type(const struct usock *u)
{
	return u->type == SOCK_STREAM || u->type == SOCK_SEQPACKET;
}

/* --- names --- */

static void unlist(struct usock *u)
{
	struct usock **pp = &bound;

	if (!u->listed)
		return;
	while (*pp && *pp != u)
		pp = &(*pp)->bnext;
	if (*pp)
		*pp = u->bnext;
	u->listed = false;
	if (u->vn)
		vnode_put(u->vn);
	u->vn = NULL;
}

/* Abstract names are per type (Linux hashes the type in). */
static struct usock *find_abstract(const struct sock_addr *a, int type)
{
	for (struct usock *u = bound; u; u = u->bnext) {
		if (!u->vn && u->type == type && u->name.len == a->len &&
		    !memcmp(u->name.bytes, a->bytes, a->len))
			return u;
	}
	return NULL;
}

static struct usock *find_vnode(const struct vnode *vn)
{
	for (struct usock *u = bound; u; u = u->bnext) {
		if (u->vn == vn)
			return u;
	}
	return NULL;
}

/* The NUL-terminated path of a path address (108 bytes at most). */
static void addr_path(const struct sock_addr *a, char path[SUN_LEN_MAX])
{
	size_t n = a->len - SUN_PATH_OFF;

	memcpy(path, a->bytes + SUN_PATH_OFF, n);
	path[n] = '\0';
}

static int unix_vn_open(struct vnode *vn, struct file *f)
{
	(void)vn;
	(void)f;
	return -ENXIO; /* open(2) of a socket, as Linux */
}

static const struct vnode_ops unix_vnode_ops = {.open = unix_vn_open};

/* A new S_IFSOCK node at path, held in *out. */
static int make_node(const char *path, struct vnode **out)
{
	struct vnode *vn;
	struct walk w;
	int err = vfs_walk(cwd_get(), path, WALK_PARENT, &w);

	if (err == 0 && (w.vn || w.last != LAST_NORM))
		err = -EADDRINUSE;
	if (err == 0 && !w.dir->ops->link)
		err = -EACCES;
	if (err == 0) {
		vn = vnode_alloc(w.dir->fs, &unix_vnode_ops,
				 S_IFSOCK | (0777 & ~umask_get()));
		if (!vn)
			err = -ENOMEM;
		else if ((err = w.dir->ops->link(w.dir, w.name, w.namelen,
						 vn)) < 0) {
			vnode_get(vn);
			vnode_put(vn); /* no name, no reference: frees it */
		} else {
			vnode_get(vn);
			*out = vn;
		}
	}
	walk_done(&w);
	return err;
}

/* Linux's autobind: an abstract name of five hex digits. */
static int autobind(struct usock *u)
{
	struct sock_addr a = {.len = SUN_PATH_OFF + 6};

	a.family = AF_UNIX;
	for (int tries = 0; tries < 0x100000; tries++) {
		snprintf((char *)a.bytes + SUN_PATH_OFF + 1, 6, "%05x",
			 autobind_next++ & 0xfffff);
		a.bytes[SUN_PATH_OFF] = 0;
		if (!find_abstract(&a, u->type)) {
			u->name = a;
			u->listed = true;
			u->bnext = bound;
			bound = u;
			return 0;
		}
	}
	return -ENOSPC;
}

static int unix_bind(struct socket *s, const struct sock_addr *a)
{
	struct usock *u = U(s);
	char path[SUN_LEN_MAX];
	struct vnode *vn = NULL;
	int err;

	if (a->len < SUN_PATH_OFF || a->family != AF_UNIX ||
	    a->len > SUN_LEN_MAX)
		return -EINVAL;
	if (u->name.len) { /* Linux makes the node first */
		addr_path(a, path);
		return a->len > SUN_PATH_OFF && path[0] &&
				       vfs_lookup(cwd_get(), path, 0, &vn) == 0
			       ? -EADDRINUSE
			       : -EINVAL;
	}
	if (a->len == SUN_PATH_OFF)
		return autobind(u);
	if (a->bytes[SUN_PATH_OFF] == 0) {
		if (find_abstract(a, u->type))
			return -EADDRINUSE;
		u->name = *a;
	} else {
		addr_path(a, path);
		if ((err = make_node(path, &vn)) < 0)
			return err;
		/* as Linux: the path up to its NUL, and the NUL */
		u->name = (struct sock_addr){
			.len = (uint32_t)(SUN_PATH_OFF + strlen(path) + 1)};
		u->name.family = AF_UNIX;
		memcpy(u->name.bytes + SUN_PATH_OFF, path, strlen(path));
		u->vn = vn;
	}
	u->listed = true;
	u->bnext = bound;
	bound = u;
	return 0;
}

/* The bound socket an address names, referenced: Linux's unix_find_other()
 * errors. */
static int lookup(const struct sock_addr *a, int type, struct usock **out)
{
	char path[SUN_LEN_MAX];
	struct vnode *vn;
	struct usock *u;
	int err;

	if (a->len <= SUN_PATH_OFF || a->len > SUN_LEN_MAX ||
	    a->family != AF_UNIX)
		return -EINVAL;
	if (a->bytes[SUN_PATH_OFF] == 0) {
		u = find_abstract(a, type);
	} else {
		addr_path(a, path);
		if ((err = vfs_lookup(cwd_get(), path, WALK_FOLLOW, &vn)) < 0)
			return err;
		if ((vn->mode & S_IFMT) != S_IFSOCK)
			return -ECONNREFUSED;
		u = find_vnode(vn);
	}
	if (!u || u->dead)
		return -ECONNREFUSED;
	if (u->type != type)
		return -EPROTOTYPE;
	*out = us_get(u);
	return 0;
}

/* --- copies between a message and a ring --- */

struct mcopy {
	struct sock_msg *m;
	size_t base; /* the message's byte this copy starts at */
};

/* Bytes [at, at + n) of the message's segments to or from p. */
static int msg_copy(struct sock_msg *m, size_t at, void *p, size_t n, bool in)
{
	for (int i = 0; i < m->iovcnt && n; i++) {
		struct uio *seg = &m->iov[i];
		size_t c;
		int err;

		if (at >= seg->len) {
			at -= seg->len;
			continue;
		}
		c = MIN(n, seg->len - at);
		err = in ? uio_copy_from(seg, at, p, c)
			 : uio_copy_to(seg, at, p, c);
		if (err < 0)
			return err;
		p = (char *)p + c;
		n -= c;
		at = 0;
	}
	return 0;
}

static int from_msg(void *ctx, size_t at, void *p, size_t n)
{
	struct mcopy *c = ctx;

	return msg_copy(c->m, c->base + at, p, n, true);
}

static int to_msg(void *ctx, size_t at, void *p, size_t n)
{
	struct mcopy *c = ctx;

	return msg_copy(c->m, c->base + at, p, n, false);
}

static int from_kbuf(void *ctx, size_t at, void *p, size_t n)
{
	memcpy(p, (char *)ctx + at, n);
	return 0;
}

static int to_kbuf(void *ctx, size_t at, void *p, size_t n)
{
	memcpy((char *)ctx + at, p, n);
	return 0;
}

/* --- descriptors in flight (SCM_RIGHTS) --- */

static void fds_free(struct ufds *d)
{
	for (int i = 0; i < d->n; i++)
		file_put(d->f[i]);
	kfree(d->f);
	kfree(d);
}

/* The message's files travel with the byte (or record) at position at of
 * to's ring. A failure leaves them to the caller, who drops them. */
static void fds_attach(struct usock *to, struct sock_msg *m, uint64_t at)
{
	struct ufds *d, **pp = &to->fds;

	if (!m->nfiles || !(d = kzalloc(sizeof *d)))
		return;
	d->at = at;
	d->n = m->nfiles;
	d->f = m->files;
	m->files = NULL;
	m->nfiles = 0;
	while (*pp)
		pp = &(*pp)->next;
	*pp = d;
}

/* The first set at position at or later. */
static struct ufds *fds_from(struct usock *u, uint64_t at)
{
	struct ufds *d = u->fds;

	while (d && d->at < at)
		d = d->next;
	return d;
}

/* Hand the set d (at the head when not peeking) to the reader: its own
 * references (a peek duplicates them, as Linux), or dropped with
 * MSG_CTRUNC when the call cannot take descriptors. */
static void fds_take(struct usock *u, struct ufds *d, struct sock_msg *m,
		     bool peek)
{
	if (!peek)
		u->fds = d->next;
	if (!m->files_ok) {
		m->out_flags |= MSG_CTRUNC;
		if (!peek)
			fds_free(d);
		return;
	}
	if (peek) {
		if (!(m->files = kmalloc((size_t)d->n * sizeof *m->files)))
			return;
		for (int i = 0; i < d->n; i++) {
			file_get(d->f[i]);
			m->files[i] = d->f[i];
		}
		m->nfiles = d->n;
		return;
	}
	m->files = d->f;
	m->nfiles = d->n;
	kfree(d);
}

static void rx_drop(struct usock *u, size_t n)
{
	uring_drop(&u->rx, n);
	u->rx_out += n;
}

/* --- closing --- */

/* The socket's file is gone (or an embryo's listener): Linux's
 * unix_release_sock(). */
static void us_close(struct usock *u)
{
	struct usock *p = u->peer, *e;
	bool had_data = u->rx.len != 0;

	u->dead = true;
	unlist(u);
	while ((e = u->qhead)) {
		u->qhead = e->qnext;
		us_close(e);
	}
	u->qlen = 0;
	u->state = US_NEW;
	u->peer = NULL;
	if (p) {
		if (connection_type(u)) {
			p->shut = SHUTDOWN_MASK;
			if (had_data || u->embryo)
				p->err = ECONNRESET;
		}
		wake(p);
		us_put(p);
	}
	uring_free(&u->rx);
	while (u->fds) {
		struct ufds *d = u->fds;

		u->fds = d->next;
		fds_free(d);
	}
	wake(u);
	us_put(u);
}

static void unix_release(struct socket *s)
{
	if (s->priv)
		us_close(U(s));
}

/* --- connections --- */

static int unix_listen(struct socket *s, int backlog)
{
	struct usock *u = U(s);

	if (!connection_type(u))
		return -EOPNOTSUPP;
	if (!u->name.len || u->state == US_CONNECTED)
		return -EINVAL;
	if ((unsigned int)backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	u->backlog = backlog;
	u->state = US_LISTEN;
	wake(u);
	return 0;
}

static void set_peer(struct usock *u, struct usock *p)
{
	struct usock *old = u->peer;

	u->peer = p ? us_get(p) : NULL;
	if (old)
		us_put(old);
}

static int stream_connect(struct usock *u, const struct sock_addr *a,
			  bool nonblock)
{
	struct usock *l, *e;
	int err;

	if (a->len >= SUN_PATH_OFF && a->family != AF_UNIX)
		return -EINVAL;
	if (u->state == US_CONNECTED)
		return -EISCONN;
	if (u->state == US_LISTEN)
		return -EINVAL;
	if ((err = lookup(a, u->type, &l)) < 0)
		return err;
	for (;;) {
		if (l->dead || l->state != US_LISTEN ||
		    (l->shut & RCV_SHUTDOWN)) {
			err = -ECONNREFUSED;
			goto out;
		}
		if (l->qlen <= l->backlog)
			break;
		if (nonblock) {
			err = -EAGAIN;
			goto out;
		}
		if ((err = WAIT_UNTIL(l, l->dead || l->state != US_LISTEN ||
						 l->qlen <= l->backlog)) < 0)
			goto out;
	}
	if (!(e = us_new(u->type))) {
		err = -ENOMEM;
		goto out;
	}
	e->state = US_CONNECTED;
	e->embryo = true;
	e->name = l->name;
	set_peer(e, u);
	set_peer(u, e);
	u->state = US_CONNECTED;
	if (l->qtail)
		l->qtail->qnext = e;
	else
		l->qhead = e;
	l->qtail = e;
	l->qlen++;
	wake(l);
	wake(u);
	err = 0;
out:
	us_put(l);
	return err;
}

static int unix_connect(struct socket *s, const struct sock_addr *a,
			bool nonblock)
{
	struct usock *u = U(s), *t;
	int err;

	if (connection_type(u))
		return stream_connect(u, a, nonblock);
	/* a datagram socket's default destination; AF_UNSPEC forgets it */
	if (a->len >= SUN_PATH_OFF && a->family == AF_UNSPEC) {
		set_peer(u, NULL);
		u->state = US_NEW;
		return 0;
	}
	if ((err = lookup(a, u->type, &t)) < 0)
		return err;
	if (t->peer && t->peer != u) {
		us_put(t);
		return -EPERM;
	}
	set_peer(u, t);
	us_put(t);
	u->state = US_CONNECTED;
	wake(u);
	return 0;
}

static int unix_accept(struct socket *s, bool nonblock, struct socket **out,
		       struct sock_addr *peer)
{
	struct usock *u = U(s), *e;
	struct socket tmp = {0};
	struct file *f;
	int err;

	if (!connection_type(u))
		return -EOPNOTSUPP;
	if (u->state != US_LISTEN)
		return -EINVAL;
	if (!u->qhead && nonblock)
		return -EAGAIN;
	/* a shutdown listener ends a blocking accept: -EINVAL, as Linux */
	if ((err = WAIT_UNTIL(u, u->qhead || u->state != US_LISTEN ||
					 (u->shut & RCV_SHUTDOWN))) < 0)
		return err;
	if (!(e = u->qhead))
		return -EINVAL;
	tmp = (struct socket){&unix_ops, AF_UNIX, u->type, 0, e, NULL};
	if ((err = socket_file(&tmp, 0, &f)) < 0)
		return err; /* it stays queued */
	u->qhead = e->qnext;
	if (!u->qhead)
		u->qtail = NULL;
	u->qlen--;
	e->qnext = NULL;
	e->embryo = false;
	if (peer) {
		if (e->peer && e->peer->name.len) {
			*peer = e->peer->name;
		} else {
			*peer = (struct sock_addr){.len = SUN_PATH_OFF};
			peer->family = AF_UNIX;
		}
	}
	*out = file_socket(f);
	wake(u); /* room on the queue for a blocked connect */
	return 0;
}

/* socketpair(2): two new sockets connected to each other. */
static int unix_pair(struct socket *a, struct socket *b)
{
	struct usock *x = U(a), *y = U(b);

	set_peer(x, y);
	set_peer(y, x);
	x->state = y->state = US_CONNECTED;
	return 0;
}

static int unix_shutdown(struct socket *s, int how)
{
	struct usock *u = U(s), *p = u->peer;
	unsigned int mode = (unsigned int)how + 1;

	u->shut |= mode;
	wake(u);
	if (p && connection_type(u)) {
		p->shut |= (mode & RCV_SHUTDOWN ? SEND_SHUTDOWN : 0) |
			   (mode & SEND_SHUTDOWN ? RCV_SHUTDOWN : 0);
		wake(p);
	}
	return 0;
}

static int unix_getname(struct socket *s, struct sock_addr *a, bool peer)
{
	struct usock *u = U(s), *src = u;

	if (peer) {
		if (!(src = u->peer))
			return -ENOTCONN;
	}
	if (src->name.len) {
		*a = src->name;
	} else {
		*a = (struct sock_addr){.len = SUN_PATH_OFF};
		a->family = AF_UNIX;
	}
	return 0;
}

/* --- data --- */

static ssize_t stream_send(struct usock *u, struct sock_msg *m, bool nonblock)
{
	struct usock *to = u->peer;
	size_t sent = 0;
	ssize_t ret;

	if (m->addr && m->addr->len)
		return u->state == US_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	if (!to || u->state != US_CONNECTED)
		return -ENOTCONN;
	if (u->shut & SEND_SHUTDOWN)
		return -EPIPE;
	us_get(to);
	while (sent < m->len || m->len == 0) {
		struct mcopy c = {m, sent};
		size_t n;
		int err;

		if (to->dead || (to->shut & RCV_SHUTDOWN) ||
		    (u->shut & SEND_SHUTDOWN)) {
			ret = sent ? (ssize_t)sent : -EPIPE;
			goto out;
		}
		if (m->len == 0)
			break;
		if (!uring_room(&to->rx)) {
			if (nonblock) {
				ret = sent ? (ssize_t)sent : -EAGAIN;
				goto out;
			}
			err = WAIT_UNTIL(to,
					 uring_room(&to->rx) || to->dead ||
						 (to->shut & RCV_SHUTDOWN) ||
						 (u->shut & SEND_SHUTDOWN));
			if (err < 0) {
				ret = sent ? (ssize_t)sent : err;
				goto out;
			}
			continue;
		}
		n = MIN(uring_room(&to->rx), m->len - sent);
		if ((err = uring_put(&to->rx, n, from_msg, &c)) < 0) {
			ret = sent ? (ssize_t)sent : err;
			goto out;
		}
		if (!sent)
			fds_attach(to, m, to->rx_in);
		to->rx_in += n;
		sent += n;
		wake(to);
	}
	ret = (ssize_t)sent;
out:
	us_put(to);
	return ret;
}

static ssize_t dgram_send(struct usock *u, struct sock_msg *m, bool nonblock)
{
	struct urec h = {(uint32_t)m->len, u->name.len};
	size_t need = sizeof h + h.alen + m->len;
	struct mcopy c = {m, 0};
	struct usock *to;
	size_t before;
	int err;

	if (u->type == SOCK_SEQPACKET && u->state != US_CONNECTED)
		return -ENOTCONN;
	/* as sock_alloc_send_pskb(): a pending error, then our own shutdown */
	if (u->err) {
		err = u->err;
		u->err = 0;
		return -err;
	}
	if (u->shut & SEND_SHUTDOWN)
		return -EPIPE;
	if (u->type == SOCK_DGRAM && m->addr && m->addr->len) {
		if ((err = lookup(m->addr, u->type, &to)) < 0)
			return err;
	} else {
		if (!u->peer)
			return -ENOTCONN;
		to = us_get(u->peer);
	}
	if (need > URING_SIZE) {
		err = -EMSGSIZE;
		goto out;
	}
	for (;;) {
		if (to->dead) {
			if (u->peer == to)
				set_peer(u, NULL);
			err = u->type == SOCK_SEQPACKET ? -EPIPE
							: -ECONNREFUSED;
			goto out;
		}
		if (to->peer && to->peer != u) {
			err = -EPERM;
			goto out;
		}
		if (to->shut & RCV_SHUTDOWN) {
			err = -EPIPE;
			goto out;
		}
		if (uring_room(&to->rx) >= need)
			break;
		if (nonblock) {
			err = -EAGAIN;
			goto out;
		}
		if ((err = WAIT_UNTIL(to,
				      uring_room(&to->rx) >= need || to->dead ||
					      (to->shut & RCV_SHUTDOWN))) < 0)
			goto out;
	}
	before = to->rx.len;
	if ((err = uring_put(&to->rx, sizeof h, from_kbuf, &h)) < 0 ||
	    (err = uring_put(&to->rx, h.alen, from_kbuf, u->name.bytes)) < 0 ||
	    (err = uring_put(&to->rx, m->len, from_msg, &c)) < 0) {
		to->rx.len = before; /* no partial record at the tail */
		goto out;
	}
	to->data += m->len;
	fds_attach(to, m, to->rx_in);
	to->rx_in += need;
	wake(to);
	err = 0;
out:
	us_put(to);
	return err < 0 ? err : (ssize_t)m->len;
}

static ssize_t unix_sendmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	struct usock *u = U(s);

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (u->type == SOCK_STREAM)
		return stream_send(u, m, nonblock);
	return dgram_send(u, m, nonblock);
}

/* After bytes left u's ring: its writers may go on. */
static void drained(struct usock *u)
{
	wake(u);
	if (u->peer)
		wake(u->peer);
}

static ssize_t stream_recv(struct usock *u, struct sock_msg *m, bool nonblock)
{
	bool peek = m->flags & MSG_PEEK;
	size_t target = (m->flags & MSG_WAITALL) ? m->len : 1, copied = 0;
	struct ufds *d;
	bool took = false;
	uint64_t pos;
	int err;

	if (u->state != US_CONNECTED)
		return -EINVAL;
	if (m->len == 0)
		return 0;
	while (copied < m->len) {
		size_t avail = u->rx.len - (peek ? copied : 0);
		struct mcopy c = {m, copied};
		size_t n;

		if (!avail) {
			if (copied >= target)
				break;
			if (u->err) {
				err = u->err;
				u->err = 0;
				return copied ? (ssize_t)copied : -err;
			}
			if (u->shut & RCV_SHUTDOWN)
				break;
			if (nonblock)
				return copied ? (ssize_t)copied : -EAGAIN;
			err = WAIT_UNTIL(u, u->rx.len > (peek ? copied : 0) ||
						    u->err ||
						    (u->shut & RCV_SHUTDOWN));
			if (err < 0)
				return copied ? (ssize_t)copied : err;
			continue;
		}
		n = MIN(avail, m->len - copied);
		/* one set of descriptors per call, with the bytes it came
		 * with: stop before a second */
		pos = u->rx_out + (peek ? copied : 0);
		if ((d = fds_from(u, pos)) && d->at == pos) {
			if (took)
				break;
			fds_take(u, d, m, peek);
			took = true;
			d = fds_from(u, pos + 1);
		}
		if (d)
			n = MIN(n, d->at - pos);
		if ((err = uring_peek(&u->rx, peek ? copied : 0, n, to_msg,
				      &c)) < 0)
			return copied ? (ssize_t)copied : err;
		if (!peek) {
			rx_drop(u, n);
			drained(u);
		}
		copied += n;
	}
	return (ssize_t)copied;
}

static ssize_t dgram_recv(struct usock *u, struct sock_msg *m, bool nonblock)
{
	struct urec h;
	struct mcopy c = {m, 0};
	size_t n;
	int err;

	if (u->type == SOCK_SEQPACKET && u->state != US_CONNECTED)
		return -ENOTCONN;
	while (!u->rx.len) {
		if (u->err) {
			err = u->err;
			u->err = 0;
			return -err;
		}
		if (u->shut & RCV_SHUTDOWN)
			return 0;
		if (nonblock)
			return -EAGAIN;
		if ((err = WAIT_UNTIL(u, u->rx.len || u->err ||
						 (u->shut & RCV_SHUTDOWN))) < 0)
			return err;
	}
	uring_peek(&u->rx, 0, sizeof h, to_kbuf, &h);
	if (m->addr) {
		if (h.alen) {
			m->addr->len = h.alen;
			uring_peek(&u->rx, sizeof h, h.alen, to_kbuf,
				   m->addr->bytes);
		} else {
			m->addr->len = 0;
		}
	}
	n = MIN(h.len, m->len);
	if ((err = uring_peek(&u->rx, sizeof h + h.alen, n, to_msg, &c)) < 0)
		return err;
	if (h.len > m->len)
		m->out_flags |= MSG_TRUNC;
	if (u->fds && u->fds->at == u->rx_out)
		fds_take(u, u->fds, m, m->flags & MSG_PEEK);
	if (!(m->flags & MSG_PEEK)) {
		rx_drop(u, sizeof h + h.alen + h.len);
		u->data -= h.len;
		drained(u);
	}
	return (m->flags & MSG_TRUNC) ? (ssize_t)h.len : (ssize_t)n;
}

static ssize_t unix_recvmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	struct usock *u = U(s);

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (u->type == SOCK_STREAM)
		return stream_recv(u, m, nonblock);
	return dgram_recv(u, m, nonblock);
}

/* --- readiness and options --- */

/* Linux's unix_writable(): at most a quarter of the send buffer in flight
 * (here: unread in the peer's ring, as big as Linux's default sndbuf). */
static bool writable(const struct usock *u)
{
	const struct usock *p = u->peer;

	if (u->state == US_LISTEN)
		return false;
	return !p || p->dead || p->rx.len <= URING_SIZE / 4;
}

/* As Linux's unix_poll() and unix_dgram_poll(). */
static unsigned int unix_poll(struct socket *s, struct pollq **q)
{
	struct usock *u = U(s);
	unsigned int m = 0;

	if (q)
		*q = &u->pq;
	if (u->err)
		m |= POLLERR;
	if (u->shut == SHUTDOWN_MASK)
		m |= POLLHUP;
	if (u->shut & RCV_SHUTDOWN)
		m |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (u->rx.len || u->qhead)
		m |= POLLIN | POLLRDNORM;
	if (connection_type(u) && u->state == US_NEW)
		m |= POLLHUP;
	if (writable(u))
		m |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return m;
}

static int64_t unix_nread(struct socket *s)
{
	struct usock *u = U(s);
	struct urec h;

	if (u->state == US_LISTEN)
		return -EINVAL;
	if (u->type == SOCK_STREAM)
		return (int64_t)u->rx.len;
	if (u->type == SOCK_SEQPACKET || !u->rx.len)
		return (int64_t)u->data;
	uring_peek(&u->rx, 0, sizeof h, to_kbuf, &h);
	return h.len;
}

static int bufsize(int v, int floor)
{
	v = v < 0 ? 0 : MIN(v, SOCKBUF_DEFAULT);
	return MAX(2 * v, floor);
}

static int unix_setsockopt(struct socket *s, int level, int name,
			   const void *val, uint32_t len)
{
	struct usock *u = U(s);
	int v;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (len < sizeof v)
		return -EINVAL;
	memcpy(&v, val, sizeof v);
	switch (name) {
	case SO_RCVBUF:
	case SO_RCVBUFFORCE:
		u->rcvbuf = bufsize(v, SOCK_MIN_RCVBUF);
		return 0;
	case SO_SNDBUF:
	case SO_SNDBUFFORCE:
		u->sndbuf = bufsize(v, SOCK_MIN_SNDBUF);
		return 0;
	}
	return 0; /* the other socket-level options change nothing here */
}

static int unix_getsockopt(struct socket *s, int level, int name, void *val,
			   uint32_t *len)
{
	struct usock *u = U(s);
	int32_t cred[3] = {1, 0, 0}; /* struct ucred: kiln's one process */
	int v;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	switch (name) {
	case SO_ERROR:
		v = u->err;
		u->err = 0;
		break;
	case SO_RCVBUF:
		v = u->rcvbuf ? u->rcvbuf : SOCKBUF_DEFAULT;
		break;
	case SO_SNDBUF:
		v = u->sndbuf ? u->sndbuf : SOCKBUF_DEFAULT;
		break;
	case SO_ACCEPTCONN:
		v = u->state == US_LISTEN;
		break;
	case SO_PASSCRED:
		v = 0;
		break;
	case SO_PEERCRED:
		if (!u->peer) { /* Linux: no credentials, overflow ids */
			cred[0] = 0;
			cred[1] = cred[2] = 65534;
		}
		*len = MIN(*len, sizeof cred);
		memcpy(val, cred, *len);
		return 0;
	default:
		return -ENOPROTOOPT;
	}
	*len = MIN(*len, sizeof v);
	memcpy(val, &v, *len);
	return 0;
}

static const struct socket_ops unix_ops = {
	.bind = unix_bind,
	.listen = unix_listen,
	.accept = unix_accept,
	.connect = unix_connect,
	.pair = unix_pair,
	.sendmsg = unix_sendmsg,
	.recvmsg = unix_recvmsg,
	.shutdown = unix_shutdown,
	.getname = unix_getname,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.poll = unix_poll,
	.nread = unix_nread,
	.release = unix_release,
};

static int unix_create(struct socket *s, int type, int protocol)
{
	struct usock *u;

	if (protocol != 0 && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	if (type == SOCK_RAW) /* as Linux: a datagram socket */
		type = SOCK_DGRAM;
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	if (!(u = us_new(type)))
		return -ENOMEM;
	s->type = type;
	s->ops = &unix_ops;
	s->priv = u;
	return 0;
}

const struct socket_family unix_family = {AF_UNIX, unix_create};
