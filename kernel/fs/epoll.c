/* epoll: instances watching files' readiness through their poll queues. */
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/poll.h>
#include <kernel/uaccess.h>

#include "vfs.h"

#define EP_MAX_NESTS   4 /* Linux: deeper chains of epolls are -ELOOP */
/* The flag bits of an item; an item with no other bit is disabled (a
 * fired EPOLLONESHOT) */
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
/* What EPOLLEXCLUSIVE may come with (Linux's EPOLLEXCLUSIVE_OK_BITS) */
#define EP_EXCLUSIVE_OK                                                        \
	(POLLIN | POLLOUT | POLLRDNORM | POLLRDBAND | POLLWRNORM |             \
	 POLLWRBAND | POLLERR | POLLHUP | EPOLLWAKEUP | EPOLLET |              \
	 EPOLLEXCLUSIVE)

struct eventpoll;

/*
 * One watched (file, fd) pair. It does not hold a reference on the file:
 * like Linux's, it goes when the file's last reference goes
 * (epoll_file_gone), not when the descriptor is closed.
 */
struct epitem {
	struct poll_entry entry; /* first: on the file's poll queue */
	struct eventpoll *ep;
	struct file *file;
	int fd;
	uint32_t events; /* asked for, plus EPOLLERR | EPOLLHUP */
	uint64_t data;
	struct epitem *ep_next, *ep_prev; /* all of ep's items */
	struct epitem *rd_next, *rd_prev; /* ep's ready list */
	bool ready;			  /* on the ready list */
	struct epitem *f_next;		  /* file->epitems */
};

/*
 * The ready list holds the items whose file woke since they were last
 * reported (and, level-triggered, the ones last reported ready): a hint
 * that epoll_wait checks with the file's poll op, as Linux's rdllist.
 */
struct eventpoll {
	struct spinlock lock; /* the ready list (wakes may come from IRQs) */
	struct epitem *items;
	struct epitem *rd_head, *rd_tail;
	struct waitq wq; /* threads in epoll_wait */
	struct pollq pq; /* pollers of the epoll file itself */
};

static const struct file_ops epoll_ops;

bool file_is_epoll(const struct file *f)
{
	return f->ops == &epoll_ops;
}

/* Under ep->lock. */
static void rd_add(struct eventpoll *ep, struct epitem *it)
{
	if (it->ready)
		return;
	it->ready = true;
	it->rd_next = NULL;
	it->rd_prev = ep->rd_tail;
	if (ep->rd_tail)
		ep->rd_tail->rd_next = it;
	else
		ep->rd_head = it;
	ep->rd_tail = it;
}

static void rd_del(struct eventpoll *ep, struct epitem *it)
{
	if (!it->ready)
		return;
	if (it->rd_prev)
		it->rd_prev->rd_next = it->rd_next;
	else
		ep->rd_head = it->rd_next;
	if (it->rd_next)
		it->rd_next->rd_prev = it->rd_prev;
	else
		ep->rd_tail = it->rd_prev;
	it->ready = false;
	it->rd_next = it->rd_prev = NULL;
}

/* The item is ready: queue it and wake the waiters. */
static void ep_signal(struct eventpoll *ep, struct epitem *it)
{
	spin_lock(&ep->lock);
	rd_add(ep, it);
	spin_unlock(&ep->lock);
	waitq_wake_all(&ep->wq);
	pollq_wake(&ep->pq, POLLIN | POLLRDNORM);
}

/* A watched file's poll queue woke. */
static void ep_wake(struct poll_entry *e, unsigned int events)
{
	struct epitem *it = (struct epitem *)e;

	if (!(it->events & ~EP_PRIVATE_BITS))
		return; /* a disabled one-shot */
	if (events && !(events & it->events))
		return;
	ep_signal(it->ep, it);
}

static struct epitem *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	for (struct epitem *it = f->epitems; it; it = it->f_next) {
		if (it->ep == ep && it->fd == fd)
			return it;
	}
	return NULL;
}

