/* Host tests of the timer list (kernel/sched/timer.c) over a fake clock
 * and a fake APIC timer. */
#include <stdlib.h>
#include <string.h>

#include <kernel/arch.h>
#include <kernel/time.h>

#include "arch/x86_64/apic.h"
#include "sched/sched_priv.h"
#include "unit.h"

/* --- shim: the clock, the hardware timer, the locks --- */

static uint64_t now_ns;
static uint64_t hw_deadline; /* what the APIC timer was last given */
static uint64_t hw_deadline_cpu[2]; /* the same, per CPU */
static int hw_writes;
struct sched_stats sched_stats;
static struct cpu fake_cpus[2] = {{.id = 0}, {.id = 1}};
static unsigned cur_cpu; /* which CPU the code under test runs on */

struct cpu *this_cpu(void)
{
	return &fake_cpus[cur_cpu];
}

uint64_t clock_monotonic_ns(void)
{
	return now_ns;
}

void apic_timer_set(uint64_t deadline_ns)
{
	hw_deadline = deadline_ns;
	hw_deadline_cpu[cur_cpu] = deadline_ns;
	hw_writes++;
}

uint64_t spin_lock_irqsave(struct spinlock *l)
{
	if (l->locked)
		unit_fail(__FILE__, __LINE__, "lock taken twice");
	l->locked = 1;
	return 0;
}

void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	(void)flags;
	l->locked = 0;
}

/* --- what fired --- */

#define MAXT 100
static struct timer timers[MAXT];
static int order[MAXT * 4];
static int nfired;

static void record(void *arg)
{
	order[nfired++] = (int)(intptr_t)arg;
}

static void reset(void)
{
	/* Drain whatever a failed test left pending. */
	now_ns = UINT64_MAX;
	timer_interrupt();
	memset(timers, 0, sizeof timers);
	now_ns = 0;
	nfired = 0;
	hw_deadline = 0;
	hw_writes = 0;
}

TEST(timer_fires_in_deadline_order_equal_ones_fifo)
{
	reset();
	srand(7);
	for (int i = 0; i < MAXT; i++) /* 20 distinct deadlines: ties */
		timer_arm(&timers[i], 1000 + (uint64_t)(rand() % 20) * 10,
			  record, (void *)(intptr_t)i);
	now_ns = 5000;
	timer_interrupt();
	CHECK(nfired == MAXT);
	for (int k = 1; k < MAXT; k++) {
		struct timer *a = &timers[order[k - 1]], *b = &timers[order[k]];
		CHECK(a->deadline_ns <= b->deadline_ns);
		if (a->deadline_ns == b->deadline_ns)
			CHECK(order[k - 1] < order[k]);
	}
	for (int i = 0; i < MAXT; i++)
		CHECK(!timers[i].pending);
	CHECK(hw_deadline == 0); /* nothing left: the timer is stopped */
}

TEST(timer_interrupt_fires_only_what_is_due)
{
	reset();
	timer_arm(&timers[0], 30, record, (void *)0);
	timer_arm(&timers[1], 10, record, (void *)1);
	timer_arm(&timers[2], 20, record, (void *)2);
	now_ns = 20;
	timer_interrupt();
	CHECK(nfired == 2 && order[0] == 1 && order[1] == 2);
	CHECK(timers[0].pending && !timers[1].pending && !timers[2].pending);
	CHECK(hw_deadline == 30);
}

TEST(timer_early_interrupt_fires_nothing_and_reprograms)
{
	reset();
	timer_arm(&timers[0], 100, record, (void *)0);
	now_ns = 99; /* the APIC's rate is measured: it may be early */
	timer_interrupt();
	CHECK(nfired == 0);
	CHECK(timers[0].pending);
	CHECK(hw_deadline == 100);
	now_ns = 100;
	timer_interrupt();
	CHECK(nfired == 1);
}

