/* Readiness: poll queues, a file's poll mask, and waiting for one. */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/poll.h>

void pollq_init(struct pollq *q)
{
	*q = (struct pollq)POLLQ_INIT;
}

void pollq_add(struct pollq *q, struct poll_entry *e, poll_wake_fn wake)
{
	spin_lock(&q->lock);
	e->wake = wake;
	e->q = q;
	e->prev = NULL;
	e->next = q->head;
	if (q->head)
		q->head->prev = e;
	q->head = e;
	spin_unlock(&q->lock);
}

void pollq_del(struct poll_entry *e)
{
	struct pollq *q = e->q;

	if (!q)
		return;
	spin_lock(&q->lock);
	if (e->prev)
		e->prev->next = e->next;
	else
		q->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	e->q = NULL;
	e->next = e->prev = NULL;
	spin_unlock(&q->lock);
}

void pollq_wake(struct pollq *q, unsigned int events)
{
	spin_lock(&q->lock);
	for (struct poll_entry *e = q->head; e; e = e->next)
		e->wake(e, events);
	spin_unlock(&q->lock);
}

unsigned int file_poll(struct file *f, struct pollq **q)
{
	if (q)
		*q = NULL;
	if (!f->ops->poll)
		return POLL_DEFAULT_MASK;
	return f->ops->poll(f, q);
}

struct file_waiter {
	struct poll_entry entry; /* first: the callback's pointer is ours */
	struct waitq wq;
};

static void file_waiter_wake(struct poll_entry *e, unsigned int events)
{
	(void)events;
	waitq_wake_all(&((struct file_waiter *)e)->wq);
}

int file_wait(struct file *f, unsigned int events, uint64_t deadline_ns)
{
	struct file_waiter w = {.wq = WAITQ_INIT};
	struct pollq *q;
	unsigned int mask;
	int err = 0;

	events |= POLLERR | POLLHUP;
	signal_wait_begin(&w.wq);
	for (bool first = true;; first = false) {
		waitq_prepare(&w.wq);
		mask = file_poll(f, &q);
		if (first && q)
			pollq_add(q, &w.entry, file_waiter_wake);
		if ((mask & events) || !q || err) {
			waitq_cancel(&w.wq);
			break;
		}
		if (signal_wait_pending()) {
			waitq_cancel(&w.wq);
			err = -ERESTARTSYS;
			break;
		}
		err = waitq_wait(&w.wq, deadline_ns);
	}
	signal_wait_end();
	pollq_del(&w.entry);
	return (mask & events) ? (int)(mask & events) : err ? err : -EAGAIN;
}
