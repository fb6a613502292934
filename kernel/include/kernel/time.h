/* Clocks: a monotonic clock from the TSC, the wall clock from the RTC. */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <kernel/types.h>

#define NSEC_PER_SEC 1000000000ULL

uint64_t tsc_hz(void);		/* calibrated TSC frequency */
uint64_t clock_monotonic_ns(void); /* since boot, from the TSC */
uint64_t clock_realtime_ns(void);  /* Unix time: RTC at boot + monotonic */

/* The TSC value at which clock_monotonic_ns() reaches ns. */
uint64_t tsc_at_ns(uint64_t ns);

/* Sleep the calling thread until clock_monotonic_ns() >= deadline: the
 * same as thread_sleep_until() (sched.h); other threads run meanwhile. */
void time_sleep_until(uint64_t deadline_ns);

#endif
