/* AF_UNIX socket calls: run on the host and in the guest, and the lines
 * starting "R " must match. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "rlines.h"

#define T(name, fmt, ...) printf("T %s: " fmt "\n", name, __VA_ARGS__)
/* a count: the number itself */
#define RN(name, call)                                                         \
	do {                                                                   \
		long rc_;                                                      \
		errno = 0;                                                     \
		rc_ = (long)(call);                                            \
		R(name, "%ld %s", rc_, rc_ < 0 ? strerror(errno) : "-");       \
	} while (0)

/* Where path sockets go (argv[1], default /tmp) and a suffix for abstract
 * names (argv[2]), so that runs at the same time on one host do not meet;
 * addresses are shown without them. */
static const char *dir = "/tmp", *tag = "";

static socklen_t path_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof a->sun_path, "%s/%s", dir, name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			   strlen(a->sun_path) + 1);
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "%s%s", name, tag);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			   strlen(name) + strlen(tag));
}

/* The address as text: its length, then the path or "@name". */
static void show_addr(const char *name, const struct sockaddr_un *a,
		      socklen_t len)
{
	size_t n = len > offsetof(struct sockaddr_un, sun_path)
			   ? len - offsetof(struct sockaddr_un, sun_path)
			   : 0;

	size_t d = strlen(dir), t = strlen(tag);

	if (n > t && a->sun_path[0] == 0)
		R(name, "%u fam %d @%.*s", (unsigned)(len - t), a->sun_family,
		  (int)(n - 1 - t), a->sun_path + 1);
	else if (n > d && !strncmp(a->sun_path, dir, d))
		R(name, "%u fam %d DIR%.*s", (unsigned)(len - d), a->sun_family,
		  (int)strnlen(a->sun_path + d, n - d), a->sun_path + d);
	else
		R(name, "%u fam %d %.*s", (unsigned)len, a->sun_family,
		  (int)strnlen(a->sun_path, n), a->sun_path);
}

/* The directory entry type of path's last component, -1 if not found. */
static int dtype_of(const char *path)
{
	const char *base = strrchr(path, '/') + 1;
	struct dirent *e;
	int t = -1;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d)))
		if (!strcmp(e->d_name, base))
			t = e->d_type;
	if (d)
		closedir(d);
	return t;
}

