/* AF_INET sockets: sending and receiving on TCP and UDP netconns. */
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/poll.h>
#include <kernel/socket.h>
#include <kernel/string.h>
#include <kernel/uaccess.h>

#include "lwip/api.h"
#include "lwip/ip4_addr.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"

#include "socket_inet_priv.h"

static ssize_t inet_tcp_send(struct socket *s, struct sock_msg *m,
			     bool nonblock)
{
	struct inet *i = I(s);
	size_t done = 0, seg = 0, segoff = 0;
	char *buf;
	ssize_t err = 0;

	inet_connect_done(i);
	if (i->wr_shut)
		return -EPIPE;
	if (i->errevent && i->connected)
		return inet_take_error(i) ?: -EPIPE;
	if (!i->connected)
		return i->connecting ? -EAGAIN : -EPIPE;
	if (!(buf = kmalloc(MSG_CHUNK)))
		return -ENOMEM;
	while (done < m->len) {
		size_t n = 0, written = 0;
		struct uio *u;

		/* the next piece of the user's segments */
		while (seg < (size_t)m->iovcnt && segoff == m->iov[seg].len) {
			seg++;
			segoff = 0;
		}
		if (seg == (size_t)m->iovcnt)
			break;
		u = &m->iov[seg];
		n = MIN(u->len - segoff, MSG_CHUNK);
		if ((err = uio_copy_from(u, segoff, buf, n)) < 0)
			break;
		err = inet_lwip_errno(netconn_write_partly(
			i->conn, buf, n, NETCONN_COPY | NETCONN_DONTBLOCK,
			&written));
		if (err == 0 && written == 0)
			err = -EAGAIN;
		if (err == 0) {
			segoff += written;
			done += written;
			continue;
		}
		if (err != -EAGAIN || done || nonblock)
			break;
		err = file_wait(s->file, POLLOUT, 0);
		if (err < 0)
			break;
		err = 0;
		if (i->errevent || i->wr_shut) {
			err = inet_take_error(i) ?: -EPIPE;
			break;
		}
	}
	kfree(buf);
	if (done)
		return (ssize_t)done;
	if (err == -ECONNRESET || err == -ECONNABORTED || err == -ENOTCONN)
		err = -EPIPE; /* the peer is gone: SIGPIPE */
	return err;
}

/* Copy the rest of i->left into the segments, from segment *seg at
 * offset *segoff on. */
static ssize_t drain_left(struct inet *i, struct sock_msg *m, size_t *seg,
			  size_t *segoff, size_t *done)
{
	while (i->left && *seg < (size_t)m->iovcnt) {
		struct uio *u = &m->iov[*seg];
		size_t room = u->len - *segoff;
		size_t have = i->left->tot_len - i->left_off;
		size_t n = MIN(room, have);
		char tmp[512];

		if (room == 0) {
			(*seg)++;
			*segoff = 0;
			continue;
		}
		for (size_t c = 0; c < n;) {
			size_t k = MIN(n - c, sizeof tmp);
			int err;

			pbuf_copy_partial(i->left, tmp, (u16_t)k,
					  (u16_t)(i->left_off + c));
			if ((err = uio_copy_to(u, *segoff + c, tmp, k)) < 0)
				return err;
			c += k;
		}
		*segoff += n;
		*done += n;
		if (!(m->flags & MSG_PEEK))
			i->left_off = (uint16_t)(i->left_off + n);
		if (i->left_off == i->left->tot_len) {
			pbuf_free(i->left);
			i->left = NULL;
			i->left_off = 0;
		}
		if (m->flags & MSG_PEEK)
			break;
	}
	return 0;
}

