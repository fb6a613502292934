#!/usr/bin/env python3
"""Checks an echo server at 127.0.0.1:PORT; prints PASS/FAIL lines.

   echo_check.py NAME PORT CHECK...   CHECK: basic, many=N[:W], bulk=MiB,
                                      halfclose, vanish

many=N:W opens the N connections W at a time, each window answering one
byte before the next opens: QEMU's user-network forward listens with a
backlog of 1, so a burst of host connects would wait on SYN retries (a
second each), whatever the guest does.

Every check is bounded in time; the process exits 0 when all passed.
"""
import hashlib
import os
import resource
import selectors
import socket
import struct
import sys
import time

HOST = "127.0.0.1"
LIMIT = int(os.environ.get("ECHO_CHECK_LIMIT", "120"))  # s per check


def connect(port, timeout=20):
    s = socket.create_connection((HOST, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        b = s.recv(min(65536, n - len(buf)))
        if not b:
            raise RuntimeError("EOF after %d of %d bytes" % (len(buf), n))
        buf += b
    return bytes(buf)


def basic(port):
    with connect(port) as s:
        s.sendall(b"hello, kiln\n")
        got = recv_exact(s, 12)
        if got != b"hello, kiln\n":
            raise RuntimeError("got %r" % got)


def many(port, n, window=0):
    """n connections open at once; then each sends and reads back."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, n + 64))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    deadline = time.monotonic() + LIMIT
    socks = []
    try:
        for i in range(n):
            s = socket.socket()
            s.settimeout(max(1, deadline - time.monotonic()))
            s.connect((HOST, port))
            socks.append(s)
            if window and (len(socks) % window == 0 or len(socks) == n):
                for w in socks[-(len(socks) % window or window):]:
                    w.sendall(b".")
                    if recv_exact(w, 1) != b".":
                        raise RuntimeError("wrong echo on open")
        sel = selectors.DefaultSelector()
        want = {}
        for i, s in enumerate(socks):
            msg = b"conn %06d " % i + bytes(range(64))
            s.sendall(msg)
            s.setblocking(False)
            want[s] = [msg, bytearray()]
            sel.register(s, selectors.EVENT_READ)
        left = n
        while left:
            if time.monotonic() > deadline:
                raise RuntimeError("%d of %d unanswered" % (left, n))
            for key, _ in sel.select(timeout=1):
                s = key.fileobj
                b = s.recv(4096)
                if not b:
                    raise RuntimeError("a connection closed early")
                w = want[s]
                w[1] += b
                if len(w[1]) >= len(w[0]):
                    if bytes(w[1]) != w[0]:
                        raise RuntimeError("wrong echo")
                    sel.unregister(s)
                    left -= 1
    finally:
        for s in socks:
            s.close()


def bulk(port, mib):
    """mib MiB through one connection, sent and read at the same time;
    the SHA-256 of what went and what came back must agree."""
    total = mib << 20
    block = hashlib.sha256(b"kiln").digest() * 2048  # 64 KiB
    sent = recvd = 0
    hs, hr = hashlib.sha256(), hashlib.sha256()
    s = connect(port)
    s.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
    deadline = time.monotonic() + LIMIT
    start = time.monotonic()
    while recvd < total:
        if time.monotonic() > deadline:
            raise RuntimeError("%d of %d bytes back in time" % (recvd, total))
        for key, ev in sel.select(timeout=1):
            if ev & selectors.EVENT_WRITE and sent < total:
                off = sent % len(block)
                chunk = block[off:off + min(len(block) - off, total - sent)]
                try:
                    n = s.send(chunk)
                except BlockingIOError:
                    n = 0
                hs.update(chunk[:n])
                sent += n
                if sent == total:
                    sel.modify(s, selectors.EVENT_READ)
            if ev & selectors.EVENT_READ:
                try:
                    b = s.recv(1 << 20)
                except BlockingIOError:
                    continue
                if not b:
                    raise RuntimeError("EOF after %d bytes" % recvd)
                hr.update(b)
                recvd += len(b)
    s.close()
    if hs.digest() != hr.digest():
        raise RuntimeError("checksums differ")
    secs = time.monotonic() - start
    print("echo_check: %d MiB echoed in %.2f s (%.1f MiB/s)" %
          (mib, secs, mib / secs if secs else 0))


def halfclose(port):
    """Send, shut down our side: all of it comes back, then EOF."""
    data = os.urandom(200000)
    with connect(port) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        got = bytearray()
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
        if bytes(got) != data:
            raise RuntimeError("got %d of %d bytes" % (len(got), len(data)))


def vanish(port):
    """A client that sends without reading and then resets the connection
    mid-transfer; the server must keep serving."""
    s = connect(port)
    s.setblocking(False)
    try:
        for _ in range(64):
            s.send(b"x" * 65536)
    except BlockingIOError:
        pass
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # RST
    time.sleep(0.2)
    basic(port)
    halfclose(port)


def main():
    name, port = sys.argv[1], int(sys.argv[2])
    ok = True
    for check in sys.argv[3:]:
        what, _, arg = check.partition("=")
        t0 = time.monotonic()
        try:
            if what == "basic":
                basic(port)
            elif what == "many":
                count, _, window = arg.partition(":")
                many(port, int(count), int(window or 0))
            elif what == "bulk":
                bulk(port, int(arg))
            elif what == "halfclose":
                halfclose(port)
            elif what == "vanish":
                vanish(port)
            else:
                raise RuntimeError("unknown check")
            print("PASS %s_%s (%.2f s)" % (name, what, time.monotonic() - t0))
        except Exception as e:  # one line per failed check
            print("FAIL %s_%s: %s" % (name, what, e))
            ok = False
        sys.stdout.flush()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
