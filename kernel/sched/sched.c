/* The scheduler: run queue, context switches, the idle thread, sleeping. */
#include <kernel/arch.h>
#include <kernel/log.h>
#include <kernel/panic.h>
#include <kernel/time.h>

#include "arch/x86_64/trap.h"
#include "arch/x86_64/x86.h"
#include "sched/sched_priv.h"

/*
 * A CPU's scheduling state: its run queue, idle thread and user-register
 * owner. Each CPU has its own; all are under the one sched_lock.
 */
struct runqueue {
	struct thread *head, *tail; /* RUNNABLE threads, FIFO */
	unsigned nr;		    /* threads queued */
	struct thread *idle;
	/* The user thread whose FS/GS bases and FPU state this CPU's
	 * registers hold: kernel threads never touch them, so they are
	 * loaded only when another user thread comes (or this one ran
	 * elsewhere since: fpu_cpu, user_context_switch()). */
	struct thread *user_owner;
	bool halted; /* the idle thread is about to HLT or halted */
	/* A TLB shootdown skipped this CPU while it idled: flush before
	 * running anything but the idle thread (sched_tlb_defer_idle()). */
	bool tlb_stale;
};

struct spinlock sched_lock = SPINLOCK_INIT;
struct sched_stats sched_stats;
static struct runqueue rqs[MAX_CPUS];
static unsigned nr_online = 1; /* CPUs scheduling: ids 0 .. nr_online-1 */
static struct thread *zombies; /* DEAD threads to free, via rq_next */

static struct runqueue *this_rq(void)
{
	return &rqs[this_cpu()->id];
}

struct thread *thread_current(void)
{
	return this_cpu()->thread;
}

static void rq_push(struct runqueue *rq, struct thread *t)
{
	t->state = THREAD_RUNNABLE;
	t->cpu = (uint32_t)(rq - rqs);
	t->rq_next = NULL;
	if (rq->tail)
		rq->tail->rq_next = t;
	else
		rq->head = t;
	rq->tail = t;
	rq->nr++;
}

static struct thread *rq_pop(struct runqueue *rq)
{
	struct thread *t = rq->head;

	if (t) {
		rq->head = t->rq_next;
		if (!rq->head)
			rq->tail = NULL;
		rq->nr--;
	}
	return t;
}

/* Nothing to do: running its idle thread with an empty queue. */
static bool rq_idle(unsigned cpu)
{
	return !rqs[cpu].nr && cpus[cpu]->thread == rqs[cpu].idle;
}

/*
 * Where a woken or new thread goes: the CPU it last ran on when that is
 * idle (warm caches), else this CPU when idle (an interrupt woke it; no
 * IPI needed), else any idle CPU, else the CPU with the fewest threads,
 * this one on a tie. One CPU: always CPU 0, as before SMP.
 */
static unsigned pick_cpu(const struct thread *t)
{
	unsigned self = this_cpu()->id, best = self, load, best_load;

	if (nr_online == 1)
		return self;
	if (t->cpu < nr_online && rq_idle(t->cpu))
		return t->cpu;
	if (rq_idle(self))
		return self;
	best_load = rqs[self].nr + 1;
	for (unsigned i = 0; i < nr_online; i++) {
		if (rq_idle(i))
			return i;
		load = rqs[i].nr + (cpus[i]->thread != rqs[i].idle);
		if (load < best_load) {
			best = i;
			best_load = load;
		}
	}
	return best;
}

/*
 * Queue t on cpu and tell that CPU: halted, the IPI ends its HLT; busy
 * with another thread (in ring 3, perhaps for long), the IPI's way back
 * to ring 3 runs sched_preempt_user(), which gives way to a kernel thread
 * at once and to a user thread at the end of the slice. Its idle thread
 * running and not halted looks at its queue anyway.
 */
