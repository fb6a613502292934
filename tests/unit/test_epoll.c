/* Host tests of epoll and eventfd (kernel/fs/epoll.c, eventfd.c, poll.c)
 * over fake files whose readiness a test sets, and a fake scheduler. */
#include <stdlib.h>
#include <string.h>

#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/mm.h>
#include <kernel/poll.h>

#include "unit.h"

/* --- shim: memory, locks, wait queues, user copies, files --- */

void *kmalloc(size_t size)
{
	return malloc(size);
}

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *p)
{
	free(p);
}

void spin_lock(struct spinlock *l)
{
	if (l->locked)
		unit_fail(__FILE__, __LINE__, "spinlock taken twice");
	l->locked = 1;
}

void spin_unlock(struct spinlock *l)
{
	l->locked = 0;
}

/* One thread that never really sleeps: a wait times out at once. */
static int wakes;

void waitq_init(struct waitq *wq)
{
	wq->head = wq->tail = NULL;
}

void waitq_prepare(struct waitq *wq)
{
	(void)wq;
}

int waitq_wait(struct waitq *wq, uint64_t deadline_ns)
{
	(void)wq;
	(void)deadline_ns;
	return -ETIMEDOUT;
}

void waitq_cancel(struct waitq *wq)
{
	(void)wq;
}

void waitq_wake_all(struct waitq *wq)
{
	(void)wq;
	wakes++;
}

/* A signal for the waiting thread (kernel/sys's side of poll.h). */
static bool sig_pending;
static struct waitq *sig_wq;

void signal_wait_begin(struct waitq *wq)
{
	sig_wq = wq;
}

void signal_wait_end(void)
{
	sig_wq = NULL;
}

bool signal_wait_pending(void)
{
	return sig_pending;
}

static bool user_fault; /* copy_to_user fails */

int copy_to_user(void __user *dst, const void *src, size_t n)
{
	if (user_fault)
		return -EFAULT;
	memcpy((void *)dst, src, n);
	return 0;
}

int uio_copy_to(const struct uio *u, size_t at, const void *src, size_t n)
{
	memcpy(u->base + at, src, n);
	return 0;
}

int uio_copy_from(const struct uio *u, size_t at, void *dst, size_t n)
{
	memcpy(dst, u->base + at, n);
	return 0;
}

/* file_alloc and file_put as kernel/fs/file.c's, without vnodes. */
struct file *file_alloc(const struct file_ops *ops, uint32_t flags, void *priv)
{
	struct file *f = calloc(1, sizeof *f);

	f->ops = ops;
	f->refs = 1;
	f->flags = flags;
	f->priv = priv;
	return f;
}

void file_put(struct file *f)
{
	if (--f->refs)
		return;
	if (f->epitems)
		epoll_file_gone(f);
	if (f->ops->release)
		f->ops->release(f);
	free(f);
}

/* A fake file: its readiness is whatever the test says. */
struct fake {
	unsigned int mask;
	struct pollq pq;
};

static unsigned int fake_poll(struct file *f, struct pollq **q)
{
	struct fake *k = f->priv;

	if (q)
		*q = &k->pq;
	return k->mask;
}

static ssize_t fake_rw(struct file *f, const struct uio *u, uint64_t *pos)
{
	(void)f;
	(void)u;
	(void)pos;
	return 0;
}

static const struct file_ops fake_ops = {
	.read = fake_rw, .write = fake_rw, .poll = fake_poll};

static struct file *fake_new(struct fake *k)
{
	*k = (struct fake){0, POLLQ_INIT};
	return file_alloc(&fake_ops, O_RDWR, k);
}

/* The file became (or stayed) ready for mask and woke its queue. */
static void fake_set(struct file *f, unsigned int mask, unsigned int events)
{
	((struct fake *)f->priv)->mask = mask;
	pollq_wake(&((struct fake *)f->priv)->pq, events);
}

static struct file *ep_new(void)
{
	struct file *f = NULL;

	epoll_create_file(&f);
	return f;
}

static int add(struct file *ep, struct file *f, int fd, uint32_t events)
{
	struct epoll_event ev = {events, (uint64_t)fd};

	return epoll_ctl_file(ep, EPOLL_CTL_ADD, fd, f, &ev);
}

static struct epoll_event got[8];

static int wait_now(struct file *ep, int max)
{
	memset(got, 0, sizeof got);
	return epoll_wait_file(ep, got, max, true, 0);
}

/* --- tests --- */

/* A wait with a deadline and nothing ready ends with EINTR when a signal
 * is there to handle; ready items still come first; the signal's hook on
 * the wait queue is gone afterwards. */
