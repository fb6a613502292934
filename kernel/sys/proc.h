/* The application's threads as the syscall layer sees them, and futex wakes. */
#ifndef KERNEL_SYS_PROC_H
#define KERNEL_SYS_PROC_H

#include <kernel/sched.h>
#include <kernel/types.h>

/*
 * One process (pid 1) with one or more threads. Each has a struct uthread
 * (hung on its struct thread, thread_user_data()); the first thread's tid
 * is 1, the pid, as on Linux; the others' are their scheduler ids.
 */
struct thread;
struct uthread {
	struct thread *t;
	uint32_t tid;
	uint64_t clear_child_tid; /* user address, 0 for none */
	struct uthread *next;	  /* the process's threads (proc_lock) */
	uint64_t blocked;	  /* its signal mask (signal.c) */
	uint64_t pending;	  /* signals sent to it alone (tkill) */
	/* The futex it waits on, 0 when none: set and cleared under that
	 * futex's bucket lock (futex.c). */
	uint64_t futex_uaddr;
	struct waitq sleep_wq; /* its nanosleep, woken by a signal for it */
	/* rt_sigsuspend: the mask to put back once the handler that ended
	 * it has run (signal.c). */
	uint64_t suspend_saved;
	bool suspend_restore;
	/* The readiness wait a signal for it must end (poll.h), or NULL;
	 * set and cleared under proc_lock, which its senders hold. */
	struct waitq *intr_wq;
};

/* exec: the calling thread becomes the process's first thread. */
void proc_init_main(void);

/* The calling thread's; NULL in a kernel thread. */
struct uthread *uthread_self(void);

/* Sleep the calling thread until the monotonic deadline_ns: 0, or -EINTR
 * when a handled signal for it came first. */
int proc_sleep_until(uint64_t deadline_ns);

/* With proc_lock held (signal_send_thread() from proc_signal_tid()): a
 * signal is pending for u, end its interruptible waits. */
void proc_interrupt_locked(struct uthread *u);

/* Send sig (0: only check) to thread tid of the process: 0, -ESRCH or
 * -EINVAL (signal_send_thread() under the lock that keeps it alive). */
int proc_signal_tid(uint32_t tid, int sig);

/* A signal for the process is pending: wake one thread that does not
 * block it from a futex wait, nanosleep, pause or sigsuspend. false when
 * every thread blocks it. Safe from interrupt handlers. */
bool proc_signal_wake(int sig);

/* itimer.c: whether the interval timer will still send SIGALRM. */
bool itimer_armed(void);

/* Block the calling thread until a signal for it (or the process) that
 * it does not block arrives: -EINTR (pause, sigsuspend). */
int proc_wait_signal(void);

/* futex.c: wake up to n waiters on the futex at uaddr whose bitset shares
 * a bit with bitset; returns how many were woken. */
#define FUTEX_BITSET_ANY 0xffffffffU
int futex_wake(uint64_t uaddr, int n, uint32_t bitset);
/* If u waits on a futex, end that wait with -EINTR (a signal for it). */
void futex_interrupt(struct uthread *u);

#endif
