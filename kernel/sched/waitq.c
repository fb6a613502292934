/* Wait queues: FIFO lists of blocked threads, woken by threads,
 * interrupts or their deadline. */
#include <kernel/errno.h>
#include <kernel/panic.h>
#include <kernel/time.h>

#include "sched/sched_priv.h"

void waitq_init(struct waitq *wq)
{
	wq->head = wq->tail = NULL;
}

/* Doubly linked through the threads, so a timeout or a cancel unlinks a
 * waiter from the middle in O(1); struct waitq itself stays two words. */
void waitq_add_locked(struct waitq *wq, struct thread *t)
{
	if (t->wq)
		panic("thread %s waits on two queues", t->name);
	t->wq = wq;
	t->woken = t->timed_out = false;
	t->wq_next = NULL;
	t->wq_prev = wq->tail;
	if (wq->tail)
		wq->tail->wq_next = t;
	else
		wq->head = t;
	wq->tail = t;
}

static void unlink(struct thread *t)
{
	struct waitq *wq = t->wq;

	if (t->wq_prev)
		t->wq_prev->wq_next = t->wq_next;
	else
		wq->head = t->wq_next;
	if (t->wq_next)
		t->wq_next->wq_prev = t->wq_prev;
	else
		wq->tail = t->wq_prev;
	t->wq = NULL;
	t->wq_next = t->wq_prev = NULL;
}

struct thread *waitq_wake_one_locked(struct waitq *wq)
{
	struct thread *t = wq->head;

	if (!t)
		return NULL;
	unlink(t);
	t->woken = true;
	sched_wake_locked(t); /* no-op while it is still between prepare
				 and wait: waitq_wait() sees woken */
	return t;
}

/* The deadline of a wait or sleep passed (interrupt context). A wake that
 * came first wins: then there is nothing to undo. */
static void wait_timeout(void *arg)
{
	struct thread *t = arg;
	uint64_t flags = spin_lock_irqsave(&sched_lock);

	if (!t->woken) {
		if (t->wq)
			unlink(t);
		t->timed_out = true;
		sched_wake_locked(t);
	}
	spin_unlock_irqrestore(&sched_lock, flags);
}

int waitq_block_locked(uint64_t deadline_ns)
{
	struct thread *t = thread_current();

	if (t->woken)
		return 0;
	if (deadline_ns) {
		if (clock_monotonic_ns() >= deadline_ns) {
			if (t->wq)
				unlink(t);
			return -ETIMEDOUT;
		}
		t->timed_out = false;
		timer_arm(&t->timeout, deadline_ns, wait_timeout, t);
	}
	while (!t->woken && !t->timed_out)
		sched_block_locked();
	if (deadline_ns)
		timer_cancel(&t->timeout);
	return t->woken ? 0 : -ETIMEDOUT;
}

void waitq_prepare(struct waitq *wq)
{
	uint64_t flags = spin_lock_irqsave(&sched_lock);

	waitq_add_locked(wq, thread_current());
	spin_unlock_irqrestore(&sched_lock, flags);
}

int waitq_wait(struct waitq *wq, uint64_t deadline_ns)
{
	struct thread *t = thread_current();
	uint64_t flags = spin_lock_irqsave(&sched_lock);
	int err;

	if (!t->woken && t->wq != wq)
		panic("thread %s waits on %p without waitq_prepare()", t->name,
		      wq);
	err = waitq_block_locked(deadline_ns);
	spin_unlock_irqrestore(&sched_lock, flags);
	return err;
}

void waitq_cancel(struct waitq *wq)
{
	struct thread *t = thread_current();
	uint64_t flags = spin_lock_irqsave(&sched_lock);

	if (t->wq == wq)
		unlink(t);
	spin_unlock_irqrestore(&sched_lock, flags);
}

void waitq_wake_one(struct waitq *wq)
{
	uint64_t flags = spin_lock_irqsave(&sched_lock);

	waitq_wake_one_locked(wq);
	spin_unlock_irqrestore(&sched_lock, flags);
}

void waitq_wake_all(struct waitq *wq)
{
	uint64_t flags = spin_lock_irqsave(&sched_lock);

	while (waitq_wake_one_locked(wq))
		;
	spin_unlock_irqrestore(&sched_lock, flags);
}
