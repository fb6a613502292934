/* Unit tests for kernel/sys/uvm.c and uaccess.c over a fake pmm and page table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/errno.h>
#include <kernel/mm.h>

#include <kernel/uaccess.h>
#include "fs/vfs.h"
#include "sys/uvm.h"
#include "unit.h"

/*
 * Fake frames: host pages whose "physical address" is chosen so that the
 * kernel's phys_to_virt() (pa + DIRECT_MAP_BASE, wrapping) gives the host
 * pointer back. Fake page table: a small open-addressed hash of PTEs.
 */
#define MAX_PTES 4096

static struct {
	uint64_t va, pte;
} ptes[MAX_PTES];
static long frames_live, frames_limit = -1;

paddr_t pmm_alloc_page(void)
{
	void *p;

	if (frames_limit >= 0 && frames_live >= frames_limit)
		return 0;
	p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!p)
		return 0;
	memset(p, 0, PAGE_SIZE);
	frames_live++;
	return (paddr_t)(uintptr_t)p - DIRECT_MAP_BASE;
}

void pmm_free_page(paddr_t pa)
{
	free(phys_to_virt(pa));
	frames_live--;
}

size_t pmm_free_count(void)
{
	return 1000;
}

/* The region table grows from the heap past its static start. */
static bool heap_fails;

void *kmalloc(size_t size)
{
	return heap_fails ? NULL : malloc(size);
}

void kfree(void *p)
{
	free(p);
}

size_t pmm_total_count(void)
{
	return 2000;
}

static int slot(uint64_t va, bool add)
{
	unsigned h = (unsigned)((va >> 12) * 2654435761u) % MAX_PTES;

	for (int n = 0; n < MAX_PTES; n++, h = (h + 1) % MAX_PTES) {
		if (ptes[h].pte && ptes[h].va == va)
			return (int)h;
		if (!ptes[h].pte && !ptes[h].va)
			return add ? (int)h : -1;
	}
	return -1;
}

int vmm_map_page(uintptr_t va, paddr_t pa, uint64_t flags)
{
	int s = slot(va, true);

	if (s < 0 || (va & (PAGE_SIZE - 1)) || va >= USER_TOP)
		return -EINVAL;
	ptes[s].va = va;
	ptes[s].pte = pa | flags | PTE_PRESENT;
	return 0;
}

int vmm_unmap_page(uintptr_t va, paddr_t *old_pa)
{
	int s = slot(va, false);

	if (s < 0)
		return -ENOENT;
	*old_pa = ptes[s].pte & PTE_ADDR_MASK;
	ptes[s].pte = 0; /* va stays as a tombstone */
	return 0;
}

int vmm_protect_page(uintptr_t va, uint64_t flags)
{
	int s = slot(va, false);

	if (s < 0)
		return -ENOENT;
	ptes[s].pte = (ptes[s].pte & PTE_ADDR_MASK) | flags | PTE_PRESENT;
	return 0;
}

/* SMP: other CPUs' TLBs; one CPU here. */
void tlb_shootdown(uintptr_t start, uintptr_t end)
{
	(void)start;
	(void)end;
}

uint64_t vmm_lookup(uintptr_t va)
{
	int s = slot(va, false);

	return s < 0 ? 0 : ptes[s].pte;
}

/* Start each test from an empty address space. */
static void fresh(void)
{
	for (int i = 0; i < MAX_PTES; i++) {
		if (ptes[i].pte)
			pmm_free_page(ptes[i].pte & PTE_ADDR_MASK);
	}
	memset(ptes, 0, sizeof ptes);
	frames_limit = -1;
	uvm_reset();
}

/* Frames still mapped when the last test ends are not leaks. */
__attribute__((destructor)) static void release_all(void)
{
	fresh();
}

#define P    PAGE_SIZE
#define RW   (PROT_READ | PROT_WRITE)
#define BASE 0x400000ULL

TEST(uvm_fault_maps_zeroed_page_with_region_permissions)
{
	fresh();
	CHECK(uvm_add_region(BASE, BASE + 4 * P, RW, UVM_KIND_ANON) == 0);
	CHECK(uvm_fault(BASE + P + 5, UVM_WRITE) == 0);
	uint64_t pte = vmm_lookup(BASE + P);
	CHECK(pte & PTE_PRESENT);
	CHECK(pte & PTE_USER);
	CHECK(pte & PTE_WRITE);
	CHECK(pte & PTE_NX);
	CHECK(((char *)phys_to_virt(pte & PTE_ADDR_MASK))[100] == 0);
	CHECK(vmm_lookup(BASE) == 0); /* only the touched page */
}

