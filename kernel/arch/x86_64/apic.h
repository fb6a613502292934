/* Local APIC, I/O APIC and the 8259s (kernel-private). */
#ifndef KERNEL_ARCH_X86_64_APIC_H
#define KERNEL_ARCH_X86_64_APIC_H

#include <kernel/types.h>

/* Set up the one-shot timer (TSC-deadline mode where offered, else
 * measured against the TSC), stopped: after apic_init() and tsc_init(). */
void apic_timer_init(void);
/* Interrupt on VEC_TIMER at clock_monotonic_ns() == deadline_ns (at once
 * if past; possibly a little early, never much late); 0 stops the timer.
 * Interrupts off (timer.c holds its lock). */
void apic_timer_set(uint64_t deadline_ns);
/* End of interrupt for the vector in service. */
void apic_eoi(void);
/* Read and clear the error status register. */
uint32_t apic_read_error(void);
/* On an AP: its local APIC on and its timer set up, stopped. */
void apic_init_ap(void);
/* Finish measuring the one-shot timer's rate now (on the boot CPU, before
 * APs use the rate); nothing in TSC-deadline mode. */
void apic_timer_calibrate(void);
/* INIT and STARTUP IPIs for AP bring-up (smp.c); page is the startup
 * code's physical page number (below 1 MiB). */
void apic_send_init(uint32_t apic_id);
void apic_send_startup(uint32_t apic_id, uint8_t page);
/* The MULTIPROCESSOR INFORMATION block; after smp_start(). */
void apic_print_mp_info(void);

#endif