static void pair_stream(int type, const char *tn)
{
	int sv[2], v;
	char buf[256], name[64];
	socklen_t len;

	snprintf(name, sizeof name, "%s socketpair", tn);
	RC(name, socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv));
	R("cloexec", "%d", (fcntl(sv[0], F_GETFD) & FD_CLOEXEC) != 0);
	len = sizeof v;
	getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len);
	R("so_type", "%d", v);
	getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &len);
	R("so_domain", "%d", v);
	R("idle poll", "%#x", pollone(sv[0], POLLIN | POLLOUT | POLLRDHUP, 0));
	RN("write", write(sv[0], "hello", 5));
	RN("write 2", write(sv[0], "world!", 6));
	R("readable", "%#x", pollone(sv[1], POLLIN | POLLOUT, 0));
	v = 0;
	ioctl(sv[1], FIONREAD, &v);
	R("fionread", "%d", v);
	memset(buf, 0, sizeof buf);
	RN("peek", recv(sv[1], buf, 3, MSG_PEEK));
	R("peeked", "%s", buf);
	memset(buf, 0, sizeof buf);
	RN("read", read(sv[1], buf, sizeof buf));
	R("read data", "%s", buf);
	RN("read empty nonblock", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
	/* readv/writev, sendmsg/recvmsg */
	{
		struct iovec wv[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
		char r1[3] = {0}, r2[8] = {0};
		struct iovec rv[2] = {{r1, 2}, {r2, 7}};
		struct msghdr mh = {0};

		RN("writev", writev(sv[1], wv, 3));
		RN("readv", readv(sv[0], rv, 2));
		R("readv data", "%s %s", r1, r2);
		mh.msg_iov = wv;
		mh.msg_iovlen = 3;
		RN("sendmsg", sendmsg(sv[0], &mh, 0));
		memset(r1, 0, sizeof r1);
		memset(r2, 0, sizeof r2);
		mh.msg_iov = rv;
		mh.msg_iovlen = 2;
		RN("recvmsg", recvmsg(sv[1], &mh, 0));
		R("recvmsg data", "%s %s flags %#x namelen %u", r1, r2,
		  mh.msg_flags, (unsigned)mh.msg_namelen);
	}
	/* getsockname/getpeername of unnamed sockets */
	{
		struct sockaddr_un a;

		len = sizeof a;
		RC("getsockname", getsockname(sv[0], (void *)&a, &len));
		show_addr("unnamed name", &a, len);
		len = sizeof a;
		RC("getpeername", getpeername(sv[0], (void *)&a, &len));
		show_addr("unnamed peer", &a, len);
	}
	/* half-close: EOF on one side, the other still works */
	RC("shutdown wr", shutdown(sv[0], SHUT_WR));
	R("after shut wr: reader", "%#x",
	  pollone(sv[1], POLLIN | POLLOUT | POLLRDHUP, 0));
	R("after shut wr: writer", "%#x",
	  pollone(sv[0], POLLIN | POLLOUT | POLLRDHUP, 0));
	RN("read eof", read(sv[1], buf, sizeof buf));
	RN("write after shut wr", send(sv[0], "x", 1, MSG_NOSIGNAL));
	RN("write back", write(sv[1], "back", 4));
	RN("read back", read(sv[0], buf, sizeof buf));
	RC("shutdown bad", shutdown(sv[0], 7));
	/* close: EPIPE and SIGPIPE */
	RN("write unread", write(sv[1], "zz", 2));
	close(sv[0]);
	R("peer closed poll", "%#x",
	  pollone(sv[1], POLLIN | POLLOUT | POLLRDHUP, 0));
	RN("read after close", read(sv[1], buf, sizeof buf));
	sigpipes = 0;
	RN("write closed nosignal", send(sv[1], "x", 1, MSG_NOSIGNAL));
	R("sigpipes", "%d", sigpipes);
	/* SIGPIPE for a stream only */
	RN("write closed", write(sv[1], "x", 1));
	R("sigpipes", "%d", sigpipes);
	RN("writev closed", writev(sv[1], &(struct iovec){"x", 1}, 1));
	R("sigpipes", "%d", sigpipes);
	close(sv[1]);
}

static void pair_full(void)
{
	int sv[2];
	static char big[4096];
	long total = 0, n;
	int eagain;

	RC("nonblock socketpair",
	   socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
	R("nonblock flag", "%d", (fcntl(sv[0], F_GETFL) & O_NONBLOCK) != 0);
	while ((n = write(sv[0], big, sizeof big)) > 0)
		total += n;
	eagain = errno == EAGAIN;
	R("full", "eagain %d some %d", eagain, total > 0);
	R("full poll", "%#x", pollone(sv[0], POLLOUT, 0));
	while ((n = read(sv[1], big, sizeof big)) > 0)
		total -= n;
	R("drained", "%ld %s", total, strerror(errno));
	R("drained poll", "%#x", pollone(sv[0], POLLOUT, 0));
	close(sv[0]);
	close(sv[1]);
}

static void pair_dgram(int type, const char *tn)
{
	static char big[1000];
	int sv[2], v, n;
	char buf[64];
	char name[64];

	snprintf(name, sizeof name, "%s socketpair", tn);
	RC(name, socketpair(AF_UNIX, type, 0, sv));
	R("idle poll", "%#x", pollone(sv[0], POLLIN | POLLOUT, 0));
	RN("send 1", send(sv[0], "one", 3, 0));
	RN("send 2", send(sv[0], "second", 6, 0));
	RN("send empty", send(sv[0], "", 0, 0));
	v = 0;
	ioctl(sv[1], FIONREAD, &v);
	R("fionread", "%d", v);
	memset(buf, 0, sizeof buf);
	RN("recv peek", recv(sv[1], buf, sizeof buf, MSG_PEEK));
	RN("recv 1", recv(sv[1], buf, sizeof buf, 0));
	R("data 1", "%s", buf);
	memset(buf, 0, sizeof buf);
	{
		struct iovec iv = {buf, 3};
		struct msghdr mh = {.msg_iov = &iv, .msg_iovlen = 1};

		RN("recvmsg short", recvmsg(sv[1], &mh, 0));
		R("truncated", "%s %#x", buf, mh.msg_flags);
	}
	RN("recv empty msg", recv(sv[1], buf, sizeof buf, 0));
	RN("recv none", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
	RN("send trunc", send(sv[0], "abcdef", 6, 0));
	RN("recv MSG_TRUNC", recv(sv[1], buf, 2, MSG_TRUNC));
	/* fill it: non-blocking EAGAIN */
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	for (n = 0; n < 100000 && send(sv[0], big, sizeof big, 0) == 1000; n++)
		;
	R("dgram full", "%s %d", strerror(errno), n > 0);
	close(sv[1]);
	RN("send to closed", send(sv[0], "x", 1, MSG_NOSIGNAL));
	RN("send again", send(sv[0], "x", 1, MSG_NOSIGNAL));
	close(sv[0]);
}

struct srv {
	struct sockaddr_un a;
	socklen_t len;
	int type;
	int fd;
};

static void *connect_later(void *arg)
{
	struct srv *s = arg;

	usleep(50000);
	s->fd = socket(AF_UNIX, s->type, 0);
	connect(s->fd, (void *)&s->a, s->len);
	write(s->fd, "late", 4);
	return NULL;
}

static void *write_later(void *arg)
{
	usleep(50000);
	write(*(int *)arg, "wake", 4);
	return NULL;
}

static void named(int type, const char *tn, bool abstract)
{
	struct sockaddr_un a, got;
	socklen_t alen, len;
	int l, c, s, l2, v;
	char buf[64];
	const char *path;

	printf("R --- %s %s\n", tn, abstract ? "abstract" : "path");
	alen = abstract ? abstract_addr(&a, "kiln-unix-test")
			: path_addr(&a, "kiln-unix-test.sock");
	path = abstract ? "" : a.sun_path;
	unlink(path);
	l = socket(AF_UNIX, type, 0);
	c = socket(AF_UNIX, type, 0);
	RC("connect missing", connect(c, (void *)&a, alen));
	RC("listen unbound", listen(l, 4));
	RC("bind", bind(l, (void *)&a, alen));
	RC("bind again", bind(l, (void *)&a, alen));
	if (!abstract) {
		struct stat st;

		RC("stat", stat(path, &st));
		R("is socket", "%d", S_ISSOCK(st.st_mode));
		RC("open socket", open(path, O_RDONLY));
		R("d_type", "%d", dtype_of(path));
	}
	l2 = socket(AF_UNIX, type, 0);
	RC("bind in use", bind(l2, (void *)&a, alen));
	len = sizeof got;
	RC("getsockname", getsockname(l, (void *)&got, &len));
	show_addr("bound name", &got, len);
	RC("connect not listening", connect(c, (void *)&a, alen));
	RC("getpeername unconnected", getpeername(c, (void *)&got, &len));
	RC("recv unconnected", recv(c, buf, 1, MSG_DONTWAIT));
	RC("send unconnected", send(c, "x", 1, MSG_NOSIGNAL));
	RC("listen", listen(l, 4));
	len = sizeof v;
	getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len);
	R("acceptconn", "%d", v);
	R("listener idle", "%#x", pollone(l, POLLIN | POLLOUT, 0));
	fcntl(l, F_SETFL, O_NONBLOCK);
	RC("accept nothing", accept(l, NULL, NULL));
	RC("connect", connect(c, (void *)&a, alen));
	RC("connect again", connect(c, (void *)&a, alen));
	RN("write before accept", write(c, "early", 5));
	R("listener ready", "%#x", pollone(l, POLLIN, 0));
	len = sizeof got;
	memset(&got, 0x55, sizeof got);
	s = accept4(l, (void *)&got, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	R("accept4", "%s", s >= 0 ? "fd" : strerror(errno));
	show_addr("accepted peer", &got, len);
	R("accept4 flags", "%d %d", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0,
	  (fcntl(s, F_GETFD) & FD_CLOEXEC) != 0);
	len = sizeof got;
	getsockname(s, (void *)&got, &len);
	show_addr("accepted name", &got, len);
	len = sizeof got;
	getpeername(c, (void *)&got, &len);
	show_addr("client peer", &got, len);
	len = sizeof got;
	getsockname(c, (void *)&got, &len);
	show_addr("client name", &got, len);
	{
		struct ucred cr;

		len = sizeof cr;
		RC("peercred",
		   getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &len));
		R("peercred", "%u %d %d %d", (unsigned)len, cr.pid == getpid(),
		  cr.uid == getuid(), cr.gid == getgid());
	}
	len = sizeof v;
	getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &len);
	R("sndbuf", "%d", v > 0);
	v = 5000;
	RC("set rcvbuf", setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
	len = sizeof v;
	getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len);
	R("rcvbuf", "%d", v);
	len = sizeof v;
	RC("so_error", getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &len));
	R("so_error value", "%d", v);
	memset(buf, 0, sizeof buf);
	RN("read early", read(s, buf, sizeof buf));
	R("early data", "%s", buf);
	RN("send reply", send(s, "reply", 5, 0));
	memset(buf, 0, sizeof buf);
	RN("recv reply", recv(c, buf, sizeof buf, 0));
	R("reply", "%s", buf);
	/* epoll readiness */
	{
		int ep = epoll_create1(0);
		struct epoll_event ev = {EPOLLIN | EPOLLRDHUP, {.fd = s}}, out;

		epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
		RN("epoll idle", epoll_wait(ep, &out, 1, 0));
		write(c, "e", 1);
		RN("epoll data", epoll_wait(ep, &out, 1, 0));
		R("epoll events", "%#x", out.events);
		read(s, buf, sizeof buf);
		close(c);
		RN("epoll hup", epoll_wait(ep, &out, 1, 1000));
		R("epoll hup events", "%#x", out.events);
		close(ep);
	}
	RN("read eof", read(s, buf, sizeof buf));
	close(s);
	/* A blocking accept woken by a connect from another thread, a
	 * blocking read woken by a write: "T " lines, compared when the
	 * guest has threads. */
	{
		struct srv sv = {a, alen, type, -1};
		pthread_t t;

		fcntl(l, F_SETFL, 0);
		if (pthread_create(&t, NULL, connect_later, &sv) != 0) {
			printf("T no threads\n");
		} else {
			s = accept(l, NULL, NULL);
			T("blocking accept", "%s",
			  s >= 0 ? "fd" : strerror(errno));
			memset(buf, 0, sizeof buf);
			T("blocking read", "%ld",
			  (long)read(s, buf, sizeof buf));
			T("blocking data", "%s", buf);
			pthread_join(t, NULL);
			pthread_create(&t, NULL, write_later, &sv.fd);
			memset(buf, 0, sizeof buf);
			T("blocking read 2", "%ld",
			  (long)read(s, buf, sizeof buf));
			T("blocking data 2", "%s", buf);
			pthread_join(t, NULL);
			close(sv.fd);
			close(s);
		}
	}
	/* a pending connection lost when the listener closes */
	c = socket(AF_UNIX, type, 0);
	RC("connect pending", connect(c, (void *)&a, alen));
	close(l);
	R("pending after close", "%#x", pollone(c, POLLIN | POLLOUT, 0));
	RN("pending read", read(c, buf, sizeof buf));
	RN("pending read 2", read(c, buf, sizeof buf));
	close(c);
	c = socket(AF_UNIX, type, 0);
	RC("connect closed", connect(c, (void *)&a, alen));
	close(c);
	/* the wrong type */
	c = socket(AF_UNIX, type == SOCK_STREAM ? SOCK_DGRAM : SOCK_STREAM, 0);
	l = socket(AF_UNIX, type, 0);
	if (!abstract)
		unlink(path);
	bind(l, (void *)&a, alen);
	listen(l, 1);
	RC("connect wrong type", connect(c, (void *)&a, alen));
	close(c);
	close(l);
	close(l2);
	if (!abstract)
		RC("unlink", unlink(path));
}

