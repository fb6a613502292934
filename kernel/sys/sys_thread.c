/* Threads of the application: clone, exit, tids, thread-directed signals. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/poll.h>
#include <kernel/power.h>
#include <kernel/sched.h>
#include <kernel/uaccess.h>

#include "proc.h"
#include "signal.h"
#include "syscall.h"

#define APP_PID 1

/* clone(2) flags (Linux include/uapi/linux/sched.h). */
#define CSIGNAL		     0x000000ffU
#define CLONE_VM	     0x00000100U
#define CLONE_FS	     0x00000200U
#define CLONE_FILES	     0x00000400U
#define CLONE_SIGHAND	     0x00000800U
#define CLONE_VFORK	     0x00004000U
#define CLONE_THREAD	     0x00010000U
#define CLONE_SYSVSEM	     0x00040000U
#define CLONE_SETTLS	     0x00080000U
#define CLONE_PARENT_SETTID  0x00100000U
#define CLONE_CHILD_CLEARTID 0x00200000U
#define CLONE_DETACHED	     0x00400000U
#define CLONE_CHILD_SETTID   0x01000000U

/* What a thread of this one process may ask for: everything shared, as
 * musl's pthread_create asks (CLONE_DETACHED is ignored by Linux too). */
#define CLONE_THREAD_FLAGS                                                     \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |    \
	 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |                  \
	 CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID)

/*
 * proc_lock guards the thread list and count: on SMP two threads may
 * clone or exit at once (the BKL serialises system calls, but this does
 * not rely on it).
 */
static struct spinlock proc_lock = SPINLOCK_INIT;
static struct uthread main_thread;
static struct uthread *threads;
static unsigned int nthreads;

void proc_init_main(void)
{
	struct thread *t = thread_current();

	main_thread.t = t;
	main_thread.tid = APP_PID;
	thread_set_user_data(t, &main_thread);
	spin_lock(&proc_lock);
	main_thread.next = threads;
	threads = &main_thread;
	nthreads = 1;
	spin_unlock(&proc_lock);
}

struct uthread *uthread_self(void)
{
	struct thread *t = thread_current();

	return t ? thread_user_data(t) : NULL;
}

int proc_sleep_until(uint64_t deadline_ns)
{
	struct uthread *u = uthread_self();

	if (!u) {
		thread_sleep_until(deadline_ns);
		return 0;
	}
	/* Queued before the look at the signals: a signal sent after the
	 * look finds the sleeper on sleep_wq (signal_send_thread()). */
	waitq_prepare(&u->sleep_wq);
	if (signal_pending_for(u)) {
		waitq_cancel(&u->sleep_wq);
		return -EINTR;
	}
	return waitq_wait(&u->sleep_wq, deadline_ns) == -ETIMEDOUT ? 0 : -EINTR;
}

/* A new thread of this process: the caller's registers, returning 0 from
 * clone on newsp, with tls as its FS base when CLONE_SETTLS. */
static long clone_thread(const struct trapframe *tf, uint32_t flags,
			 uint64_t newsp, uint32_t __user *parent_tid,
			 uint32_t __user *child_tid, uint64_t tls)
{
	struct trapframe ctf = *tf;
	struct uthread *u = kzalloc(sizeof *u);
	uint64_t fs = (flags & CLONE_SETTLS) ? tls : rdmsr(MSR_FS_BASE);
	struct thread *t;

	if (!u)
		return -EAGAIN; /* Linux: no memory for the task */
	ctf.rax = 0;
	if (newsp)
		ctf.rsp = newsp;
	t = thread_clone_user(thread_name(thread_current()), &ctf, fs,
			      rdmsr(MSR_KERNEL_GS_BASE));
	if (!t) {
		kfree(u);
		return -EAGAIN;
	}
	u->t = t;
	u->tid = thread_id(t);
	u->blocked = signal_blocked(); /* Linux: the creator's mask */
	if (flags & CLONE_CHILD_CLEARTID)
		u->clear_child_tid = (uint64_t)(uintptr_t)child_tid;
	thread_set_user_data(t, u);
	/* Both before the thread can run, as Linux's copy_process() does;
	 * a bad address is ignored there too. */
	if (flags & CLONE_PARENT_SETTID)
		(void)copy_to_user(parent_tid, &u->tid, sizeof u->tid);
	if (flags & CLONE_CHILD_SETTID)
		(void)copy_to_user(child_tid, &u->tid, sizeof u->tid);
	spin_lock(&proc_lock);
	u->next = threads;
	threads = u;
	nthreads++;
	spin_unlock(&proc_lock);
	thread_start_user(t);
	return u->tid;
}