TEST(epoll_wait_ends_for_a_signal)
{
	struct fake k;
	struct file *ep = ep_new(), *f = fake_new(&k);

	CHECK(add(ep, f, 7, POLLIN) == 0);
	sig_pending = true;
	CHECK(epoll_wait_file(ep, got, 8, false, 1) == -EINTR);
	CHECK(sig_wq == NULL);
	fake_set(f, POLLIN, POLLIN);
	CHECK(epoll_wait_file(ep, got, 8, false, 1) == 1 && got[0].data == 7);
	sig_pending = false;
	fake_set(f, 0, 0);
	CHECK(epoll_wait_file(ep, got, 8, false, 1) == 0);
	file_put(ep);
	file_put(f);
}

TEST(epoll_level_triggered_reports_until_not_ready)
{
	struct fake k;
	struct file *ep = ep_new(), *f = fake_new(&k);

	CHECK(add(ep, f, 5, POLLIN) == 0);
	CHECK(wait_now(ep, 8) == 0);
	fake_set(f, POLLIN, POLLIN);
	CHECK(wait_now(ep, 8) == 1 && got[0].events == POLLIN &&
	      got[0].data == 5);
	CHECK(wait_now(ep, 8) == 1);
	fake_set(f, 0, 0);
	CHECK(wait_now(ep, 8) == 0);
	file_put(ep);
	CHECK(k.pq.head == NULL);
	file_put(f);
}

TEST(epoll_level_triggered_takes_turns_with_one_slot)
{
	struct fake k[3];
	struct file *ep = ep_new(), *f[3];
	int seen[3] = {0};

	for (int i = 0; i < 3; i++) {
		f[i] = fake_new(&k[i]);
		CHECK(add(ep, f[i], i, POLLIN) == 0);
		fake_set(f[i], POLLIN, POLLIN);
	}
	for (int i = 0; i < 6; i++) {
		CHECK(wait_now(ep, 1) == 1);
		seen[got[0].data]++;
	}
	CHECK(seen[0] == 2 && seen[1] == 2 && seen[2] == 2);
	file_put(ep);
	for (int i = 0; i < 3; i++)
		file_put(f[i]);
}

TEST(epoll_edge_triggered_reports_once_per_wake)
{
	struct fake k;
	struct file *ep = ep_new(), *f = fake_new(&k);

	CHECK(add(ep, f, 1, POLLIN | EPOLLET) == 0);
	fake_set(f, POLLIN, POLLIN);
	CHECK(wait_now(ep, 8) == 1);
	CHECK(wait_now(ep, 8) == 0);
	/* a wake for something it did not ask for does not count */
	fake_set(f, POLLIN | POLLOUT, POLLOUT);
	CHECK(wait_now(ep, 8) == 0);
	fake_set(f, POLLIN, POLLIN);
	CHECK(wait_now(ep, 8) == 1 && got[0].events == POLLIN);
	/* hang-up is always reported */
	fake_set(f, POLLHUP, POLLHUP);
	CHECK(wait_now(ep, 8) == 1 && got[0].events == POLLHUP);
	file_put(ep);
	file_put(f);
}

TEST(epoll_oneshot_is_disabled_until_modified)
{
	struct fake k;
	struct file *ep = ep_new(), *f = fake_new(&k);
	struct epoll_event ev = {POLLIN | EPOLLONESHOT, 9};

	fake_set(f, POLLIN, POLLIN);
	CHECK(epoll_ctl_file(ep, EPOLL_CTL_ADD, 3, f, &ev) == 0);
	CHECK(wait_now(ep, 8) == 1 && got[0].data == 9);
	fake_set(f, POLLIN, POLLIN);
	CHECK(wait_now(ep, 8) == 0);
	ev.data = 10;
	CHECK(epoll_ctl_file(ep, EPOLL_CTL_MOD, 3, f, &ev) == 0);
	CHECK(wait_now(ep, 8) == 1 && got[0].data == 10);
	file_put(ep);
	file_put(f);
}

TEST(epoll_forgets_a_file_with_its_last_reference)
{
	struct fake k;
	struct file *ep = ep_new(), *f = fake_new(&k);

	CHECK(add(ep, f, 4, POLLIN) == 0);
	fake_set(f, POLLIN, POLLIN);
	f->refs++; /* a dup */
	file_put(f);
	CHECK(wait_now(ep, 8) == 1);
	file_put(f);
	CHECK(wait_now(ep, 8) == 0);
	file_put(ep);
}

TEST(epoll_same_file_twice_by_fd_and_errors)
{
	struct fake k;
	struct file *ep = ep_new(), *f = fake_new(&k);
	struct epoll_event ev = {POLLIN, 0};

	CHECK(add(ep, f, 4, POLLIN) == 0);
	CHECK(add(ep, f, 4, POLLIN) == -EEXIST);
	CHECK(add(ep, f, 5, POLLIN) == 0); /* a dup of it: its own item */
	CHECK(epoll_ctl_file(ep, EPOLL_CTL_DEL, 6, f, NULL) == -ENOENT);
	CHECK(epoll_ctl_file(ep, EPOLL_CTL_MOD, 6, f, &ev) == -ENOENT);
	CHECK(epoll_ctl_file(ep, EPOLL_CTL_DEL, 4, f, NULL) == 0);
	CHECK(epoll_ctl_file(ep, 9, 5, f, &ev) == -EINVAL);
	CHECK(epoll_ctl_file(f, EPOLL_CTL_ADD, 1, ep, &ev) == -EINVAL);
	CHECK(epoll_ctl_file(ep, EPOLL_CTL_ADD, 1, ep, &ev) == -EINVAL);
	fake_set(f, POLLIN, POLLIN);
	CHECK(wait_now(ep, 8) == 1 && got[0].data == 5);
	file_put(ep);
	file_put(f);
}