static void named_dgram(void)
{
	struct sockaddr_un a, b, got;
	socklen_t alen, blen, len;
	int s, c, d;
	char buf[64];

	printf("R --- dgram named\n");
	alen = path_addr(&a, "kiln-unix-dgram.sock");
	blen = abstract_addr(&b, "kiln-dgram-client");
	unlink(a.sun_path);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	c = socket(AF_UNIX, SOCK_DGRAM, 0);
	RC("bind", bind(s, (void *)&a, alen));
	RN("sendto unbound client", sendto(c, "anon", 4, 0, (void *)&a, alen));
	len = sizeof got;
	memset(&got, 0x55, sizeof got);
	memset(buf, 0, sizeof buf);
	RN("recvfrom", recvfrom(s, buf, sizeof buf, 0, (void *)&got, &len));
	R("from", "%s %u", buf, (unsigned)len);
	RC("bind client", bind(c, (void *)&b, blen));
	RN("sendto", sendto(c, "named", 5, 0, (void *)&a, alen));
	len = sizeof got;
	memset(buf, 0, sizeof buf);
	RN("recvfrom", recvfrom(s, buf, sizeof buf, 0, (void *)&got, &len));
	show_addr("from", &got, len);
	RN("reply", sendto(s, "ok", 2, 0, (void *)&got, len));
	memset(buf, 0, sizeof buf);
	RN("reply recv", recv(c, buf, sizeof buf, 0));
	R("reply data", "%s", buf);
	RN("send unconnected", send(c, "x", 1, 0));
	RC("connect", connect(c, (void *)&a, alen));
	RN("send connected", send(c, "conn", 4, 0));
	RN("recv", recv(s, buf, sizeof buf, 0));
	d = socket(AF_UNIX, SOCK_DGRAM, 0);
	RC("connect to s", connect(s, (void *)&b, blen));
	RN("sendto refused (s connected elsewhere)",
	   sendto(d, "x", 1, 0, (void *)&a, alen));
	RN("sendto missing",
	   sendto(d, "x", 1, 0,
		  (void *)&(struct sockaddr_un){AF_UNIX, "/tmp/nope"},
		  sizeof(struct sockaddr_un)));
	RC("listen dgram", listen(s, 1));
	RC("accept dgram", accept(s, NULL, NULL));
	close(d);
	close(c);
	close(s);
	unlink(a.sun_path);
}