static void rq_push_kick(unsigned cpu, struct thread *t)
{
	struct runqueue *rq = &rqs[cpu];

	rq_push(rq, t);
	if (cpu == this_cpu()->id)
		return;
	if (rq->halted || cpus[cpu]->thread != rq->idle) {
		rq->halted = false;
		apic_send_ipi(cpu, VEC_IPI_WAKE);
	}
}

void thread_kick(struct thread *t)
{
	uint64_t flags = spin_lock_irqsave(&sched_lock);

	if (t->state == THREAD_RUNNING && t->on_cpu &&
	    t->cpu != this_cpu()->id)
		apic_send_ipi(t->cpu, VEC_IPI_WAKE);
	spin_unlock_irqrestore(&sched_lock, flags);
}

/* An idle CPU takes the head of the longest other queue. */
static struct thread *steal_locked(void)
{
	unsigned self = this_cpu()->id, victim = self, most = 0;
	struct runqueue *rq;
	struct thread *t;

	for (unsigned i = 0; i < nr_online; i++) {
		if (i != self && rqs[i].nr > most) {
			victim = i;
			most = rqs[i].nr;
		}
	}
	if (victim == self)
		return NULL;
	rq = &rqs[victim];
	t = rq->head;
	if (!t || t->on_cpu)
		return NULL;
	rq_pop(rq);
	return t;
}

/*
 * A user thread's context beyond the general registers: its FS base (its
 * TLS pointer), its user GS base and its x87/SSE/AVX state. Kernel
 * threads never touch any of them (the kernel is built general-registers-
 * only), so they stay in the CPU while kernel threads run.
 *
 * Saved whenever a user thread leaves a CPU, so that its area is right
 * wherever it runs next (another CPU, once there are several); loaded only
 * when the CPU's registers do not hold it already: rq->user_owner is the
 * last user thread loaded here, and fpu_cpu says the thread was last
 * saved here (it did not run on another CPU meanwhile).
 */
static void user_context_save(struct thread *prev)
{
	prev->fs_base = rdmsr(MSR_FS_BASE);
	prev->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	fpu_save(prev);
	prev->fpu_cpu = this_cpu()->id + 1;
}

static void user_context_switch(struct runqueue *rq, struct thread *next)
{
	if (rq->user_owner == next && next->fpu_cpu == this_cpu()->id + 1)
		return;
	wrmsr(MSR_FS_BASE, next->fs_base);
	wrmsr(MSR_KERNEL_GS_BASE, next->gs_base);
	fpu_restore(next);
	next->fpu_cpu = this_cpu()->id + 1;
	rq->user_owner = next;
}

