/* One-shot timers: per-CPU lists sorted by deadline, each CPU's APIC timer. */
#include <kernel/arch.h>
#include <kernel/time.h>

#include "arch/x86_64/apic.h"
#include "sched/sched_priv.h"

/*
 * Tickless: the hardware timer is programmed for the earliest deadline
 * only, and stopped when nothing is pending, so an idle machine takes no
 * timer interrupts at all. Arming walks the list (O(n)); the lists here
 * are short (one timeout per blocked thread plus lwIP's few). Each CPU
 * has its own list and local APIC timer: a timer fires on the CPU that
 * armed it (a thread's time slice, its own sleep). One lock for all the
 * lists: arming is short, and a cancel may come from another CPU.
 */
static struct timer *heads[MAX_CPUS];
static struct spinlock timer_lock = SPINLOCK_INIT;

static void unlink(struct timer *t)
{
	struct timer **pp = &heads[t->cpu];

	while (*pp != t)
		pp = &(*pp)->next;
	*pp = t->next;
	t->next = NULL;
	t->pending = false;
}

void timer_arm(struct timer *t, uint64_t deadline_ns, void (*fn)(void *),
	       void *arg)
{
	uint64_t flags = spin_lock_irqsave(&timer_lock);
	uint32_t cpu = this_cpu()->id;
	struct timer **pp = &heads[cpu];

	if (t->pending)
		unlink(t);
	t->cpu = cpu;
	t->deadline_ns = deadline_ns;
	t->fn = fn;
	t->arg = arg;
	/* After every timer due no later: equal deadlines fire FIFO. */
	while (*pp && (*pp)->deadline_ns <= deadline_ns)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	t->pending = true;
	if (heads[cpu] == t)
		apic_timer_set(deadline_ns);
	spin_unlock_irqrestore(&timer_lock, flags);
}

bool timer_cancel(struct timer *t)
{
	uint64_t flags = spin_lock_irqsave(&timer_lock);
	bool was_pending = t->pending;

	if (was_pending) {
		uint32_t cpu = t->cpu;
		bool was_first = heads[cpu] == t;

		unlink(t);
		/* Leaving the hardware armed for a cancelled deadline would
		 * cost one interrupt that finds nothing to do; another CPU's
		 * timer is not ours to reprogram: it takes that interrupt. */
		if (was_first && cpu == this_cpu()->id)
			apic_timer_set(heads[cpu] ? heads[cpu]->deadline_ns
						  : 0);
	}
	spin_unlock_irqrestore(&timer_lock, flags);
	return was_pending;
}

/*
 * Fire everything due, one timer at a time with the lock dropped around
 * fn (which may arm timers or take sched_lock), then program the next
 * deadline. The hardware timer may fire a little early (its rate is
 * measured against the TSC, not exact): then nothing is due and the
 * remainder is programmed, so a timer never runs before its deadline.
 */
void timer_interrupt(void)
{
	uint64_t flags = spin_lock_irqsave(&timer_lock);
	struct timer **head = &heads[this_cpu()->id];

	while (*head && (*head)->deadline_ns <= clock_monotonic_ns()) {
		struct timer *t = *head;
		void (*fn)(void *) = t->fn;
		void *arg = t->arg;

		*head = t->next;
		t->next = NULL;
		t->pending = false;
		sched_stats.timers_fired++;
		spin_unlock_irqrestore(&timer_lock, flags);
		fn(arg);
		flags = spin_lock_irqsave(&timer_lock);
	}
	apic_timer_set(*head ? (*head)->deadline_ns : 0);
	spin_unlock_irqrestore(&timer_lock, flags);
}