/* A listener shut down: what is queued can still be taken, then a
 * blocking accept ends, and connects are refused even after listen. */
static void listener_shutdown(void)
{
	struct sockaddr_un a;
	socklen_t len = abstract_addr(&a, "kiln-unix-shut");
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c, c2, s;

	printf("R --- listener shutdown\n");
	bind(l, (void *)&a, len);
	listen(l, 4);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	RC("connect", connect(c, (void *)&a, len));
	RC("shutdown listener", shutdown(l, SHUT_RDWR));
	R("poll", "%#x", pollone(l, POLLIN | POLLOUT | POLLRDHUP, 0));
	RC("accept queued", s = accept(l, NULL, NULL));
	close(s);
	fcntl(l, F_SETFL, O_NONBLOCK);
	RC("accept nonblock", accept(l, NULL, NULL));
	fcntl(l, F_SETFL, 0);
	RC("accept blocking", accept(l, NULL, NULL));
	c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	RC("connect", connect(c2, (void *)&a, len));
	RC("listen again", listen(l, 4));
	RC("connect again", connect(c2, (void *)&a, len));
	close(c2);
	close(c);
	close(l);
}

/* sendmsg with nfd descriptors of fds (and one byte) */
static long send_fds(int s, const int *fds, int nfd)
{
	char ctl[CMSG_SPACE(8 * sizeof(int))] = {0};
	struct iovec iv = {"f", 1};
	struct msghdr mh = {.msg_iov = &iv, .msg_iovlen = 1};
	struct cmsghdr *c;

	if (nfd) {
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(nfd * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfd * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfd * sizeof(int));
	}
	return sendmsg(s, &mh, 0);
}

