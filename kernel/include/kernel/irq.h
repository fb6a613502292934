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

/*
 * Vectors 0x30..0xdf are handed out. 0xe0..0xef stay with the masked
 * 8259s (a spurious IRQ 7 or 15 can still arrive there and must not reach
 * a device's handler); 0xf0..0xff are the kernel's own (timer, IPIs,
 * spurious).
 */
#define IRQ_VECTOR_FIRST 0x30
#define IRQ_VECTOR_LAST 0xdf

/* Take a free vector and install fn(arg) on it; returns the vector or
 * -ENOSPC. Call after cpu_init(). */
int irq_alloc_vector(irq_handler_fn fn, void *arg);
void irq_free_vector(int vector);

/*
 * Route a global system interrupt (an I/O APIC input) to vector on the
 * boot CPU, unmasked. ISA IRQs go through irq_isa_to_gsi() first (the
 * MADT's interrupt source overrides). Returns 0, -EINVAL for a vector
 * outside the range above, or -ENODEV when no I/O APIC serves gsi.
 */
int irq_route_gsi(unsigned gsi, int vector, bool level, bool active_low);
void irq_mask_gsi(unsigned gsi);

/*
 * The GSI an ISA IRQ (or a PCI interrupt line, which names one) arrives
 * on. On entry *level and *active_low hold the bus's own convention (ISA:
 * edge, active-high; PCI INTx: level, active-low); an interrupt source
 * override that states either replaces it.
 */
unsigned irq_isa_to_gsi(unsigned isa_irq, bool *level, bool *active_low);

/* The MSI address/data pair that delivers vector to the boot CPU (for a
 * device's MSI or MSI-X table entry). */
void irq_msi_message(int vector, uint64_t *addr, uint32_t *data);

/*
 * Keep this CPU's interrupt handlers out of a short critical section
 * (ring or register state a handler also touches): irq_save() turns
 * interrupts off and returns the previous state for irq_restore(). One
 * CPU only; code that SMP can reach takes a spinlock (sched.h) instead.
 */
static inline uint64_t irq_save(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags)::"memory");
	return flags;
}

static inline void irq_restore(uint64_t flags)
{
	if (flags & (1ULL << 9)) /* RFLAGS.IF */
		__asm__ volatile("sti" ::: "memory");
}

#endif
