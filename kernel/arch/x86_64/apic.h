/* Local APIC, I/O APIC and the 8259s (kernel-private). */
#ifndef KERNEL_ARCH_X86_64_APIC_H
#define KERNEL_ARCH_X86_64_APIC_H

#include <kernel/types.h>

/* Start the periodic APIC_TIMER_HZ tick, measured against the TSC: after
 * apic_init() and tsc_init(). */
void apic_timer_init(void);
/* End of interrupt for the vector in service. */
void apic_eoi(void);
/* Read and clear the error status register. */
uint32_t apic_read_error(void);
/* True once the periodic timer runs (time_sleep_until may halt). */
bool apic_timer_running(void);
/* The MULTIPROCESSOR INFORMATION block; after apic_init(). */
void apic_print_mp_info(void);

#define APIC_TIMER_HZ 100

#endif