/* recvmsg into a control buffer of ctllen bytes; the descriptors
 * received into fds (at most 8), their count returned in *nfd. */
static long recv_fds(int s, size_t ctllen, int flags, int *fds, int *nfd,
		     const char *name)
{
	char ctl[CMSG_SPACE(8 * sizeof(int))] = {0}, b[8];
	struct iovec iv = {b, sizeof b};
	struct msghdr mh = {.msg_iov = &iv, .msg_iovlen = 1};
	struct cmsghdr *c;
	long r;

	mh.msg_control = ctllen ? ctl : NULL;
	mh.msg_controllen = ctllen;
	r = recvmsg(s, &mh, flags);
	*nfd = 0;
	c = ctllen ? CMSG_FIRSTHDR(&mh) : NULL;
	if (r >= 0 && c) {
		*nfd = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		memcpy(fds, CMSG_DATA(c), *nfd * sizeof(int));
		R(name, "%ld, flags %#x, controllen %u, cmsg %u %d %d", r,
		  mh.msg_flags, (unsigned)mh.msg_controllen,
		  (unsigned)c->cmsg_len, c->cmsg_level, c->cmsg_type);
	} else {
		R(name, "%ld %s, flags %#x, controllen %u", r,
		  r < 0 ? strerror(errno) : "-", r < 0 ? 0 : mh.msg_flags,
		  (unsigned)mh.msg_controllen);
	}
	return r;
}

