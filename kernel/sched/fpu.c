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
static void *clean; /* the state cpu_init() loaded, 64-aligned */
static void *clean_alloc;

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

/* XSAVEOPT may skip what is unchanged since the last XRSTOR from the same
 * address (SDM Vol. 1, 13.9): right for a thread's own area, not for a
 * fresh one (`full`), which plain XSAVE fills whole. */
static void save_to(void *area, bool full)
{
	uint32_t lo = (uint32_t)xcr0, hi = (uint32_t)(xcr0 >> 32);

	if (!cpu_has.xsave)
		__asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
	else if (has_xsaveopt && !full)
		__asm__ volatile("xsaveopt64 (%0)" ::"r"(area), "a"(lo), "d"(hi)
				 : "memory");
	else
		__asm__ volatile("xsave64 (%0)" ::"r"(area), "a"(lo), "d"(hi)
				 : "memory");
}

void fpu_save(struct thread *t)
{
	save_to(t->fpu, false);
}

void fpu_copy_live(struct thread *t)
{
	save_to(t->fpu, true);
}

static void *area_alloc(void **raw)
{
	uint8_t *p = kzalloc(area_size + FPU_ALIGN);

	*raw = p;
	return p ? (void *)ALIGN_UP((uintptr_t)p, FPU_ALIGN) : NULL;
}

int fpu_alloc(struct thread *t)
{
	fpu_probe();
	t->fpu = area_alloc(&t->fpu_alloc);
	t->fpu_cpu = 0;
	return t->fpu ? 0 : -ENOMEM;
}

int fpu_set_clean(struct thread *t)
{
	/* The first call comes before any application code ran (exec's
	 * thread_mark_user()): the registers hold cpu_init()'s state. */
	if (!clean) {
		if (!(clean = area_alloc(&clean_alloc)))
			return -ENOMEM;
		save_to(clean, true);
	}
	memcpy(t->fpu, clean, area_size);
	return 0;
}

void fpu_free(struct thread *t)
{
	kfree(t->fpu_alloc);
	t->fpu_alloc = t->fpu = NULL;
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
