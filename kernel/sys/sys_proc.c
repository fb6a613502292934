/* Process and signal system calls for the one application (threads:
 * sys_thread.c). */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/power.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>

#include "proc.h"
#include "signal.h"
#include "syscall.h"

/* The application is process 1, thread 1, in process group 1. */
#define APP_PID 1

long sys_getpid(const struct sys_args *a)
{
	(void)a;
	return APP_PID;
}

long sys_getppid(const struct sys_args *a)
{
	(void)a;
	return 0;
}

long sys_getpgrp(const struct sys_args *a)
{
	(void)a;
	return APP_PID;
}

long sys_getuid(const struct sys_args *a)
{
	(void)a;
	return 0;
}

long sys_geteuid(const struct sys_args *a)
{
	(void)a;
	return 0;
}

long sys_getgid(const struct sys_args *a)
{
	(void)a;
	return 0;
}

long sys_getegid(const struct sys_args *a)
{
	(void)a;
	return 0;
}

long sys_set_robust_list(const struct sys_args *a)
{
	size_t len = a->arg[1];

	/* sizeof(struct robust_list_head) on x86-64. */
	return len == 24 ? 0 : -EINVAL;
}

long sys_sched_yield(const struct sys_args *a)
{
	(void)a;
	thread_yield();
	return 0;
}

long sys_sched_getaffinity(const struct sys_args *a)
{
	int pid = (int)a->arg[0];
	size_t len = a->arg[1];
	void __user *mask = (void __user *)a->arg[2];
	unsigned int n = MIN(ncpus ? ncpus : 1, 64U);
	uint64_t bits = n == 64 ? ~0ULL : (1ULL << n) - 1;
	int err;

	/* The process, or one of its threads (pthread_getaffinity_np). */
	if (pid < 0 || (pid != 0 && proc_signal_tid((uint32_t)pid, 0) < 0))
		return -ESRCH;
	if (len < sizeof bits || (len & (sizeof bits - 1)))
		return -EINVAL;
	if ((err = copy_to_user(mask, &bits, sizeof bits)) < 0)
		return err;
	return sizeof bits; /* bytes of the kernel's CPU mask */
}

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/*
 * The calling thread's FS and GS bases live in the MSRs while it runs
 * (the scheduler saves and restores them per user thread): FS in
 * MSR_FS_BASE, the user GS in MSR_KERNEL_GS_BASE while the kernel runs
 * (swapgs on entry). With FSGSBASE the application may change them itself,
 * so reads go to the MSRs too.
 */
long sys_arch_prctl(const struct sys_args *a)
{
	int code = (int)a->arg[0];
	uint64_t addr = a->arg[1];
	uint64_t base;

	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		/* Linux refuses bases at or above TASK_SIZE_MAX. */
		if (addr >= USER_TOP)
			return -EPERM;
		wrmsr(code == ARCH_SET_FS ? MSR_FS_BASE : MSR_KERNEL_GS_BASE,
		      addr);
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS:
		base = rdmsr(code == ARCH_GET_FS ? MSR_FS_BASE
						 : MSR_KERNEL_GS_BASE);
		return copy_to_user((void __user *)addr, &base, sizeof base);
	default:
		return -EINVAL;
	}
}

/* --- signals --- */

long sys_rt_sigaction(const struct sys_args *a)
{
	int sig = (int)a->arg[0];
	const struct k_sigaction __user *act = (const void __user *)a->arg[1];
	struct k_sigaction __user *oact = (void __user *)a->arg[2];
	size_t setsize = a->arg[3];
	struct k_sigaction new, old;
	int err;

	if (setsize != sizeof(uint64_t))
		return -EINVAL;
	if (act && (err = copy_from_user(&new, act, sizeof new)) < 0)
		return err;
	if ((err = signal_action(sig, act ? &new : NULL, &old)) < 0)
		return err;
	if (oact)
		return copy_to_user(oact, &old, sizeof old);
	return 0;
}

