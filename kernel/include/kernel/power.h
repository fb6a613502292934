/* Leaving the machine: exit status to the host, then power off. */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

#include <kernel/types.h>

/*
 * Print the interrupt counts and "Shutting down system", write the status
 * line to COM2 and the status to isa-debug-exit (include/kiln/abi/exit.h),
 * then fall back to ACPI S5, then halt. status is 0..255.
 */
__noreturn void machine_exit(int status);

#endif
