/* Physical frame allocator: a bitmap over RAM, one bit per 4 KiB frame. */
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/string.h>
#include <kiln/abi/boot.h>

#include "mm/mm_priv.h"

/*
 * Bit n of the bitmap is 1 when frame n is free. The bitmap covers frame 0
 * up to the end of the highest usable region and lives in a usable region
 * itself (below 4 GiB, where the booter's identity map reaches): RAM/32 KiB
 * of metadata, set up with word-sized stores, never touching the frames.
 * Single CPU: no lock yet.
 */

#define BITS 64

struct range {
	paddr_t start, end;
};

uintptr_t mm_phys_window;

static paddr_t bitmap_pa;
static size_t nframes;
static size_t nwords;
static size_t free_frames;
static size_t total_frames;
static size_t
    next_word; /* next-fit start, so early frames come from low memory */

/* Never handed out: frame 0, the kernel, the modules, the bitmap. */
static struct range reserved[3 + KILN_BOOT_MAX_MODULES];
static unsigned nreserved;

static uint64_t *bitmap(void)
{
	return mm_phys_ptr(bitmap_pa);
}

static size_t popcount64(uint64_t v)
{
	/* SWAR count: -mno-popcnt would turn the builtin into a libgcc call. */
	v = v - ((v >> 1) & 0x5555555555555555ULL);
	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (size_t)((v * 0x0101010101010101ULL) >> 56);
}

/* Frames [first, last) set free (value true) or in use, word at a time. */
static void mark(size_t first, size_t last, bool value)
{
	uint64_t *bm = bitmap();

	last = MIN(last, nframes);
	while (first < last) {
		size_t w = first / BITS, bit = first % BITS;
		size_t n = MIN(BITS - bit, last - first);
		uint64_t mask = n == BITS ? ~0ULL : ((1ULL << n) - 1) << bit;

		if (value)
			bm[w] |= mask;
		else
			bm[w] &= ~mask;
		first += n;
	}
}

static bool overlaps(paddr_t s0, paddr_t e0, paddr_t s1, paddr_t e1)
{
	return s0 < e1 && s1 < e0;
}

static bool overlaps_reserved(paddr_t s, paddr_t e,
			      const struct kiln_boot_info *bi)
{
	for (unsigned i = 0; i < nreserved; i++)
		if (overlaps(s, e, reserved[i].start, reserved[i].end))
			return true;
	if (overlaps(s, e, bi->booter_phys_start, bi->booter_phys_end))
		return true;
	for (unsigned i = 0; i < bi->nr_mmap; i++) {
		const struct kiln_boot_mmap_entry *m = &bi->mmap[i];
		if (m->type != KILN_MEM_USABLE &&
		    overlaps(s, e, m->base, m->base + m->len))
			return true;
	}
	return false;
}

/* A page-aligned place for size bytes of bitmap: usable, reachable through
 * the identity map, clear of everything reserved. Candidates are region
 * starts and the ends of reserved ranges. */
static paddr_t place_bitmap(const struct kiln_boot_info *bi, size_t size)
{
	for (unsigned i = 0; i < bi->nr_mmap; i++) {
		const struct kiln_boot_mmap_entry *m = &bi->mmap[i];
		paddr_t lo = ALIGN_UP(m->base, PAGE_SIZE);
		paddr_t hi = ALIGN_DOWN(m->base + m->len, PAGE_SIZE);

		if (m->type != KILN_MEM_USABLE)
			continue;
		hi = MIN(hi, 0x100000000ULL);
		for (unsigned c = 0; c <= nreserved + 1; c++) {
			paddr_t s = c == 0	     ? lo
				    : c <= nreserved ? reserved[c - 1].end
						     : bi->booter_phys_end;
			s = ALIGN_UP(MAX(s, lo), PAGE_SIZE);
			if (s < hi && hi - s >= size &&
			    !overlaps_reserved(s, s + size, bi))
				return s;
		}
	}
	panic("pmm: no room for a %zu-byte frame bitmap", size);
}

static void reserve(paddr_t start, paddr_t end)
{
	if (end > start)
		reserved[nreserved++] = (struct range){
		    ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE)};
}

static size_t count_free(void)
{
	const uint64_t *bm = bitmap();
	size_t n = 0;

	for (size_t w = 0; w < nwords; w++)
		n += popcount64(bm[w]);
	return n;
}

