/* Unit tests for kernel/sys/futex.c: its queues, wakes, requeues, timeouts
 * and signal interruptions, with waits simulated by nesting. */
#include <string.h>

#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>
#include "sys/proc.h"
#include "sys/signal.h"
#include "sys/syscall.h"
#include "unit.h"

/*
 * One host thread plays every guest thread: a waiter's waitq_wait() runs
 * the hook of its nesting depth, which may start another waiter (so
 * several wait at once) or wake, requeue and interrupt them, as other
 * threads would while it sleeps. The wait then ends woken (its wait queue
 * was woken) or timed out (it was not).
 */
#define MAX_DEPTH 4

static void (*hooks[MAX_DEPTH])(void);
static struct uthread threads[MAX_DEPTH + 1];
static int depth;

void spin_lock(struct spinlock *l)
{
	l->locked++;
}

void spin_unlock(struct spinlock *l)
{
	l->locked--;
}

void waitq_init(struct waitq *wq)
{
	wq->head = wq->tail = NULL;
}

void waitq_prepare(struct waitq *wq)
{
	wq->head = (struct thread *)wq; /* "someone waits" */
}

void waitq_wake_one(struct waitq *wq)
{
	wq->head = NULL;
}

int waitq_wait(struct waitq *wq, uint64_t deadline_ns)
{
	(void)deadline_ns;
	if (depth < MAX_DEPTH && hooks[depth]) {
		void (*hook)(void) = hooks[depth];

		depth++;
		hook();
		depth--;
	}
	if (!wq->head)
		return 0;
	wq->head = NULL;
	return -ETIMEDOUT;
}

struct uthread *uthread_self(void)
{
	return &threads[depth];
}

bool signal_pending_for(const struct uthread *u)
{
	return u->pending & ~u->blocked;
}

int copy_from_user(void *dst, const void __user *src, size_t n)
{
	memcpy(dst, (const void *)src, n);
	return 0;
}

uint64_t clock_monotonic_ns(void)
{
	return 1000;
}

uint64_t clock_realtime_ns(void)
{
	return 2000;
}

#define FUTEX_WAIT_PRIVATE	  128
#define FUTEX_WAKE_PRIVATE	  129
#define FUTEX_CMP_REQUEUE_PRIVATE 132
#define FUTEX_WAIT_BITSET_PRIVATE 137
#define FUTEX_WAKE_BITSET_PRIVATE 138
#define ANY			  0xffffffffU

static uint32_t w1, w2;

static long futex(uint32_t *uaddr, int op, uint32_t val, uint64_t val2,
		  uint32_t *uaddr2, uint32_t val3)
{
	struct sys_args a = {{(uint64_t)(uintptr_t)uaddr, (uint64_t)op, val,
			      val2, (uint64_t)(uintptr_t)uaddr2, val3},
			     NULL};

	return sys_futex(&a);
}

static long wait_on(uint32_t *w, uint32_t bitset)
{
	return futex(w, FUTEX_WAIT_BITSET_PRIVATE, *w, 0, NULL, bitset);
}

static void reset(void)
{
	memset(hooks, 0, sizeof hooks);
	memset(threads, 0, sizeof threads);
	depth = 0;
	w1 = w2 = 0;
}

static long r[8];

TEST(futex_wait_on_a_changed_word_is_eagain)
{
	reset();
	w1 = 3;
	CHECK(futex(&w1, FUTEX_WAIT_PRIVATE, 4, 0, NULL, 0) == -EAGAIN);
}

static void nothing(void)
{
}

TEST(futex_wait_times_out_and_leaves_no_waiter)
{
	reset();
	hooks[0] = nothing;
	CHECK(wait_on(&w1, ANY) == -ETIMEDOUT);
	CHECK(threads[0].futex_uaddr == 0);
	CHECK(futex_wake((uintptr_t)&w1, 10, ANY) == 0);
}

static void wake_w1(void)
{
	r[0] = futex_wake((uintptr_t)&w1, 10, ANY);
}

TEST(futex_wake_ends_the_wait)
{
	reset();
	hooks[0] = wake_w1;
	CHECK(wait_on(&w1, ANY) == 0);
	CHECK(r[0] == 1);
}

/* Depth 0 waits with bits 0x1, depth 1 with 0x2; depth 2 wakes. */
static void second_waiter_bits2(void)
{
	r[1] = wait_on(&w1, 0x2);
}

