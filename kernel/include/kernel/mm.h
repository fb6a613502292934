/* Physical frames, the kernel's address space, page tables and the heap. */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H

#include <kernel/types.h>

struct kiln_boot_info;

/*
 * Virtual layout (x86-64, 4-level paging):
 *   0 .. USER_TOP            the application (ring 3), pages PTE_USER
 *   DIRECT_MAP_BASE + pa     every RAM frame, RW, NX, supervisor
 *   MMIO_BASE ..             device registers (LAPIC, I/O APIC, ...), UC
 *   KSTACK_AREA_BASE ..      thread stacks, each under an unmapped guard
 *                            page (sched/kstack.c)
 *   KERNEL_VIRT_BASE ..      the kernel image, W^X per section
 */
#define USER_TOP 0x00007ffffffff000ULL
#define DIRECT_MAP_BASE 0xffff800000000000ULL
#define MMIO_BASE 0xffffc00000000000ULL
#define KSTACK_AREA_BASE 0xffffe00000000000ULL
#define KSTACK_AREA_END 0xfffff00000000000ULL
#define KERNEL_VIRT_BASE 0xffffffff80000000ULL

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + DIRECT_MAP_BASE);
}

/* Physical address of a direct-map or kernel-image virtual address. */
paddr_t virt_to_phys(const void *va);

/* --- physical frame allocator (mm/pmm.c) --- */

/* Call first thing after the boot-info block was copied: takes every usable
 * frame of the memory map except the kernel, the modules and frame 0. */
void pmm_init(const struct kiln_boot_info *bi);
/* Give back the booter's memory; call once on the kernel's own stack and
 * page tables. */
void pmm_release_booter(const struct kiln_boot_info *bi);
/* One zero-filled frame, or 0 when memory is exhausted. */
paddr_t pmm_alloc_page(void);
/* One zero-filled frame below limit, or 0 (the AP start-up page). */
paddr_t pmm_alloc_page_below(paddr_t limit);
/* n physically contiguous zero-filled frames, or 0. */
paddr_t pmm_alloc_pages(size_t n);
void pmm_free_page(paddr_t pa);
void pmm_free_pages(paddr_t pa, size_t n);
size_t pmm_free_count(void);  /* frames free now */
size_t pmm_total_count(void); /* frames managed */

/* meminfo=MS on the command line (mm/meminfo.c): one "kiln-meminfo: used
 * N kB, ..." console line MS ms from now; nothing when ms < 0. */
void meminfo_report_after(long ms);

/* --- page tables (mm/vmm.c) --- */

/* PTE bits (Intel SDM Vol. 3A, 4.5, table 4-19). */
#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITE (1ULL << 1)
#define PTE_USER (1ULL << 2)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_ACCESSED (1ULL << 5)
#define PTE_DIRTY (1ULL << 6)
#define PTE_HUGE (1ULL << 7)
#define PTE_GLOBAL (1ULL << 8)
#define PTE_NX (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

/* Build the kernel's page tables (direct map, image with W^X, NX enabled
 * in EFER) and switch CR3 to them. Needs pmm_init(). */
void vmm_init(const struct kiln_boot_info *bi);

/*
 * Map/unmap/protect single 4 KiB pages in the one address space (the
 * application's low half shares the root with the kernel's high half).
 * flags are PTE_* bits (PTE_PRESENT is implied); mapping over a present
 * page replaces it (the old frame is the caller's). va must be page
 * aligned and canonical, PTE_USER only below USER_TOP (-EINVAL otherwise).
 * Intermediate tables are
 * allocated as needed and carry PTE_USER when va < USER_TOP.
 * Return 0 or -ENOMEM (map), -ENOENT (nothing mapped at va).
 * Each flushes the TLB entry for va.
 */
int vmm_map_page(uintptr_t va, paddr_t pa, uint64_t flags);
int vmm_unmap_page(uintptr_t va, paddr_t *old_pa);
int vmm_protect_page(uintptr_t va, uint64_t flags);
/*
 * After unmapping or reducing the rights of pages in [start, end): flush
 * them from every running CPU's TLB (an IPI to each other CPU, waiting
 * for all to answer; arch/x86_64/tlb.c). The vmm_* calls above flush this
 * CPU only. Call with the kernel lock held, never with sched_lock or with
 * interrupts off for long: the other CPUs must be able to answer.
 */
void tlb_shootdown(uintptr_t start, uintptr_t end);
/* The PTE for va (0 when not mapped). */
uint64_t vmm_lookup(uintptr_t va);

/* Map a device's registers uncached; returns a virtual address or NULL. */
void *vmm_map_mmio(paddr_t pa, size_t len);
/* Map [pa, pa+len) with the given PTE_* flags at fresh kernel addresses
 * (firmware tables: flags PTE_NX gives read-only, cached); the returned
 * pointer keeps pa's offset in its page. NULL when out of memory. */
void *vmm_map_phys(paddr_t pa, size_t len, uint64_t flags);

/* --- kernel heap (mm/heap.c) --- */

void heap_init(void); /* after vmm_init() */
void *kmalloc(size_t size); /* 16-byte aligned; NULL when out of memory */
void *kzalloc(size_t size);
void kfree(void *p);

#endif