TEST(uvm_fault_refuses_write_to_readonly_and_exec_of_nx)
{
	fresh();
	CHECK(uvm_add_region(BASE, BASE + P, PROT_READ | PROT_EXEC,
			     UVM_KIND_ELF) == 0);
	CHECK(uvm_add_region(BASE + P, BASE + 2 * P, RW, UVM_KIND_ELF) == 0);
	CHECK(uvm_fault(BASE, UVM_WRITE) == -EFAULT);
	CHECK(uvm_fault(BASE, UVM_EXEC) == 0);
	CHECK(!(vmm_lookup(BASE) & PTE_NX));
	CHECK(!(vmm_lookup(BASE) & PTE_WRITE));
	CHECK(uvm_fault(BASE + P, UVM_EXEC) == -EFAULT);
	CHECK(uvm_fault(BASE + 2 * P, UVM_READ) == -EFAULT);
	CHECK(uvm_fault(0, UVM_READ) == -EFAULT);
}

TEST(uvm_prot_none_faults_every_access)
{
	fresh();
	CHECK(uvm_add_region(BASE, BASE + P, PROT_NONE, UVM_KIND_ANON) == 0);
	CHECK(uvm_fault(BASE, UVM_READ) == -EFAULT);
	CHECK(uvm_fault(BASE, UVM_WRITE) == -EFAULT);
}

TEST(uvm_never_maps_write_and_exec_unless_asked)
{
	CHECK(uvm_pte_flags(RW) & PTE_NX);
	CHECK(uvm_pte_flags(PROT_READ) & PTE_NX);
	CHECK(!(uvm_pte_flags(PROT_READ | PROT_EXEC) & PTE_WRITE));
	CHECK(!(uvm_pte_flags(PROT_NONE) & PTE_USER));
	uint64_t wx = uvm_pte_flags(RW | PROT_EXEC);
	CHECK((wx & PTE_WRITE) && !(wx & PTE_NX));
}

TEST(uvm_adjacent_regions_merge)
{
	fresh();
	CHECK(uvm_add_region(BASE, BASE + P, RW, UVM_KIND_ANON) == 0);
	CHECK(uvm_add_region(BASE + P, BASE + 2 * P, RW, UVM_KIND_ANON) == 0);
	const struct uvm_region *r = uvm_find(BASE);
	CHECK(r && r->start == BASE && r->end == BASE + 2 * P);
	CHECK(uvm_add_region(BASE, BASE + P, RW, UVM_KIND_ANON) == -EEXIST);
}

TEST(uvm_mmap_picks_top_down_below_the_stack_gap)
{
	fresh();
	int64_t a = uvm_mmap(0, 3 * P, RW, MAP_PRIVATE | MAP_ANONYMOUS);
	int64_t b = uvm_mmap(0, P, RW, MAP_PRIVATE | MAP_ANONYMOUS);
	CHECK(a > 0 && b > 0);
	CHECK((uint64_t)a + 3 * P == UVM_MMAP_TOP);
	CHECK((uint64_t)b + P == (uint64_t)a);
}

TEST(uvm_mmap_uses_a_free_hint)
{
	fresh();
	int64_t a = uvm_mmap(0x10000000, P, RW, MAP_PRIVATE | MAP_ANONYMOUS);
	CHECK(a == 0x10000000);
	int64_t b = uvm_mmap(0x10000000, P, RW, MAP_PRIVATE | MAP_ANONYMOUS);
	CHECK(b > 0 && b != 0x10000000);
}

TEST(uvm_mmap_rejects_bad_arguments)
{
	fresh();
	CHECK(uvm_mmap(0, 0, RW, MAP_PRIVATE | MAP_ANONYMOUS) == -EINVAL);
	CHECK(uvm_mmap(BASE + 1, P, RW, MAP_FIXED) == -EINVAL);
	CHECK(uvm_mmap(0, P, RW, MAP_FIXED) == -EPERM);
	CHECK(uvm_mmap(USER_TOP - P, 2 * P, RW, MAP_FIXED) == -ENOMEM);
	CHECK(uvm_mmap(0, UINT64_MAX, RW, 0) == -ENOMEM);
	CHECK(uvm_mmap(0, USER_TOP, RW, 0) == -ENOMEM);
}

