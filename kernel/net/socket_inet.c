/* AF_INET sockets (TCP and UDP) on lwIP's netconn API, as socket files. */
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

/*
 * Every netconn is non-blocking and has inet_event() as its callback,
 * which runs in lwIP's thread (or ours, under the core lock) whenever the
 * connection's receive mailbox, send space or error state changes: it
 * counts those events in the connection's struct inet, as lwIP's own
 * socket layer does, and wakes the socket's poll queue. poll reads the
 * counts; a blocking call is a non-blocking one retried after file_wait().
 * A connection gets its struct inet at its first event, so events that
 * come before accept() are not lost; a hash by netconn finds it.
 */
#define IPPROTO_TCP   6
#define IPPROTO_UDP   17
#define TCP_NODELAY   1
#define SO_REUSEADDR  2
#define SO_ERROR      4
#define SO_SNDBUF     7
#define SO_RCVBUF     8
#define SO_KEEPALIVE  9
#define SO_LINGER     13
#define SO_REUSEPORT  15
#define SO_ACCEPTCONN 30
#define MSG_CHUNK     16384 /* bytes copied from the user per lwIP write */
#define HASH_SIZE     1024

struct k_sockaddr_in {
	uint16_t family;
	uint16_t port; /* network order */
	uint32_t addr; /* network order */
	uint8_t zero[8];
};

struct inet {
	struct netconn *conn;
	struct inet *hnext;
	struct pollq pq;
	int rcvevent;  /* entries in the receive (or accept) mailbox */
	bool sendable; /* send space (lwIP's SENDPLUS since SENDMINUS) */
	bool errevent; /* an error is pending */
	bool closing;  /* being deleted: events no longer matter */
	bool listening, connecting, connected, eof, rd_shut, wr_shut;
	int so_error;	   /* for SO_ERROR, once read from lwIP */
	struct pbuf *left; /* TCP: the rest of the last segment */
	uint16_t left_off;
	int rcvbuf, sndbuf, reuse, keepalive, nodelay;
	int32_t linger[2];
};

static struct inet *table[HASH_SIZE];

static unsigned int hash(struct netconn *c)
{
	return (unsigned int)(((uintptr_t)c >> 4) % HASH_SIZE);
}

static struct inet *inet_find(struct netconn *c)
{
	for (struct inet *i = table[hash(c)]; i; i = i->hnext) {
		if (i->conn == c)
			return i;
	}
	return NULL;
}

static struct inet *inet_get(struct netconn *c)
{
	struct inet *i = inet_find(c);

	if (i || !(i = kzalloc(sizeof *i)))
		return i;
	i->conn = c;
	pollq_init(&i->pq);
	i->linger[0] = 0;
	i->hnext = table[hash(c)];
	table[hash(c)] = i;
	return i;
}

static void inet_unhash(struct inet *i)
{
	struct inet **pp = &table[hash(i->conn)];

	while (*pp && *pp != i)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = i->hnext;
}

static void inet_event(struct netconn *c, enum netconn_evt evt, u16_t len)
{
	struct inet *i = inet_get(c);

	(void)len;
	if (!i || i->closing)
		return;
	switch (evt) {
	case NETCONN_EVT_RCVPLUS:
		i->rcvevent++;
		break;
	case NETCONN_EVT_RCVMINUS:
		i->rcvevent--;
		break;
	case NETCONN_EVT_SENDPLUS:
		i->sendable = true;
		break;
	case NETCONN_EVT_SENDMINUS:
		i->sendable = false;
		break;
	case NETCONN_EVT_ERROR:
		i->errevent = true;
		break;
	}
	pollq_wake(&i->pq, 0);
}

static int lwip_errno(err_t e)
{
	switch (e) {
	case ERR_OK:
		return 0;
	case ERR_MEM:
		return -ENOMEM;
	case ERR_BUF:
		return -ENOBUFS;
	case ERR_TIMEOUT:
	case ERR_WOULDBLOCK:
		return -EAGAIN;
	case ERR_RTE:
		return -EHOSTUNREACH;
	case ERR_INPROGRESS:
		return -EINPROGRESS;
	case ERR_VAL:
		return -EINVAL;
	case ERR_USE:
		return -EADDRINUSE;
	case ERR_ALREADY:
		return -EALREADY;
	case ERR_ISCONN:
		return -EISCONN;
	case ERR_CONN:
	case ERR_CLSD:
		return -ENOTCONN;
	case ERR_ABRT:
		return -ECONNABORTED;
	case ERR_RST:
		return -ECONNRESET;
	default:
		return -EIO;
	}
}

