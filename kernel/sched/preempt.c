/* Ring-3 time slices: when a CPU-bound user thread gives way to another. */
#include <kernel/time.h>

#include "sched/sched_priv.h"

/*
 * 4 ms: the tick of Debian's Linux kernels (CONFIG_HZ=250), the finest
 * granularity at which Linux takes the CPU from a thread spinning in user
 * space, and about what CFS gives each of two runnable threads (6 ms
 * latency target, 0.75 ms minimum). Short enough that two threads
 * handing work back and forth through a spinning loop still make
 * progress many times a second; long enough that the switch (an
 * interrupt, XSAVE/XRSTOR, a few MSRs: tens of microseconds under TCG)
 * costs well under 1%.
 *
 * There is no periodic tick: the slice timer is armed only while another
 * thread is runnable, when a user thread is switched in or returns to
 * ring 3 (sched_preempt_user()), so an idle machine, or one running a
 * single thread, takes no timer interrupt for it.
 */
#define SLICE_NS (4 * NSEC_PER_SEC / 1000)

static void slice_end(void *arg);

void sched_slice_start(struct thread *t, bool others_runnable)
{
	t->slice_end = clock_monotonic_ns() + SLICE_NS;
	/* It may enter ring 3 and never leave it on its own. */
	if (others_runnable)
		timer_arm(&t->slice_timer, t->slice_end, slice_end, NULL);
}

/* Nothing to do here: the interrupt itself is the point. It arrives from
 * ring 3 (or the thread is in the kernel and leaves it later), and on
 * that way back sched_preempt_user() finds the slice over. */
static void slice_end(void *arg)
{
	(void)arg;
}

bool sched_slice_over(struct thread *t)
{
	if (clock_monotonic_ns() >= t->slice_end)
		return true;
	if (!t->slice_timer.pending ||
	    t->slice_timer.deadline_ns != t->slice_end)
		timer_arm(&t->slice_timer, t->slice_end, slice_end, NULL);
	return false;
}