TEST(uvm_map_fixed_replaces_and_noreplace_refuses)
{
	fresh();
	CHECK(uvm_mmap(BASE, 4 * P, RW, MAP_FIXED) == (int64_t)BASE);
	CHECK(uvm_fault(BASE + P, UVM_WRITE) == 0);
	long before = frames_live;
	CHECK(uvm_mmap(BASE + P, P, PROT_READ, MAP_FIXED_NOREPLACE) == -EEXIST);
	CHECK(uvm_mmap(BASE + P, P, PROT_READ, MAP_FIXED) ==
	      (int64_t)(BASE + P));
	CHECK(frames_live == before - 1); /* the old page went away */
	CHECK(uvm_find(BASE + P)->prot == PROT_READ);
	CHECK(uvm_find(BASE)->prot == RW);
	CHECK(uvm_find(BASE + 2 * P)->prot == RW);
}

TEST(uvm_munmap_splits_and_frees_frames)
{
	fresh();
	CHECK(uvm_mmap(BASE, 4 * P, RW, MAP_FIXED) == (int64_t)BASE);
	for (int i = 0; i < 4; i++)
		CHECK(uvm_fault(BASE + i * P, UVM_WRITE) == 0);
	CHECK(frames_live == 4);
	CHECK(uvm_munmap(BASE + P, 2 * P) == 0);
	CHECK(frames_live == 2);
	CHECK(uvm_find(BASE) != NULL);
	CHECK(uvm_find(BASE + P) == NULL);
	CHECK(uvm_find(BASE + 2 * P) == NULL);
	CHECK(uvm_find(BASE + 3 * P) != NULL);
	CHECK(vmm_lookup(BASE + 3 * P) & PTE_PRESENT);
	CHECK(uvm_munmap(BASE + 1, P) == -EINVAL);
	CHECK(uvm_munmap(BASE, 0) == -EINVAL);
	CHECK(uvm_munmap(UINT64_MAX & ~(P - 1), 2 * P) == -EINVAL);
	/* Unmapping nothing is fine. */
	CHECK(uvm_munmap(0x20000000, P) == 0);
}

TEST(uvm_mprotect_splits_and_reflags_present_pages)
{
	fresh();
	CHECK(uvm_mmap(BASE, 3 * P, RW, MAP_FIXED) == (int64_t)BASE);
	CHECK(uvm_fault(BASE + P, UVM_WRITE) == 0);
	CHECK(uvm_mprotect(BASE + P, P, PROT_READ) == 0);
	CHECK(!(vmm_lookup(BASE + P) & PTE_WRITE));
	CHECK(uvm_fault(BASE + P, UVM_WRITE) == -EFAULT);
	CHECK(uvm_fault(BASE, UVM_WRITE) == 0);
	CHECK(uvm_mprotect(BASE + P, P, PROT_NONE) == 0);
	CHECK(!(vmm_lookup(BASE + P) & PTE_USER));
	CHECK(uvm_mprotect(BASE + P, P, RW) == 0);
	CHECK(vmm_lookup(BASE + P) & PTE_USER);
	/* Back to one region once the protections agree again. */
	const struct uvm_region *r = uvm_find(BASE);
	CHECK(r->start == BASE && r->end == BASE + 3 * P);
	/* A hole in the range: -ENOMEM, as Linux. */
	CHECK(uvm_mprotect(BASE, 5 * P, PROT_READ) == -ENOMEM);
	CHECK(uvm_mprotect(BASE + 2, P, PROT_READ) == -EINVAL);
	CHECK(uvm_mprotect(BASE, P, 0x80) == -EINVAL);
}

TEST(uvm_madvise_dontneed_gives_zero_pages_back)
{
	fresh();
	CHECK(uvm_mmap(BASE, P, RW, MAP_FIXED) == (int64_t)BASE);
	char v = 42;
	CHECK(copy_to_user((void *)BASE, &v, 1) == 0);
	CHECK(uvm_madvise(BASE, P, MADV_DONTNEED) == 0);
	v = 1;
	CHECK(copy_from_user(&v, (void *)BASE, 1) == 0);
	CHECK(v == 0);
	CHECK(uvm_madvise(BASE, 2 * P, MADV_DONTNEED) == -ENOMEM);
	CHECK(uvm_madvise(BASE, P, 999) == -EINVAL);
}

