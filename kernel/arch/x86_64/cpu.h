/* Per-CPU set-up internals (kernel-private). */
#ifndef KERNEL_ARCH_X86_64_CPU_H
#define KERNEL_ARCH_X86_64_CPU_H

#include <kernel/arch.h>

/* Interrupt stack table slots (TSS.IST1..3) for the exceptions that must
 * not trust the current stack. */
#define IST_DF	1
#define IST_NMI 2
#define IST_MC	3

extern struct cpu cpu0; /* the boot CPU */

/* Load this CPU's GDT and TSS (RSP0 = c->kstack_top, IST stacks) and
 * reload the segment registers; clobbers the GS base (cpu_init restores
 * it). */
void gdt_init(struct cpu *c);
/* Build (boot CPU) and load the IDT: 256 gates into entry.S. */
void idt_init(void);
/* Load the IDT idt_init() built, on an AP. */
void idt_load(void);
/* An AP's GDT, TSS and IST stacks, from the heap: 0 or -ENOMEM. */
int gdt_alloc(struct cpu *c);

#endif