static struct inet *I(struct socket *s)
{
	return s->priv;
}

static bool is_tcp(struct socket *s)
{
	return s->type == SOCK_STREAM;
}

/* The pending error, once (SO_ERROR's read-and-clear). A refused or reset
 * connect is ECONNREFUSED, as Linux says. */
static int take_error(struct inet *i)
{
	int e = i->so_error;

	if (!e && i->errevent)
		e = lwip_errno(netconn_err(i->conn));
	i->errevent = false;
	i->so_error = 0;
	if (e == -ECONNRESET && i->connecting && !i->connected)
		e = -ECONNREFUSED;
	return e;
}

static int addr_from(const struct sock_addr *a, ip_addr_t *ip, u16_t *port)
{
	struct k_sockaddr_in sin;

	if (a->len < sizeof sin)
		return -EINVAL;
	memcpy(&sin, a->bytes, sizeof sin);
	if (sin.family != AF_INET &&
	    !(sin.family == AF_UNSPEC && sin.addr == 0))
		return -EAFNOSUPPORT;
	ip_addr_set_ip4_u32(ip, sin.addr);
	*port = lwip_ntohs(sin.port);
	return 0;
}

static void addr_to(struct sock_addr *a, const ip_addr_t *ip, u16_t port)
{
	struct k_sockaddr_in sin = {
		AF_INET, lwip_htons(port), ip4_addr_get_u32(ip_2_ip4(ip)), {0}};

	a->len = sizeof sin;
	memcpy(a->bytes, &sin, sizeof sin);
}

static void connect_done(struct inet *i);

static unsigned int inet_poll(struct socket *s, struct pollq **q)
{
	struct inet *i = I(s);
	unsigned int m = 0;

	if (q)
		*q = &i->pq;
	connect_done(i);
	if (i->errevent || i->so_error)
		m |= POLLERR;
	if (!is_tcp(s)) {
		if (i->rcvevent > 0)
			m |= POLLIN | POLLRDNORM;
		return m | POLLOUT | POLLWRNORM;
	}
	if (i->listening)
		return m | (i->rcvevent > 0 ? POLLIN | POLLRDNORM : 0);
	if (!i->connected && !i->connecting)
		return m | POLLOUT | POLLHUP; /* Linux: a closed socket */
	if (i->left || i->rcvevent > 0 || i->rd_shut)
		m |= POLLIN | POLLRDNORM;
	if (i->eof)
		m |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (i->connected && i->sendable && !i->wr_shut)
		m |= POLLOUT | POLLWRNORM;
	if (i->errevent && i->connecting && !i->connected)
		m |= POLLOUT | POLLHUP; /* a failed connect */
	if ((i->eof && i->wr_shut) || (i->errevent && i->connected))
		m |= POLLHUP;
	return m;
}

static int inet_bind(struct socket *s, const struct sock_addr *a)
{
	ip_addr_t ip;
	u16_t port;
	int err;

	if ((err = addr_from(a, &ip, &port)) < 0)
		return err;
	return lwip_errno(netconn_bind(I(s)->conn, &ip, port));
}

static int inet_listen(struct socket *s, int backlog)
{
	struct inet *i = I(s);
	int err;

	if (!is_tcp(s))
		return -EOPNOTSUPP;
	if (i->connected || i->connecting)
		return -EINVAL;
	if (backlog < 1)
		backlog = 1;
	if (backlog > 255)
		backlog = 255;
	if (!i->listening) {
		err = lwip_errno(
			netconn_listen_with_backlog(i->conn, (u8_t)backlog));
		if (err < 0)
			return err;
	}
	i->listening = true;
	return 0;
}

static const struct socket_ops inet_ops;

