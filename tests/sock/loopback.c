/* Socket calls over 127.0.0.1 in one thread: run on the host and in the
 * guest, and the lines starting "R " must match. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rlines.h"

static struct sockaddr_in lo(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((unsigned short)port)};

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static void tcp(void)
{
	struct sockaddr_in a = lo(5555), got;
	socklen_t len = sizeof got;
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int c, s, one = 1, v, l2;
	char buf[256];

	RC("setsockopt reuseaddr",
	   setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	RC("bind", bind(l, (struct sockaddr *)&a, sizeof a));
	RC("bind short", bind(l, (struct sockaddr *)&a, 4));
	RC("listen", listen(l, 16));
	l2 = socket(AF_INET, SOCK_STREAM, 0);
	RC("bind in use", bind(l2, (struct sockaddr *)&a, sizeof a));
	close(l2);
	RC("getsockname", getsockname(l, (struct sockaddr *)&got, &len));
	R("getsockname port", "%d %u", ntohs(got.sin_port), (unsigned)len);
	RC("getpeername listener",
	   getpeername(l, (struct sockaddr *)&got, &len));
	R("listener idle", "%#x", pollone(l, POLLIN | POLLOUT, 0));
	fcntl(l, F_SETFL, O_NONBLOCK);
	RC("accept nothing", accept(l, NULL, NULL));

	/* non-blocking connect */
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	v = connect(c, (struct sockaddr *)&a, sizeof a);
	R("connect nonblock", "%s",
	  v == 0 || errno == EINPROGRESS ? "ok" : strerror(errno));
	R("connect writable", "%#x", pollone(c, POLLOUT, 5000) & POLLOUT);
	len = sizeof v;
	RC("so_error", getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len));
	R("so_error value", "%d", v);
	R("listener ready", "%#x", pollone(l, POLLIN, 5000));
	len = sizeof got;
	s = accept4(l, (struct sockaddr *)&got, &len, SOCK_NONBLOCK);
	R("accept4", "%s %s %u", s >= 0 ? "fd" : strerror(errno),
	  inet_ntoa(got.sin_addr), (unsigned)len);
	R("accept4 nonblock", "%d", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
	RC("tcp_nodelay", setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, 4));
	len = sizeof v;
	getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &len);
	R("tcp_nodelay value", "%d", v != 0);
	getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len);
	R("so_type", "%d", v);
	RC("keepalive", setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, 4));
	getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, &len);
	R("keepalive value", "%d", v != 0);
	/* Doubled and floored as on Linux (the cap, rmem_max, is the
	 * host's own setting: not compared). */
	for (int want = 100; want <= 100000; want *= 31) {
		RC("rcvbuf", setsockopt(s, SOL_SOCKET, SO_RCVBUF, &want, 4));
		getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len);
		R("rcvbuf value", "%d -> %d", want, v);
		RC("sndbuf", setsockopt(s, SOL_SOCKET, SO_SNDBUF, &want, 4));
		getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &len);
		R("sndbuf value", "%d -> %d", want, v);
	}

	R("server idle", "%#x", pollone(s, POLLIN | POLLOUT, 0));
	RC("read empty", read(s, buf, sizeof buf));
	RC("write", write(c, "hello", 5));
	R("server readable", "%#x", pollone(s, POLLIN, 5000));
	v = 0;
	ioctl(s, FIONREAD, &v);
	R("fionread", "%d", v);
	memset(buf, 0, sizeof buf);
	RC("recv peek", recv(s, buf, 2, MSG_PEEK));
	R("peeked", "%s", buf);
	memset(buf, 0, sizeof buf);
	RC("read", read(s, buf, sizeof buf));
	R("read data", "%s", buf);
	/* FIONREAD counts every queued byte, not one segment's. */
	RC("write 1 of 2", write(c, "abc", 3));
	RC("write 2 of 2", write(c, "defg", 4));
	for (int t = 0; t < 200; t++) {
		v = 0;
		ioctl(s, FIONREAD, &v);
		if (v >= 7)
			break;
		usleep(10000);
	}
	R("fionread two writes", "%d", v);
	for (int got = 0, n; got < 7 && (n = read(s, buf + got, 7 - got)) > 0;
	     got += n)
		buf[got + n] = 0;
	R("two writes read", "%s", buf);
	/* half-close: the server sees EOF and can still answer */
	RC("shutdown wr", shutdown(c, SHUT_WR));
	R("server eof", "%#x", pollone(s, POLLIN | POLLRDHUP, 5000));
	RC("read eof", read(s, buf, sizeof buf));
	RC("write after peer shutdown", write(s, "bye", 3));
	R("client readable", "%#x", pollone(c, POLLIN, 5000) & POLLIN);
	memset(buf, 0, sizeof buf);
	RC("client read", read(c, buf, sizeof buf));
	R("client data", "%s", buf);
	RC("client write after shutdown", send(c, "x", 1, MSG_NOSIGNAL));
	RC("shutdown bad how", shutdown(s, 7));
	close(s);
	R("client eof", "%#x", pollone(c, POLLIN, 5000) & POLLIN);
	RC("client read eof", read(c, buf, sizeof buf));
	close(c);

	/* a refused connection */
	a = lo(5556);
	c = socket(AF_INET, SOCK_STREAM, 0);
	RC("connect refused", connect(c, (struct sockaddr *)&a, sizeof a));
	close(c);
	c = socket(AF_INET, SOCK_STREAM, 0);
	RC("send unconnected", send(c, "x", 1, MSG_NOSIGNAL));
	RC("recv unconnected", recv(c, buf, 1, MSG_DONTWAIT));
	RC("shutdown unconnected", shutdown(c, SHUT_RD));
	close(c);
	close(l);
}

