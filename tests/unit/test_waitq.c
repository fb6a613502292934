/* Host tests of wait queues (kernel/sched/waitq.c, with the real timer
 * list of timer.c for deadlines) over a fake scheduler and clock. */
#include <string.h>

#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/time.h>

#include "arch/x86_64/apic.h"
#include "sched/sched_priv.h"
#include "unit.h"

/* --- shim: threads, blocking, the clock, the hardware timer, locks --- */

static struct thread threads[4];
static struct thread *cur;
static uint64_t now_ns;
struct sched_stats sched_stats;
struct spinlock sched_lock;
static struct cpu fake_cpu; /* one CPU: the timers' list */

struct cpu *this_cpu(void)
{
	return &fake_cpu;
}

/* Threads made runnable, in order. */
static struct thread *woken_log[16];
static int nwoken;

/* What "the rest of the machine" does while the current thread is
 * blocked: a test sets it; it must end the block. */
static void (*while_blocked)(void);
static int blocks;

struct thread *thread_current(void)
{
	return cur;
}

uint64_t clock_monotonic_ns(void)
{
	return now_ns;
}

void apic_timer_set(uint64_t deadline_ns)
{
	(void)deadline_ns;
}

uint64_t spin_lock_irqsave(struct spinlock *l)
{
	(void)l;
	return 0;
}

void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	(void)l;
	(void)flags;
}

void sched_wake_locked(struct thread *t)
{
	if (t->state != THREAD_BLOCKED)
		return;
	t->state = THREAD_RUNNABLE;
	woken_log[nwoken++] = t;
}

void sched_block_locked(void)
{
	cur->state = THREAD_BLOCKED;
	blocks++;
	if (while_blocked)
		while_blocked();
	if (cur->state == THREAD_BLOCKED) {
		/* Nothing woke it: on a real machine a hang. */
		unit_fail(__FILE__, __LINE__, "blocked for ever");
		cur->state = THREAD_RUNNING;
		cur->timed_out = true;
	}
	cur->state = THREAD_RUNNING;
}

static struct waitq wq;

static void reset(void)
{
	memset(threads, 0, sizeof threads);
	for (int i = 0; i < 4; i++)
		threads[i].state = THREAD_BLOCKED;
	cur = &threads[0];
	cur->state = THREAD_RUNNING;
	waitq_init(&wq);
	nwoken = 0;
	blocks = 0;
	while_blocked = NULL;
	now_ns = 1000;
}

/* Threads 1..3 are blocked waiters queued in that order. */
static void queue_three(void)
{
	for (int i = 1; i <= 3; i++)
		waitq_add_locked(&wq, &threads[i]);
}

TEST(waitq_wake_one_wakes_in_fifo_order)
{
	reset();
	queue_three();
	for (int i = 1; i <= 3; i++)
		waitq_wake_one(&wq);
	CHECK(nwoken == 3);
	for (int i = 0; i < 3; i++) {
		CHECK(woken_log[i] == &threads[i + 1]);
		CHECK(threads[i + 1].woken && !threads[i + 1].wq);
	}
	CHECK(!wq.head && !wq.tail);
	waitq_wake_one(&wq); /* empty: nothing happens */
	CHECK(nwoken == 3);
}

TEST(waitq_wake_all_wakes_everyone_in_order)
{
	reset();
	queue_three();
	waitq_wake_all(&wq);
	CHECK(nwoken == 3);
	CHECK(woken_log[0] == &threads[1] && woken_log[1] == &threads[2] &&
	      woken_log[2] == &threads[3]);
	CHECK(!wq.head && !wq.tail);
}

TEST(waitq_cancel_unlinks_a_waiter_from_the_middle)
{
	reset();
	waitq_add_locked(&wq, &threads[1]);
	waitq_prepare(&wq); /* threads[0], the current one, in the middle */
	waitq_add_locked(&wq, &threads[2]);
	waitq_cancel(&wq);
	CHECK(!cur->wq);
	CHECK(wq.head == &threads[1] && wq.tail == &threads[2]);
	CHECK(threads[1].wq_next == &threads[2]);
	CHECK(threads[2].wq_prev == &threads[1]);
	waitq_wake_all(&wq);
	CHECK(nwoken == 2 && woken_log[0] == &threads[1] &&
	      woken_log[1] == &threads[2]);
}

TEST(waitq_wake_between_prepare_and_wait_is_not_lost)
{
	reset();
	waitq_prepare(&wq);
	waitq_wake_one(&wq); /* current thread: running, so only marked */
	CHECK(nwoken == 0 && cur->woken);
	CHECK(waitq_wait(&wq, 0) == 0);
	CHECK(blocks == 0);
}

static void fire_timers_at_2000(void)
{
	now_ns = 2000;
	timer_interrupt();
}

TEST(waitq_wait_times_out_and_leaves_the_queue)
{
	reset();
	waitq_add_locked(&wq, &threads[1]);
	waitq_prepare(&wq);
	while_blocked = fire_timers_at_2000;
	CHECK(waitq_wait(&wq, 2000) == -ETIMEDOUT);
	CHECK(blocks == 1);
	CHECK(!cur->wq && !cur->timeout.pending);
	CHECK(wq.head == &threads[1] && wq.tail == &threads[1]);
	CHECK(!threads[1].wq_next);
}

TEST(waitq_deadline_already_past_returns_without_blocking)
{
	reset();
	waitq_prepare(&wq);
	CHECK(waitq_wait(&wq, 999) == -ETIMEDOUT);
	CHECK(blocks == 0 && !wq.head && !cur->timeout.pending);
}

static void wake_from_interrupt(void)
{
	waitq_wake_one(&wq);
}

TEST(waitq_wake_before_the_deadline_wins_and_cancels_the_timeout)
{
	reset();
	waitq_prepare(&wq);
	while_blocked = wake_from_interrupt;
	CHECK(waitq_wait(&wq, 2000) == 0);
	CHECK(!cur->timeout.pending);
	/* The deadline passing later changes nothing. */
	fire_timers_at_2000();
	CHECK(!cur->timed_out);
}

TEST(waitq_sleep_without_a_queue_ends_at_the_deadline)
{
	reset();
	cur->woken = cur->timed_out = false;
	while_blocked = fire_timers_at_2000;
	CHECK(waitq_block_locked(2000) == -ETIMEDOUT);
	CHECK(now_ns == 2000 && blocks == 1);
}

TEST(waitq_wait_without_prepare_panics)
{
	reset();
	CHECK(EXPECT_PANIC(waitq_wait(&wq, 0)));
}

TEST(waitq_waiting_on_two_queues_panics)
{
	struct waitq other = WAITQ_INIT;

	reset();
	waitq_prepare(&wq);
	CHECK(EXPECT_PANIC(waitq_prepare(&other)));
}
