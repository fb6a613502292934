/* Per-thread x87/SSE/AVX state: XSAVE(OPT)/XRSTOR, or FXSAVE/FXRSTOR. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/string.h>

#include "arch/x86_64/x86.h"
#include "sched/sched_priv.h"

/*
 * cpu_init() enabled XSAVE (CR4.OSXSAVE, XCR0 = x87|SSE[|AVX]) only where
 * it works; otherwise FXSAVE's 512-byte area (SDM Vol. 1, 10.5.1) holds
 * x87 and SSE. The XSAVE area's size for the components enabled in XCR0
 * is CPUID.(EAX=0DH,ECX=0):EBX (SDM Vol. 1, 13.2); XSAVEOPT, when CPUID
 * (0DH,1):EAX[0] lists it, skips components unchanged since the last
 * XRSTOR from the same area (13.9). Areas must be 64-byte aligned (13.4),
 * FXSAVE's 16.
 */
#define FPU_ALIGN      64
#define FXSAVE_SIZE    512
#define XSAVE_HDR_SIZE 64 /* after the legacy area; zeroed: standard form */

static size_t area_size;
static uint64_t xcr0;
static bool has_xsaveopt;

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

/* Every CPU has the same features and XCR0 (cpu_init), so the first call
 * decides for all. */
static void fpu_probe(void)
{
	if (area_size)
		return;
	if (cpu_has.xsave) {
		xcr0 = xgetbv0();
		has_xsaveopt = cpuid(0xd, 1).eax & 1;
		area_size = cpuid(0xd, 0).ebx;
		if (area_size < FXSAVE_SIZE + XSAVE_HDR_SIZE)
			area_size = FXSAVE_SIZE + XSAVE_HDR_SIZE;
	} else {
		area_size = FXSAVE_SIZE;
	}
}

int fpu_alloc(struct thread *t)
{
	uint8_t *p;

	fpu_probe();
	p = kzalloc(area_size + FPU_ALIGN);
	if (!p)
		return -ENOMEM;
	t->fpu_alloc = p;
	t->fpu = (void *)ALIGN_UP((uintptr_t)p, FPU_ALIGN);
	t->fpu_cpu = 0;
	return 0;
}

void fpu_free(struct thread *t)
{
	kfree(t->fpu_alloc);
	t->fpu_alloc = t->fpu = NULL;
}

void fpu_save(struct thread *t)
{
	uint32_t lo = (uint32_t)xcr0, hi = (uint32_t)(xcr0 >> 32);

	if (!cpu_has.xsave)
		__asm__ volatile("fxsave64 (%0)" ::"r"(t->fpu) : "memory");
	else if (has_xsaveopt)
		__asm__ volatile("xsaveopt64 (%0)" ::"r"(t->fpu), "a"(lo),
				 "d"(hi)
				 : "memory");
	else
		__asm__ volatile("xsave64 (%0)" ::"r"(t->fpu), "a"(lo), "d"(hi)
				 : "memory");
}

void fpu_restore(struct thread *t)
{
	uint32_t lo = (uint32_t)xcr0, hi = (uint32_t)(xcr0 >> 32);

	if (!cpu_has.xsave)
		__asm__ volatile("fxrstor64 (%0)" ::"r"(t->fpu) : "memory");
	else
		__asm__ volatile("xrstor64 (%0)" ::"r"(t->fpu), "a"(lo), "d"(hi)
				 : "memory");
}
