/* Host tests of the frame allocator (kernel/mm/pmm.c) over a fake RAM. */
#include <stdlib.h>
#include <string.h>

#include <kernel/mm.h>
#include <kiln/abi/boot.h>

#include "mm/mm_priv.h"
#include "unit.h"

/* RAM as QEMU -m 2M shows it: 0-0x9fc00 and 1 MiB-0x1e0000 usable. */
#define RAM_SIZE     0x200000UL
#define KERNEL_START 0x172000UL
#define KERNEL_END   0x197000UL
#define MODULE_START 0x119000UL
#define MODULE_END   0x171600UL
#define BOOTER_START 0x100000UL
#define BOOTER_END   0x118000UL

static unsigned char *ram;
static struct kiln_boot_info bi;

static void add_mem(uint64_t base, uint64_t len, uint32_t type)
{
	bi.mmap[bi.nr_mmap++] =
	    (struct kiln_boot_mmap_entry){base, len, type, 0};
}

/* A fresh allocator over a dirty fake RAM laid out like -m 2M. */
static void setup(void)
{
	if (!ram)
		ram = aligned_alloc(PAGE_SIZE, RAM_SIZE);
	memset(ram, 0xa5, RAM_SIZE);
	mm_phys_window = (uintptr_t)ram;
	memset(&bi, 0, sizeof bi);
	add_mem(0, 0x9fc00, KILN_MEM_USABLE);
	add_mem(0x9fc00, 0x400, KILN_MEM_RESERVED);
	add_mem(0xf0000, 0x10000, KILN_MEM_RESERVED);
	add_mem(0x100000, 0xe0000, KILN_MEM_USABLE);
	add_mem(0x1e0000, 0x20000, KILN_MEM_RESERVED);
	bi.nr_modules = 1;
	bi.modules[0] = (struct kiln_boot_module){MODULE_START, MODULE_END};
	bi.kernel_phys_start = KERNEL_START;
	bi.kernel_phys_end = KERNEL_END;
	bi.booter_phys_start = BOOTER_START;
	bi.booter_phys_end = BOOTER_END;
	pmm_init(&bi);
}

static int in(paddr_t pa, uint64_t start, uint64_t end)
{
	return pa + PAGE_SIZE > start && pa < end;
}

/* A frame the allocator may hand out before pmm_release_booter(). */
static int allowed(paddr_t pa)
{
	return pa != 0 && pa % PAGE_SIZE == 0 &&
	       ((pa + PAGE_SIZE <= 0x9fc00) ||
		(pa >= 0x100000 && pa + PAGE_SIZE <= 0x1e0000)) &&
	       !in(pa, KERNEL_START, KERNEL_END) &&
	       !in(pa, MODULE_START, MODULE_END) &&
	       !in(pa, BOOTER_START, BOOTER_END);
}

static int page_is_zero(paddr_t pa)
{
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (ram[pa + i])
			return 0;
	return 1;
}

/* Allocates every frame; returns how many, each checked by ok(). */
static size_t drain(paddr_t *out, size_t max, int (*ok)(paddr_t))
{
	size_t n = 0;
	paddr_t pa;

	while ((pa = pmm_alloc_page()) != 0) {
		if (!ok(pa) || n == max)
			return (size_t)-1;
		out[n++] = pa;
	}
	return n;
}

static paddr_t frames[RAM_SIZE / PAGE_SIZE];

TEST(pmm_alloc_returns_page_aligned_zeroed_frame)
{
	setup();
	paddr_t pa = pmm_alloc_page();
	CHECK(pa != 0);
	CHECK(pa % PAGE_SIZE == 0);
	CHECK(allowed(pa));
	CHECK(page_is_zero(pa));
}

TEST(pmm_never_returns_reserved_frames)
{
	setup();
	size_t before = pmm_free_count();
	size_t n = drain(frames, RAM_SIZE / PAGE_SIZE, allowed);
	CHECK(n != (size_t)-1);
	CHECK(n == before);
	CHECK(pmm_free_count() == 0);
	/* Every frame handed out once. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			CHECK(frames[i] != frames[j]);
}

TEST(pmm_counts_every_usable_frame_but_metadata)
{
	setup();
	/* 1..0x9f and 0x118..0x119 and 0x197..0x1e0 frames, minus one
	 * frame of bitmap. */
	size_t expect = (0x9f - 1) + (0x119 - 0x118) + (0x1e0 - 0x197) - 1;
	CHECK(pmm_free_count() == expect);
	CHECK(pmm_total_count() == expect);
}