/* Unlink an item from everything and free it. */
static void ep_remove(struct eventpoll *ep, struct epitem *it)
{
	struct epitem **pp;

	pollq_del(&it->entry);
	spin_lock(&ep->lock);
	rd_del(ep, it);
	spin_unlock(&ep->lock);
	if (it->ep_prev)
		it->ep_prev->ep_next = it->ep_next;
	else
		ep->items = it->ep_next;
	if (it->ep_next)
		it->ep_next->ep_prev = it->ep_prev;
	for (pp = &it->file->epitems; *pp != it; pp = &(*pp)->f_next)
		;
	*pp = it->f_next;
	kfree(it);
}

void epoll_file_gone(struct file *f)
{
	while (f->epitems)
		ep_remove(f->epitems->ep, f->epitems);
}

/* Would watching `to` from `ep` close a loop of epolls or nest them
 * deeper than EP_MAX_NESTS? (Linux's ep_loop_check.) */
static bool ep_loops(struct eventpoll *ep, struct file *to, int depth)
{
	struct eventpoll *top = to->priv;

	if (depth > EP_MAX_NESTS)
		return true;
	for (struct epitem *it = top->items; it; it = it->ep_next) {
		if (!file_is_epoll(it->file))
			continue;
		if (it->file->priv == ep || ep_loops(ep, it->file, depth + 1))
			return true;
	}
	return false;
}

/* Queue the item when its file is ready for it now (add and modify). */
static void ep_check_now(struct eventpoll *ep, struct epitem *it)
{
	if (file_poll(it->file, NULL) & it->events)
		ep_signal(ep, it);
}

static int ep_insert(struct eventpoll *ep, struct file *tf, int fd,
		     uint32_t events, uint64_t data)
{
	struct epitem *it = kzalloc(sizeof *it);
	struct pollq *q;

	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->file = tf;
	it->fd = fd;
	it->events = events | POLLERR | POLLHUP;
	it->data = data;
	it->ep_next = ep->items;
	if (ep->items)
		ep->items->ep_prev = it;
	ep->items = it;
	it->f_next = tf->epitems;
	tf->epitems = it;
	file_poll(tf, &q);
	if (q)
		pollq_add(q, &it->entry, ep_wake);
	ep_check_now(ep, it);
	return 0;
}