TEST(uvm_brk_grows_shrinks_and_stops_at_a_mapping)
{
	fresh();
	uvm_brk_init(BASE);
	CHECK(uvm_brk(0) == BASE);
	CHECK(uvm_brk(BASE + 100) == BASE + 100);
	CHECK(uvm_fault(BASE + 50, UVM_WRITE) == 0);
	CHECK(uvm_brk(BASE + 3 * P) == BASE + 3 * P);
	CHECK(uvm_find(BASE + 2 * P)->kind == UVM_KIND_BRK);
	CHECK(uvm_brk(BASE + P) == BASE + P);
	CHECK(uvm_find(BASE + 2 * P) == NULL);
	CHECK(vmm_lookup(BASE) & PTE_PRESENT);
	CHECK(uvm_mmap(BASE + 8 * P, P, RW, MAP_FIXED) ==
	      (int64_t)(BASE + 8 * P));
	CHECK(uvm_brk(BASE + 10 * P) == BASE + P); /* refused: unchanged */
	CHECK(uvm_brk(BASE - P) == BASE + P);
	CHECK(uvm_brk(UINT64_MAX) == BASE + P);
}

TEST(uvm_out_of_memory_is_reported_not_fatal)
{
	fresh();
	CHECK(uvm_add_region(BASE, BASE + 4 * P, RW, UVM_KIND_ANON) == 0);
	frames_limit = frames_live;
	CHECK(uvm_fault(BASE, UVM_WRITE) == -ENOMEM);
	CHECK(uvm_last_fault_oom());
	CHECK(uvm_fault(0, UVM_WRITE) == -EFAULT);
	CHECK(!uvm_last_fault_oom());
	char buf[8] = {0};
	CHECK(copy_to_user((void *)BASE, buf, sizeof buf) == -ENOMEM);
}

TEST(uvm_region_table_full_gives_enomem)
{
	int64_t r = 0;

	fresh();
	heap_fails = true; /* the table cannot grow past its static start */
	/* Alternating protections never merge. */
	for (int i = 0; i < 1000 && r >= 0; i++)
		r = uvm_mmap(0, P, (i & 1) ? PROT_READ : RW,
			     MAP_PRIVATE | MAP_ANONYMOUS);
	heap_fails = false;
	CHECK(r == -ENOMEM);
	fresh();
}

TEST(uvm_region_table_grows_for_many_thread_stacks)
{
	int64_t r = 0;
	int i;

	fresh();
	/* 600 thread stacks as musl makes them: a PROT_NONE guard page
	 * under each read-write stack, two regions apiece. */
	for (i = 0; i < 600 && r >= 0; i++) {
		r = uvm_mmap(0, 3 * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS);
		if (r >= 0)
			r = uvm_mprotect((uint64_t)r + P, 2 * P, RW);
	}
	CHECK(r >= 0);
	CHECK(i == 600);
	fresh();
}

TEST(uaccess_rejects_null_kernel_noncanonical_and_wrapping)
{
	char buf[16];
	char *bad[] = {NULL,
		       (char *)1,
		       (char *)0xffffffff80000000ULL,
		       (char *)0xffff800000000000ULL,
		       (char *)0x0000800000000000ULL,
		       (char *)0x8000000000000000ULL,
		       (char *)(USER_TOP - 4)};

	fresh();
	CHECK(uvm_add_region(BASE, BASE + P, RW, UVM_KIND_ANON) == 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(copy_from_user(buf, bad[i], 8) == -EFAULT);
		CHECK(copy_to_user(bad[i], buf, 8) == -EFAULT);
		CHECK(strncpy_from_user(buf, bad[i], sizeof buf) == -EFAULT);
	}
	/* Ranges that wrap past 2^64 or run off the region. */
	CHECK(copy_from_user(buf, (char *)BASE, SIZE_MAX) == -EFAULT);
	CHECK(copy_from_user(buf, (char *)UINT64_MAX, 2) == -EFAULT);
	CHECK(copy_to_user((char *)(BASE + P - 4), buf, 8) == -EFAULT);
	CHECK(copy_from_user(buf, (char *)(BASE + P - 4), 8) == -EFAULT);
	CHECK(copy_from_user(buf, NULL, 0) == 0);
}

