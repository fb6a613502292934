/* Time system calls: clocks, sleeps, time of day. */
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>

#include "proc.h"
#include "syscall.h"

#define CLOCK_REALTIME		 0
#define CLOCK_MONOTONIC		 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID	 3
#define CLOCK_MONOTONIC_RAW	 4
#define CLOCK_REALTIME_COARSE	 5
#define CLOCK_MONOTONIC_COARSE	 6
#define CLOCK_BOOTTIME		 7
#define CLOCK_REALTIME_ALARM	 8
#define CLOCK_BOOTTIME_ALARM	 9
#define CLOCK_TAI		 11
#define TIMER_ABSTIME		 1

struct k_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct k_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

struct k_timezone {
	int32_t minuteswest;
	int32_t dsttime;
};

/*
 * Every clock reads the TSC. The application is the only thing running,
 * so its CPU time is the time since boot. The TAI offset is 0, as on a
 * Linux machine where nobody set it.
 */
static int clock_read(int clk, uint64_t *ns)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_TAI:
		*ns = clock_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = clock_monotonic_ns();
		return 0;
	default:
		return -EINVAL;
	}
}

static struct k_timespec ns_to_timespec(uint64_t ns)
{
	return (struct k_timespec){(int64_t)(ns / NSEC_PER_SEC),
				   (int64_t)(ns % NSEC_PER_SEC)};
}

/* A valid timespec as nanoseconds, saturating at UINT64_MAX. */
static int timespec_to_ns(const struct k_timespec *ts, uint64_t *ns)
{
	uint64_t s;

	if (ts->tv_sec < 0 || ts->tv_nsec < 0 ||
	    ts->tv_nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	if (__builtin_mul_overflow((uint64_t)ts->tv_sec, NSEC_PER_SEC, &s) ||
	    __builtin_add_overflow(s, (uint64_t)ts->tv_nsec, ns))
		*ns = UINT64_MAX;
	return 0;
}

long sys_clock_gettime(const struct sys_args *a)
{
	int clk = (int)a->arg[0];
	struct k_timespec __user *tp = (void __user *)a->arg[1];
	struct k_timespec ts;
	uint64_t ns;
	int err;

	if ((err = clock_read(clk, &ns)) < 0)
		return err;
	ts = ns_to_timespec(ns);
	return copy_to_user(tp, &ts, sizeof ts);
}

long sys_clock_getres(const struct sys_args *a)
{
	int clk = (int)a->arg[0];
	struct k_timespec __user *res = (void __user *)a->arg[1];
	struct k_timespec ts = {0, 1}; /* the TSC: nanoseconds */
	uint64_t ns;
	int err;

	if ((err = clock_read(clk, &ns)) < 0)
		return err;
	if (!res)
		return 0;
	return copy_to_user(res, &ts, sizeof ts);
}

long sys_gettimeofday(const struct sys_args *a)
{
	struct k_timeval __user *tv = (void __user *)a->arg[0];
	struct k_timezone __user *tz = (void __user *)a->arg[1];
	uint64_t ns = clock_realtime_ns();
	struct k_timeval v = {(int64_t)(ns / NSEC_PER_SEC),
			      (int64_t)(ns % NSEC_PER_SEC / 1000)};
	struct k_timezone z = {0, 0};
	int err;

	if (tv && (err = copy_to_user(tv, &v, sizeof v)) < 0)
		return err;
	if (tz && (err = copy_to_user(tz, &z, sizeof z)) < 0)
		return err;
	return 0;
}

long sys_time(const struct sys_args *a)
{
	int64_t __user *tloc = (void __user *)a->arg[0];
	int64_t t = (int64_t)(clock_realtime_ns() / NSEC_PER_SEC);
	int err;

	if (tloc && (err = copy_to_user(tloc, &t, sizeof t)) < 0)
		return err;
	return t;
}

/*
 * Sleep on clock clk for req (relative) or until req (TIMER_ABSTIME). A
 * handled signal sent to the thread ends the sleep with -EINTR, and a
 * relative one writes what was left to *rem (when rem is given).
 */
static int sleep_on(int clk, bool absolute, const struct k_timespec __user *req,
		    struct k_timespec __user *rem)
{
	struct k_timespec ts;
	uint64_t ns, now, clk_now, deadline;
	int err;

	/* Linux has no sleep on the thread's CPU clock. */
	if (clk == CLOCK_THREAD_CPUTIME_ID)
		return -EOPNOTSUPP;
	if ((err = clock_read(clk, &clk_now)) < 0)
		return err;
	if ((err = copy_from_user(&ts, req, sizeof ts)) < 0)
		return err;
	if ((err = timespec_to_ns(&ts, &ns)) < 0)
		return err;
	now = clock_monotonic_ns();
	if (absolute) {
		if (ns <= clk_now)
			return 0;
		ns -= clk_now;
	}
	if (__builtin_add_overflow(now, ns, &deadline))
		deadline = UINT64_MAX;
	err = proc_sleep_until(deadline);
	if (err == -EINTR && !absolute && rem) {
		now = clock_monotonic_ns();
		ts = ns_to_timespec(deadline > now ? deadline - now : 0);
		if (copy_to_user(rem, &ts, sizeof ts) < 0)
			return -EFAULT;
	}
	return err;
}

long sys_nanosleep(const struct sys_args *a)
{
	const struct k_timespec __user *req = (const void __user *)a->arg[0];
	struct k_timespec __user *rem = (void __user *)a->arg[1];

	return sleep_on(CLOCK_MONOTONIC, false, req, rem);
}

long sys_clock_nanosleep(const struct sys_args *a)
{
	int clk = (int)a->arg[0];
	int flags = (int)a->arg[1];
	const struct k_timespec __user *req = (const void __user *)a->arg[2];
	struct k_timespec __user *rem = (void __user *)a->arg[3];

	return sleep_on(clk, flags & TIMER_ABSTIME, req, rem);
}