/* An accepted or new netconn as a socket of type type. */
static int inet_wrap(struct netconn *c, int type, struct socket *out)
{
	struct inet *i = inet_get(c);

	if (!i)
		return -ENOMEM;
	netconn_set_nonblocking(c, 1);
	/* out->file stays: the file the socket already is, if any */
	out->ops = &inet_ops;
	out->family = AF_INET;
	out->type = type;
	out->protocol = type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
	out->priv = i;
	return 0;
}

static int inet_accept(struct socket *s, bool nonblock, struct socket **out,
		       struct sock_addr *peer)
{
	struct inet *i = I(s);
	struct netconn *nc;
	struct socket tmp = {0};
	struct file *f;
	ip_addr_t ip;
	u16_t port;
	int err;

	if (!i->listening)
		return -EINVAL;
	for (;;) {
		if (i->rcvevent > 0) {
			err = lwip_errno(netconn_accept(i->conn, &nc));
			if (err == 0)
				break;
			if (err != -EAGAIN)
				return err == -ECONNRESET ? -ECONNABORTED : err;
		}
		if (nonblock)
			return -EAGAIN;
		if ((err = file_wait(s->file, POLLIN, 0)) < 0)
			return err;
	}
	if ((err = inet_wrap(nc, SOCK_STREAM, &tmp)) < 0 ||
	    (err = socket_file(&tmp, 0, &f)) < 0) {
		netconn_delete(nc);
		return err;
	}
	I(&tmp)->connected = true;
	I(&tmp)->sendable = true;
	if (peer && netconn_peer(nc, &ip, &port) == ERR_OK)
		addr_to(peer, &ip, port);
	*out = file_socket(f);
	return 0;
}

static int inet_connect(struct socket *s, const struct sock_addr *a,
			bool nonblock)
{
	struct inet *i = I(s);
	ip_addr_t ip;
	u16_t port;
	int err;

	if ((err = addr_from(a, &ip, &port)) < 0)
		return err;
	if (!is_tcp(s)) {
		err = lwip_errno(netconn_connect(i->conn, &ip, port));
		i->connected = err == 0;
		return err;
	}
	if (i->listening)
		return -EISCONN;
	if (i->connected)
		return -EISCONN;
	if (i->connecting)
		return -EALREADY;
	i->connecting = true;
	i->sendable = false;
	err = lwip_errno(netconn_connect(i->conn, &ip, port));
	if (err == 0) {
		i->connected = true;
		i->sendable = true;
		return 0;
	}
	if (err != -EINPROGRESS) {
		i->connecting = false;
		return err == -ECONNRESET ? -ECONNREFUSED : err;
	}
	if (nonblock)
		return -EINPROGRESS;
	/* poll (connect_done) marks the end: connected, or the error */
	while (i->connecting && !i->connected) {
		if ((err = file_wait(s->file, POLLOUT, 0)) < 0)
			return err;
	}
	if (!i->connected) {
		err = take_error(i);
		return err ? err : -ECONNREFUSED;
	}
	return 0;
}

/* A non-blocking connect has finished when send space or an error came. */
static void connect_done(struct inet *i)
{
	if (!i->connecting || i->connected)
		return;
	if (i->errevent) {
		i->so_error = take_error(i);
		if (!i->so_error)
			i->so_error = -ECONNREFUSED;
		i->connecting = false;
	} else if (i->sendable) {
		i->connected = true;
	}
}