TEST(uaccess_copies_across_pages)
{
	char out[64], in[64];

	fresh();
	CHECK(uvm_add_region(BASE, BASE + 2 * P, RW, UVM_KIND_ANON) == 0);
	for (int i = 0; i < 64; i++)
		out[i] = (char)i;
	CHECK(copy_to_user((char *)(BASE + P - 30), out, sizeof out) == 0);
	CHECK(copy_from_user(in, (char *)(BASE + P - 30), sizeof in) == 0);
	CHECK(memcmp(in, out, sizeof in) == 0);
}

TEST(uaccess_respects_read_only_regions)
{
	char buf[4] = "abc";

	fresh();
	CHECK(uvm_add_region(BASE, BASE + P, PROT_READ, UVM_KIND_ELF) == 0);
	CHECK(copy_to_user((char *)BASE, buf, 4) == -EFAULT);
	CHECK(copy_from_user(buf, (char *)BASE, 4) == 0);
	CHECK(uvm_add_region(BASE + P, BASE + 2 * P, PROT_NONE,
			     UVM_KIND_ANON) == 0);
	CHECK(copy_from_user(buf, (char *)(BASE + P), 4) == -EFAULT);
}

TEST(uaccess_strncpy_finds_nul_across_pages)
{
	char s[32];

	fresh();
	CHECK(uvm_add_region(BASE, BASE + 2 * P, RW, UVM_KIND_ANON) == 0);
	CHECK(copy_to_user((char *)(BASE + P - 3), "hello", 6) == 0);
	CHECK(strncpy_from_user(s, (char *)(BASE + P - 3), sizeof s) == 5);
	CHECK(strcmp(s, "hello") == 0);
	CHECK(strncpy_from_user(s, (char *)(BASE + P - 3), 5) == -ENAMETOOLONG);
	/* Runs off the end of the mapping before any NUL. */
	char fill[8];
	memset(fill, 'x', sizeof fill);
	CHECK(copy_to_user((char *)(BASE + 2 * P - 8), fill, 8) == 0);
	CHECK(strncpy_from_user(s, (char *)(BASE + 2 * P - 8), sizeof s) ==
	      -EFAULT);
}

TEST(uvm_mremap_shrinks_in_place)
{
	fresh();
	CHECK(uvm_mmap(BASE, 4 * P, RW, MAP_FIXED) == (int64_t)BASE);
	for (int i = 0; i < 4; i++)
		CHECK(uvm_fault(BASE + i * P, UVM_WRITE) == 0);
	CHECK(uvm_mremap(BASE, 4 * P, P + 1, 0, 0) == (int64_t)BASE);
	CHECK(frames_live == 2);
	CHECK(uvm_find(BASE + 2 * P) == NULL);
}

TEST(uvm_mremap_grows_in_place_when_free)
{
	fresh();
	CHECK(uvm_mmap(BASE, P, RW, MAP_FIXED) == (int64_t)BASE);
	CHECK(uvm_mremap(BASE, P, 3 * P, 0, 0) == (int64_t)BASE);
	CHECK(uvm_find(BASE + 2 * P) != NULL);
	CHECK(uvm_mmap(BASE + 4 * P, P, RW, MAP_FIXED) ==
	      (int64_t)(BASE + 4 * P));
	/* Blocked above and not allowed to move. */
	CHECK(uvm_mremap(BASE, 3 * P, 5 * P, 0, 0) == -ENOMEM);
}

TEST(uvm_mremap_moves_frames_without_copying)
{
	fresh();
	CHECK(uvm_mmap(BASE, 2 * P, RW, MAP_FIXED) == (int64_t)BASE);
	CHECK(uvm_mmap(BASE + 2 * P, P, PROT_READ, MAP_FIXED) ==
	      (int64_t)(BASE + 2 * P));
	CHECK(copy_to_user((char *)(BASE + P + 10), "moved", 6) == 0);
	uint64_t pa = vmm_lookup(BASE + P) & PTE_ADDR_MASK;
	long frames = frames_live;
	int64_t n = uvm_mremap(BASE, 2 * P, 8 * P, MREMAP_MAYMOVE, 0);
	CHECK(n > 0 && (uint64_t)n != BASE);
	CHECK(frames_live == frames);
	CHECK((vmm_lookup((uint64_t)n + P) & PTE_ADDR_MASK) == pa);
	char s[8];
	CHECK(strncpy_from_user(s, (char *)(n + P + 10), sizeof s) == 5);
	CHECK(strcmp(s, "moved") == 0);
	CHECK(uvm_find(BASE) == NULL);
	CHECK(vmm_lookup(BASE + P) == 0 ||
	      !(vmm_lookup(BASE + P) & PTE_PRESENT));
	CHECK(uvm_fault((uint64_t)n + 7 * P, UVM_WRITE) == 0);
	CHECK(uvm_munmap((uint64_t)n, 8 * P) == 0);
	CHECK(frames_live == frames - 1); /* the moved page and the new one */
}

