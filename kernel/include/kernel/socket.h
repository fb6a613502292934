/* Sockets as files: the family-independent layer and what a family
 * (the lwIP one: AF_INET) provides. */
#ifndef KERNEL_SOCKET_H
#define KERNEL_SOCKET_H

#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/types.h>

/* Linux x86-64 values (linux/socket.h, linux/net.h). */
#define AF_UNSPEC 0
#define AF_UNIX	  1
#define AF_INET	  2
#define AF_INET6  10
#define AF_MAX	  46

#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_RAW       3
#define SOCK_SEQPACKET 5
#define SOCK_TYPE_MAX  10
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK  O_NONBLOCK
#define SOCK_CLOEXEC   O_CLOEXEC

#define SHUT_RD	  0
#define SHUT_WR	  1
#define SHUT_RDWR 2

#define MSG_OOB	     0x1
#define MSG_PEEK     0x2
#define MSG_DONTWAIT 0x40
#define MSG_TRUNC    0x20
#define MSG_WAITALL  0x100
#define MSG_NOSIGNAL 0x4000
#define MSG_CTRUNC   0x8

#define MSG_CMSG_CLOEXEC 0x40000000 /* recvmsg: received fds FD_CLOEXEC */

#define SOL_SOCKET 1
#define SO_TYPE	   3
#define SO_DOMAIN  39

/* The network's errno values, where <kernel/errno.h> has none yet. */
#ifndef ENOTSOCK
#define ENOTSOCK 88
#endif
#ifndef EDESTADDRREQ
#define EDESTADDRREQ 89
#endif
#ifndef ENOPROTOOPT
#define ENOPROTOOPT 92
#endif
#ifndef EPROTONOSUPPORT
#define EPROTONOSUPPORT 93
#endif
#ifndef EAFNOSUPPORT
#define EAFNOSUPPORT 97
#endif

/* A socket address as the application gave it (sockaddr_storage). */
#define SOCKADDR_MAX 128
struct sock_addr {
	uint32_t len;
	union {
		uint16_t family;
		uint8_t bytes[SOCKADDR_MAX];
	};
};

/* One sendmsg/recvmsg: the segments (each a uio, user memory already
 * range-checked), their total, the peer address (NULL: none asked for or
 * given), the MSG_ flags, and on return from recvmsg its msg_flags. */
struct sock_msg {
	struct uio *iov;
	int iovcnt;
	size_t len;
	struct sock_addr *addr;
	int flags;
	int out_flags;
	/* SCM_RIGHTS. sendmsg: nfiles referenced files a family that passes
	 * descriptors takes (setting nfiles to 0); the layer drops the rest.
	 * recvmsg: files_ok when the caller can take files; the family sets
	 * files (kmalloc'd) and nfiles, references and all, or drops them and
	 * sets MSG_CTRUNC. */
	struct file **files;
	int nfiles;
	bool files_ok;
};

struct socket;

/*
 * What a family implements. nonblock is the descriptor's O_NONBLOCK or
 * MSG_DONTWAIT. Blocking calls sleep the calling thread (file_wait());
 * the socket's state changes call pollq_wake() on the queue poll names.
 * Every member may be NULL: the layer answers -EOPNOTSUPP (or, for
 * options, -ENOPROTOOPT). Each returns 0, a count, or -errno as Linux.
 */
struct socket_ops {
	int (*bind)(struct socket *s, const struct sock_addr *a);
	int (*listen)(struct socket *s, int backlog);
	/* a new socket for the next connection; the peer's address into
	 * *peer when it is not NULL */
	int (*accept)(struct socket *s, bool nonblock, struct socket **out,
		      struct sock_addr *peer);
	int (*connect)(struct socket *s, const struct sock_addr *a,
		       bool nonblock);
	/* socketpair(2): connect two new sockets of the family */
	int (*pair)(struct socket *a, struct socket *b);
	ssize_t (*sendmsg)(struct socket *s, struct sock_msg *m, bool nonblock);
	ssize_t (*recvmsg)(struct socket *s, struct sock_msg *m, bool nonblock);
	int (*shutdown)(struct socket *s, int how);
	int (*getname)(struct socket *s, struct sock_addr *a, bool peer);
	/* val is a kernel copy of the option (len bytes); getsockopt
	 * writes at most *len bytes and sets *len */
	int (*setsockopt)(struct socket *s, int level, int name,
			  const void *val, uint32_t len);
	int (*getsockopt)(struct socket *s, int level, int name, void *val,
			  uint32_t *len);
	unsigned int (*poll)(struct socket *s, struct pollq **q);
	int64_t (*nread)(struct socket *s); /* FIONREAD */
	void (*release)(struct socket *s);
};

struct socket {
	const struct socket_ops *ops;
	int family, type, protocol;
	void *priv;	   /* the family's state */
	struct file *file; /* the file it is (not a reference) */
};

/* A family: create fills s->ops and s->priv for (type, protocol), or
 * returns -EPROTONOSUPPORT, -ESOCKTNOSUPPORT... as Linux. */
struct socket_family {
	int family;
	int (*create)(struct socket *s, int type, int protocol);
};

/* Register a family at boot (at most a few). 0 or -ENOMEM. */
int socket_family_register(const struct socket_family *fam);

/* A new socket file (flags: O_NONBLOCK), as socket(2) without the
 * descriptor. */
int socket_create(int family, int type, int protocol, int flags,
		  struct file **out);
/* For a family's accept: a file for a socket it made (s->ops set). */
int socket_file(struct socket *s, int flags, struct file **out);
/* The socket a file is, or NULL. */
struct socket *file_socket(struct file *f);
/* readv/writev of a socket: one recvmsg/sendmsg of the whole user iovec
 * (uiov, cnt entries), so a datagram keeps its boundaries
 * (kernel/sys/sys_socket.c). */
long socket_rw_iov(struct file *f, uint64_t uiov, int cnt, bool write);
/* Whether EPIPE from f raises SIGPIPE: any file but a socket, and stream
 * sockets (Linux: TCP's and AF_UNIX stream's sendmsg send it; datagram
 * and seqpacket sockets do not). */
bool socket_epipe_signals(struct file *f);

/*
 * SO_RCVBUF and SO_SNDBUF as Linux sizes them (sock_setsockopt): the value
 * doubled, at most twice net.core.rmem_max/wmem_max's default, at least
 * the floor (SOCK_MIN_RCVBUF or SOCK_MIN_SNDBUF, include/net/sock.h on
 * x86-64). What getsockopt then reports.
 */
#define SOCKBUF_MAX	212992
#define SOCK_MIN_RCVBUF 2304
#define SOCK_MIN_SNDBUF 4608
int socket_buf_size(int v, int floor);

#endif
