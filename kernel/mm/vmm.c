/* The kernel's page tables: direct map, W^X kernel image, user pages, MMIO. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kiln/abi/boot.h>

#include "arch/x86_64/x86.h"
#include "mm/mm_priv.h"

/*
 * 4-level paging (Intel SDM Vol. 3A, 4.5): level 3 is the PML4, level 0
 * the page table. One address space: the application's low half and the
 * kernel's high half share the root.
 */
#define LEVELS	       4
#define ENTRIES	       512
#define LARGE_PAGE     (2ULL << 20) /* a level-1 (PD) entry with PTE_HUGE */
#define DIRECT_MAP_MAX (MMIO_BASE - DIRECT_MAP_BASE)

/* Sections of the kernel image (kernel.ld), each page aligned. */
extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];
/* The page below the boot stack stays unmapped (arch/x86_64/boot.S). */
extern char boot_stack_guard[];

static paddr_t root_pa;
static bool tables_live; /* CR3 holds root_pa: changes need INVLPG */
static uint64_t kernel_phys_start, kernel_virt_start;
static uintptr_t mmio_next = MMIO_BASE;

static uint64_t *table(paddr_t pa)
{
	return mm_phys_ptr(pa);
}

static unsigned index_of(uintptr_t va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * level)) & (ENTRIES - 1);
}

static bool canonical(uintptr_t va)
{
	return va < 0x0000800000000000ULL || va >= 0xffff800000000000ULL;
}

/*
 * The entry for va at `level`, allocating missing tables above it when
 * create is set (user tables carry PTE_USER: the leaf decides access).
 * NULL with *err = -ENOMEM (no frame), -ENOENT (absent, !create) or
 * -EEXIST (a large page covers va above `level`).
 */
static uint64_t *walk(uintptr_t va, int level, bool create, int *err)
{
	uint64_t *t = table(root_pa);

	for (int l = LEVELS - 1; l > level; l--) {
		uint64_t *e = &t[index_of(va, l)];

		if (!(*e & PTE_PRESENT)) {
			if (!create) {
				*err = -ENOENT;
				return NULL;
			}
			paddr_t pa = pmm_alloc_page();
			if (!pa) {
				*err = -ENOMEM;
				return NULL;
			}
			*e = pa | PTE_PRESENT | PTE_WRITE |
			     (va < USER_TOP ? PTE_USER : 0);
		} else if (*e & PTE_HUGE) {
			*err = -EEXIST;
			return NULL;
		}
		t = table(*e & PTE_ADDR_MASK);
	}
	return &t[index_of(va, level)];
}

/* The rules every public map call checks: a kernel bug otherwise. */
static int check_va(uintptr_t va, uint64_t flags)
{
	if (va % PAGE_SIZE || !canonical(va))
		return -EINVAL;
	if ((flags & PTE_USER) && va >= USER_TOP)
		return -EINVAL;
	return 0;
}

int vmm_map_page(uintptr_t va, paddr_t pa, uint64_t flags)
{
	int err = check_va(va, flags);
	uint64_t *pte;

	if (err)
		return err;
	if (!(pte = walk(va, 0, true, &err)))
		return err == -EEXIST ? -EINVAL : err;
	*pte = (pa & PTE_ADDR_MASK) | (flags & ~PTE_ADDR_MASK) | PTE_PRESENT;
	if (tables_live)
		invlpg(va);
	return 0;
}

int vmm_unmap_page(uintptr_t va, paddr_t *old_pa)
{
	int err = check_va(va, 0);
	uint64_t *pte;

	if (err)
		return err;
	if (!(pte = walk(va, 0, false, &err)) || !(*pte & PTE_PRESENT))
		return -ENOENT;
	if (old_pa)
		*old_pa = *pte & PTE_ADDR_MASK;
	*pte = 0;
	invlpg(va);
	return 0;
}

int vmm_protect_page(uintptr_t va, uint64_t flags)
{
	int err = check_va(va, flags);
	uint64_t *pte;

	if (err)
		return err;
	if (!(pte = walk(va, 0, false, &err)) || !(*pte & PTE_PRESENT))
		return -ENOENT;
	*pte = (*pte & PTE_ADDR_MASK) | (flags & ~PTE_ADDR_MASK) | PTE_PRESENT;
	invlpg(va);
	return 0;
}

uint64_t vmm_lookup(uintptr_t va)
{
	if (!root_pa || !canonical(va))
		return 0;
	const uint64_t *t = table(root_pa);
	for (int l = LEVELS - 1; l >= 0; l--) {
		uint64_t e = t[index_of(va, l)];
		if (!(e & PTE_PRESENT))
			return 0;
		if (l == 0 || (e & PTE_HUGE))
			return e;
		t = table(e & PTE_ADDR_MASK);
	}
	return 0;
}