/*
 * clone(flags, newsp, parent_tid, child_tid, tls) on x86-64. Only threads:
 * a new process (fork, vfork, posix_spawn's CLONE_VM|CLONE_VFORK) has
 * nowhere to run, so it fails as fork does (ENOSYS) and musl's spawn
 * functions report the error.
 */
long sys_clone(const struct sys_args *a)
{
	uint32_t flags = (uint32_t)a->arg[0];
	uint64_t newsp = a->arg[1];
	uint32_t __user *parent_tid = (void __user *)a->arg[2];
	uint32_t __user *child_tid = (void __user *)a->arg[3];
	uint64_t tls = a->arg[4];

	if (!(flags & CLONE_THREAD) || (flags & CLONE_VFORK))
		return -ENOSYS;
	/* Linux's own consistency rules (kernel/fork.c copy_process). */
	if (!(flags & CLONE_SIGHAND) || !(flags & CLONE_VM))
		return -EINVAL;
	if (flags & ~(CLONE_THREAD_FLAGS | CSIGNAL))
		return -EINVAL;
	if ((flags & CLONE_SETTLS) && tls >= USER_TOP)
		return -EPERM;
	if (newsp >= USER_TOP)
		return -EINVAL;
	return clone_thread(a->tf, flags, newsp, parent_tid, child_tid, tls);
}

/*
 * The calling thread ends: its clear_child_tid gets 0 and one futex wake
 * (pthread_join waits there; musl also unlocks its thread list that way),
 * and the last thread's exit is the process's.
 */
