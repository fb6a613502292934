/* futex(2): waiter queues hashed by user address; wait, wake, requeue. */
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>

#include "proc.h"
#include "signal.h"
#include "syscall.h"

#define FUTEX_WAIT	     0
#define FUTEX_WAKE	     1
#define FUTEX_REQUEUE	     3
#define FUTEX_CMP_REQUEUE    4
#define FUTEX_WAIT_BITSET    9
#define FUTEX_WAKE_BITSET    10
#define FUTEX_PRIVATE_FLAG   128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK	     (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

/*
 * One process, one address space: a futex is its user address, private
 * and shared alike. A waiter is a struct futex_q on its own kernel stack,
 * linked into the bucket its address hashes to, with a wait queue of its
 * own that a waker wakes after unlinking it. The bucket's lock is held
 * from the read of the futex word to the waiter's waitq_prepare(), and by
 * every waker, so a wake between the check and the sleep is never lost
 * (lock order: bucket, then sched_lock inside the waitq calls; two
 * buckets in address order).
 */
struct futex_bucket;

struct futex_q {
	uint64_t uaddr;
	uint32_t bitset;
	struct futex_bucket *b; /* where it is queued (requeue moves it) */
	struct futex_q *next, *prev;
	bool queued;	       /* still in b: neither woken nor timed out */
	bool interrupted;      /* a signal for its thread ended the wait */
	struct uthread *owner; /* the waiting thread (NULL: a kernel one) */
	struct waitq wq;
};

struct futex_bucket {
	struct spinlock lock;
	struct futex_q *head, *tail;
};

#define FUTEX_BUCKETS 64
static struct futex_bucket buckets[FUTEX_BUCKETS];

static struct futex_bucket *bucket_of(uint64_t uaddr)
{
	uint64_t h = (uaddr >> 2) * 0x9e3779b97f4a7c15ULL;

	return &buckets[h >> 58]; /* the top 6 bits: 64 buckets */
}

static void q_link(struct futex_bucket *b, struct futex_q *q)
{
	q->b = b;
	q->next = NULL;
	q->prev = b->tail;
	if (b->tail)
		b->tail->next = q;
	else
		b->head = q;
	b->tail = q;
	q->queued = true;
	if (q->owner)
		__atomic_store_n(&q->owner->futex_uaddr, q->uaddr,
				 __ATOMIC_SEQ_CST);
}

static void q_unlink(struct futex_q *q)
{
	struct futex_bucket *b = q->b;

	if (q->prev)
		q->prev->next = q->next;
	else
		b->head = q->next;
	if (q->next)
		q->next->prev = q->prev;
	else
		b->tail = q->prev;
	q->next = q->prev = NULL;
	q->queued = false;
	if (q->owner)
		__atomic_store_n(&q->owner->futex_uaddr, 0, __ATOMIC_SEQ_CST);
}

/* Off its bucket, then woken: q may be gone (its waiter returned) as soon
 * as the bucket lock is dropped. */
static void q_wake(struct futex_q *q)
{
	q_unlink(q);
	waitq_wake_one(&q->wq);
}

/* The futex word, read under the bucket lock. The page was faulted in
 * before the lock was taken, so this is a copy through the direct map. */
static int read_word(uint64_t uaddr, uint32_t *val)
{
	return copy_from_user(val, (const void __user *)uaddr, sizeof *val);
}

/* Lock the bucket q is in, which a requeue may change until it is held. */
static struct futex_bucket *lock_q_bucket(struct futex_q *q)
{
	for (;;) {
		struct futex_bucket *b =
			__atomic_load_n(&q->b, __ATOMIC_ACQUIRE);

		spin_lock(&b->lock);
		if (q->b == b)
			return b;
		spin_unlock(&b->lock);
	}
}

/*
 * Sleep while *uaddr == val until woken with a matching bitset or until
 * deadline_ns (monotonic, 0 = none): 0, -EAGAIN (the word differs),
 * -ETIMEDOUT, -EFAULT.
 */