void pmm_init(const struct kiln_boot_info *bi)
{
	paddr_t top = 0;

	for (unsigned i = 0; i < bi->nr_mmap; i++) {
		const struct kiln_boot_mmap_entry *m = &bi->mmap[i];
		if (m->type == KILN_MEM_USABLE && m->len &&
		    m->base + m->len > top)
			top = ALIGN_DOWN(m->base + m->len, PAGE_SIZE);
	}
	if (top == 0)
		panic("pmm: the memory map lists no usable RAM");
	nframes = top / PAGE_SIZE;
	nwords = (nframes + BITS - 1) / BITS;

	nreserved = 0;
	reserve(0, PAGE_SIZE);
	reserve(bi->kernel_phys_start, bi->kernel_phys_end);
	for (unsigned i = 0; i < bi->nr_modules; i++)
		reserve(bi->modules[i].start, bi->modules[i].end);

	size_t bytes = ALIGN_UP(nwords * sizeof(uint64_t), PAGE_SIZE);
	bitmap_pa = place_bitmap(bi, bytes);
	reserve(bitmap_pa, bitmap_pa + bytes);

	memset(bitmap(), 0, nwords * sizeof(uint64_t));
	for (unsigned i = 0; i < bi->nr_mmap; i++) {
		const struct kiln_boot_mmap_entry *m = &bi->mmap[i];
		if (m->type == KILN_MEM_USABLE)
			mark(ALIGN_UP(m->base, PAGE_SIZE) / PAGE_SIZE,
			     ALIGN_DOWN(m->base + m->len, PAGE_SIZE) /
				 PAGE_SIZE,
			     true);
	}
	/* Anything else the map says about a frame wins over "usable". */
	for (unsigned i = 0; i < bi->nr_mmap; i++) {
		const struct kiln_boot_mmap_entry *m = &bi->mmap[i];
		if (m->type != KILN_MEM_USABLE)
			mark(ALIGN_DOWN(m->base, PAGE_SIZE) / PAGE_SIZE,
			     ALIGN_UP(m->base + m->len, PAGE_SIZE) / PAGE_SIZE,
			     false);
	}
	for (unsigned i = 0; i < nreserved; i++)
		mark(reserved[i].start / PAGE_SIZE, reserved[i].end / PAGE_SIZE,
		     false);
	mark(ALIGN_DOWN(bi->booter_phys_start, PAGE_SIZE) / PAGE_SIZE,
	     ALIGN_UP(bi->booter_phys_end, PAGE_SIZE) / PAGE_SIZE, false);

	free_frames = total_frames = count_free();
	next_word = 0;
}

void pmm_release_booter(const struct kiln_boot_info *bi)
{
	paddr_t start = ALIGN_UP(bi->booter_phys_start, PAGE_SIZE);
	paddr_t end = ALIGN_DOWN(bi->booter_phys_end, PAGE_SIZE);
	struct kiln_boot_info only_usable = *bi;

	/* Check each frame against the map and the reserved ranges, but not
	 * against the booter range itself. */
	only_usable.booter_phys_start = only_usable.booter_phys_end = 0;
	for (paddr_t pa = start; pa < end && pa / PAGE_SIZE < nframes;
	     pa += PAGE_SIZE) {
		bool usable = false;
		for (unsigned i = 0; i < bi->nr_mmap; i++) {
			const struct kiln_boot_mmap_entry *m = &bi->mmap[i];
			if (m->type == KILN_MEM_USABLE && pa >= m->base &&
			    pa + PAGE_SIZE <= m->base + m->len)
				usable = true;
		}
		if (!usable ||
		    overlaps_reserved(pa, pa + PAGE_SIZE, &only_usable))
			continue;
		mark(pa / PAGE_SIZE, pa / PAGE_SIZE + 1, true);
		free_frames++;
		total_frames++;
	}
}

static paddr_t take(size_t frame, size_t n)
{
	mark(frame, frame + n, false);
	free_frames -= n;
	paddr_t pa = (paddr_t)frame * PAGE_SIZE;
	memset(mm_phys_ptr(pa), 0, n * PAGE_SIZE);
	return pa;
}

paddr_t pmm_alloc_page(void)
{
	uint64_t *bm = bitmap();

	for (size_t i = 0; i < nwords; i++) {
		size_t w = next_word + i;
		if (w >= nwords)
			w -= nwords;
		if (bm[w]) {
			next_word = w;
			return take(w * BITS + __builtin_ctzll(bm[w]), 1);
		}
	}
	return 0;
}

paddr_t pmm_alloc_page_below(paddr_t limit)
{
	uint64_t *bm = bitmap();

	for (size_t f = 1; f < MIN(nframes, limit / PAGE_SIZE); f++)
		if (bm[f / BITS] >> (f % BITS) & 1)
			return take(f, 1);
	return 0;
}

static bool frame_free(size_t f)
{
	return bitmap()[f / BITS] >> (f % BITS) & 1;
}

/* First fit over the whole bitmap: contiguous runs are rare requests. */
paddr_t pmm_alloc_pages(size_t n)
{
	if (n == 1)
		return pmm_alloc_page();
	if (n == 0 || n > free_frames)
		return 0;
	size_t run = 0;
	for (size_t f = 0; f < nframes; f++) {
		if (f % BITS == 0 && bitmap()[f / BITS] == 0) {
			run = 0;
			f += BITS - 1;
			continue;
		}
		run = frame_free(f) ? run + 1 : 0;
		if (run == n)
			return take(f + 1 - n, n);
	}
	return 0;
}

void pmm_free_pages(paddr_t pa, size_t n)
{
	size_t first = pa / PAGE_SIZE;

	if (pa % PAGE_SIZE || first >= nframes || n > nframes - first)
		panic("pmm: freeing %zu frames at %#lx: not RAM", n, pa);
	for (size_t f = first; f < first + n; f++) {
		if (frame_free(f))
			panic("pmm: double free of frame %#lx",
			      (paddr_t)f * PAGE_SIZE);
		mark(f, f + 1, true);
	}
	free_frames += n;
}

void pmm_free_page(paddr_t pa)
{
	pmm_free_pages(pa, 1);
}

size_t pmm_free_count(void)
{
	return free_frames;
}

size_t pmm_total_count(void)
{
	return total_frames;
}