long sys_exit(const struct sys_args *a)
{
	int status = (int)a->arg[0];
	struct uthread *self = uthread_self(), **pp;
	bool last;

	if (self && self->clear_child_tid) {
		uint32_t zero = 0;
		void __user *p = (void __user *)self->clear_child_tid;

		if (copy_to_user(p, &zero, sizeof zero) == 0)
			futex_wake(self->clear_child_tid, 1, FUTEX_BITSET_ANY);
	}
	spin_lock(&proc_lock);
	for (pp = &threads; *pp && *pp != self; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = self->next;
	last = nthreads <= 1;
	if (!last)
		nthreads--;
	spin_unlock(&proc_lock);
	if (last) {
		log_debug("application exited with status %d", status & 0xff);
		machine_exit(status & 0xff);
	}
	thread_set_user_data(thread_current(), NULL);
	if (self != &main_thread)
		kfree(self);
	thread_exit();
}

/* The whole process ends, whatever its other threads are doing. */
long sys_exit_group(const struct sys_args *a)
{
	int status = (int)a->arg[0];

	log_debug("application exited with status %d", status & 0xff);
	machine_exit(status & 0xff);
}

long sys_gettid(const struct sys_args *a)
{
	struct uthread *self = uthread_self();

	(void)a;
	return self ? self->tid : APP_PID;
}

long sys_set_tid_address(const struct sys_args *a)
{
	uint64_t tidptr = a->arg[0];
	struct uthread *self = uthread_self();

	if (!self)
		return APP_PID;
	self->clear_child_tid = tidptr;
	return self->tid;
}

/* Signals to one thread (signal.c decides: fatal ones end the process,
 * handled ones run on that thread when one of its system calls returns). */
int proc_signal_tid(uint32_t tid, int sig)
{
	int err = -ESRCH;

	/* Under proc_lock the target cannot exit and free its uthread. */
	spin_lock(&proc_lock);
	for (struct uthread *u = threads; u; u = u->next) {
		if (u->tid == tid) {
			err = signal_send_thread(u, sig);
			break;
		}
	}
	spin_unlock(&proc_lock);
	return err;
}

void proc_interrupt_locked(struct uthread *u)
{
	futex_interrupt(u);
	waitq_wake_one(&u->sleep_wq);
	if (u->intr_wq)
		waitq_wake_all(u->intr_wq);
	thread_kick(u->t); /* running in ring 3 on another CPU */
}

void signal_wait_begin(struct waitq *wq)
{
	struct uthread *u = uthread_self();

	if (!u)
		return;
	spin_lock(&proc_lock);
	u->intr_wq = wq;
	spin_unlock(&proc_lock);
}

void signal_wait_end(void)
{
	signal_wait_begin(NULL);
}

bool wait_can_end(void)
{
	return thread_user_count() > 1 || itimer_armed();
}

bool signal_wait_pending(void)
{
	struct uthread *u = uthread_self();

	return u && signal_pending_for(u);
}

bool proc_signal_wake(int sig)
{
	uint64_t bit = 1ULL << (sig - 1);
	struct uthread *to = NULL;

	/* The first thread first, then any other, as Linux tries the
	 * thread group's leader before the rest (complete_signal()). */
	spin_lock(&proc_lock);
	for (struct uthread *u = threads; u; u = u->next) {
		if (u->blocked & bit)
			continue;
		if (!to || u->tid == APP_PID)
			to = u;
	}
	/* The signal is pending already: the wait ends, or the thread sees
	 * it before it sleeps (proc_sleep_until(), signal_wait_pending()). */
	if (to)
		proc_interrupt_locked(to);
	spin_unlock(&proc_lock);
	return to != NULL;
}

int proc_wait_signal(void)
{
	struct uthread *u = uthread_self();

	/* No deadline: woken only by a signal (sleep_wq). */
	while (u && !signal_pending_for(u))
		proc_sleep_until(0);
	return -EINTR;
}

long sys_pause(const struct sys_args *a)
{
	(void)a;
	return proc_wait_signal();
}

long sys_rt_sigsuspend(const struct sys_args *a)
{
	const uint64_t __user *set = (const void __user *)a->arg[0];
	uint64_t mask;
	int err;

	if (a->arg[1] != sizeof mask)
		return -EINVAL;
	if ((err = copy_from_user(&mask, set, sizeof mask)) < 0)
		return err;
	signal_suspend_mask(mask);
	return proc_wait_signal();
}

long sys_tkill(const struct sys_args *a)
{
	int tid = (int)a->arg[0];
	int sig = (int)a->arg[1];

	if (tid <= 0)
		return -EINVAL;
	return proc_signal_tid((uint32_t)tid, sig);
}

long sys_tgkill(const struct sys_args *a)
{
	int tgid = (int)a->arg[0];
	int tid = (int)a->arg[1];
	int sig = (int)a->arg[2];

	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	if (tgid != APP_PID)
		return -ESRCH;
	return proc_signal_tid((uint32_t)tid, sig);
}

/* membarrier(2) commands (include/uapi/linux/membarrier.h). */
#define MEMBARRIER_CMD_QUERY			  0
#define MEMBARRIER_CMD_GLOBAL			  (1 << 0)
#define MEMBARRIER_CMD_GLOBAL_EXPEDITED		  (1 << 1)
#define MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED  (1 << 2)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED	  (1 << 3)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED (1 << 4)
#define MEMBARRIER_SUPPORTED                                                   \
	(MEMBARRIER_CMD_GLOBAL | MEMBARRIER_CMD_GLOBAL_EXPEDITED |             \
	 MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED |                            \
	 MEMBARRIER_CMD_PRIVATE_EXPEDITED |                                    \
	 MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED)

/*
 * musl's __membarrier (used by dlclose-free programs through
 * pthread_key_delete and friends) wants every other thread of the process
 * to pass a full barrier. On one CPU the context switch that lets any
 * other thread run is one. With several CPUs every other CPU is
 * interrupted and waited for (cpu_sync_all(): taking an interrupt
 * serialises the CPU); one address space, so all of them.
 */
long sys_membarrier(const struct sys_args *a)
{
	int cmd = (int)a->arg[0];
	unsigned int flags = (unsigned int)a->arg[1];

	if (flags)
		return -EINVAL;
	if (cmd == MEMBARRIER_CMD_QUERY)
		return MEMBARRIER_SUPPORTED;
	if (cmd <= 0 || (cmd & (cmd - 1)) || !(cmd & MEMBARRIER_SUPPORTED))
		return -EINVAL;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	cpu_sync_all(); /* SMP: the other CPUs (kernel/arch.h) */
	return 0;
}
