/* The scheduler: run queue, context switches, the idle thread, sleeping. */
#include <kernel/arch.h>
#include <kernel/log.h>
#include <kernel/panic.h>
#include <kernel/time.h>

#include "arch/x86_64/x86.h"
#include "sched/sched_priv.h"

/*
 * A CPU's scheduling state. One CPU for now; the SMP issue gives each CPU
 * its own (this_rq() becomes a per-CPU lookup, idle threads per CPU).
 */
struct runqueue {
	struct thread *head, *tail; /* RUNNABLE threads, FIFO */
	struct thread *idle;
	/* The user thread whose FS/GS bases the MSRs hold: kernel threads
	 * never touch them, so they change only between two user threads. */
	struct thread *user_owner;
};

struct spinlock sched_lock = SPINLOCK_INIT;
struct sched_stats sched_stats;
static struct runqueue rq0;

static struct runqueue *this_rq(void)
{
	return &rq0;
}

struct thread *thread_current(void)
{
	return this_cpu()->thread;
}

static void rq_push(struct runqueue *rq, struct thread *t)
{
	t->state = THREAD_RUNNABLE;
	t->rq_next = NULL;
	if (rq->tail)
		rq->tail->rq_next = t;
	else
		rq->head = t;
	rq->tail = t;
}

static struct thread *rq_pop(struct runqueue *rq)
{
	struct thread *t = rq->head;

	if (t) {
		rq->head = t->rq_next;
		if (!rq->head)
			rq->tail = NULL;
	}
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
	sched_stats.switches++;
	prev = switch_to(prev, next);
	sched_finish_switch(prev);
}

void sched_finish_switch(struct thread *prev)
{
	if (prev->state != THREAD_DEAD)
		return;
	if (this_rq()->user_owner == prev)
		this_rq()->user_owner = NULL;
	thread_free(prev);
}

void sched_block_locked(void)
{
	thread_current()->state = THREAD_BLOCKED;
	sched_switch_locked();
}

void sched_wake_locked(struct thread *t)
{
	if (t->state == THREAD_BLOCKED)
		rq_push(this_rq(), t);
}

void sched_enqueue_locked(struct thread *t)
{
	rq_push(this_rq(), t);
}

void thread_yield(void)
{
	struct thread *self = thread_current();
	uint64_t flags;

	if (!self || !this_rq()->head)
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
	if (self == this_rq()->idle || (self->static_boot && !self->user))
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
 * Runs when nothing else can. The run queue is checked with interrupts
 * off and the HLT follows STI at once: STI's one-instruction interrupt
 * shadow means a wake-up interrupt cannot slip in between and be missed
 * (Intel SDM Vol. 2B, STI). On SMP a remote wake will need an IPI.
 */
static void idle_loop(void *arg __unused)
{
	struct runqueue *rq = this_rq();

	for (;;) {
		uint64_t flags = spin_lock_irqsave(&sched_lock);
		bool empty = !rq->head;

		/* The idle thread is never queued: sched_switch_locked()
		 * falls back to it when the queue runs dry. */
		if (!empty)
			sched_switch_locked();
		spin_unlock_irqrestore(&sched_lock, flags & ~RFLAGS_IF);
		if (empty) {
			sched_stats.idle_halts++;
			cpu_idle();
		}
	}
}

void sched_init(void)
{
	struct thread *boot = &boot_thread;
	struct thread *idle;

	this_cpu()->thread = boot;
	this_cpu()->thread_name = boot->name;
	idle = thread_alloc("idle", idle_loop, NULL);
	if (!idle)
		panic("sched: out of memory for the idle thread");
	this_rq()->idle = idle;
	log_debug("sched: threads, one-shot timers");
}