TEST(epoll_nesting_loops_and_depth_are_eloop)
{
	struct file *ep[7];

	for (int i = 0; i < 7; i++)
		ep[i] = ep_new();
	/* ep[i] watches ep[i+1] */
	for (int i = 4; i >= 0; i--)
		CHECK(add(ep[i], ep[i + 1], i, POLLIN) == 0);
	CHECK(add(ep[5], ep[0], 9, POLLIN) == -ELOOP);
	CHECK(add(ep[6], ep[0], 9, POLLIN) == -ELOOP); /* too deep */
	CHECK(add(ep[6], ep[2], 9, POLLIN) == 0);
	for (int i = 0; i < 7; i++)
		file_put(ep[i]);
}

TEST(epoll_nested_wakes_the_outer_one)
{
	struct fake k;
	struct file *outer = ep_new(), *inner = ep_new(), *f = fake_new(&k);

	CHECK(add(inner, f, 1, POLLIN) == 0);
	CHECK(add(outer, inner, 2, POLLIN) == 0);
	CHECK(file_poll(inner, NULL) == 0);
	fake_set(f, POLLIN, POLLIN);
	CHECK(file_poll(inner, NULL) == (POLLIN | POLLRDNORM));
	CHECK(wait_now(outer, 8) == 1 && got[0].data == 2);
	CHECK(wait_now(inner, 8) == 1 && got[0].data == 1);
	fake_set(f, 0, 0);
	CHECK(wait_now(outer, 8) == 0);
	file_put(inner); /* outer still holds nothing: the item goes */
	CHECK(wait_now(outer, 8) == 0);
	file_put(outer);
	file_put(f);
}

TEST(epoll_fault_keeps_the_event)
{
	struct fake k;
	struct file *ep = ep_new(), *f = fake_new(&k);

	CHECK(add(ep, f, 1, POLLIN | EPOLLET) == 0);
	fake_set(f, POLLIN, POLLIN);
	user_fault = true;
	CHECK(wait_now(ep, 8) == -EFAULT);
	user_fault = false;
	CHECK(wait_now(ep, 8) == 1);
	file_put(ep);
	file_put(f);
}

TEST(epoll_wakes_waiters_when_ready)
{
	struct fake k;
	struct file *ep = ep_new(), *f = fake_new(&k);

	CHECK(add(ep, f, 1, POLLIN) == 0);
	wakes = 0;
	fake_set(f, POLLOUT, POLLOUT);
	CHECK(wakes == 0);
	fake_set(f, POLLIN, POLLIN);
	CHECK(wakes == 1);
	file_put(ep);
	file_put(f);
}

static ssize_t efd_rw(struct file *f, uint64_t *v, bool write)
{
	struct uio u = uio_kernel(v, sizeof *v);
	uint64_t pos = 0;

	return write ? f->ops->write(f, &u, &pos) : f->ops->read(f, &u, &pos);
}

TEST(eventfd_counts_and_refuses_overflow)
{
	struct file *e = NULL;
	uint64_t v;

	CHECK(eventfd_create(0, O_NONBLOCK, &e) == 0);
	CHECK(file_poll(e, NULL) == (POLLOUT | POLLWRNORM));
	CHECK(efd_rw(e, &v, false) == -EAGAIN);
	v = 0xfffffffffffffffeULL;
	CHECK(efd_rw(e, &v, true) == 8);
	CHECK(file_poll(e, NULL) == (POLLIN | POLLRDNORM));
	v = 1;
	CHECK(efd_rw(e, &v, true) == -EAGAIN);
	v = ~0ULL;
	CHECK(efd_rw(e, &v, true) == -EINVAL);
	CHECK(efd_rw(e, &v, false) == 8 && v == 0xfffffffffffffffeULL);
	file_put(e);
}

TEST(eventfd_semaphore_reads_one)
{
	struct file *e = NULL;
	uint64_t v;

	CHECK(eventfd_create(2, O_NONBLOCK | EFD_SEMAPHORE, &e) == 0);
	CHECK(efd_rw(e, &v, false) == 8 && v == 1);
	CHECK(efd_rw(e, &v, false) == 8 && v == 1);
	CHECK(efd_rw(e, &v, false) == -EAGAIN);
	file_put(e);
}