static void rights(int type, const char *tn)
{
	int sv[2], p[2], got[8], n, two[2];
	char buf[16] = {0};

	printf("R --- %s SCM_RIGHTS\n", tn);
	socketpair(AF_UNIX, type, 0, sv);
	pipe(p);
	RN("send fd", send_fds(sv[0], &p[1], 1));
	recv_fds(sv[1], CMSG_SPACE(8 * sizeof(int)), 0, got, &n, "recv fd");
	R("received", "%d %d", n, n == 1 && got[0] != p[1]);
	if (n == 1) {
		RN("write through it", write(got[0], "pipe!", 5));
		RN("read the pipe", read(p[0], buf, sizeof buf));
		R("pipe data", "%s", buf);
		R("not cloexec", "%d", fcntl(got[0], F_GETFD));
		close(got[0]);
	}
	RN("send 2 fds", send_fds(sv[0], (int[]){p[0], p[1]}, 2));
	recv_fds(sv[1], CMSG_LEN(sizeof(int)), MSG_CMSG_CLOEXEC, got, &n,
		 "recv room for 1");
	R("received", "%d", n);
	if (n == 1) {
		R("cloexec", "%d", fcntl(got[0], F_GETFD));
		close(got[0]);
	}
	RN("send fd, no room", send_fds(sv[0], &p[1], 1));
	recv_fds(sv[1], 0, 0, got, &n, "recv no control");
	RN("send fd, plain recv", send_fds(sv[0], &p[1], 1));
	RN("plain recv", recv(sv[1], buf, sizeof buf, 0));
	RN("send none", send_fds(sv[0], NULL, 0));
	recv_fds(sv[1], CMSG_SPACE(8 * sizeof(int)), 0, got, &n, "recv none");
	RN("send bad fd", send_fds(sv[0], (int[]){99}, 1));
	two[0] = p[0];
	two[1] = 98;
	RN("send one bad of 2", send_fds(sv[0], two, 2));
	/* a peek duplicates; the real read gets them again */
	RN("send for peek", send_fds(sv[0], &p[0], 1));
	recv_fds(sv[1], CMSG_SPACE(8 * sizeof(int)), MSG_PEEK, got, &n,
		 "peek fd");
	if (n == 1)
		close(got[0]);
	recv_fds(sv[1], CMSG_SPACE(8 * sizeof(int)), 0, got, &n, "after peek");
	if (n == 1)
		close(got[0]);
	/* descriptors left in flight are dropped with the socket */
	RN("send unread", send_fds(sv[0], &p[1], 1));
	close(sv[0]);
	close(sv[1]);
	close(p[1]);
	RN("pipe writer gone", read(p[0], buf, sizeof buf));
	close(p[0]);
}