long sys_rt_sigprocmask(const struct sys_args *a)
{
	int how = (int)a->arg[0];
	const uint64_t __user *set = (const void __user *)a->arg[1];
	uint64_t __user *oset = (void __user *)a->arg[2];
	size_t setsize = a->arg[3];
	uint64_t new, old;
	int err;

	if (setsize != sizeof(uint64_t))
		return -EINVAL;
	if (set && (err = copy_from_user(&new, set, sizeof new)) < 0)
		return err;
	if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return -EINVAL;
	/* The old mask goes out before unblocking can deliver anything. */
	if (oset) {
		if ((err = signal_procmask(how, NULL, &old)) < 0 ||
		    (err = copy_to_user(oset, &old, sizeof old)) < 0)
			return err;
	}
	return set ? signal_procmask(how, &new, NULL) : 0;
}

long sys_sigaltstack(const struct sys_args *a)
{
	const struct k_stack __user *ss = (const void __user *)a->arg[0];
	struct k_stack __user *oss = (void __user *)a->arg[1];
	struct k_stack new, old;
	int err;

	if (ss && (err = copy_from_user(&new, ss, sizeof new)) < 0)
		return err;
	if ((err = signal_altstack(ss ? &new : NULL, &old, a->tf->rsp)) < 0)
		return err;
	if (oss)
		return copy_to_user(oss, &old, sizeof old);
	return 0;
}

long sys_kill(const struct sys_args *a)
{
	int pid = (int)a->arg[0];
	int sig = (int)a->arg[1];

	/* Process 1 or the caller's group (0). -1 means everyone but the
	 * caller and init (kill(2)): nobody here. */
	if (pid != APP_PID && pid != 0)
		return -ESRCH;
	return signal_send_self(sig);
}

/* --- accounting and naming --- */

#define RUSAGE_CHILDREN (-1)
#define RUSAGE_SELF	0
#define RUSAGE_THREAD	1

struct k_rusage {
	int64_t utime_sec, utime_usec, stime_sec, stime_usec;
	int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap;
	int64_t inblock, oublock, msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};
_Static_assert(sizeof(struct k_rusage) == 144, "struct rusage");

long sys_getrusage(const struct sys_args *a)
{
	int who = (int)a->arg[0];
	struct k_rusage __user *out = (void __user *)a->arg[1];
	struct k_rusage ru = {0};
	uint64_t us = clock_monotonic_ns() / 1000;

	if (who != RUSAGE_SELF && who != RUSAGE_THREAD &&
	    who != RUSAGE_CHILDREN)
		return -EINVAL;
	if (who != RUSAGE_CHILDREN) {
		/* All the CPU's time is the application's (user time). */
		ru.utime_sec = (int64_t)(us / 1000000);
		ru.utime_usec = (int64_t)(us % 1000000);
		ru.maxrss = (int64_t)((pmm_total_count() - pmm_free_count()) *
				      (PAGE_SIZE / 1024));
	}
	return copy_to_user(out, &ru, sizeof ru);
}

#define PR_SET_NAME   15
#define PR_GET_NAME   16
#define TASK_COMM_LEN 16

static char comm[TASK_COMM_LEN] = "app";

long sys_prctl(const struct sys_args *a)
{
	int option = (int)a->arg[0];
	void __user *arg2 = (void __user *)a->arg[1];
	char name[TASK_COMM_LEN];
	long n;

	switch (option) {
	case PR_SET_NAME:
		n = strncpy_from_user(name, arg2, sizeof name);
		if (n == -ENAMETOOLONG) {
			/* Linux truncates to 15 bytes. */
			if ((n = copy_from_user(name, arg2, sizeof name - 1)) <
			    0)
				return n;
			name[sizeof name - 1] = '\0';
		} else if (n < 0) {
			return n;
		}
		memcpy(comm, name, sizeof comm);
		return 0;
	case PR_GET_NAME:
		return copy_to_user(arg2, comm, sizeof comm);
	default:
		return -EINVAL;
	}
}
