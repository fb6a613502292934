/* setitimer, getitimer, alarm: the process's real-time interval timer. */
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>

#include "proc.h"
#include "signal.h"
#include "syscall.h"

/*
 * ITIMER_REAL counts wall-clock time and sends SIGALRM to the process
 * (setitimer(2)); alarm() is the same timer in whole seconds. The expiry
 * runs in interrupt context: signal_send_process() marks SIGALRM pending
 * for the process and wakes a thread that does not block it. An interval
 * re-arms from the previous deadline, so the period does not drift.
 * ITIMER_VIRTUAL and ITIMER_PROF (process CPU time) are not kept: EINVAL.
 */
#define ITIMER_REAL 0
#define SIGALRM	    14
#define USEC_MAX    999999

struct k_timeval {
	int64_t sec, usec;
};

struct k_itimerval {
	struct k_timeval interval, value;
};

/* it_lock guards the two figures; the timer's callback may run on any
 * CPU while another re-arms it, so it checks that its deadline is due. */
static struct spinlock it_lock = SPINLOCK_INIT;
static struct timer it_timer;
static uint64_t it_deadline; /* monotonic ns; 0 when disarmed */
static uint64_t it_interval; /* ns; 0 for one shot */

static void itimer_fire(void *arg)
{
	uint64_t now = clock_monotonic_ns();
	bool due;

	(void)arg;
	spin_lock(&it_lock);
	due = it_deadline && now >= it_deadline;
	if (due && it_interval) {
		it_deadline += it_interval;
		if (it_deadline <= now) /* fell behind: no burst of catch-up */
			it_deadline = now + it_interval;
		timer_arm(&it_timer, it_deadline, itimer_fire, NULL);
	} else if (due) {
		it_deadline = 0;
	}
	spin_unlock(&it_lock);
	if (due)
		signal_send_process(SIGALRM);
}

bool itimer_armed(void)
{
	return __atomic_load_n(&it_deadline, __ATOMIC_RELAXED) != 0;
}

static uint64_t tv_ns(const struct k_timeval *tv)
{
	return (uint64_t)tv->sec * 1000000000ULL + (uint64_t)tv->usec * 1000;
}

static struct k_timeval ns_tv(uint64_t ns)
{
	/* Round up: a timer with time left never reads as 0 (disarmed). */
	uint64_t us = (ns + 999) / 1000;

	return (struct k_timeval){(int64_t)(us / 1000000),
				  (int64_t)(us % 1000000)};
}

/* The timer now, and (new != NULL) a new setting. */
static void itimer_swap(const struct k_itimerval *new, struct k_itimerval *old)
{
	uint64_t now = clock_monotonic_ns();

	spin_lock(&it_lock);
	if (old) {
		old->interval = ns_tv(it_interval);
		old->value = ns_tv(it_deadline > now ? it_deadline - now
				   : it_deadline ? 1 : 0);
	}
	if (new) {
		uint64_t value = tv_ns(&new->value);

		it_interval = value ? tv_ns(&new->interval) : 0;
		it_deadline = value ? now + value : 0;
		if (value)
			timer_arm(&it_timer, it_deadline, itimer_fire, NULL);
		else
			timer_cancel(&it_timer);
	}
	spin_unlock(&it_lock);
}

static bool tv_valid(const struct k_timeval *tv)
{
	/* Seconds up to 2^31 (68 years) keep the nanosecond sums far from
	 * overflow; Linux takes any non-negative time_t. */
	return tv->sec >= 0 && tv->sec <= INT32_MAX && tv->usec >= 0 &&
	       tv->usec <= USEC_MAX;
}

long sys_setitimer(const struct sys_args *a)
{
	int which = (int)a->arg[0];
	const struct k_itimerval __user *unew = (const void __user *)a->arg[1];
	struct k_itimerval __user *uold = (void __user *)a->arg[2];
	struct k_itimerval new, old;
	int err;

	if (which != ITIMER_REAL)
		return -EINVAL;
	if (unew) {
		if ((err = copy_from_user(&new, unew, sizeof new)) < 0)
			return err;
		if (!tv_valid(&new.value) || !tv_valid(&new.interval))
			return -EINVAL;
	}
	itimer_swap(unew ? &new : NULL, &old);
	return uold ? copy_to_user(uold, &old, sizeof old) : 0;
}

long sys_getitimer(const struct sys_args *a)
{
	int which = (int)a->arg[0];
	struct k_itimerval __user *ucur = (void __user *)a->arg[1];
	struct k_itimerval cur;

	if (which != ITIMER_REAL)
		return -EINVAL;
	itimer_swap(NULL, &cur);
	return copy_to_user(ucur, &cur, sizeof cur);
}

long sys_alarm(const struct sys_args *a)
{
	struct k_itimerval new = {{0, 0}, {(int64_t)(uint32_t)a->arg[0], 0}};
	struct k_itimerval old;

	if (new.value.sec > INT32_MAX)
		new.value.sec = INT32_MAX;
	itimer_swap(&new, &old);
	/* Seconds left, rounded to nearest; never 0 for a pending alarm
	 * (alarm(2), as Linux rounds). */
	if (!old.value.sec && !old.value.usec)
		return 0;
	return old.value.sec + (old.value.usec >= 500000 || !old.value.sec);
}
