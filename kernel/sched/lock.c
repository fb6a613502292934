/* Spinlocks (interrupts off), mutexes and counting semaphores. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/panic.h>

#include "arch/x86_64/x86.h"
#include "sched/sched_priv.h"

/*
 * The lock word holds the holder's CPU id + 1. With interrupts off on one
 * CPU nobody else can hold the lock, so finding our own id there is a
 * re-entry that would spin for ever: report it instead.
 */
uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = read_rflags();
	uint32_t me = this_cpu()->id + 1;

	irq_disable();
	for (;;) {
		uint32_t held = 0;

		if (__atomic_compare_exchange_n(&l->locked, &held, me, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return flags;
		if (held == me)
			panic("spinlock %p taken twice on cpu %u", l, me - 1);
		while (l->locked)
			cpu_relax();
	}
}

void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	if (flags & RFLAGS_IF)
		irq_enable();
}

void spin_lock(struct spinlock *l)
{
	/* Written only once held: the field belongs to the holder. */
	l->saved_flags = spin_lock_irqsave(l);
}

void spin_unlock(struct spinlock *l)
{
	spin_unlock_irqrestore(l, l->saved_flags);
}

void mutex_init(struct mutex *m)
{
	m->owner = NULL;
	waitq_init(&m->waiters);
}

void mutex_lock(struct mutex *m)
{
	struct thread *self = thread_current();
	uint64_t flags;

	if (!self)
		panic("mutex %p locked before sched_init()", m);
	flags = spin_lock_irqsave(&sched_lock);
	if (!m->owner) {
		m->owner = self;
	} else {
		if (m->owner == self)
			panic("mutex %p: %s locks it again", m, self->name);
		waitq_add_locked(&m->waiters, self);
		waitq_block_locked(0);
		/* mutex_unlock() made us the owner before waking us. */
	}
	spin_unlock_irqrestore(&sched_lock, flags);
}

void mutex_unlock(struct mutex *m)
{
	uint64_t flags = spin_lock_irqsave(&sched_lock);

	if (m->owner != thread_current())
		panic("mutex %p: unlocked by %s, not its owner", m,
		      thread_current() ? thread_current()->name : "boot");
	m->owner = waitq_wake_one_locked(&m->waiters);
	spin_unlock_irqrestore(&sched_lock, flags);
}

void sem_init(struct semaphore *s, int64_t count)
{
	s->count = count;
	waitq_init(&s->waiters);
}

int sem_down(struct semaphore *s, uint64_t deadline_ns)
{
	uint64_t flags = spin_lock_irqsave(&sched_lock);
	int err = 0;

	if (s->count > 0) {
		s->count--;
	} else {
		/* sem_up() hands its unit to us without counting it. */
		waitq_add_locked(&s->waiters, thread_current());
		err = waitq_block_locked(deadline_ns);
	}
	spin_unlock_irqrestore(&sched_lock, flags);
	return err;
}

void sem_up(struct semaphore *s)
{
	uint64_t flags = spin_lock_irqsave(&sched_lock);

	if (!waitq_wake_one_locked(&s->waiters))
		s->count++;
	spin_unlock_irqrestore(&sched_lock, flags);
}

/*
 * The kernel lock (sched.h). Test-and-test-and-set rather than a ticket
 * lock: the CPUs are often virtual, and a ticket lock hands the lock to
 * a waiter whose vCPU the host may not be running, stalling every other
 * CPU behind it (the reason paravirtualised Linux falls back to a plain
 * test-and-set lock, virt_spin_lock()). Whoever runs when it is free
 * takes it. The depth lives in the thread: the switch gives the lock up
 * for a thread that blocks and takes it back when it runs again
 * (sched_finish_switch()), on whichever CPU that is.
 */
static struct {
	volatile uint32_t locked;
	volatile uint32_t waiting; /* CPUs spinning for it (bkl_yield()) */
	struct thread *owner;
} bkl;

void bkl_acquire(struct thread *t)
{
	if (__atomic_exchange_n(&bkl.locked, 1, __ATOMIC_ACQUIRE)) {
		__atomic_add_fetch(&bkl.waiting, 1, __ATOMIC_RELAXED);
		do
			while (__atomic_load_n(&bkl.locked, __ATOMIC_RELAXED))
				cpu_relax();
		while (__atomic_exchange_n(&bkl.locked, 1, __ATOMIC_ACQUIRE));
		__atomic_sub_fetch(&bkl.waiting, 1, __ATOMIC_RELAXED);
	}
	bkl.owner = t;
}

void bkl_release(void)
{
	bkl.owner = NULL;
	__atomic_store_n(&bkl.locked, 0, __ATOMIC_RELEASE);
}

void bkl_yield(struct thread *t)
{
	if (!__atomic_load_n(&bkl.waiting, __ATOMIC_RELAXED))
		return;
	bkl_release();
	/* Long enough for a CPU spinning on the lock to see it free. */
	for (int i = 0; i < 1000 && !__atomic_load_n(&bkl.locked,
						     __ATOMIC_RELAXED); i++)
		cpu_relax();
	bkl_acquire(t);
}

void bkl_lock(void)
{
	struct thread *t = thread_current();

	if (t && !t->bkl_depth++)
		bkl_acquire(t);
}

void bkl_unlock(void)
{
	struct thread *t = thread_current();

	if (!t)
		return;
	if (!t->bkl_depth || bkl.owner != t)
		panic("kernel lock released by %s, not its holder", t->name);
	if (!--t->bkl_depth)
		bkl_release();
}

void bkl_unlock_all(void)
{
	struct thread *t = thread_current();

	if (t && t->bkl_depth) {
		t->bkl_depth = 1;
		bkl_unlock();
	}
}
