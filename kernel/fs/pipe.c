/* Pipes: a 64 KiB ring buffer between a read end and a write end. */
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/poll.h>
#include <kernel/sched.h>
#include <kernel/string.h>

#include "vfs.h"

/*
 * The ring is up to 16 frames, taken as data first arrives and kept until
 * the pipe goes. A read of an empty pipe whose write end is still open, or
 * a write to a full one, can only be satisfied by another thread: it
 * waits while the application has one; with a single thread, instead of
 * blocking forever, it answers what a non-blocking descriptor gets
 * (-EAGAIN), and says so once in the log.
 */
#define PIPE_PAGES 16
#define PIPE_SIZE  (PIPE_PAGES * PAGE_SIZE) /* Linux's default capacity */
#define PIPE_BUF   4096 /* writes up to this size are all or nothing */
#define PIPEFS_DEV 12

struct pipe {
	paddr_t pages[PIPE_PAGES];
	size_t head, len; /* ring offset of the first byte; bytes held */
	uint32_t readers, writers;
	struct pollq pq; /* both ends' waiters */
	uint64_t ino;
	struct vtime created;
};

static uint64_t next_ino = 1;

/* A blocking call that must wait for another thread: 0 once the pipe
 * changed (the caller looks again), or the error to return. */
static int wait_for_other(struct file *f, unsigned int events,
			  const char *what)
{
	static bool warned;
	int err;

	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	if (wait_can_end())
		return (err = file_wait(f, events, 0)) < 0 ? err : 0;
	if (!warned)
		log_warn("%s would wait for another thread, and the "
			 "application has one: -EAGAIN",
			 what);
	warned = true;
	return -EAGAIN;
}

static ssize_t pipe_read(struct file *f, const struct uio *u, uint64_t *pos)
{
	struct pipe *p = f->priv;
	size_t n, done = 0;
	int err;

	(void)pos;
	if (u->len == 0)
		return 0;
	while (p->len == 0) {
		if (p->writers == 0)
			return 0;
		if ((err = wait_for_other(f, POLLIN, "read of an empty pipe")))
			return err;
	}
	n = MIN(u->len, p->len);
	while (done < n) {
		size_t at = (p->head + done) % PIPE_SIZE;
		size_t c = MIN(n - done, PAGE_SIZE - at % PAGE_SIZE);
		char *page = phys_to_virt(p->pages[at / PAGE_SIZE]);

		if ((err = uio_copy_to(u, done, page + at % PAGE_SIZE, c)) <
		    0) {
			if (!done)
				return err;
			break;
		}
		done += c;
	}
	p->head = (p->head + done) % PIPE_SIZE;
	p->len -= done;
	pollq_wake(&p->pq, POLLOUT | POLLWRNORM);
	return (ssize_t)done;
}

static ssize_t pipe_write(struct file *f, const struct uio *u, uint64_t *pos)
{
	struct pipe *p = f->priv;
	size_t room, n, done = 0;
	int err = 0;

	(void)pos;
	if (u->len == 0)
		return p->readers ? 0 : -EPIPE;
	for (;;) {
		if (p->readers == 0)
			return -EPIPE; /* the caller raises SIGPIPE */
		room = PIPE_SIZE - p->len;
		if (room && (u->len > PIPE_BUF || room >= u->len))
			break;
		if ((err = wait_for_other(f, POLLOUT, "write to a full pipe")))
			return err;
	}
	n = MIN(u->len, room);
	while (done < n) {
		size_t at = (p->head + p->len + done) % PIPE_SIZE;
		size_t c = MIN(n - done, PAGE_SIZE - at % PAGE_SIZE);
		paddr_t *pa = &p->pages[at / PAGE_SIZE];

		if (!*pa && !(*pa = pmm_alloc_page())) {
			err = -ENOMEM;
			break;
		}
		err = uio_copy_from(
			u, done, (char *)phys_to_virt(*pa) + at % PAGE_SIZE, c);
		if (err < 0)
			break;
		done += c;
	}
	p->len += done;
	if (done)
		pollq_wake(&p->pq, POLLIN | POLLRDNORM);
	return done ? (ssize_t)done : err;
}

static int pipe_stat(struct file *f, struct kstat *st)
{
	struct pipe *p = f->priv;

	*st = (struct kstat){
		.dev = PIPEFS_DEV,
		.ino = p->ino,
		.nlink = 1,
		.mode = S_IFIFO | 0600,
		.blksize = PAGE_SIZE,
		.atime = p->created,
		.mtime = p->created,
		.ctime = p->created,
	};
	return 0;
}

static int pipe_link_name(struct file *f, char *buf, size_t size)
{
	struct pipe *p = f->priv;

	return snprintf(buf, size, "pipe:[%lu]", p->ino);
}

static int64_t pipe_nread(struct file *f)
{
	return (int64_t)((struct pipe *)f->priv)->len;
}

/*
 * As Linux's pipe_poll(): the read end is readable with data, hung up
 * with no writer; the write end is writable while a PIPE_BUF write would
 * fit, in error with no reader.
 */
static unsigned int pipe_poll(struct file *f, struct pollq **q)
{
	struct pipe *p = f->priv;
	unsigned int mask = 0;

	if (q)
		*q = &p->pq;
	if (file_readable(f)) {
		if (p->len)
			mask |= POLLIN | POLLRDNORM;
		if (!p->writers)
			mask |= POLLHUP;
	}
	if (file_writable(f)) {
		if (PIPE_SIZE - p->len >= PIPE_BUF)
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	return mask;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;

	if (file_readable(f))
		p->readers--;
	else
		p->writers--;
	if (p->readers || p->writers) {
		pollq_wake(&p->pq, POLLHUP | POLLERR);
		return;
	}
	for (int i = 0; i < PIPE_PAGES; i++) {
		if (p->pages[i])
			pmm_free_page(p->pages[i]);
	}
	kfree(p);
}

static const struct file_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.stat = pipe_stat,
	.link_name = pipe_link_name,
	.nread = pipe_nread,
	.poll = pipe_poll,
	.release = pipe_release,
};

int pipe_create(int flags, struct file *ends[2])
{
	struct pipe *p = kzalloc(sizeof *p);
	uint32_t keep = (uint32_t)flags & (O_NONBLOCK | O_DIRECT);

	if (!p)
		return -ENOMEM;
	pollq_init(&p->pq);
	p->ino = next_ino++;
	p->created = vtime_now();
	ends[0] = file_alloc(&pipe_ops, O_RDONLY | keep, p);
	ends[1] = file_alloc(&pipe_ops, O_WRONLY | keep, p);
	if (!ends[0] || !ends[1]) {
		kfree(ends[0]);
		kfree(ends[1]);
		kfree(p);
		return -ENOMEM;
	}
	p->readers = p->writers = 1;
	return 0;
}

int64_t pipe_capacity(struct file *f)
{
	return f->ops == &pipe_ops ? (int64_t)PIPE_SIZE : -EBADF;
}
