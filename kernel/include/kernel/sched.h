/* Kernel threads, the scheduler, wait queues, timers and locks. */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <kernel/types.h>

/*
 * One CPU for now, designed for more (the SMP issue makes scheduling
 * preemptive and per-CPU). A thread is either a kernel thread or the
 * application's thread (which runs in ring 3 and enters the kernel through
 * system calls and interrupts; it blocks in the kernel like any other).
 * Blocking switches to the next runnable thread; with none, the idle
 * thread halts until an interrupt.
 */
struct thread;
typedef void (*thread_fn)(void *arg);

/* Call once, after heap_init() and cpu_init(): turns the boot flow into
 * the first thread and creates the idle thread. */
void sched_init(void);

/* A new runnable kernel thread running fn(arg) on its own stack; NULL when
 * out of memory. name is copied (<= 15 bytes shown). */
struct thread *thread_create(const char *name, thread_fn fn, void *arg);
struct thread *thread_current(void);
const char *thread_name(const struct thread *t);
/* Give up the CPU to another runnable thread, if any. */
void thread_yield(void);
/* End the calling kernel thread. */
__noreturn void thread_exit(void);

/* Sleep the calling thread until clock_monotonic_ns() >= deadline. */
void thread_sleep_until(uint64_t deadline_ns);

/*
 * Wait queues. waitq_wait() sleeps until woken or until deadline_ns
 * (0 = no deadline); returns 0 when woken, -ETIMEDOUT at the deadline.
 * The caller re-checks its condition in a loop, with interrupts or the
 * relevant lock managing the lost-wakeup race: waitq_prepare() before
 * the check, then waitq_wait() (which returns at once if a wake came in
 * between) or waitq_cancel().
 */
struct waitq {
	struct thread *head, *tail; /* FIFO of waiters */
};
#define WAITQ_INIT {0, 0}
void waitq_init(struct waitq *wq);
void waitq_prepare(struct waitq *wq);
int waitq_wait(struct waitq *wq, uint64_t deadline_ns);
void waitq_cancel(struct waitq *wq);
/* Safe from interrupt handlers. */
void waitq_wake_one(struct waitq *wq);
void waitq_wake_all(struct waitq *wq);

/* One-shot timers: fn(arg) runs in interrupt context at or after
 * deadline_ns. A timer struct is owned by the caller; timer_cancel()
 * returns true when it stopped a pending timer. */
struct timer {
	uint64_t deadline_ns;
	void (*fn)(void *arg);
	void *arg;
	struct timer *next;
	bool pending;
};
void timer_arm(struct timer *t, uint64_t deadline_ns, void (*fn)(void *),
	       void *arg);
bool timer_cancel(struct timer *t);

/* Spinlocks that also disable interrupts (safe against handlers). */
struct spinlock {
	volatile uint32_t locked;
	uint64_t saved_flags;
};
#define SPINLOCK_INIT {0, 0}
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);

/* Sleeping locks and counting semaphores, for code that may block
 * (lwIP's sys_arch maps onto these). */
struct mutex {
	struct thread *owner;
	struct waitq waiters;
};
void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);

struct semaphore {
	int64_t count;
	struct waitq waiters;
};
void sem_init(struct semaphore *s, int64_t count);
/* 0, or -ETIMEDOUT when deadline_ns (0 = none) passed first. */
int sem_down(struct semaphore *s, uint64_t deadline_ns);
void sem_up(struct semaphore *s);

#endif