TEST(timer_hardware_follows_the_earliest_deadline)
{
	reset();
	timer_arm(&timers[0], 50, record, (void *)0);
	CHECK(hw_deadline == 50);
	timer_arm(&timers[1], 30, record, (void *)1);
	CHECK(hw_deadline == 30);
	int writes = hw_writes;
	timer_arm(&timers[2], 40, record, (void *)2);
	CHECK(hw_deadline == 30 && hw_writes == writes); /* not the head */
	CHECK(timer_cancel(&timers[1]));
	CHECK(hw_deadline == 40);
	CHECK(timer_cancel(&timers[2]));
	CHECK(timer_cancel(&timers[0]));
	CHECK(hw_deadline == 0);
}

TEST(timer_cancel_returns_true_only_for_a_pending_timer)
{
	reset();
	timer_arm(&timers[0], 10, record, (void *)0);
	CHECK(timer_cancel(&timers[0]));
	CHECK(!timer_cancel(&timers[0]));
	timer_arm(&timers[1], 10, record, (void *)1);
	now_ns = 10;
	timer_interrupt();
	CHECK(nfired == 1 && order[0] == 1);
	CHECK(!timer_cancel(&timers[1])); /* already fired */
}

TEST(timer_arming_a_pending_timer_moves_it)
{
	reset();
	timer_arm(&timers[0], 10, record, (void *)0);
	timer_arm(&timers[0], 30, record, (void *)0);
	now_ns = 20;
	timer_interrupt();
	CHECK(nfired == 0);
	now_ns = 30;
	timer_interrupt();
	CHECK(nfired == 1);
	now_ns = 100;
	timer_interrupt();
	CHECK(nfired == 1); /* once, not twice */
}

static void rearm(void *arg)
{
	struct timer *t = arg;

	record((void *)0);
	if (nfired < 3)
		timer_arm(t, t->deadline_ns + 10, rearm, t);
}

TEST(timer_callback_may_rearm_its_own_timer)
{
	reset();
	timer_arm(&timers[0], 10, rearm, &timers[0]);
	now_ns = 10;
	timer_interrupt();
	CHECK(nfired == 1 && timers[0].pending && hw_deadline == 20);
	now_ns = 35; /* two periods late: both fire in one interrupt */
	timer_interrupt();
	CHECK(nfired == 3 && !timers[0].pending);
}

static void arm_due(void *arg)
{
	(void)arg;
	record((void *)0);
	timer_arm(&timers[1], now_ns, record, (void *)1);
}

TEST(timer_armed_due_from_a_callback_fires_in_the_same_interrupt)
{
	reset();
	timer_arm(&timers[0], 10, arm_due, NULL);
	now_ns = 10;
	timer_interrupt();
	CHECK(nfired == 2 && order[0] == 0 && order[1] == 1);
	CHECK(hw_deadline == 0);
}

TEST(timer_fires_on_the_cpu_that_armed_it)
{
	reset();
	cur_cpu = 1;
	timer_arm(&timers[0], 10, record, (void *)0);
	CHECK(hw_deadline_cpu[1] == 10);
	cur_cpu = 0;
	timer_arm(&timers[1], 20, record, (void *)1);
	CHECK(hw_deadline_cpu[0] == 20);
	now_ns = 30;
	timer_interrupt(); /* CPU 0's: only its own timer */
	CHECK(nfired == 1 && order[0] == 1);
	cur_cpu = 1;
	timer_interrupt();
	CHECK(nfired == 2 && order[1] == 0);
	CHECK(hw_deadline_cpu[1] == 0);
	cur_cpu = 0;
}

TEST(timer_cancel_from_another_cpu_leaves_its_hardware_alone)
{
	reset();
	cur_cpu = 1;
	timer_arm(&timers[0], 10, record, (void *)0);
	cur_cpu = 0;
	hw_deadline_cpu[0] = 99;
	CHECK(timer_cancel(&timers[0]));
	CHECK(hw_deadline_cpu[0] == 99 && hw_deadline_cpu[1] == 10);
	cur_cpu = 1;
	now_ns = 10;
	timer_interrupt(); /* the early interrupt finds nothing */
	CHECK(nfired == 0 && hw_deadline_cpu[1] == 0);
	cur_cpu = 0;
}
