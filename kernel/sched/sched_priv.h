/* Scheduler internals shared by kernel/sched/ (and its tests). */
#ifndef KERNEL_SCHED_SCHED_PRIV_H
#define KERNEL_SCHED_SCHED_PRIV_H

#include <kernel/sched.h>

enum thread_state {
	THREAD_RUNNING,	 /* on a CPU (this_cpu()->thread) */
	THREAD_RUNNABLE, /* on a CPU's run queue */
	THREAD_BLOCKED,	 /* waiting for a wake or its timeout */
	THREAD_DEAD,	 /* exited; freed by the next thread to run */
};

struct thread {
	uint64_t rsp; /* saved by switch_to (switch.S: offset 0) */
	enum thread_state state;
	struct thread *rq_next; /* run queue link */
	/* SMP (sched.c, under sched_lock): the CPU it runs or last ran on;
	 * on_cpu from the switch to it until the switch away from it is
	 * finished (its registers saved), so that no other CPU can run it
	 * in between; how deep it holds the kernel lock (lock.c), which
	 * the switch gives up and takes back for it. */
	uint32_t cpu;
	bool on_cpu;
	bool is_idle;
	uint32_t bkl_depth;

	/* Waiting: the queue it is on (NULL once woken or timed out), and
	 * what ended the wait. All under sched_lock. */
	struct waitq *wq;
	struct thread *wq_next, *wq_prev;
	bool woken, timed_out;
	struct timer timeout; /* sleeps and waits with a deadline */

	bool user;	  /* runs ring-3 code: the FS/GS bases are its own */
	bool static_boot; /* the boot flow: static struct and stack */
	uint64_t fs_base, gs_base; /* saved while another user thread runs */
	uintptr_t kstack_bottom, kstack_top;
	uint32_t id;
	char name[16];

	/* User threads (clone, preemption; appended). */
	void *fpu;	  /* its x87/SSE/AVX state (fpu.c), 64-aligned */
	void *fpu_alloc;  /* the allocation fpu points into */
	uint32_t fpu_cpu; /* id + 1 of the CPU its state was last loaded
			     into or saved from; 0 = none */
	uint64_t slice_end; /* preempt.c: its ring-3 time slice ends */
	struct timer slice_timer;
	void *user_data; /* the syscall layer's (thread_user_data()) */
};
#define THREAD_OFF_RSP 0

/*
 * sched_lock guards every CPU's run queue, thread states and every wait
 * queue (mutexes and semaphores included): one lock for all CPUs, the
 * simplest correct choice at this size. Taken with spin_lock_irqsave()
 * and held across switch_to(): the thread that comes out of the switch
 * releases it. Lock order: the kernel lock, then sched_lock, then
 * timer_lock (timer.c never calls a timer's fn with timer_lock held).
 * Never wait for the kernel lock or for another CPU (TLB shootdown)
 * holding sched_lock.
 */
extern struct spinlock sched_lock;

/* sched.c, all with sched_lock held: */
/* Block the current thread (its state set BLOCKED here) until
 * sched_wake_locked(); returns with sched_lock held again. */
void sched_block_locked(void);
/* BLOCKED -> RUNNABLE, at the run queue's tail; no-op otherwise. */
void sched_wake_locked(struct thread *t);
/* A new thread onto the run queue. */
void sched_enqueue_locked(struct thread *t);
/* Switch to the next runnable thread, or idle; the current thread's state
 * says what becomes of it. */
void sched_switch_locked(void);

/* waitq.c, with sched_lock held: */
/* Queue t at wq's tail, clearing its woken/timed_out flags. */
void waitq_add_locked(struct waitq *wq, struct thread *t);
/* Dequeue the longest waiter, mark it woken and make it runnable;
 * returns it, or NULL when wq is empty. */
struct thread *waitq_wake_one_locked(struct waitq *wq);
/* Block the current thread, already queued (or already woken), until
 * woken (0) or until deadline_ns passes (-ETIMEDOUT; 0 = no deadline),
 * after which it is off the queue either way. With no queue (wq NULL) it
 * is a plain sleep to the deadline. */
int waitq_block_locked(uint64_t deadline_ns);

/* thread.c: */
/* A new thread, not yet queued (the idle thread is never queued). */
struct thread *thread_alloc(const char *name, thread_fn fn, void *arg);
void thread_free(struct thread *t); /* a DEAD thread's stack and struct */
extern struct thread boot_thread;
/* User threads started and not exited (thread_user_count()); atomic. */
extern unsigned int user_threads;

/* fpu.c: per-thread FPU/SSE/AVX state. The kernel is built
 * general-registers-only, so the registers hold the state of the last
 * user thread that ran on this CPU until another user thread's is loaded.
 */
int fpu_alloc(struct thread *t); /* 0 or -ENOMEM; the area is unset */
void fpu_free(struct thread *t);
/* t's area gets the clean state (FCW 0x37f, MXCSR 0x1f80, registers 0)
 * that cpu_init() loads; 0 or -ENOMEM. Call after fpu_alloc(t). */
int fpu_set_clean(struct thread *t);
void fpu_save(struct thread *t);    /* the live registers into t's area */
void fpu_copy_live(struct thread *t); /* the same, into a fresh area */
void fpu_restore(struct thread *t); /* t's area into the registers */

/* preempt.c: ring-3 time slices. */
/* A user thread starts running: its slice starts now (and a timer is
 * armed for its end when others_runnable). */
void sched_slice_start(struct thread *t, bool others_runnable);
/* Whether t's slice is over; if not, a timer interrupt is due when it
 * ends (so that a thread spinning in ring 3 is interrupted then). */
bool sched_slice_over(struct thread *t);

/* kstack.c: stacks of KSTACK_PAGES pages under one unmapped guard page,
 * in the kernel-stack area (mm.h, KSTACK_AREA_BASE). */
#define KSTACK_PAGES 4
int kstack_alloc(uintptr_t *bottom, uintptr_t *top); /* 0 or -ENOMEM */
void kstack_free(uintptr_t bottom);
size_t kstack_count(void); /* stacks allocated now */

/* switch.S */
/* Save the callee-saved registers and RSP in prev, load next's; returns,
 * on next's stack, the thread that was switched away from. */
struct thread *switch_to(struct thread *prev, struct thread *next);
/* Where a new thread's first switch_to returns: calls thread_start(prev,
 * fn, arg) with fn and arg from r12 and r13. */
void thread_trampoline(void);
__noreturn void thread_start(struct thread *prev, thread_fn fn, void *arg);
/* After every switch, on the new stack, sched_lock held (it may drop
 * and retake it to take the kernel lock back for the thread coming in). */
void sched_finish_switch(struct thread *prev);

/* lock.c: the kernel lock without the per-thread depth, for the switch. */
void bkl_acquire(struct thread *t);
void bkl_release(void);
/* Give the held lock up for a moment, so that another CPU waiting for it
 * takes it, then take it back (thread_yield() with nothing queued here). */
void bkl_yield(struct thread *t);

/* Counters for the tests and the report. */
struct sched_stats {
	uint64_t switches;   /* switch_to calls */
	uint64_t idle_halts; /* HLTs the idle thread executed */
	uint64_t timers_fired;
	uint64_t preemptions; /* ring-3 threads that gave way at slice end */
};
extern struct sched_stats sched_stats;

#endif
