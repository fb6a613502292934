/* AF_UNIX sockets: creation, names, connections, readiness and options. */
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/string.h>

#include "fs/vfs.h"
#include "path.h"
#include "socket_unix_priv.h"

/* The model and the types: socket_unix_priv.h. The data path (copies,
 * SCM_RIGHTS, send and receive) is socket_unix_io.c. */

static const struct socket_ops unix_ops;


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

struct usock *us_get(struct usock *u)
{
	u->refs++;
	return u;
}

void us_put(struct usock *u)
{
	if (--u->refs > 0)
		return;
	uring_free(&u->rx);
	kfree(u);
}

/* Its state changed: wake pollers and blocked callers. */
void us_wake(struct usock *u)
{
	pollq_wake(&u->pq, 0);
	waitq_wake_all(&u->wq);
}

/* Blocking with no other thread to end the wait: as pipes do, -EAGAIN and
 * a warning once, rather than a guest that hangs for ever. */
int us_lone_thread(void)
{
	static bool warned;

	if (!warned)
		log_warn("an AF_UNIX call would wait for another thread, and "
			 "the application has one: -EAGAIN");
	warned = true;
	return -EAGAIN;
}



/* --- closing --- */

/* The socket's file is gone (or an embryo's listener): Linux's
 * unix_release_sock(). */
static void us_close(struct usock *u)
{
	struct usock *p = u->peer, *e;
	bool had_data = u->rx.len != 0;

	u->dead = true;
	us_unlist(u);
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
		us_wake(p);
		us_put(p);
	}
	uring_free(&u->rx);
	while (u->fds) {
		struct ufds *d = u->fds;

		u->fds = d->next;
		us_fds_free(d);
	}
	us_wake(u);
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
	us_wake(u);
	return 0;
}

void us_set_peer(struct usock *u, struct usock *p)
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
	if ((err = us_lookup(a, u->type, &l)) < 0)
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
	us_set_peer(e, u);
	us_set_peer(u, e);
	u->state = US_CONNECTED;
	if (l->qtail)
		l->qtail->qnext = e;
	else
		l->qhead = e;
	l->qtail = e;
	l->qlen++;
	us_wake(l);
	us_wake(u);
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
		us_set_peer(u, NULL);
		u->state = US_NEW;
		return 0;
	}
	if ((err = us_lookup(a, u->type, &t)) < 0)
		return err;
	if (t->peer && t->peer != u) {
		us_put(t);
		return -EPERM;
	}
	us_set_peer(u, t);
	us_put(t);
	u->state = US_CONNECTED;
	us_wake(u);
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
	us_wake(u); /* room on the queue for a blocked connect */
	return 0;
}

/* socketpair(2): two new sockets connected to each other. */
static int unix_pair(struct socket *a, struct socket *b)
{
	struct usock *x = U(a), *y = U(b);

	us_set_peer(x, y);
	us_set_peer(y, x);
	x->state = y->state = US_CONNECTED;
	return 0;
}

static int unix_shutdown(struct socket *s, int how)
{
	struct usock *u = U(s), *p = u->peer;
	unsigned int mode = (unsigned int)how + 1;

	u->shut |= mode;
	us_wake(u);
	if (p && connection_type(u)) {
		p->shut |= (mode & RCV_SHUTDOWN ? SEND_SHUTDOWN : 0) |
			   (mode & SEND_SHUTDOWN ? RCV_SHUTDOWN : 0);
		us_wake(p);
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
	uring_peek(&u->rx, 0, sizeof h, us_to_kbuf, &h);
	return h.len;
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
		u->rcvbuf = socket_buf_size(v, SOCK_MIN_RCVBUF);
		return 0;
	case SO_SNDBUF:
	case SO_SNDBUFFORCE:
		u->sndbuf = socket_buf_size(v, SOCK_MIN_SNDBUF);
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
		v = u->rcvbuf ? u->rcvbuf : SOCKBUF_MAX;
		break;
	case SO_SNDBUF:
		v = u->sndbuf ? u->sndbuf : SOCKBUF_MAX;
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