paddr_t virt_to_phys(const void *p)
{
	uintptr_t va = (uintptr_t)p;

	if (va >= KERNEL_VIRT_BASE)
		return va - kernel_virt_start + kernel_phys_start;
	if (va >= DIRECT_MAP_BASE && va < MMIO_BASE)
		return va - DIRECT_MAP_BASE;
	uint64_t e = vmm_lookup(va);
	if (!(e & PTE_PRESENT))
		panic("virt_to_phys(%#lx): not mapped", va);
	uint64_t page = (e & PTE_HUGE) ? LARGE_PAGE : PAGE_SIZE;
	return (e & PTE_ADDR_MASK & ~(page - 1)) | (va & (page - 1));
}

void *vmm_map_phys(paddr_t pa, size_t len, uint64_t flags)
{
	paddr_t first = ALIGN_DOWN(pa, PAGE_SIZE), end;

	if (len == 0 || __builtin_add_overflow(pa, len, &end) ||
	    end > UINT64_MAX - PAGE_SIZE)
		return NULL;
	end = ALIGN_UP(end, PAGE_SIZE);
	if (end - first > KSTACK_AREA_BASE - mmio_next)
		return NULL;

	uintptr_t va = mmio_next;
	mmio_next += end - first;
	for (paddr_t p = first; p < end; p += PAGE_SIZE)
		if (vmm_map_page(va + (p - first), p, flags) < 0)
			return NULL;
	return (void *)(va + (pa - first));
}

void *vmm_map_mmio(paddr_t pa, size_t len)
{
	return vmm_map_phys(pa, len, PTE_WRITE | PTE_PCD | PTE_PWT | PTE_NX);
}

/* [start, end) of RAM at DIRECT_MAP_BASE + pa, large pages where a whole
 * aligned 2 MiB fits. */
static void map_direct(paddr_t start, paddr_t end)
{
	const uint64_t flags = PTE_PRESENT | PTE_WRITE | PTE_NX;
	int err;

	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = MIN(ALIGN_UP(end, PAGE_SIZE), DIRECT_MAP_MAX);
	for (paddr_t pa = start; pa < end;) {
		uintptr_t va = DIRECT_MAP_BASE + pa;
		uint64_t *e;

		if (pa % LARGE_PAGE == 0 && end - pa >= LARGE_PAGE) {
			e = walk(va, 1, true, &err);
			if (!e && err == -EEXIST) {
				pa += LARGE_PAGE;
				continue;
			}
			if (e && !(*e & PTE_PRESENT)) {
				*e = pa | flags | PTE_HUGE;
				pa += LARGE_PAGE;
				continue;
			}
		}
		e = walk(va, 0, true, &err);
		if (!e && err == -ENOMEM)
			panic("vmm: out of memory for the direct map");
		if (e)
			*e = pa | flags;
		pa += PAGE_SIZE;
	}
}

static void map_kernel_range(const char *start, const char *end, uint64_t flags)
{
	for (uintptr_t va = (uintptr_t)start; va < (uintptr_t)end;
	     va += PAGE_SIZE) {
		if (va == (uintptr_t)boot_stack_guard)
			continue;
		paddr_t pa = va - kernel_virt_start + kernel_phys_start;
		if (vmm_map_page(va, pa, flags) < 0)
			panic("vmm: out of memory mapping the kernel");
	}
}

void vmm_init(const struct kiln_boot_info *bi)
{
	kernel_phys_start = bi->kernel_phys_start;
	kernel_virt_start = bi->kernel_virt_start;
	if (kernel_virt_start != (uintptr_t)__kernel_start ||
	    bi->kernel_phys_end - kernel_phys_start <
		(uintptr_t)(__kernel_end - __kernel_start))
		panic("vmm: booter placed the kernel at %#lx, linked at %p",
		      kernel_virt_start, __kernel_start);

	if (!(root_pa = pmm_alloc_page()))
		panic("vmm: out of memory for the page-table root");
	for (unsigned i = 0; i < bi->nr_mmap; i++) {
		const struct kiln_boot_mmap_entry *m = &bi->mmap[i];
		if (m->type == KILN_MEM_USABLE ||
		    m->type == KILN_MEM_ACPI_RECLAIM ||
		    m->type == KILN_MEM_ACPI_NVS)
			map_direct(m->base, m->base + m->len);
	}
	/* Modules are RAM too, whatever the map calls them. */
	for (unsigned i = 0; i < bi->nr_modules; i++)
		map_direct(bi->modules[i].start, bi->modules[i].end);

	/* W^X: text RX, rodata (and .kiln.desc) R, data and bss RW. */
	map_kernel_range(__kernel_start, __text_end, 0);
	map_kernel_range(__text_end, __rodata_end, PTE_NX);
	map_kernel_range(__rodata_end, __kernel_end, PTE_WRITE | PTE_NX);

	/* NX must be on before a table using it is live; WP makes ring 0
	 * honour read-only pages. */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	write_cr3(root_pa);
	tables_live = true;
	mm_phys_window = DIRECT_MAP_BASE;

	/* The guard page's frame is never mapped: give it to the allocator. */
	pmm_free_page(virt_to_phys(boot_stack_guard));
}
