/* AF_UNIX sockets: what socket_unix.c and socket_unix_io.c share. */
#ifndef KERNEL_SYS_SOCKET_UNIX_PRIV_H
#define KERNEL_SYS_SOCKET_UNIX_PRIV_H

#include <kernel/poll.h>
#include <kernel/sched.h>
#include <kernel/socket.h>

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

static inline struct usock *U(struct socket *s)
{
	return s->priv;
}

static inline bool connection_type(const struct usock *u)
{
	return u->type == SOCK_STREAM || u->type == SOCK_SEQPACKET;
}

/* socket_unix.c */
struct usock *us_get(struct usock *u);
void us_put(struct usock *u);
/* u's peer becomes p (referenced), or none. */
void us_set_peer(struct usock *u, struct usock *p);
/* Its state changed: wake pollers and blocked callers. */
void us_wake(struct usock *u);
/* Blocking with no other thread to end the wait: -EAGAIN (logged once). */
int us_lone_thread(void);
/* socket_unix_name.c */
int unix_bind(struct socket *s, const struct sock_addr *a);
/* Off the bound list, its name node released (the socket closes). */
void us_unlist(struct usock *u);
/* The socket bound to address a for a socket of type type: 0, or
 * -ENOENT, -ECONNREFUSED, -EPROTOTYPE... as Linux. */
int us_lookup(const struct sock_addr *a, int type, struct usock **out);

/* socket_unix_io.c */
void us_fds_free(struct ufds *d);
void us_rx_drop(struct usock *u, size_t n);
void us_drained(struct usock *u);
/* A uring copy callback: ring bytes into the kernel buffer ctx. */
int us_to_kbuf(void *ctx, size_t at, void *p, size_t n);
ssize_t unix_sendmsg(struct socket *s, struct sock_msg *m, bool nonblock);
ssize_t unix_recvmsg(struct socket *s, struct sock_msg *m, bool nonblock);

/* Sleep on u's queue until cond holds (evaluated with the wake armed):
 * 0, -EAGAIN when no other thread could make it true (us_lone_thread()),
 * or -ERESTARTSYS when a signal for the caller ended the wait. */
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
			if (!wait_can_end()) {                                 \
				waitq_cancel(&(u)->wq);                        \
				e_ = us_lone_thread();                            \
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

#endif