TEST(uvm_mremap_fixed_moves_to_the_address)
{
	fresh();
	CHECK(uvm_mmap(BASE, P, RW, MAP_FIXED) == (int64_t)BASE);
	CHECK(uvm_fault(BASE, UVM_WRITE) == 0);
	CHECK(uvm_mmap(0x20000000, P, RW, MAP_FIXED) == 0x20000000);
	CHECK(uvm_mremap(BASE, P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED,
			 0x20000000) == 0x20000000);
	CHECK(vmm_lookup(0x20000000) & PTE_PRESENT);
	CHECK(uvm_find(0x20000000 + P) != NULL);
	CHECK(uvm_find(BASE) == NULL);
}

TEST(uvm_mremap_rejects_bad_arguments)
{
	fresh();
	CHECK(uvm_mmap(BASE, 2 * P, RW, MAP_FIXED) == (int64_t)BASE);
	CHECK(uvm_mremap(BASE + 1, P, P, 0, 0) == -EINVAL);
	CHECK(uvm_mremap(BASE, P, 0, 0, 0) == -EINVAL);
	CHECK(uvm_mremap(BASE, P, P, MREMAP_FIXED, 0x20000000) == -EINVAL);
	CHECK(uvm_mremap(BASE, P, P, 0x80, 0) == -EINVAL);
	CHECK(uvm_mremap(BASE, 3 * P, 4 * P, MREMAP_MAYMOVE, 0) == -EFAULT);
	CHECK(uvm_mremap(0x30000000, P, 2 * P, MREMAP_MAYMOVE, 0) == -EFAULT);
	/* Overlapping fixed move. */
	CHECK(uvm_mremap(BASE, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED,
			 BASE + P) == -EINVAL);
}

TEST(uaccess_strnlen_user_checks_without_copying)
{
	fresh();
	CHECK(uvm_add_region(BASE, BASE + 2 * P, RW, UVM_KIND_ANON) == 0);
	CHECK(copy_to_user((char *)(BASE + P - 2), "abc", 4) == 0);
	CHECK(strnlen_user((char *)(BASE + P - 2), 100) == 3);
	CHECK(strnlen_user((char *)(BASE + P - 2), 3) == -ENAMETOOLONG);
	CHECK(strnlen_user(NULL, 100) == -EFAULT);
	CHECK(strnlen_user((char *)0xffffffff80000000ULL, 100) == -EFAULT);
}

TEST(uvm_mremap_of_untouched_region_keeps_window_small)
{
	fresh();
	/* Moving down an untouched mapping must not leave a window that
	 * spans the address space (every later walk would take forever). */
	CHECK(uvm_mmap(0x30000000, P, RW, MAP_FIXED) == 0x30000000);
	CHECK(uvm_mremap(0x30000000, P, P, MREMAP_MAYMOVE | MREMAP_FIXED,
			 0x20000000) == 0x20000000);
	const struct uvm_region *r = uvm_find(0x20000000);
	CHECK(r != NULL);
	CHECK(r->map_lo >= r->map_hi ||
	      (r->map_lo >= r->start && r->map_hi <= r->end));
}

/* --- file mappings, over a fake file --- */

/* The file: page n of it reads as bytes 'a' + n; vfs_page_shared hands
 * out its own frames (kept here, never freed by uvm). */
static struct vnode file_vn;
static paddr_t file_frames[4];

void vnode_get(struct vnode *vn)
{
	vn->refs++;
}

void vnode_put(struct vnode *vn)
{
	vn->refs--;
}

int vfs_page_private(struct vnode *vn, uint64_t off, void *kva)
{
	(void)vn;
	memset(kva, 'a' + (int)(off / PAGE_SIZE), PAGE_SIZE);
	return 0;
}

