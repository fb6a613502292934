/* Kernel threads, the scheduler, wait queues, timers and locks. */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <kernel/types.h>

/*
 * A thread is either a kernel thread or an application thread (which
 * runs in ring 3 and enters the kernel through system calls and
 * interrupts; it blocks in the kernel like any other). Blocking switches
 * to the next runnable thread of the CPU; with none, the CPU's idle
 * thread takes one from another CPU's queue, or halts until an
 * interrupt.
 *
 * Every CPU (up to MAX_CPUS) has its own FIFO run queue and idle thread;
 * one lock (sched_priv.h) guards them all. A new or woken thread goes to
 * an idle CPU (preferring its last, then the waker's), else to the least
 * loaded; a CPU given work by another gets an IPI (out of HLT, or to
 * reschedule on its way back to ring 3).
 *
 * Kernel code is never preempted: a thread runs until it blocks, yields
 * or exits. A thread in ring 3 gives way when it next leaves the kernel
 * (sched_preempt_user()): at once to a kernel thread woken meanwhile, to
 * another user thread when its time slice is over (preempt.c).
 *
 * THE KERNEL LOCK. Kernel code was written for one CPU with cooperative
 * switching (the VFS, the descriptor table, uvm, lwIP's SYS_ARCH_PROTECT
 * all assume nobody else runs kernel code meanwhile). It stays true on
 * SMP through one big kernel lock, for now: taken on every entry from
 * ring 3 that runs kernel C code (system calls, user faults), held by
 * kernel threads whenever they run (a new one starts with it; a new
 * user thread, marked user before it is queued, without), given
 * up by the context switch when its thread blocks or yields and taken
 * back when the thread runs again, given up on the way back to ring 3.
 * Ring-3 code runs truly in parallel on every CPU; kernel code is
 * serialised. Interrupt handlers do not take it: what they share with
 * threads (run queues, wait queues, timers, rings, the console) is under
 * spinlocks. Finer locking can come later, one subsystem at a time.
 */
struct thread;
typedef void (*thread_fn)(void *arg);

/* Call once, after heap_init(), cpu_init() and apic_timer_init(): turns
 * the boot flow into the first thread ("boot", holding the kernel lock)
 * and creates CPU 0's idle thread. Before it, thread_current() is NULL
 * and sleeps spin. */
void sched_init(void);

/* SMP bring-up (arch/x86_64/smp.c): sched_prepare_cpu() makes CPU cpu's
 * idle thread and returns its stack top, where the AP starts (0 when out
 * of memory); sched_run_cpu(), on the AP once it is set up, makes it run
 * its idle thread and take threads: never returns. */
uintptr_t sched_prepare_cpu(unsigned cpu);
__noreturn void sched_run_cpu(void);

/*
 * The kernel lock (see above). bkl_lock() nests per thread; bkl_unlock()
 * by a thread that does not hold it is a kernel bug (panic).
 * bkl_unlock_all() drops every level (the way to ring 3). All are no-ops
 * before sched_init(). Never call bkl_lock() holding a spinlock or with
 * interrupts off.
 */
void bkl_lock(void);
void bkl_unlock(void);
void bkl_unlock_all(void);

/*
 * A new runnable kernel thread running fn(arg) on its own 16 KiB stack
 * (an unmapped guard page below it: an overflow is a #DF panic, not
 * corruption); NULL when out of memory. name is copied (<= 15 bytes
 * shown). It starts with interrupts on. Returning from fn is
 * thread_exit(). The pointer is valid until the thread exits (threads are
 * detached: join through a semaphore or a wait queue). Thread context
 * only (it allocates), after sched_init().
 */
struct thread *thread_create(const char *name, thread_fn fn, void *arg);
struct thread *thread_current(void);
const char *thread_name(const struct thread *t);
void thread_set_name(struct thread *t, const char *name);
/* Give up the CPU to another runnable thread, if any. */
void thread_yield(void);
/* t runs on another CPU: interrupt that CPU, so that t sees on its way
 * back to ring 3 what was just set for it (a signal). */
void thread_kick(struct thread *t);
/* End the calling kernel thread; its stack is freed by the next thread
 * that runs. */
__noreturn void thread_exit(void);

/*
 * The calling thread runs application code from now on (exec; clone in
 * the SMP issue): its user FS and GS bases (MSR_FS_BASE, and
 * MSR_KERNEL_GS_BASE while in the kernel) start at 0 and are its own,
 * saved and restored when the CPU switches between user threads. While it
 * runs, the MSRs hold its bases: arch_prctl reads and writes them there.
 */
void thread_mark_user(void);

/*
 * The application's further threads (clone, kernel/sys/). thread_clone_
 * user() makes a user thread, not yet runnable, that enters ring 3 with
 * the registers in *tf (copied), the given FS and user GS bases, and a
 * copy of the caller's FPU/SSE/AVX state (the caller must be the user
 * thread cloning itself); NULL when out of memory. It is marked user
 * before thread_start_user() makes it runnable. Its id (thread_id(),
 * unique among all threads, the boot thread's 1) is its Linux tid. A user
 * thread ends with thread_exit(), the boot flow too once it runs the
 * application.
 *
 * A user thread's time slice in ring 3 is 4 ms (preempt.c): when another
 * user thread is runnable it gives way at the end of its slice, even if it
 * never enters the kernel (a timer interrupt is armed for that); a kernel
 * thread woken meanwhile gets the CPU at once.
 */
