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

#include "socket_inet_priv.h"

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

int inet_lwip_errno(err_t e)
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

/* The pending error, once (SO_ERROR's read-and-clear). A refused or reset
 * connect is ECONNREFUSED, as Linux says. */
int inet_take_error(struct inet *i)
{
	int e = i->so_error;

	if (!e && i->errevent)
		e = inet_lwip_errno(netconn_err(i->conn));
	i->errevent = false;
	i->so_error = 0;
	if (e == -ECONNRESET && i->connecting && !i->connected)
		e = -ECONNREFUSED;
	return e;
}

int inet_addr_from(const struct sock_addr *a, ip_addr_t *ip, u16_t *port)
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

void inet_addr_to(struct sock_addr *a, const ip_addr_t *ip, u16_t port)
{
	struct k_sockaddr_in sin = {
		AF_INET, lwip_htons(port), ip4_addr_get_u32(ip_2_ip4(ip)), {0}};

	a->len = sizeof sin;
	memcpy(a->bytes, &sin, sizeof sin);
}

/* The peer's FIN has arrived (POLLRDHUP), whether or not the reader has
 * reached it yet: lwIP's connection state says so (RFC 793's states after
 * a FIN is received). */
static bool fin_received(const struct inet *i)
{
	const struct tcp_pcb *p = i->conn->pcb.tcp;

	return p && (p->state == CLOSE_WAIT || p->state == LAST_ACK ||
		     p->state == CLOSING || p->state == TIME_WAIT);
}

static unsigned int inet_poll(struct socket *s, struct pollq **q)
{
	struct inet *i = I(s);
	unsigned int m = 0;

	if (q)
		*q = &i->pq;
	inet_connect_done(i);
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
	if (i->eof || fin_received(i))
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

	if ((err = inet_addr_from(a, &ip, &port)) < 0)
		return err;
	return inet_lwip_errno(netconn_bind(I(s)->conn, &ip, port));
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
		err = inet_lwip_errno(
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
			err = inet_lwip_errno(netconn_accept(i->conn, &nc));
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
		inet_addr_to(peer, &ip, port);
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

	if ((err = inet_addr_from(a, &ip, &port)) < 0)
		return err;
	if (!is_tcp(s)) {
		err = inet_lwip_errno(netconn_connect(i->conn, &ip, port));
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
	err = inet_lwip_errno(netconn_connect(i->conn, &ip, port));
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
	/* poll (inet_connect_done) marks the end: connected, or the error */
	while (i->connecting && !i->connected) {
		if ((err = file_wait(s->file, POLLOUT, 0)) < 0)
			return err;
	}
	if (!i->connected) {
		err = inet_take_error(i);
		return err ? err : -ECONNREFUSED;
	}
	return 0;
}

/* A non-blocking connect has finished when send space or an error came. */
void inet_connect_done(struct inet *i)
{
	if (!i->connecting || i->connected)
		return;
	if (i->errevent) {
		i->so_error = inet_take_error(i);
		if (!i->so_error)
			i->so_error = -ECONNREFUSED;
		i->connecting = false;
	} else if (i->sendable) {
		i->connected = true;
	}
}

static int inet_shutdown(struct socket *s, int how)
{
	struct inet *i = I(s);
	bool rd = how != SHUT_WR, wr = how != SHUT_RD;

	inet_connect_done(i);
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
	inet_addr_to(a, &ip, port);
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
			/* As Linux: doubled (for its bookkeeping), capped by
			 * rmem_max and floored (net/core/sock.c). It bounds
			 * the datagrams a UDP socket queues; TCP's window is
			 * lwIP's fixed TCP_WND. */
			i->rcvbuf = socket_buf_size(v, SOCK_MIN_RCVBUF);
			if (!is_tcp(s))
				netconn_set_recvbufsize(i->conn, i->rcvbuf);
			return 0;
		case SO_SNDBUF:
			/* Reported as Linux does; lwIP's TCP_SND_BUF stays the
			 * limit on what is in flight. */
			i->sndbuf = socket_buf_size(v, SOCK_MIN_SNDBUF);
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
			inet_connect_done(i);
			v = -inet_take_error(i);
			break;
		case SO_REUSEADDR:
		case SO_REUSEPORT:
			v = i->reuse;
			break;
		case SO_KEEPALIVE:
			v = i->keepalive;
			break;
		case SO_RCVBUF:
			v = i->rcvbuf ? i->rcvbuf
				      : is_tcp(s) ? TCP_WND : RECV_BUFSIZE_DEFAULT;
			break;
		case SO_SNDBUF:
			v = i->sndbuf ? i->sndbuf : TCP_SND_BUF;
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

/* FIONREAD. TCP: every byte queued, as Linux counts them: what is left of
 * the segment being read plus lwIP's count of what waits in the mailbox
 * (recv_avail, kept with LWIP_SO_RCVBUF). UDP: Linux gives the next
 * datagram's size; lwIP's mailbox cannot be peeked, so this gives all
 * queued bytes: never less, so a buffer sized by it holds the datagram. */
static int64_t inet_nread(struct socket *s)
{
	struct inet *i = I(s);
	int64_t n = i->left ? i->left->tot_len - i->left_off : 0;
	int queued;

	SYS_ARCH_GET(i->conn->recv_avail, queued);
	return n + (queued > 0 ? queued : 0);
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