/* Bulk through a pair between two threads: every blocking write that
 * finds the peer's buffer full waits for the reader. */
struct bulk {
	int fd, type;
};

static size_t bulk_size(int i)
{
	return (size_t)(i * 37 % 3000) + 1;
}

static void *bulk_writer(void *arg)
{
	struct bulk *b = arg;
	static char chunk[7000];

	if (b->type == SOCK_STREAM) {
		for (int i = 0; i < 150; i++) { /* 1,050,000 bytes */
			for (size_t j = 0; j < sizeof chunk; j++)
				chunk[j] = (char)(i + j);
			if (write(b->fd, chunk, sizeof chunk) != sizeof chunk)
				break;
		}
	} else {
		for (int i = 0; i < 2000; i++) {
			memset(chunk, i & 0xff, bulk_size(i));
			if (send(b->fd, chunk, bulk_size(i), 0) !=
			    (ssize_t)bulk_size(i))
				break;
		}
	}
	shutdown(b->fd, SHUT_WR);
	return NULL;
}

static void threaded_bulk(int type, const char *tn)
{
	static char buf[5000];
	struct bulk b = {-1, type};
	unsigned long sum = 0, total = 0, bad = 0, n;
	int sv[2];
	pthread_t t;
	long r;

	socketpair(AF_UNIX, type, 0, sv);
	b.fd = sv[0];
	if (pthread_create(&t, NULL, bulk_writer, &b) != 0) {
		printf("T no threads\n");
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (type == SOCK_STREAM) {
		while ((r = read(sv[1], buf, sizeof buf)) > 0) {
			for (long j = 0; j < r; j++)
				sum = sum * 31 + (unsigned char)buf[j];
			total += (unsigned long)r;
		}
	} else {
		/* a datagram pair's shutdown is not the peer's: count */
		for (n = 0; (type != SOCK_DGRAM || n < 2000) &&
			    (r = recv(sv[1], buf, sizeof buf, 0)) > 0;
		     n++) {
			total += (unsigned long)r;
			if ((size_t)r != bulk_size((int)n) ||
			    buf[0] != (char)(n & 0xff) ||
			    buf[r - 1] != (char)(n & 0xff))
				bad++;
		}
		sum = n;
	}
	pthread_join(t, NULL);
	T(tn, "%lu bytes, %lx, %lu bad", total, sum, bad);
	close(sv[0]);
	close(sv[1]);
}

int main(int argc, char **argv)
{
	int fd;

	if (argc > 1)
		dir = argv[1];
	if (argc > 2)
		tag = argv[2];

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, on_pipe);
	RC("socket stream", fd = socket(AF_UNIX, SOCK_STREAM, 0));
	close(fd);
	RC("socket bad type", socket(AF_UNIX, 4, 0));
	RC("socket bad proto", socket(AF_UNIX, SOCK_STREAM, 7));
	RC("socketpair bad flags",
	   socketpair(AF_UNIX, SOCK_STREAM | 0x10000, 0, (int[2]){0}));
	pair_stream(SOCK_STREAM, "stream");
	pair_stream(SOCK_SEQPACKET, "seqpacket");
	pair_full();
	pair_dgram(SOCK_DGRAM, "dgram");
	pair_dgram(SOCK_SEQPACKET, "seqpacket");
	named(SOCK_STREAM, "stream", false);
	named(SOCK_STREAM, "stream", true);
	named(SOCK_SEQPACKET, "seqpacket", false);
	named_dgram();
	listener_shutdown();
	rights(SOCK_STREAM, "stream");
	rights(SOCK_DGRAM, "dgram");
	rights(SOCK_SEQPACKET, "seqpacket");
	threaded_bulk(SOCK_STREAM, "bulk stream");
	threaded_bulk(SOCK_SEQPACKET, "bulk seqpacket");
	threaded_bulk(SOCK_DGRAM, "bulk dgram");
	printf("R done\n");
	return 0;
}