/* As Linux's do_epoll_ctl(), checks in its order. */
int epoll_ctl_file(struct file *epf, int op, int fd, struct file *tf,
		   const struct epoll_event *ev)
{
	struct eventpoll *ep = epf->priv;
	struct epitem *it;
	uint32_t events = ev ? ev->events : 0;

	if (!tf->ops->poll)
		return -EPERM;
	if (epf == tf || !file_is_epoll(epf))
		return -EINVAL;
	if (op != EPOLL_CTL_DEL && (events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD &&
		    (file_is_epoll(tf) || (events & ~EP_EXCLUSIVE_OK)))
			return -EINVAL;
	}
	if (op == EPOLL_CTL_ADD && file_is_epoll(tf) && ep_loops(ep, tf, 0))
		return -ELOOP;
	it = ep_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (it)
			return -EEXIST;
		return ep_insert(ep, tf, fd, events, ev->data);
	case EPOLL_CTL_DEL:
		if (!it)
			return -ENOENT;
		ep_remove(ep, it);
		return 0;
	case EPOLL_CTL_MOD:
		if (!it)
			return -ENOENT;
		if (it->events & EPOLLEXCLUSIVE)
			return -EINVAL;
		it->events = events | POLLERR | POLLHUP;
		it->data = ev->data;
		ep_check_now(ep, it);
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * Report up to max ready items. Each is taken off the ready list before
 * its file is asked, so a wake meanwhile queues it again; a
 * level-triggered item that was ready goes back at the tail (the next
 * call asks again, and others get their turn), an edge-triggered one
 * waits for its next wake, a one-shot one is disabled.
 */
static int ep_harvest(struct eventpoll *ep, struct epoll_event __user *evs,
		      int max)
{
	struct epitem *it, *stop = NULL;
	struct epoll_event e;
	unsigned int mask;
	int n = 0;

	while (n < max) {
		spin_lock(&ep->lock);
		it = ep->rd_head;
		if (!it || it == stop) {
			spin_unlock(&ep->lock);
			break;
		}
		rd_del(ep, it);
		spin_unlock(&ep->lock);
		mask = file_poll(it->file, NULL) & it->events;
		if (!mask)
			continue;
		e = (struct epoll_event){mask, it->data};
		if (copy_to_user(evs + n, &e, sizeof e) < 0) {
			ep_signal(ep, it);
			return n ? n : -EFAULT;
		}
		n++;
		if (it->events & EPOLLONESHOT) {
			it->events &= EP_PRIVATE_BITS;
		} else if (!(it->events & EPOLLET)) {
			spin_lock(&ep->lock);
			rd_add(ep, it);
			spin_unlock(&ep->lock);
			if (!stop)
				stop = it; /* each item once per call */
		}
	}
	return n;
}

int epoll_wait_file(struct file *epf, struct epoll_event __user *evs, int max,
		    bool nowait, uint64_t deadline_ns)
{
	struct eventpoll *ep = epf->priv;
	bool timed_out = false;
	int n;

	signal_wait_begin(&ep->wq);
	for (;;) {
		if ((n = ep_harvest(ep, evs, max)) != 0 || nowait || timed_out)
			break;
		waitq_prepare(&ep->wq);
		if (ep->rd_head) {
			waitq_cancel(&ep->wq);
			continue;
		}
		if (signal_wait_pending()) {
			waitq_cancel(&ep->wq);
			n = -EINTR;
			break;
		}
		timed_out = waitq_wait(&ep->wq, deadline_ns) == -ETIMEDOUT;
	}
	signal_wait_end();
	return n;
}

/* Readable when an item on the ready list is ready for what it asks. */
static unsigned int epoll_poll(struct file *f, struct pollq **q)
{
	struct eventpoll *ep = f->priv;
	unsigned int mask = 0;

	if (q)
		*q = &ep->pq;
	spin_lock(&ep->lock);
	for (struct epitem *it = ep->rd_head; it && !mask; it = it->rd_next) {
		if (file_poll(it->file, NULL) & it->events)
			mask = POLLIN | POLLRDNORM;
	}
	spin_unlock(&ep->lock);
	return mask;
}

static ssize_t epoll_rw(struct file *f, const struct uio *u, uint64_t *pos)
{
	(void)f;
	(void)u;
	(void)pos;
	return -EINVAL;
}

static int epoll_link_name(struct file *f, char *buf, size_t size)
{
	(void)f;
	return snprintf(buf, size, "anon_inode:[eventpoll]");
}

static void epoll_release(struct file *f)
{
	struct eventpoll *ep = f->priv;

	while (ep->items)
		ep_remove(ep, ep->items);
	kfree(ep);
}

static const struct file_ops epoll_ops = {
	.read = epoll_rw,
	.write = epoll_rw,
	.stat = anon_inode_stat,
	.link_name = epoll_link_name,
	.poll = epoll_poll,
	.release = epoll_release,
};

int epoll_create_file(struct file **out)
{
	struct eventpoll *ep = kzalloc(sizeof *ep);

	if (!ep)
		return -ENOMEM;
	ep->lock = (struct spinlock)SPINLOCK_INIT;
	waitq_init(&ep->wq);
	pollq_init(&ep->pq);
	*out = file_alloc(&epoll_ops, O_RDWR, ep);
	if (!*out) {
		kfree(ep);
		return -ENOMEM;
	}
	return 0;
}
