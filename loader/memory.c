/* Memory the kernel must not be copied over, and the search for room for it. */
#include "loader.h"

/* Frame 0, the loader, the Multiboot structures and strings, 4 modules
 * and their names: 15 at most. */
#define MAX_RESERVED 24

struct range {
	uint64_t start, end;
};

static struct range reserved[MAX_RESERVED];
static unsigned nr_reserved;

void mem_reserve(uint64_t start, uint64_t end)
{
	if (end <= start)
		return;
	if (nr_reserved == MAX_RESERVED)
		loader_fail("loader", "more than %u reserved ranges",
			    MAX_RESERVED);
	reserved[nr_reserved++] =
	    (struct range){page_down(start), page_up(end)};
}

/* Lowest page-aligned start in [lo, hi) where size bytes touch no
 * reserved range. Each retry moves past a range, so the loop ends. */
static int fit(uint64_t lo, uint64_t hi, uint64_t size, uint64_t *out)
{
	uint64_t s = lo;

retry:
	if (s > hi || size > hi - s)
		return -ENOMEM;
	for (unsigned i = 0; i < nr_reserved; i++) {
		if (s < reserved[i].end && reserved[i].start < s + size) {
			s = reserved[i].end;
			goto retry;
		}
	}
	*out = s;
	return 0;
}

/* Lowest fit at or above floor in any usable region below 4 GiB (the
 * identity-mapped part, where the loader can copy). */
static int find_above(const struct kiln_boot_info *bi, uint64_t size,
		      uint64_t floor, uint64_t *phys)
{
	uint64_t best = UINT64_MAX, s = 0;

	for (uint32_t i = 0; i < bi->nr_mmap; i++) {
		const struct kiln_boot_mmap_entry *e = &bi->mmap[i];
		uint64_t lo = page_up(e->base);
		uint64_t end = e->base + e->len; /* capped by bootinfo.c */
		uint64_t hi = page_down(end < 4 * GIB ? end : 4 * GIB);

		if (e->type != KILN_MEM_USABLE || e->base >= 4 * GIB)
			continue;
		if (lo < floor)
			lo = floor;
		if (lo < hi && fit(lo, hi, size, &s) == 0 && s < best)
			best = s;
	}
	if (best == UINT64_MAX)
		return -ENOMEM;
	*phys = best;
	return 0;
}

/*
 * Low memory (below 1 MiB) stays free for what only fits there, such as
 * the kernel's SMP start-up page, unless the kernel fits nowhere else
 * (as with -m 2M, where most RAM lies below 1 MiB).
 */
int mem_find_free(const struct kiln_boot_info *bi, uint64_t size,
		  uint64_t *phys)
{
	if (find_above(bi, size, MIB, phys) == 0)
		return 0;
	return find_above(bi, size, 0, phys);
}