static ssize_t inet_tcp_send(struct socket *s, struct sock_msg *m,
			     bool nonblock)
{
	struct inet *i = I(s);
	size_t done = 0, seg = 0, segoff = 0;
	char *buf;
	ssize_t err = 0;

	connect_done(i);
	if (i->wr_shut)
		return -EPIPE;
	if (i->errevent && i->connected)
		return take_error(i) ?: -EPIPE;
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
		err = lwip_errno(netconn_write_partly(
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
			err = take_error(i) ?: -EPIPE;
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

	connect_done(i);
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
			err = lwip_errno(netconn_recv_tcp_pbuf_flags(
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
			return take_error(i) ?: -ECONNRESET;
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
	if (m->addr && (err = addr_from(m->addr, &ip, &port)) < 0)
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
	err = lwip_errno(m->addr ? netconn_sendto(i->conn, nb, &ip, port)
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
			err = lwip_errno(netconn_recv(i->conn, &nb));
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
		addr_to(m->addr, netbuf_fromaddr(nb), netbuf_fromport(nb));
	netbuf_delete(nb);
	return (m->flags & MSG_TRUNC) ? (ssize_t)total : (ssize_t)at;
}

static ssize_t inet_sendmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	return is_tcp(s) ? inet_tcp_send(s, m, nonblock)
			 : inet_udp_send(s, m, nonblock);
}

static ssize_t inet_recvmsg(struct socket *s, struct sock_msg *m, bool nonblock)
{
	if (is_tcp(s)) {
		ssize_t n = inet_tcp_recv(s, m, nonblock);

		if (n >= 0 && m->addr) /* recvfrom on TCP: the peer, as Linux */
			m->addr->len = 0;
		return n;
	}
	return inet_udp_recv(s, m, nonblock);
}

static int inet_shutdown(struct socket *s, int how)
{
	struct inet *i = I(s);
	bool rd = how != SHUT_WR, wr = how != SHUT_RD;

	connect_done(i);
	if (!is_tcp(s) || (!i->connected && !i->listening))
		return -ENOTCONN;
	if (i->listening) {
		i->rd_shut = true;
		pollq_wake(&i->pq, 0);
		return 0;
	}
	if (wr && !i->wr_shut)
		netconn_shutdown(i->conn, 0, 1);
	i->rd_shut |= rd;
	i->wr_shut |= wr;
	pollq_wake(&i->pq, 0);
	return 0;
}

static int inet_getname(struct socket *s, struct sock_addr *a, bool peer)
{
	struct inet *i = I(s);
	ip_addr_t ip;
	u16_t port;
	err_t e;

	if (peer && !i->connected)
		return -ENOTCONN;
	e = netconn_getaddr(i->conn, &ip, &port, !peer);
	if (e != ERR_OK) {
		if (peer)
			return -ENOTCONN;
		ip_addr_set_zero_ip4(&ip); /* not bound: 0.0.0.0:0 */
		port = 0;
	}
	addr_to(a, &ip, port);
	return 0;
}

static int inet_setsockopt(struct socket *s, int level, int name,
			   const void *val, uint32_t len)
{
	struct inet *i = I(s);
	int v;

	if (level == SOL_SOCKET && name == SO_LINGER) {
		if (len < sizeof i->linger)
			return -EINVAL;
		memcpy(i->linger, val, sizeof i->linger);
		return 0;
	}
	if (len < sizeof v)
		return -EINVAL;
	memcpy(&v, val, sizeof v);
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_REUSEADDR:
		case SO_REUSEPORT:
			i->reuse = v != 0;
			LOCK_TCPIP_CORE();
			if (i->conn->pcb.ip) {
				if (v)
					ip_set_option(i->conn->pcb.ip,
						      SOF_REUSEADDR);
				else
					ip_reset_option(i->conn->pcb.ip,
							SOF_REUSEADDR);
			}
			UNLOCK_TCPIP_CORE();
			return 0;
		case SO_KEEPALIVE:
			i->keepalive = v != 0;
			LOCK_TCPIP_CORE();
			if (i->conn->pcb.ip) {
				if (v)
					ip_set_option(i->conn->pcb.ip,
						      SOF_KEEPALIVE);
				else
					ip_reset_option(i->conn->pcb.ip,
							SOF_KEEPALIVE);
			}
			UNLOCK_TCPIP_CORE();
			return 0;
		case SO_RCVBUF:
			i->rcvbuf = v;
			return 0;
		case SO_SNDBUF:
			i->sndbuf = v;
			return 0;
		}
		return -ENOPROTOOPT;
	}
	if (level == IPPROTO_TCP && is_tcp(s) && name == TCP_NODELAY) {
		i->nodelay = v != 0;
		LOCK_TCPIP_CORE();
		if (i->conn->pcb.tcp && !i->listening) {
			if (v)
				tcp_nagle_disable(i->conn->pcb.tcp);
			else
				tcp_nagle_enable(i->conn->pcb.tcp);
		}
		UNLOCK_TCPIP_CORE();
		return 0;
	}
	return -ENOPROTOOPT;
}

static int inet_getsockopt(struct socket *s, int level, int name, void *val,
			   uint32_t *len)
{
	struct inet *i = I(s);
	int v;

	if (level == SOL_SOCKET && name == SO_LINGER) {
		*len = MIN(*len, sizeof i->linger);
		memcpy(val, i->linger, *len);
		return 0;
	}
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_ERROR:
			connect_done(i);
			v = -take_error(i);
			break;
		case SO_REUSEADDR:
		case SO_REUSEPORT:
			v = i->reuse;
			break;
		case SO_KEEPALIVE:
			v = i->keepalive;
			break;
		case SO_RCVBUF: /* Linux reports twice what was set */
			v = i->rcvbuf ? 2 * i->rcvbuf : TCP_WND;
			break;
		case SO_SNDBUF:
			v = i->sndbuf ? 2 * i->sndbuf : TCP_SND_BUF;
			break;
		case SO_ACCEPTCONN:
			v = i->listening;
			break;
		default:
			return -ENOPROTOOPT;
		}
	} else if (level == IPPROTO_TCP && is_tcp(s) && name == TCP_NODELAY) {
		v = i->nodelay;
	} else {
		return -ENOPROTOOPT;
	}
	*len = MIN(*len, sizeof v);
	memcpy(val, &v, *len);
	return 0;
}

