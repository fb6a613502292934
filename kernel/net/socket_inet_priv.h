/* AF_INET sockets: what socket_inet.c (connections, options) and
 * socket_inet_io.c (sending and receiving) share. */
#ifndef KERNEL_NET_SOCKET_INET_PRIV_H
#define KERNEL_NET_SOCKET_INET_PRIV_H

#include <kernel/poll.h>
#include <kernel/socket.h>

#include "lwip/api.h"

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

static inline struct inet *I(struct socket *s)
{
	return s->priv;
}

static inline bool is_tcp(struct socket *s)
{
	return s->type == SOCK_STREAM;
}

/* lwIP's err_t as a negative Linux errno. */
int inet_lwip_errno(err_t e);
/* The pending error, once (SO_ERROR's read-and-clear). */
int inet_take_error(struct inet *i);
/* struct sockaddr_in <-> lwIP address and port. */
int inet_addr_from(const struct sock_addr *a, ip_addr_t *ip, u16_t *port);
void inet_addr_to(struct sock_addr *a, const ip_addr_t *ip, u16_t port);
/* A non-blocking connect has finished: mark the socket connected. */
void inet_connect_done(struct inet *i);

/* socket_inet_io.c: the data path. */
ssize_t inet_sendmsg(struct socket *s, struct sock_msg *m, bool nonblock);
ssize_t inet_recvmsg(struct socket *s, struct sock_msg *m, bool nonblock);

#endif