static ssize_t inet_tcp_recv(struct socket *s, struct sock_msg *m,
			     bool nonblock)
{
	struct inet *i = I(s);
	size_t done = 0, seg = 0, segoff = 0;
	ssize_t err;

	inet_connect_done(i);
	if (!i->connected && !i->left)
		return i->connecting ? -EAGAIN : -ENOTCONN;
	for (;;) {
		struct pbuf *p = NULL;

		if ((err = drain_left(i, m, &seg, &segoff, &done)) < 0)
			return done ? (ssize_t)done : err;
		if (done == m->len || (done && (m->flags & MSG_PEEK)))
			return (ssize_t)done;
		if (i->eof || i->rd_shut)
			return (ssize_t)done;
		if (i->rcvevent > 0) {
			err = inet_lwip_errno(netconn_recv_tcp_pbuf_flags(
				i->conn, &p, NETCONN_DONTBLOCK));
			if (err == 0 && p) {
				i->left = p;
				i->left_off = 0;
				continue;
			}
			if (err == -ENOTCONN) { /* ERR_CLSD: the peer's FIN */
				i->eof = true;
				pollq_wake(&i->pq, 0);
				continue;
			}
			if (err != -EAGAIN) {
				if (done)
					return (ssize_t)done;
				i->eof = true;
				return err;
			}
		}
		if (done)
			return (ssize_t)done;
		if (i->errevent)
			return inet_take_error(i) ?: -ECONNRESET;
		if (nonblock)
			return -EAGAIN;
		if ((err = file_wait(s->file, POLLIN, 0)) < 0)
			return err;
	}
}

static ssize_t inet_udp_send(struct socket *s, struct sock_msg *m,
			     bool nonblock)
{
	struct inet *i = I(s);
	struct netbuf *nb;
	ip_addr_t ip;
	u16_t port = 0;
	size_t at = 0;
	char *data;
	int err;

	(void)nonblock;
	if (m->len > 65507)
		return -EMSGSIZE;
	if (m->addr && (err = inet_addr_from(m->addr, &ip, &port)) < 0)
		return err;
	if (!m->addr && !i->connected)
		return -EDESTADDRREQ;
	if (!(nb = netbuf_new()))
		return -ENOMEM;
	if (!(data = netbuf_alloc(nb, (u16_t)m->len))) {
		netbuf_delete(nb);
		return -ENOMEM;
	}
	for (int k = 0; k < m->iovcnt; k++) {
		if ((err = uio_copy_from(&m->iov[k], 0, data + at,
					 m->iov[k].len)) < 0) {
			netbuf_delete(nb);
			return err;
		}
		at += m->iov[k].len;
	}
	err = inet_lwip_errno(m->addr ? netconn_sendto(i->conn, nb, &ip, port)
				      : netconn_send(i->conn, nb));
	netbuf_delete(nb);
	return err < 0 ? err : (ssize_t)m->len;
}

static ssize_t inet_udp_recv(struct socket *s, struct sock_msg *m,
			     bool nonblock)
{
	struct inet *i = I(s);
	struct netbuf *nb;
	size_t at = 0, total;
	int err;

	for (;;) {
		if (i->rcvevent > 0) {
			err = inet_lwip_errno(netconn_recv(i->conn, &nb));
			if (err == 0)
				break;
			if (err != -EAGAIN)
				return err;
		}
		if (nonblock)
			return -EAGAIN;
		if ((err = file_wait(s->file, POLLIN, 0)) < 0)
			return err;
	}
	total = netbuf_len(nb);
	for (int k = 0; k < m->iovcnt && at < total; k++) {
		size_t n = MIN(m->iov[k].len, total - at);
		char tmp[512];

		for (size_t c = 0; c < n;) {
			size_t q = MIN(n - c, sizeof tmp);

			netbuf_copy_partial(nb, tmp, (u16_t)q, (u16_t)(at + c));
			if ((err = uio_copy_to(&m->iov[k], c, tmp, q)) < 0) {
				netbuf_delete(nb);
				return err;
			}
			c += q;
		}
		at += n;
	}
	if (at < total)
		m->out_flags |= MSG_TRUNC;
	if (m->addr)
		inet_addr_to(m->addr, netbuf_fromaddr(nb), netbuf_fromport(nb));
	netbuf_delete(nb);
	return (m->flags & MSG_TRUNC) ? (ssize_t)total : (ssize_t)at;
}

ssize_t inet_sendmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	return is_tcp(s) ? inet_tcp_send(s, m, nonblock)
			 : inet_udp_send(s, m, nonblock);
}

ssize_t inet_recvmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	if (is_tcp(s)) {
		ssize_t n = inet_tcp_recv(s, m, nonblock);

		if (n >= 0 && m->addr) /* recvfrom on TCP: the peer, as Linux */
			m->addr->len = 0;
		return n;
	}
	return inet_udp_recv(s, m, nonblock);
}
