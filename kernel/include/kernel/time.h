/* Clocks: a monotonic clock from the TSC, the wall clock from the RTC. */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <kernel/types.h>

#define NSEC_PER_SEC 1000000000ULL

uint64_t tsc_hz(void);		/* calibrated TSC frequency */
uint64_t clock_monotonic_ns(void); /* since boot, from the TSC */
uint64_t clock_realtime_ns(void);  /* Unix time: RTC at boot + monotonic */

/* Sleep until clock_monotonic_ns() >= deadline, halting between timer
 * interrupts. Single CPU, single thread for now. */
void time_sleep_until(uint64_t deadline_ns);

#endif