static void wake_by_bits(void)
{
	r[2] = futex(&w1, FUTEX_WAKE_BITSET_PRIVATE, 10, 0, NULL, 0x4);
	r[3] = futex(&w1, FUTEX_WAKE_BITSET_PRIVATE, 10, 0, NULL, 0x2);
	r[4] = futex(&w1, FUTEX_WAKE_BITSET_PRIVATE, 10, 0, NULL, 0x1);
}

TEST(futex_wake_bitset_wakes_only_matching_waiters)
{
	reset();
	hooks[0] = second_waiter_bits2;
	hooks[1] = wake_by_bits;
	CHECK(wait_on(&w1, 0x1) == 0);
	CHECK(r[1] == 0); /* the 0x2 waiter was woken */
	CHECK(r[2] == 0 && r[3] == 1 && r[4] == 1);
}

/* Depth 0 and 1 wait on w1; depth 2 requeues the oldest to w2, then wakes
 * w1 (only the newer is left there), then w2. */
static void second_waiter_any(void)
{
	r[1] = wait_on(&w1, ANY);
}

static void requeue_then_wake(void)
{
	r[2] = futex(&w1, FUTEX_CMP_REQUEUE_PRIVATE, 0, 1, &w2, 7);
	r[3] = futex(&w1, FUTEX_CMP_REQUEUE_PRIVATE, 0, 1, &w2, 0);
	r[4] = futex_wake((uintptr_t)&w1, 10, ANY);
	r[5] = threads[0].futex_uaddr == (uintptr_t)&w2;
	r[6] = futex_wake((uintptr_t)&w2, 10, ANY);
}

TEST(futex_cmp_requeue_moves_the_oldest_waiter_to_the_target)
{
	reset();
	hooks[0] = second_waiter_any;
	hooks[1] = requeue_then_wake;
	CHECK(wait_on(&w1, ANY) == 0);
	CHECK(r[1] == 0);
	CHECK(r[2] == -EAGAIN); /* *w1 != 7 */
	CHECK(r[3] == 1);	/* moved one */
	CHECK(r[4] == 1);	/* the newer, still on w1 */
	CHECK(r[5] == 1);	/* the older is on w2 now */
	CHECK(r[6] == 1);
}

static void requeue_only(void)
{
	r[2] = futex(&w1, FUTEX_CMP_REQUEUE_PRIVATE, 0, 1, &w2, 0);
}

TEST(futex_timeout_after_a_requeue_leaves_the_target_empty)
{
	reset();
	hooks[0] = requeue_only;
	CHECK(wait_on(&w1, ANY) == -ETIMEDOUT);
	CHECK(r[2] == 1);
	CHECK(futex_wake((uintptr_t)&w2, 10, ANY) == 0);
	CHECK(futex_wake((uintptr_t)&w1, 10, ANY) == 0);
}

static void interrupt_depth0(void)
{
	threads[0].pending = 1;
	futex_interrupt(&threads[0]);
}

TEST(futex_interrupt_ends_the_wait_with_eintr)
{
	reset();
	hooks[0] = interrupt_depth0;
	CHECK(wait_on(&w1, ANY) == -EINTR);
	CHECK(threads[0].futex_uaddr == 0);
	CHECK(futex_wake((uintptr_t)&w1, 10, ANY) == 0);
}

TEST(futex_wait_with_a_signal_pending_is_eintr_at_once)
{
	reset();
	hooks[0] = wake_w1; /* must not run */
	r[0] = -1;
	threads[0].pending = 1;
	CHECK(wait_on(&w1, ANY) == -EINTR);
	CHECK(r[0] == -1);
	threads[0].blocked = 1; /* a blocked one does not interrupt */
	CHECK(wait_on(&w1, ANY) == 0);
}

TEST(futex_rejects_unaligned_words_and_empty_bitsets)
{
	reset();
	CHECK(futex((uint32_t *)((char *)&w1 + 1), FUTEX_WAKE_PRIVATE, 1, 0,
		    NULL, 0) == -EINVAL);
	CHECK(futex(&w1, FUTEX_WAIT_BITSET_PRIVATE, 0, 0, NULL, 0) == -EINVAL);
	CHECK(futex(&w1, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, NULL, 0) == -EINVAL);
	CHECK(futex(&w1, 5 /* FUTEX_WAKE_OP */, 1, 0, NULL, 0) == -ENOSYS);
}