int vfs_page_shared(struct vnode *vn, uint64_t off, paddr_t *pa)
{
	size_t i = off / PAGE_SIZE;

	(void)vn;
	if (i >= 4)
		return -EFAULT;
	if (!file_frames[i]) {
		file_frames[i] = pmm_alloc_page();
		memset(phys_to_virt(file_frames[i]), 'A' + (int)i, PAGE_SIZE);
	}
	*pa = file_frames[i];
	return 0;
}

__attribute__((destructor)) static void release_file(void)
{
	for (int i = 0; i < 4; i++) {
		if (file_frames[i])
			pmm_free_page(file_frames[i]);
	}
}

TEST(uvm_private_file_mapping_copies_pages_from_the_offset)
{
	char c;

	fresh();
	int64_t a = uvm_mmap_file(0, 2 * P, RW, MAP_PRIVATE, &file_vn, P,
				  false);
	CHECK(a > 0 && file_vn.refs == 1);
	CHECK(copy_from_user(&c, (char *)a + P + 5, 1) == 0 && c == 'c');
	CHECK(copy_to_user((char *)a, "x", 1) == 0);
	CHECK(copy_from_user(&c, (char *)a, 1) == 0 && c == 'x');
	long before = frames_live;
	CHECK(uvm_munmap((uint64_t)a, 2 * P) == 0);
	CHECK(frames_live == before - 2 && file_vn.refs == 0);
}

TEST(uvm_shared_file_mapping_uses_and_keeps_the_files_frames)
{
	char c;

	fresh();
	int64_t a = uvm_mmap_file(0, 2 * P, RW, MAP_SHARED, &file_vn, 0,
				  true);
	CHECK(a > 0 && file_vn.shared_maps == 1);
	CHECK(copy_to_user((char *)a + P, "z", 1) == 0);
	CHECK(*(char *)phys_to_virt(file_frames[1]) == 'z');
	long before = frames_live;
	CHECK(uvm_munmap((uint64_t)a, 2 * P) == 0);
	CHECK(frames_live == before); /* the file's frames stay */
	CHECK(file_vn.shared_maps == 0 && file_vn.refs == 0);
	(void)c;
}

TEST(uvm_file_regions_split_with_offsets_and_references)
{
	char c;

	fresh();
	int64_t a = uvm_mmap_file(0, 3 * P, RW, MAP_PRIVATE, &file_vn, 0,
				  false);
	CHECK(a > 0);
	CHECK(uvm_mprotect((uint64_t)a + P, P, PROT_READ) == 0);
	CHECK(file_vn.refs == 3);
	const struct uvm_region *r = uvm_find((uint64_t)a + 2 * P);
	CHECK(r && r->off == 2 * P && r->vn == &file_vn);
	CHECK(copy_from_user(&c, (char *)a + 2 * P, 1) == 0 && c == 'c');
	CHECK(uvm_mprotect((uint64_t)a + P, P, RW) == 0);
	CHECK(file_vn.refs == 1); /* merged back: contiguous offsets */
	CHECK(uvm_munmap((uint64_t)a, 3 * P) == 0 && file_vn.refs == 0);
}

TEST(uvm_shared_read_only_file_mapping_cannot_become_writable)
{
	fresh();
	int64_t a = uvm_mmap_file(0, P, PROT_READ, MAP_SHARED, &file_vn, 0,
				  false);
	CHECK(a > 0);
	CHECK(uvm_mprotect((uint64_t)a, P, RW) == -EACCES);
	CHECK(uvm_mremap((uint64_t)a, P, 2 * P, MREMAP_MAYMOVE, 0) == -ENOMEM);
	CHECK(uvm_munmap((uint64_t)a, P) == 0 && file_vn.refs == 0);
}

TEST(uvm_shared_mapping_past_the_end_of_the_file_faults)
{
	fresh();
	int64_t a = uvm_mmap_file(0, 8 * P, PROT_READ, MAP_SHARED, &file_vn,
				  0, false);
	CHECK(a > 0);
	CHECK(uvm_fault((uint64_t)a + 3 * P, UVM_READ) == 0);
	CHECK(uvm_fault((uint64_t)a + 4 * P, UVM_READ) == -EFAULT);
	CHECK(uvm_munmap((uint64_t)a, 8 * P) == 0);
}
