/* Kernel thread stacks: fresh pages under an unmapped guard page. */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/panic.h>

#include "sched/sched_priv.h"

/*
 * The direct map uses 2 MiB pages, so a guard page cannot be carved out
 * of it: stacks live in their own area (mm.h), in fixed slots of one
 * guard page plus KSTACK_PAGES mapped pages. A slot's guard is never
 * mapped, so running off the bottom of a stack faults; the CPU cannot push
 * the #PF frame there either, which makes it a #DF on its own IST stack:
 * a panic report, not silent corruption of a neighbour.
 */
#define SLOT_SIZE ((KSTACK_PAGES + 1) * PAGE_SIZE)
#define MAX_SLOTS 65536 /* 1.25 GiB of address space, 8 KiB of bitmap */

_Static_assert(KSTACK_AREA_BASE + (uint64_t)MAX_SLOTS * SLOT_SIZE <=
		       KSTACK_AREA_END,
	       "kernel-stack area too small");

/*
 * A freed stack's slot is not reused at once: other CPUs may still hold
 * its translations, which must be shot down first. Freed slots stay
 * marked used, and in `retired`, until KSTACK_RETIRE_BATCH of them are
 * shot down together (one full flush instead of one per thread: a
 * thousand threads ending at once cost a thousand IPI rounds otherwise).
 * Their frames go back at once: nothing touches a dead thread's stack.
 */
#define KSTACK_RETIRE_BATCH 32

static uint64_t used[MAX_SLOTS / 64];
static uint64_t retired[MAX_SLOTS / 64];
static size_t nretired;
static size_t hint; /* no free slot below this word */
static size_t in_use;
static struct spinlock kstack_lock = SPINLOCK_INIT;

static long slot_take(void)
{
	long slot = -1;

	spin_lock(&kstack_lock);
	for (size_t w = hint; w < MAX_SLOTS / 64; w++) {
		if (used[w] == ~0ULL)
			continue;
		unsigned bit = (unsigned)__builtin_ctzll(~used[w]);
		used[w] |= 1ULL << bit;
		hint = w;
		slot = (long)(w * 64 + bit);
		in_use++;
		break;
	}
	spin_unlock(&kstack_lock);
	return slot;
}

static void slot_give(size_t slot)
{
	spin_lock(&kstack_lock);
	used[slot / 64] &= ~(1ULL << (slot % 64));
	if (slot / 64 < hint)
		hint = slot / 64;
	in_use--;
	spin_unlock(&kstack_lock);
}

/* Shoot the retired slots down, then make them free. */
static void slots_reclaim(void)
{
	tlb_shootdown(KSTACK_AREA_BASE, KSTACK_AREA_END);
	spin_lock(&kstack_lock);
	for (size_t w = 0; w < MAX_SLOTS / 64 && nretired; w++) {
		if (!retired[w])
			continue;
		used[w] &= ~retired[w];
		for (uint64_t r = retired[w]; r; r &= r - 1)
			nretired--;
		retired[w] = 0;
		if (w < hint)
			hint = w;
	}
	spin_unlock(&kstack_lock);
}

static void slot_retire(size_t slot)
{
	bool full;

	spin_lock(&kstack_lock);
	retired[slot / 64] |= 1ULL << (slot % 64);
	in_use--;
	full = ++nretired >= KSTACK_RETIRE_BATCH;
	spin_unlock(&kstack_lock);
	if (full)
		slots_reclaim();
}

static void unmap_pages(uintptr_t bottom, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		paddr_t pa;

		if (vmm_unmap_page(bottom + i * PAGE_SIZE, &pa) == 0)
			pmm_free_page(pa);
	}
}

int kstack_alloc(uintptr_t *bottom, uintptr_t *top)
{
	long slot = slot_take();
	uintptr_t base;

	if (slot < 0)
		return -ENOMEM;
	base = KSTACK_AREA_BASE + (uintptr_t)slot * SLOT_SIZE + PAGE_SIZE;
	for (unsigned i = 0; i < KSTACK_PAGES; i++) {
		paddr_t pa = pmm_alloc_page();

		if (!pa || vmm_map_page(base + i * PAGE_SIZE, pa,
					PTE_WRITE | PTE_NX) < 0) {
			if (pa)
				pmm_free_page(pa);
			unmap_pages(base, i);
			slot_give((size_t)slot);
			return -ENOMEM;
		}
	}
	*bottom = base;
	*top = base + KSTACK_PAGES * PAGE_SIZE;
	return 0;
}

/* Other CPUs may still hold the stack's translations (the thread ran
 * there): they are shot down before the slot is reused (slot_retire()).
 * Never under sched_lock (sched.c frees dead threads outside it). */
void kstack_free(uintptr_t bottom)
{
	size_t slot = (bottom - KSTACK_AREA_BASE) / SLOT_SIZE;

	if (bottom < KSTACK_AREA_BASE || slot >= MAX_SLOTS ||
	    bottom != KSTACK_AREA_BASE + slot * SLOT_SIZE + PAGE_SIZE)
		panic("kstack_free(%#lx): not a kernel stack", bottom);
	unmap_pages(bottom, KSTACK_PAGES);
	slot_retire(slot);
}

size_t kstack_count(void)
{
	return in_use;
}