static int futex_wait(uint64_t uaddr, uint32_t val, uint32_t bitset,
		      uint64_t deadline_ns)
{
	struct futex_bucket *b = bucket_of(uaddr);
	struct futex_q q = {.uaddr = uaddr, .bitset = bitset};
	uint32_t cur;
	int err;

	if ((err = read_word(uaddr, &cur)) < 0)
		return err;
	q.owner = uthread_self();
	waitq_init(&q.wq);
	spin_lock(&b->lock);
	if ((err = read_word(uaddr, &cur)) < 0 || cur != val) {
		spin_unlock(&b->lock);
		return err < 0 ? err : -EAGAIN;
	}
	q_link(b, &q);
	/* After futex_uaddr is set (a full barrier in q_link): a signal
	 * sent before it is seen here, one sent after finds the wait. */
	if (q.owner && signal_pending_for(q.owner)) {
		q_unlink(&q);
		spin_unlock(&b->lock);
		return -EINTR;
	}
	waitq_prepare(&q.wq);
	spin_unlock(&b->lock);

	err = waitq_wait(&q.wq, deadline_ns);
	b = lock_q_bucket(&q);
	if (q.interrupted) {
		err = -EINTR;
	} else if (err == -ETIMEDOUT && !q.queued) {
		/* A waker that unlinked q before the timeout unlinked it has
		 * counted it as woken, and then it is. */
		err = 0;
	} else if (q.queued) {
		q_unlink(&q);
	}
	spin_unlock(&b->lock);
	return err;
}

void futex_interrupt(struct uthread *u)
{
	for (;;) {
		uint64_t uaddr =
			__atomic_load_n(&u->futex_uaddr, __ATOMIC_SEQ_CST);
		struct futex_bucket *b;

		if (!uaddr)
			return;
		b = bucket_of(uaddr);
		spin_lock(&b->lock);
		if (__atomic_load_n(&u->futex_uaddr, __ATOMIC_SEQ_CST) ==
		    uaddr) {
			for (struct futex_q *q = b->head; q; q = q->next) {
				if (q->owner == u) {
					q->interrupted = true;
					q_wake(q);
					break;
				}
			}
			spin_unlock(&b->lock);
			return;
		}
		spin_unlock(&b->lock); /* requeued meanwhile: look again */
	}
}

int futex_wake(uint64_t uaddr, int n, uint32_t bitset)
{
	struct futex_bucket *b = bucket_of(uaddr);
	struct futex_q *q, *next;
	int woken = 0;

	spin_lock(&b->lock);
	for (q = b->head; q && woken < n; q = next) {
		next = q->next;
		if (q->uaddr == uaddr && (q->bitset & bitset)) {
			q_wake(q);
			woken++;
		}
	}
	spin_unlock(&b->lock);
	return woken;
}

static void lock_two(struct futex_bucket *b1, struct futex_bucket *b2)
{
	if (b1 == b2) {
		spin_lock(&b1->lock);
	} else if (b1 < b2) {
		spin_lock(&b1->lock);
		spin_lock(&b2->lock);
	} else {
		spin_lock(&b2->lock);
		spin_lock(&b1->lock);
	}
}

static void unlock_two(struct futex_bucket *b1, struct futex_bucket *b2)
{
	/* Reverse order of locking: the first lock keeps the caller's
	 * interrupt flag. */
	if (b1 == b2) {
		spin_unlock(&b1->lock);
	} else if (b1 < b2) {
		spin_unlock(&b2->lock);
		spin_unlock(&b1->lock);
	} else {
		spin_unlock(&b1->lock);
		spin_unlock(&b2->lock);
	}
}

/*
 * Wake up to nwake waiters on uaddr and move up to nmove of the rest to
 * uaddr2; with cmp, only while *uaddr == val3 (-EAGAIN otherwise).
 * Returns the number woken plus the number moved, as Linux does.
 */