void thread_mark_user(void)
{
	struct thread *t = thread_current();
	uint64_t flags;

	/* Its first FPU state is the clean one, as for a new process. */
	if ((!t->fpu && fpu_alloc(t) < 0) || fpu_set_clean(t) < 0)
		panic("sched: out of memory for the FPU state of %s", t->name);
	flags = spin_lock_irqsave(&sched_lock);
	if (!t->user)
		__atomic_add_fetch(&user_threads, 1, __ATOMIC_RELAXED);
	t->user = true;
	t->fs_base = t->gs_base = 0;
	this_rq()->user_owner = NULL;
	user_context_switch(this_rq(), t);
	sched_slice_start(t, false);
	spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_switch_locked(void)
{
	struct runqueue *rq = this_rq();
	struct cpu *c = this_cpu();
	struct thread *prev = c->thread, *next = rq_pop(rq);

	if (!next)
		next = rq->idle;
	next->state = THREAD_RUNNING;
	if (next == prev)
		return;
	if (rq->tlb_stale) {
		rq->tlb_stale = false;
		write_cr3(read_cr3()); /* no page is global: a full flush */
	}
	next->on_cpu = true;
	next->cpu = c->id;
	c->thread = next;
	c->thread_name = next->name;
	/* Ring 3 -> ring 0 entries (TSS.RSP0, syscall) land on next's stack. */
	arch_set_kernel_stack(next->kstack_top);
	if (prev->user && prev->state != THREAD_DEAD)
		user_context_save(prev);
	if (next->user) {
		user_context_switch(rq, next);
		sched_slice_start(next, rq->head != NULL);
	}
	/* The kernel lock is the thread's, not the CPU's: given up here,
	 * taken back by sched_finish_switch() when prev runs again. */
	if (prev->bkl_depth)
		bkl_release();
	sched_stats.switches++;
	prev = switch_to(prev, next);
	/* Possibly on another CPU now: c and rq are stale. */
	sched_finish_switch(prev);
}

uint64_t sched_tlb_defer_idle(void)
{
	uint64_t flags = spin_lock_irqsave(&sched_lock), busy = 0;
	unsigned self = this_cpu()->id;

	for (unsigned i = 0; i < nr_online; i++) {
		if (i == self)
			continue;
		if (cpus[i]->thread == rqs[i].idle)
			rqs[i].tlb_stale = true;
		else
			busy |= 1ULL << i;
	}
	spin_unlock_irqrestore(&sched_lock, flags);
	return busy;
}

/* Free the DEAD threads (their stacks need a TLB shootdown: never under
 * sched_lock), with the kernel lock held and interrupts on. */
static void free_zombies(void)
{
	for (;;) {
		uint64_t flags = spin_lock_irqsave(&sched_lock);
		struct thread *t = zombies;

		if (t)
			zombies = t->rq_next;
		spin_unlock_irqrestore(&sched_lock, flags);
		if (!t)
			return;
		thread_free(t);
	}
}

void sched_finish_switch(struct thread *prev)
{
	struct thread *self = thread_current();

	prev->on_cpu = false;
	if (prev->state == THREAD_DEAD) {
		for (unsigned i = 0; i < nr_online; i++)
			if (rqs[i].user_owner == prev)
				rqs[i].user_owner = NULL;
		prev->rq_next = zombies;
		zombies = prev;
	}
	if (!self->bkl_depth)
		return;
	/* Never wait for the kernel lock holding sched_lock or with
	 * interrupts off: its holder may need either (a wake, a TLB
	 * shootdown's acknowledgement). Kernel code is not preempted, so
	 * this thread stays on this CPU meanwhile. */
	spin_unlock_irqrestore(&sched_lock, RFLAGS_IF);
	bkl_acquire(self);
	free_zombies();
	(void)spin_lock_irqsave(&sched_lock);
}

void sched_block_locked(void)
{
	thread_current()->state = THREAD_BLOCKED;
	sched_switch_locked();
}

void sched_wake_locked(struct thread *t)
{
	if (t->state == THREAD_BLOCKED)
		rq_push_kick(pick_cpu(t), t);
}

void sched_enqueue_locked(struct thread *t)
{
	/* A new kernel thread starts in kernel code: with the kernel lock,
	 * taken as it first comes out of the switch. A new user thread
	 * (clone) goes straight to ring 3: without it. */
	t->bkl_depth = t->user ? 0 : 1;
	rq_push_kick(pick_cpu(t), t);
}

void thread_yield(void)
{
	struct thread *self = thread_current();
	uint64_t flags;

	if (!self)
		return;
	/* Nothing else for this CPU, but threads on others may be waiting
	 * for the kernel lock this one holds: let one have it. */
	if (!this_rq()->head && self->bkl_depth && nr_online > 1)
		bkl_yield(self);
	if (!this_rq()->head)
		return;
	flags = spin_lock_irqsave(&sched_lock);
	if (this_rq()->head) {
		rq_push(this_rq(), self);
		sched_switch_locked();
	}
	spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_preempt_user(void)
{
	struct thread *self = thread_current();
	struct thread *head = this_rq()->head;

	/* Kernel code is not preempted; this is the one point where a ring-3
	 * thread gives way, with nothing of the kernel's held: at once to a
	 * kernel thread (a driver's or lwIP's, woken by an interrupt or by
	 * the call), to another user thread when its time slice is over. */
	if (!head || !self)
		return;
	if (!head->user || !self->user) {
		thread_yield();
	} else if (sched_slice_over(self)) {
		sched_stats.preemptions++;
		thread_yield();
	}
}

void thread_exit(void)
{
	struct thread *self = thread_current();

	(void)spin_lock_irqsave(&sched_lock); /* the next thread releases */
	/* The boot flow may end once it is a user thread (the application's
	 * first thread calling exit while others run on). */
	if (self->is_idle || (self->static_boot && !self->user))
		panic("thread %s may not exit", self->name);
	if (self->user)
		__atomic_sub_fetch(&user_threads, 1, __ATOMIC_RELAXED);
	self->state = THREAD_DEAD;
	sched_switch_locked();
	panic("dead thread %s ran again", self->name);
}

void thread_sleep_until(uint64_t deadline_ns)
{
	struct thread *self = thread_current();
	uint64_t flags;

	if (!self) {
		while (clock_monotonic_ns() < deadline_ns)
			cpu_relax();
		return;
	}
	if (!deadline_ns)
		return;
	flags = spin_lock_irqsave(&sched_lock);
	self->woken = self->timed_out = false;
	waitq_block_locked(deadline_ns); /* no queue: only the deadline */
	spin_unlock_irqrestore(&sched_lock, flags);
}

/*
 * Runs when nothing else can; one per CPU, never queued, never moving.
 * The run queues are checked with interrupts off and the HLT follows STI
 * at once: STI's one-instruction interrupt shadow means a wake-up
 * interrupt cannot slip in between and be missed (Intel SDM Vol. 2B,
 * STI). A wake from another CPU sees `halted` (set under sched_lock
 * before the check ends) and sends an IPI, which the same shadow keeps
 * pending until the HLT.
 */
static __noreturn void idle_loop(void)
{
	struct runqueue *rq = this_rq();

	for (;;) {
		uint64_t flags = spin_lock_irqsave(&sched_lock);
		struct thread *t;
		bool empty;

		rq->halted = false;
		if (!rq->head && (t = steal_locked()))
			rq_push(rq, t);
		empty = !rq->head;
		/* The idle thread is never queued: sched_switch_locked()
		 * falls back to it when the queue runs dry. */
		if (!empty)
			sched_switch_locked();
		else
			rq->halted = true;
		spin_unlock_irqrestore(&sched_lock, flags & ~RFLAGS_IF);
		if (empty) {
			sched_stats.idle_halts++;
			cpu_idle();
		}
	}
}

static void idle_entry(void *arg __unused)
{
	idle_loop();
}

static struct thread *idle_alloc(unsigned cpu)
{
	struct thread *idle = thread_alloc("idle", idle_entry, NULL);

	if (!idle)
		return NULL;
	idle->is_idle = true;
	idle->cpu = cpu;
	rqs[cpu].idle = idle;
	return idle;
}

void sched_init(void)
{
	struct thread *boot = &boot_thread;

	this_cpu()->thread = boot;
	this_cpu()->thread_name = boot->name;
	boot->on_cpu = true;
	if (!idle_alloc(0))
		panic("sched: out of memory for the idle thread");
	bkl_lock(); /* the boot flow is kernel code */
	log_debug("sched: threads, one-shot timers");
}

uintptr_t sched_prepare_cpu(unsigned cpu)
{
	struct thread *idle = rqs[cpu].idle;

	if (!idle && !(idle = idle_alloc(cpu)))
		return 0;
	return idle->kstack_top;
}

void sched_run_cpu(void)
{
	struct cpu *c = this_cpu();
	struct thread *idle = rqs[c->id].idle;

	(void)spin_lock_irqsave(&sched_lock);
	idle->state = THREAD_RUNNING;
	idle->on_cpu = true;
	c->thread = idle;
	c->thread_name = idle->name;
	arch_set_kernel_stack(idle->kstack_top);
	if (c->id >= nr_online)
		nr_online = c->id + 1;
	spin_unlock_irqrestore(&sched_lock, 0);
	idle_loop();
}