struct trapframe;
struct thread *thread_clone_user(const char *name, const struct trapframe *tf,
				 uint64_t fs_base, uint64_t gs_base);
void thread_start_user(struct thread *t);
uint32_t thread_id(const struct thread *t);
/* User threads that have not exited (started ones, and the boot flow once
 * it runs the application): a blocking call that only another thread can
 * satisfy waits only when there is another (pipes). */
unsigned int thread_user_count(void);
/* One pointer for the syscall layer's per-thread data (NULL at first). */
void *thread_user_data(const struct thread *t);
void thread_set_user_data(struct thread *t, void *data);

/* Sleep the calling thread until clock_monotonic_ns() >= deadline. Never
 * wakes early. Before sched_init() it spins. */
void thread_sleep_until(uint64_t deadline_ns);

/*
 * Hooks for the trap and syscall code (not for drivers):
 * timer_interrupt() runs the expired timers and programs the next one
 * (the local APIC timer's vector, interrupts off, after the EOI).
 * sched_preempt_user() is called on the way back to ring 3: a woken
 * kernel thread runs first; another user thread does when the caller's
 * time slice is over (preempt.c).
 */
void timer_interrupt(void);
void sched_preempt_user(void);

/*
 * For a TLB shootdown (arch/x86_64/tlb.c): the other CPUs running a
 * thread, as a bit mask by CPU id; those running their idle thread are
 * marked instead, and flush their whole TLB before they next switch to a
 * thread (idle threads and interrupt handlers touch neither application
 * memory nor other threads' stacks), so an idle CPU is not woken for it.
 * Not under sched_lock.
 */
uint64_t sched_tlb_defer_idle(void);

/*
 * Wait queues. waitq_wait() sleeps until woken or until deadline_ns
 * (0 = no deadline); returns 0 when woken, -ETIMEDOUT at the deadline.
 * The caller re-checks its condition in a loop, with interrupts or the
 * relevant lock managing the lost-wakeup race: waitq_prepare() before
 * the check, then waitq_wait() (which returns at once if a wake came in
 * between) or waitq_cancel(). Do not block on anything else between
 * waitq_prepare() and waitq_wait()/waitq_cancel() (a thread waits on one
 * queue at a time; the kernel panics otherwise). A thread woken by
 * waitq_wake_one() that then cancels has used up that wake: it must act on
 * the condition it found true.
 */
struct waitq {
	struct thread *head, *tail; /* FIFO of waiters */
};
#define WAITQ_INIT {0, 0}
void waitq_init(struct waitq *wq);
void waitq_prepare(struct waitq *wq);
int waitq_wait(struct waitq *wq, uint64_t deadline_ns);
void waitq_cancel(struct waitq *wq);
/* Wake the longest waiter, or all of them, in FIFO order. Safe from
 * interrupt handlers. */
void waitq_wake_one(struct waitq *wq);
void waitq_wake_all(struct waitq *wq);

/* One-shot timers: fn(arg) runs in interrupt context, interrupts off, at
 * or after deadline_ns (never before), in deadline order (equal deadlines
 * in arming order), on the CPU that armed it (each CPU has its own list
 * and local APIC timer). A timer struct is owned by the caller; arming a
 * pending timer moves it. timer_cancel() returns true when it stopped a
 * pending timer. fn may arm timers, wake threads and take spinlocks; it
 * must not block. */
struct timer {
	uint64_t deadline_ns;
	void (*fn)(void *arg);
	void *arg;
	struct timer *next;
	bool pending;
	uint32_t cpu; /* whose list it is on (timers are per CPU) */
};
void timer_arm(struct timer *t, uint64_t deadline_ns, void (*fn)(void *),
	       void *arg);
bool timer_cancel(struct timer *t);

/*
 * Spinlocks that also disable interrupts (safe against handlers and
 * other CPUs); the lock word catches a CPU taking a lock it already holds
 * (panic).
 * spin_lock() keeps the caller's interrupt flag in the lock;
 * spin_lock_irqsave() hands it back instead, for a lock held across a
 * context switch (the next thread must not restore our flags).
 */
struct spinlock {
	volatile uint32_t locked; /* 0, or the holding CPU's id + 1 */
	uint64_t saved_flags;
};
#define SPINLOCK_INIT {0, 0}
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
uint64_t spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags);

/*
 * Sleeping locks and counting semaphores, for thread context only (lwIP's
 * sys_arch maps onto these). Both hand over directly to the longest
 * waiter (FIFO, no thundering herd). mutex_lock() on a mutex the caller
 * holds, and mutex_unlock() by a non-owner, are kernel bugs (panic).
 * sem_up() is also safe from interrupt handlers.
 */
struct mutex {
	struct thread *owner;
	struct waitq waiters;
};
#define MUTEX_INIT {0, WAITQ_INIT}
void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);

struct semaphore {
	int64_t count;
	struct waitq waiters;
};
#define SEMAPHORE_INIT(n) {(n), WAITQ_INIT}
void sem_init(struct semaphore *s, int64_t count);
/* 0, or -ETIMEDOUT when deadline_ns (0 = none) passed first. */
int sem_down(struct semaphore *s, uint64_t deadline_ns);
void sem_up(struct semaphore *s);

#endif
