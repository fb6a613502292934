/* The kernel's mapping in the loader's page tables: 4 KiB pages, fixed pool. */
#include "loader.h"

/* Intel SDM Vol. 3A, 4.5 (4-level paging): entry bits used here. */
#define PTE_P	 0x1ULL
#define PTE_W	 0x2ULL
#define PTE_ADDR 0x000ffffffffff000ULL

/* Tables for the kernel's range; loader.h says how many. */
static uint64_t pool[LOADER_PT_POOL][512]
    __attribute__((aligned(4096), section(".bss.pagetables")));
static unsigned pool_used;

/* The table entry index of table points to, made from the pool if
 * missing. The kernel window (PML4 slot 511) never meets entry.S's
 * 2 MiB identity pages (slot 0), so no entry here is a large page. */
static uint64_t *next_table(uint64_t *table, unsigned index)
{
	uint64_t *t;

	if (table[index] & PTE_P)
		return phys_ptr(table[index] & PTE_ADDR);
	if (pool_used == LOADER_PT_POOL)
		return NULL;
	t = pool[pool_used++]; /* zeroed with .bss by entry.S */
	table[index] = (uint64_t)t | PTE_P | PTE_W;
	return t;
}

int paging_map(uint64_t virt, uint64_t phys, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		uint64_t v = virt + off;
		uint64_t *t = loader_pml4;

		for (int shift = 39; shift > 12; shift -= 9) {
			t = next_table(t, (v >> shift) & 511);
			if (!t)
				return -ENOMEM;
		}
		t[(v >> 12) & 511] = (phys + off) | PTE_P | PTE_W;
	}
	return 0;
}