static int futex_requeue(uint64_t uaddr, uint64_t uaddr2, int nwake, int nmove,
			 bool cmp, uint32_t val3)
{
	struct futex_bucket *b1 = bucket_of(uaddr), *b2 = bucket_of(uaddr2);
	struct futex_q *q, *next;
	int woken = 0, moved = 0;
	uint32_t cur;
	int err;

	if (cmp && (err = read_word(uaddr, &cur)) < 0)
		return err;
	lock_two(b1, b2);
	if (cmp && ((err = read_word(uaddr, &cur)) < 0 || cur != val3)) {
		unlock_two(b1, b2);
		return err < 0 ? err : -EAGAIN;
	}
	for (q = b1->head; q; q = next) {
		next = q->next;
		if (q->uaddr != uaddr)
			continue;
		if (woken < nwake) {
			q_wake(q);
			woken++;
		} else if (moved < nmove) {
			q_unlink(q);
			q->uaddr = uaddr2;
			__atomic_store_n(&q->b, b2, __ATOMIC_RELEASE);
			q_link(b2, q);
			moved++;
		} else {
			break;
		}
	}
	unlock_two(b1, b2);
	return woken + moved;
}

struct k_timespec64 {
	int64_t tv_sec, tv_nsec;
};

/* The monotonic deadline for a futex timeout: relative (FUTEX_WAIT), or
 * absolute on CLOCK_MONOTONIC or, with FUTEX_CLOCK_REALTIME, on
 * CLOCK_REALTIME (FUTEX_WAIT_BITSET). 0 = no timeout. */
static int futex_deadline(const struct k_timespec64 __user *timeout,
			  bool absolute, bool realtime, uint64_t *deadline)
{
	struct k_timespec64 ts;
	uint64_t ns, now;
	int err;

	*deadline = 0;
	if (!timeout)
		return 0;
	if ((err = copy_from_user(&ts, timeout, sizeof ts)) < 0)
		return err;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
	    ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	if (__builtin_mul_overflow((uint64_t)ts.tv_sec, NSEC_PER_SEC, &ns) ||
	    __builtin_add_overflow(ns, (uint64_t)ts.tv_nsec, &ns))
		ns = UINT64_MAX;
	now = clock_monotonic_ns();
	if (absolute) {
		uint64_t clk = realtime ? clock_realtime_ns() : now;

		ns = ns > clk ? ns - clk : 0;
	}
	if (__builtin_add_overflow(now, ns, deadline))
		*deadline = UINT64_MAX;
	if (*deadline == 0)
		*deadline = 1; /* already passed, not "none" */
	return 0;
}

long sys_futex(const struct sys_args *a)
{
	uint64_t uaddr = a->arg[0];
	int op = (int)a->arg[1];
	uint32_t val = (uint32_t)a->arg[2];
	const struct k_timespec64 __user *timeout =
		(const void __user *)a->arg[3];
	uint32_t val2 = (uint32_t)a->arg[3]; /* requeue: the count to move */
	uint64_t uaddr2 = a->arg[4];
	uint32_t val3 = (uint32_t)a->arg[5];
	int cmd = op & FUTEX_CMD_MASK;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	uint64_t deadline;
	int err;

	if (uaddr & 3)
		return -EINVAL;
	/* Linux accepts FUTEX_CLOCK_REALTIME with the waits only. */
	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (cmd == FUTEX_WAIT)
			val3 = FUTEX_BITSET_ANY;
		if (val3 == 0)
			return -EINVAL;
		err = futex_deadline(timeout, cmd == FUTEX_WAIT_BITSET,
				     realtime, &deadline);
		if (err < 0)
			return err;
		return futex_wait(uaddr, val, val3, deadline);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE)
			val3 = FUTEX_BITSET_ANY;
		if (val3 == 0)
			return -EINVAL;
		return futex_wake(uaddr, (int)MIN(val, (uint32_t)INT32_MAX),
				  val3);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		if (uaddr2 & 3)
			return -EINVAL;
		if ((int32_t)val < 0 || (int32_t)val2 < 0)
			return -EINVAL;
		return futex_requeue(uaddr, uaddr2, (int)val, (int)val2,
				     cmd == FUTEX_CMP_REQUEUE, val3);
	default:
		return -ENOSYS;
	}
}
