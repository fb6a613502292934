/* Privileged x86-64 instructions and control-register bits (kernel-private). */
#ifndef KERNEL_ARCH_X86_64_X86_H
#define KERNEL_ARCH_X86_64_X86_H

#include <kernel/types.h>

/* CR0 (Intel SDM Vol. 3A, 2.5) */
#define CR0_MP (1ULL << 1)  /* monitor coprocessor: WAIT honours TS */
#define CR0_EM (1ULL << 2)  /* x87 emulation: must be clear for SSE */
#define CR0_TS (1ULL << 3)  /* task switched: lazy FPU trap */
#define CR0_NE (1ULL << 5)  /* x87 errors as #MF, not IRQ 13 */
#define CR0_WP (1ULL << 16) /* ring 0 honours read-only pages */

/* CR4 (Intel SDM Vol. 3A, 2.5) */
#define CR4_OSFXSR     (1ULL << 9)  /* FXSAVE/FXRSTOR and SSE */
#define CR4_OSXMMEXCPT (1ULL << 10) /* SIMD exceptions as #XM */
#define CR4_FSGSBASE   (1ULL << 16) /* RDFSBASE & co. in ring 3 */
#define CR4_OSXSAVE    (1ULL << 18) /* XSAVE and XGETBV */
#define CR4_SMEP       (1ULL << 20) /* ring 0 may not execute user pages */

/* XCR0 state components (Intel SDM Vol. 1, 13.3) */
#define XCR0_X87 (1ULL << 0)
#define XCR0_SSE (1ULL << 1)
#define XCR0_AVX (1ULL << 2)

/* RFLAGS (Intel SDM Vol. 1, 3.4.3) */
#define RFLAGS_TF (1ULL << 8)
#define RFLAGS_IF (1ULL << 9)
#define RFLAGS_DF (1ULL << 10)
#define RFLAGS_AC (1ULL << 18)

static inline uint64_t read_cr0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}
static inline void write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory");
}
static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}
static inline uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}
static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}
static inline uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}
static inline void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}
static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}
static inline uint64_t read_rflags(void)
{
	uint64_t v;
	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};
static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(sub));
	return r;
}

static inline void xsetbv(uint32_t xcr, uint64_t v)
{
	__asm__ volatile("xsetbv" ::"c"(xcr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)));
}

/* Descriptor-table register image for LGDT/LIDT (Intel SDM Vol. 3A, 3.5.1). */
struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

#endif
