/* Host tests of the kernel heap (kernel/mm/heap.c) over a fake pmm. */
#include <stdlib.h>
#include <string.h>

#include <kernel/mm.h>

#include "unit.h"

/*
 * The fake frame allocator hands out host pages under a "physical"
 * address chosen so that phys_to_virt() (pa + DIRECT_MAP_BASE, wrapping)
 * lands on them. Freed pages stay allocated so that a stale header can
 * still be read, as in the kernel.
 */
static size_t pages_out;
static size_t page_limit = SIZE_MAX;
/* Every run handed out, so LeakSanitizer sees the kept pages as reachable. */
static void *runs[4096];
static size_t nruns;

paddr_t pmm_alloc_pages(size_t n)
{
	if (n > page_limit - pages_out || nruns == sizeof runs / sizeof *runs)
		return 0;
	void *p = aligned_alloc(PAGE_SIZE, n * PAGE_SIZE);
	if (!p)
		return 0;
	memset(p, 0, n * PAGE_SIZE);
	runs[nruns++] = p;
	pages_out += n;
	return (paddr_t)((uintptr_t)p - DIRECT_MAP_BASE);
}

paddr_t pmm_alloc_page(void)
{
	return pmm_alloc_pages(1);
}

void pmm_free_pages(paddr_t pa, size_t n)
{
	(void)pa;
	pages_out -= n;
}

void pmm_free_page(paddr_t pa)
{
	pmm_free_pages(pa, 1);
}

paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)((uintptr_t)va - DIRECT_MAP_BASE);
}

TEST(kmalloc_returns_16_byte_aligned_blocks)
{
	for (size_t sz = 0; sz < 9000; sz += 7) {
		void *p = kmalloc(sz);
		CHECK(p != NULL);
		CHECK((uintptr_t)p % 16 == 0);
		memset(p, 0xee, sz);
		kfree(p);
	}
}

TEST(kmalloc_reuses_a_freed_block)
{
	void *p = kmalloc(100);
	kfree(p);
	CHECK(kmalloc(100) == p);
	kfree(p);
}

#define NBLOCKS 500

TEST(kmalloc_blocks_of_many_sizes_do_not_overlap)
{
	static unsigned char *blk[NBLOCKS];
	static size_t len[NBLOCKS];

	srand(1);
	for (int i = 0; i < NBLOCKS; i++) {
		len[i] =
		    (size_t)(rand() % 3 == 0 ? rand() % 20000 : rand() % 600);
		blk[i] = kmalloc(len[i]);
		CHECK(blk[i] != NULL);
		memset(blk[i], i & 0xff, len[i]);
	}
	/* Free every other block, reallocate, then check every pattern. */
	for (int i = 0; i < NBLOCKS; i += 2) {
		kfree(blk[i]);
		len[i] = (size_t)(rand() % 3000);
		blk[i] = kmalloc(len[i]);
		CHECK(blk[i] != NULL);
		memset(blk[i], i & 0xff, len[i]);
	}
	for (int i = 0; i < NBLOCKS; i++)
		for (size_t j = 0; j < len[i]; j++)
			CHECK(blk[i][j] == (i & 0xff));
	for (int i = 0; i < NBLOCKS; i++)
		kfree(blk[i]);
}

TEST(kmalloc_large_block_returns_pages_on_free)
{
	size_t before = pages_out;
	void *p = kmalloc(5 * PAGE_SIZE);
	CHECK(p != NULL);
	CHECK(pages_out == before + 6); /* the header needs part of a 6th */
	kfree(p);
	CHECK(pages_out == before);
}

TEST(kzalloc_zeroes_a_reused_block)
{
	unsigned char *p = kmalloc(200);
	memset(p, 0xff, 200);
	kfree(p);
	unsigned char *q = kzalloc(200);
	CHECK(q == p);
	for (int i = 0; i < 200; i++)
		CHECK(q[i] == 0);
	kfree(q);
}

TEST(kmalloc_out_of_memory_returns_null)
{
	page_limit = pages_out;
	CHECK(kmalloc(3 * PAGE_SIZE) == NULL);
	CHECK(kmalloc(SIZE_MAX) == NULL);
	CHECK(kmalloc(SIZE_MAX - 8) == NULL);
	/* Small classes with an empty free list need a page too. */
	void *p;
	int got = 0;
	while ((p = kmalloc(1000)) != NULL && got < 100)
		got++;
	CHECK(p == NULL);
	page_limit = SIZE_MAX;
}

TEST(kfree_of_null_is_a_no_op)
{
	kfree(NULL);
}

TEST(kfree_twice_panics)
{
	void *small = kmalloc(40);
	void *large = kmalloc(3 * PAGE_SIZE);
	kfree(small);
	kfree(large);
	CHECK(EXPECT_PANIC(kfree(small)));
	CHECK(EXPECT_PANIC(kfree(large)));
}

TEST(kfree_of_a_foreign_pointer_panics)
{
	static uint64_t not_heap[8] __attribute__((aligned(16)));
	unsigned char *p = kmalloc(64);

	CHECK(EXPECT_PANIC(kfree(&not_heap[2])));
	CHECK(EXPECT_PANIC(kfree(p + 8)));
	kfree(p);
}
