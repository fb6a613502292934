/* TLB shootdown: other CPUs drop translations this CPU changed. */
#include <kernel/arch.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/time.h>

#include "arch/x86_64/apic.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/x86.h"

/*
 * One address space for the kernel and the application, so every running
 * CPU may hold any translation. A change that takes rights away (unmap,
 * protect) is flushed here on this CPU and, by IPI, on every other, and
 * the caller waits until all have done it (Intel SDM Vol. 3A, 4.10.5).
 * A CPU idling is not interrupted: the scheduler flushes it before it
 * runs a thread again (sched_tlb_defer_idle()).
 * Above TLB_FLUSH_ALL_PAGES pages a CR3 reload is cheaper than INVLPGs
 * (no kernel page is global, so it drops everything).
 */
#define TLB_FLUSH_ALL_PAGES 32
#define TLB_ACK_TIMEOUT_NS  5000000000ULL

static struct spinlock tlb_lock = SPINLOCK_INIT;
static volatile uintptr_t req_start, req_end;
static volatile uint32_t req_pending;

/* No popcnt instruction assumed (and no libgcc): a SWAR count. */
static unsigned popcount64(uint64_t v)
{
	v = v - ((v >> 1) & 0x5555555555555555ULL);
	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned)((v * 0x0101010101010101ULL) >> 56);
}

static void flush_local(uintptr_t start, uintptr_t end)
{
	if ((end - start) / PAGE_SIZE > TLB_FLUSH_ALL_PAGES) {
		write_cr3(read_cr3());
		return;
	}
	for (uintptr_t va = start; va < end; va += PAGE_SIZE)
		invlpg(va);
}

void tlb_ipi(void)
{
	flush_local(req_start, req_end);
	__atomic_fetch_sub(&req_pending, 1, __ATOMIC_RELEASE);
}

void cpu_sync_all(void)
{
	/* An empty range: only the IPIs and their answers. */
	tlb_shootdown(0, 0);
}

void tlb_shootdown(uintptr_t start, uintptr_t end)
{
	unsigned self, n = ncpus;
	uint64_t flags, deadline, busy;

	start = ALIGN_DOWN(start, PAGE_SIZE);
	if (n <= 1 || !cpus[1]) {
		flush_local(start, end);
		return;
	}
	busy = sched_tlb_defer_idle();
	flags = spin_lock_irqsave(&tlb_lock);
	self = this_cpu()->id;
	req_start = start;
	req_end = end;
	__atomic_store_n(&req_pending, (uint32_t)popcount64(busy),
			 __ATOMIC_RELEASE);
	for (unsigned i = 0; i < n; i++)
		if (i != self && (busy >> i & 1))
			apic_send_ipi(i, VEC_IPI_TLB);
	flush_local(start, end);
	deadline = clock_monotonic_ns() + TLB_ACK_TIMEOUT_NS;
	while (__atomic_load_n(&req_pending, __ATOMIC_ACQUIRE)) {
		if (clock_monotonic_ns() > deadline)
			panic("TLB shootdown: %u CPUs did not answer",
			      req_pending);
		cpu_relax();
	}
	spin_unlock_irqrestore(&tlb_lock, flags);
}