TEST(pmm_exhaustion_returns_zero_then_recovers)
{
	setup();
	size_t n = drain(frames, RAM_SIZE / PAGE_SIZE, allowed);
	CHECK(n != (size_t)-1 && n > 0);
	CHECK(pmm_alloc_page() == 0);
	CHECK(pmm_alloc_pages(2) == 0);
	pmm_free_page(frames[n / 2]);
	CHECK(pmm_free_count() == 1);
	CHECK(pmm_alloc_page() == frames[n / 2]);
}

TEST(pmm_uses_low_memory)
{
	setup();
	size_t n = drain(frames, RAM_SIZE / PAGE_SIZE, allowed);
	int low = 0;
	CHECK(n != (size_t)-1);
	for (size_t i = 0; i < n; i++)
		low += frames[i] < 0xa0000;
	CHECK(low == 0x9f - 2); /* all of it but frame 0 and the bitmap */
}

TEST(pmm_freed_frame_is_zeroed_when_reallocated)
{
	setup();
	paddr_t pa = pmm_alloc_page();
	memset(ram + pa, 0x5a, PAGE_SIZE);
	pmm_free_page(pa);
	size_t n = drain(frames, RAM_SIZE / PAGE_SIZE, allowed);
	CHECK(n != (size_t)-1);
	CHECK(page_is_zero(pa));
}

TEST(pmm_double_free_panics)
{
	setup();
	paddr_t pa = pmm_alloc_page();
	pmm_free_page(pa);
	CHECK(EXPECT_PANIC(pmm_free_page(pa)));
	CHECK(EXPECT_PANIC(pmm_free_page(pa + 1)));
	CHECK(EXPECT_PANIC(pmm_free_page(RAM_SIZE * 4)));
}

TEST(pmm_alloc_pages_returns_contiguous_free_run)
{
	setup();
	size_t before = pmm_free_count();
	paddr_t pa = pmm_alloc_pages(16);
	CHECK(pa != 0);
	for (paddr_t p = pa; p < pa + 16 * PAGE_SIZE; p += PAGE_SIZE) {
		CHECK(allowed(p));
		CHECK(page_is_zero(p));
	}
	CHECK(pmm_free_count() == before - 16);
	/* No single frame of the run is handed out again. */
	size_t n = drain(frames, RAM_SIZE / PAGE_SIZE, allowed);
	for (size_t i = 0; i < n; i++)
		CHECK(frames[i] < pa || frames[i] >= pa + 16 * PAGE_SIZE);
	pmm_free_pages(pa, 16);
	CHECK(pmm_free_count() == 16);
	CHECK(pmm_alloc_pages(17) == 0);
	CHECK(pmm_alloc_pages(16) == pa);
}

TEST(pmm_release_booter_adds_its_frames)
{
	setup();
	size_t before = pmm_free_count();
	pmm_release_booter(&bi);
	CHECK(pmm_free_count() ==
	      before + (BOOTER_END - BOOTER_START) / PAGE_SIZE);
	CHECK(pmm_total_count() == pmm_free_count());
	int booter = 0;
	paddr_t pa;
	while ((pa = pmm_alloc_page()) != 0)
		booter += in(pa, BOOTER_START, BOOTER_END);
	CHECK(booter == (BOOTER_END - BOOTER_START) / PAGE_SIZE);
}

TEST(pmm_release_booter_keeps_reserved_overlap)
{
	setup();
	/* A booter range that claims the kernel's first frames too. */
	bi.booter_phys_end = KERNEL_START + 2 * PAGE_SIZE;
	pmm_init(&bi);
	pmm_release_booter(&bi);
	paddr_t pa;
	while ((pa = pmm_alloc_page()) != 0)
		CHECK(!in(pa, KERNEL_START, KERNEL_END) &&
		      !in(pa, MODULE_START, MODULE_END));
}

TEST(pmm_ignores_partial_frames_and_overlapping_reservations)
{
	setup();
	memset(&bi, 0, sizeof bi);
	add_mem(0x1800, 0x3000, KILN_MEM_USABLE);   /* frames 2, 3 whole */
	add_mem(0x10000, 0x10000, KILN_MEM_USABLE); /* 0x10-0x1f */
	add_mem(0x18800, 0x100, KILN_MEM_ACPI_NVS); /* takes frame 0x18 */
	pmm_init(&bi);
	size_t n = drain(frames, RAM_SIZE / PAGE_SIZE, allowed);
	CHECK(n != (size_t)-1);
	/* 2 + 16 frames, minus 0x18, minus one for the bitmap. */
	CHECK(n == 2 + 16 - 1 - 1);
	for (size_t i = 0; i < n; i++) {
		CHECK(frames[i] != 0x18000);
		CHECK(frames[i] >= 0x2000);
		CHECK(frames[i] < 0x4000 || frames[i] >= 0x10000);
	}
}
