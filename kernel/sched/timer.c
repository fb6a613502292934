/* One-shot timers: a list sorted by deadline, driven by the APIC timer. */
#include <kernel/time.h>

#include "arch/x86_64/apic.h"
#include "sched/sched_priv.h"

/*
 * Tickless: the hardware timer is programmed for the earliest deadline
 * only, and stopped when nothing is pending, so an idle machine takes no
 * timer interrupts at all. Arming walks the list (O(n)); the lists here
 * are short (one timeout per blocked thread plus lwIP's few). One list
 * for now; the SMP issue makes it per CPU.
 */
static struct timer *head;
static struct spinlock timer_lock = SPINLOCK_INIT;

static void unlink(struct timer *t)
{
	struct timer **pp = &head;

	while (*pp != t)
		pp = &(*pp)->next;
	*pp = t->next;
	t->next = NULL;
	t->pending = false;
}

void timer_arm(struct timer *t, uint64_t deadline_ns, void (*fn)(void *),
	       void *arg)
{
	struct timer **pp = &head;
	uint64_t flags = spin_lock_irqsave(&timer_lock);

	if (t->pending)
		unlink(t);
	t->deadline_ns = deadline_ns;
	t->fn = fn;
	t->arg = arg;
	/* After every timer due no later: equal deadlines fire FIFO. */
	while (*pp && (*pp)->deadline_ns <= deadline_ns)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	t->pending = true;
	if (head == t)
		apic_timer_set(deadline_ns);
	spin_unlock_irqrestore(&timer_lock, flags);
}

bool timer_cancel(struct timer *t)
{
	uint64_t flags = spin_lock_irqsave(&timer_lock);
	bool was_pending = t->pending;

	if (was_pending) {
		bool was_first = head == t;

		unlink(t);
		/* Leaving the hardware armed for a cancelled deadline would
		 * cost one interrupt that finds nothing to do. */
		if (was_first)
			apic_timer_set(head ? head->deadline_ns : 0);
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

	while (head && head->deadline_ns <= clock_monotonic_ns()) {
		struct timer *t = head;
		void (*fn)(void *) = t->fn;
		void *arg = t->arg;

		head = t->next;
		t->next = NULL;
		t->pending = false;
		sched_stats.timers_fired++;
		spin_unlock_irqrestore(&timer_lock, flags);
		fn(arg);
		flags = spin_lock_irqsave(&timer_lock);
	}
	apic_timer_set(head ? head->deadline_ns : 0);
	spin_unlock_irqrestore(&timer_lock, flags);
}