static void udp(void)
{
	struct sockaddr_in a = lo(5557), from;
	socklen_t len = sizeof from;
	int u = socket(AF_INET, SOCK_DGRAM, 0),
	    w = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[64];
	int v;

	RC("udp bind", bind(u, (struct sockaddr *)&a, sizeof a));
	R("udp idle", "%#x", pollone(u, POLLIN | POLLOUT, 0));
	RC("udp recv empty", recv(u, buf, sizeof buf, MSG_DONTWAIT));
	RC("udp send no address", send(w, "x", 1, 0));
	RC("udp sendto",
	   sendto(w, "datagram", 8, 0, (struct sockaddr *)&a, sizeof a));
	R("udp readable", "%#x", pollone(u, POLLIN, 5000));
	memset(buf, 0, sizeof buf);
	v = (int)recvfrom(u, buf, 4, 0, (struct sockaddr *)&from, &len);
	R("udp recvfrom truncated", "%d %s %s %u", v, buf,
	  inet_ntoa(from.sin_addr), (unsigned)len);
	sendto(w, "again!", 6, 0, (struct sockaddr *)&a, sizeof a);
	pollone(u, POLLIN, 5000);
	v = (int)recv(u, buf, 2, MSG_TRUNC);
	R("udp msg_trunc", "%d", v);
	RC("udp connect", connect(w, (struct sockaddr *)&a, sizeof a));
	RC("udp send connected", send(w, "c", 1, 0));
	pollone(u, POLLIN, 5000);
	RC("udp recv connected", recv(u, buf, sizeof buf, 0));
	close(u);
	close(w);
}

static void errors(void)
{
	int sv[2];

	RC("socket bad protocol", socket(AF_INET, SOCK_STREAM, 17));
	RC("socket raw type", socket(AF_INET, 11, 0));
	RC("socketpair inet", socketpair(AF_INET, SOCK_STREAM, 0, sv));
}

static void epolled(void)
{
	struct sockaddr_in a = lo(5558);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), c, s, n;
	int ep = epoll_create1(0);
	struct epoll_event ev = {EPOLLIN | EPOLLET, {.u32 = 1}}, out[4];

	bind(l, (struct sockaddr *)&a, sizeof a);
	listen(l, 4);
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
	c = socket(AF_INET, SOCK_STREAM, 0);
	RC("connect blocking", connect(c, (struct sockaddr *)&a, sizeof a));
	n = epoll_wait(ep, out, 4, 5000);
	R("epoll listener", "%d %#x %u", n, out[0].events, out[0].data.u32);
	s = accept(l, NULL, NULL);
	ev = (struct epoll_event){EPOLLIN | EPOLLET, {.u32 = 2}};
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	RC("epoll empty", epoll_wait(ep, out, 4, 0));
	write(c, "abc", 3);
	n = epoll_wait(ep, out, 4, 5000);
	R("epoll data", "%d %#x %u", n, out[0].events, out[0].data.u32);
	RC("epoll edge once", epoll_wait(ep, out, 4, 0));
	close(c);
	n = epoll_wait(ep, out, 4, 5000);
	R("epoll peer closed", "%d %#x", n, out[0].events & ~EPOLLOUT);
	close(s);
	close(l);
	close(ep);
}

int main(void)
{
	signal(SIGPIPE, on_pipe);
	tcp();
	udp();
	errors();
	epolled();
	R("sigpipes", "%d", sigpipes);
	printf("loopback done\n");
	return 0;
}
