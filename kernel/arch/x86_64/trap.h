/* Trap dispatch internals (kernel-private). */
#ifndef KERNEL_ARCH_X86_64_TRAP_H
#define KERNEL_ARCH_X86_64_TRAP_H

#include <kernel/arch.h>

/* Exception vectors (Intel SDM Vol. 3A, 6.15). */
#define VEC_DE	0
#define VEC_DB	1
#define VEC_NMI 2
#define VEC_BP	3
#define VEC_OF	4
#define VEC_BR	5
#define VEC_UD	6
#define VEC_NM	7
#define VEC_DF	8
#define VEC_TS	10
#define VEC_NP	11
#define VEC_SS	12
#define VEC_GP	13
#define VEC_PF	14
#define VEC_MF	16
#define VEC_AC	17
#define VEC_MC	18
#define VEC_XM	19

/* Interrupt vectors the kernel assigns. */
#define VEC_TIMER      32   /* LAPIC timer */
#define VEC_PIC_BASE   0xe0 /* 8259s, remapped and masked: only spurious */
#define VEC_IPI_WAKE   0xf0 /* a CPU has work queued: HLT ends, or the
				 way back to ring 3 reschedules */
#define VEC_IPI_TLB    0xf1 /* TLB shootdown (tlb.c) */
#define VEC_APIC_ERROR 0xfe
#define VEC_SPURIOUS   0xff

/* Called by entry.S with the saved frame. */
void trap_dispatch(struct trapframe *tf);
/* Flush what tlb_shootdown() asked for and acknowledge (tlb.c). */
void tlb_ipi(void);
/* Run the handler installed on a device vector (irq.c). */
void irq_dispatch(unsigned vector);

/* "#PF page fault", "timer", ...; NULL for an unnamed vector. */
const char *trap_name(unsigned vector);

/* 256 entry stubs, 16 bytes apart (entry.S). */
extern char trap_stubs[];

/* The ring-0 exception report and exit 125 (lib/panic.c). */
__noreturn void panic_trap(const struct trapframe *tf, uint64_t cr2);

#endif
