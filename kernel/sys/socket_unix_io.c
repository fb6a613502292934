/* AF_UNIX sockets: the data path, and descriptors in flight (SCM_RIGHTS). */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/mm.h>
#include <kernel/string.h>

#include "socket_unix_priv.h"

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

int us_to_kbuf(void *ctx, size_t at, void *p, size_t n)
{
	memcpy((char *)ctx + at, p, n);
	return 0;
}

/* --- descriptors in flight (SCM_RIGHTS) --- */

void us_fds_free(struct ufds *d)
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
			us_fds_free(d);
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

void us_rx_drop(struct usock *u, size_t n)
{
	uring_drop(&u->rx, n);
	u->rx_out += n;
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
		us_wake(to);
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
		if ((err = us_lookup(m->addr, u->type, &to)) < 0)
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
				us_set_peer(u, NULL);
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
	us_wake(to);
	err = 0;
out:
	us_put(to);
	return err < 0 ? err : (ssize_t)m->len;
}

ssize_t unix_sendmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	struct usock *u = U(s);

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (u->type == SOCK_STREAM)
		return stream_send(u, m, nonblock);
	return dgram_send(u, m, nonblock);
}

/* After bytes left u's ring: its writers may go on. */
void us_drained(struct usock *u)
{
	us_wake(u);
	if (u->peer)
		us_wake(u->peer);
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
			us_rx_drop(u, n);
			us_drained(u);
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
	uring_peek(&u->rx, 0, sizeof h, us_to_kbuf, &h);
	if (m->addr) {
		if (h.alen) {
			m->addr->len = h.alen;
			uring_peek(&u->rx, sizeof h, h.alen, us_to_kbuf,
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
		us_rx_drop(u, sizeof h + h.alen + h.len);
		u->data -= h.len;
		us_drained(u);
	}
	return (m->flags & MSG_TRUNC) ? (ssize_t)h.len : (ssize_t)n;
}

ssize_t unix_recvmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	struct usock *u = U(s);

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (u->type == SOCK_STREAM)
		return stream_recv(u, m, nonblock);
	return dgram_recv(u, m, nonblock);
}

