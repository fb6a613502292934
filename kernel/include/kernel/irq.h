/* Device interrupts: vectors, handlers, I/O APIC routing, MSI/MSI-X. */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <kernel/types.h>

/*
 * A handler runs in interrupt context on the CPU's kernel stack, with
 * interrupts off; the trap code sends the EOI after it returns. It must not
 * sleep: wake a thread (sched.h) for anything long.
 */
typedef void (*irq_handler_fn)(void *arg);

/* Vectors 0x30..0xef are handed out; 0xf0..0xff are the kernel's own
 * (timer, IPIs, spurious). */
#define IRQ_VECTOR_FIRST 0x30
#define IRQ_VECTOR_LAST 0xef

/* Take a free vector and install fn(arg) on it; returns the vector or
 * -ENOSPC. Call after cpu_init(). */
int irq_alloc_vector(irq_handler_fn fn, void *arg);
void irq_free_vector(int vector);

/*
 * Route a global system interrupt (an I/O APIC input) to vector on the
 * boot CPU, unmasked. ISA IRQs go through irq_isa_to_gsi() first (the
 * MADT's interrupt source overrides). PCI INTx is level-triggered,
 * active-low. Returns 0, or -ENODEV when no I/O APIC serves gsi.
 */
int irq_route_gsi(unsigned gsi, int vector, bool level, bool active_low);
void irq_mask_gsi(unsigned gsi);
unsigned irq_isa_to_gsi(unsigned isa_irq, bool *level, bool *active_low);

/* The MSI address/data pair that delivers vector to the boot CPU (for a
 * device's MSI or MSI-X table entry). */
void irq_msi_message(int vector, uint64_t *addr, uint32_t *data);

#endif
