/* eventfd: a 64-bit counter as a file (eventfd(2)). */
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/poll.h>
#include <kernel/string.h>

#include "vfs.h"

#define EFD_MAX	       0xfffffffffffffffeULL /* the largest count */

struct eventfd {
	uint64_t count;
	bool semaphore;
	struct pollq pq;
};

/*
 * read: the count (EFD_SEMAPHORE: 1), which it resets (decrements); with
 * a zero count, -EAGAIN when non-blocking, else it waits. write: adds a
 * value; one that would pass EFD_MAX waits or gets -EAGAIN. Buffers
 * under 8 bytes and the value 2^64-1 are -EINVAL (eventfd(2)).
 */
static ssize_t efd_read(struct file *f, const struct uio *u, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	int err;

	(void)pos;
	if (u->len < sizeof v)
		return -EINVAL;
	while (e->count == 0) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if ((err = file_wait(f, POLLIN, 0)) < 0)
			return err;
	}
	v = e->semaphore ? 1 : e->count;
	if ((err = uio_copy_to(u, 0, &v, sizeof v)) < 0)
		return err;
	e->count -= v;
	pollq_wake(&e->pq, POLLOUT | POLLWRNORM);
	return sizeof v;
}

static ssize_t efd_write(struct file *f, const struct uio *u, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	int err;

	(void)pos;
	if (u->len < sizeof v)
		return -EINVAL;
	if ((err = uio_copy_from(u, 0, &v, sizeof v)) < 0)
		return err;
	if (v == ~0ULL)
		return -EINVAL;
	while (EFD_MAX - e->count < v) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if ((err = file_wait(f, POLLOUT, 0)) < 0)
			return err;
	}
	e->count += v;
	if (v)
		pollq_wake(&e->pq, POLLIN | POLLRDNORM);
	return sizeof v;
}

static unsigned int efd_poll(struct file *f, struct pollq **q)
{
	struct eventfd *e = f->priv;
	unsigned int mask = 0;

	if (q)
		*q = &e->pq;
	if (e->count)
		mask |= POLLIN | POLLRDNORM;
	if (e->count < EFD_MAX)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static int efd_link_name(struct file *f, char *buf, size_t size)
{
	(void)f;
	return snprintf(buf, size, "anon_inode:[eventfd]");
}

static void efd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops eventfd_ops = {
	.read = efd_read,
	.write = efd_write,
	.stat = anon_inode_stat,
	.link_name = efd_link_name,
	.poll = efd_poll,
	.release = efd_release,
};

int eventfd_create(uint64_t count, int flags, struct file **out)
{
	struct eventfd *e = kzalloc(sizeof *e);

	if (!e)
		return -ENOMEM;
	e->count = count;
	e->semaphore = flags & EFD_SEMAPHORE;
	pollq_init(&e->pq);
	*out = file_alloc(&eventfd_ops, O_RDWR | ((uint32_t)flags & O_NONBLOCK),
			  e);
	if (!*out) {
		kfree(e);
		return -ENOMEM;
	}
	return 0;
}
