/* bench/loopback.h: TCP to 127.0.0.1 for the bench's timer and echo client. */
#ifndef BENCH_LOOPBACK_H
#define BENCH_LOOPBACK_H

/* Start a non-blocking connect to 127.0.0.1:PORT, TCP_NODELAY set:
 * the socket, or -1 on an immediate error (errno set). */
int lo_connect(int port);

/* Wait up to MS milliseconds for EVENTS on FD: 1 ready, 0 not. */
int lo_wait(int fd, short events, int ms);

/* Send one byte on FD and read the same byte back, each within MS
 * milliseconds: 0, or -1 (no answer, closed, or a different byte). */
int lo_ping(int fd, int ms);

#endif