/* The bytes of the segment at the head of the queue (Linux counts all
 * queued bytes; lwIP's mailbox does not say, so a reader looping on
 * FIONREAD sees one segment at a time). */
static int64_t inet_nread(struct socket *s)
{
	struct inet *i = I(s);
	struct pbuf *p = NULL;

	if (is_tcp(s) && !i->left && i->rcvevent > 0 && i->connected &&
	    netconn_recv_tcp_pbuf_flags(i->conn, &p, NETCONN_DONTBLOCK) ==
		    ERR_OK &&
	    p) {
		i->left = p;
		i->left_off = 0;
	}
	return i->left ? i->left->tot_len - i->left_off : 0;
}

static void inet_release(struct socket *s)
{
	struct inet *i = I(s);

	i->closing = true;
	if (i->left)
		pbuf_free(i->left);
	/* SO_LINGER on with 0 s: reset rather than close, as Linux */
	if (is_tcp(s) && i->linger[0] && i->linger[1] == 0 && i->connected) {
		LOCK_TCPIP_CORE();
		if (i->conn->pcb.tcp)
			tcp_abort(i->conn->pcb.tcp);
		UNLOCK_TCPIP_CORE();
	}
	netconn_delete(i->conn);
	inet_unhash(i);
	kfree(i);
}

static const struct socket_ops inet_ops = {
	.bind = inet_bind,
	.listen = inet_listen,
	.accept = inet_accept,
	.connect = inet_connect,
	.sendmsg = inet_sendmsg,
	.recvmsg = inet_recvmsg,
	.shutdown = inet_shutdown,
	.getname = inet_getname,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
	.poll = inet_poll,
	.nread = inet_nread,
	.release = inet_release,
};

static int inet_create(struct socket *s, int type, int protocol)
{
	struct netconn *c;
	enum netconn_type t;

	/* With no NIC, net_init() leaves lwIP unstarted (not even its
	 * loopback interface is there): no AF_INET then. */
	if (!netif_list)
		return -EAFNOSUPPORT;
	if (type == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP))
		t = NETCONN_TCP;
	else if (type == SOCK_DGRAM &&
		 (protocol == 0 || protocol == IPPROTO_UDP))
		t = NETCONN_UDP;
	else if (type == SOCK_STREAM || type == SOCK_DGRAM)
		return -EPROTONOSUPPORT;
	else
		return -ESOCKTNOSUPPORT;
	if (!(c = netconn_new_with_callback(t, inet_event)))
		return -ENOMEM;
	return inet_wrap(c, type, s) < 0 ? (netconn_delete(c), -ENOMEM) : 0;
}

const struct socket_family inet_family = {AF_INET, inet_create};
