/* The application's address space, the calls that reshape it: brk, mmap,
 * munmap, mprotect, madvise, mremap (the table itself is in uvm.c). */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/string.h>

#include "fs/vfs.h"
#include "uvm.h"
#include "uvm_priv.h"

static uint64_t brk_start, brk_cur;

void uvm_brk_init(uint64_t start)
{
	brk_start = brk_cur = start;
}

uint64_t uvm_brk(uint64_t want)
{
	uint64_t old_end = ALIGN_UP(brk_cur, PAGE_SIZE);
	uint64_t new_end;

	if (want < brk_start || want > UVM_MMAP_TOP)
		return brk_cur;
	new_end = ALIGN_UP(want, PAGE_SIZE);
	if (new_end > old_end) {
		if (uvm_add_region(old_end, new_end, PROT_READ | PROT_WRITE,
				   UVM_KIND_BRK) < 0)
			return brk_cur;
	} else if (new_end < old_end) {
		if (uvm_remove_range(new_end, old_end) < 0)
			return brk_cur;
		uvm_merge_all();
	}
	brk_cur = want;
	return brk_cur;
}

/* Highest free gap of size bytes below UVM_MMAP_TOP, as Linux's top-down
 * allocator does; a free, page-aligned hint wins. 0 when none. */
static uint64_t pick_address(uint64_t hint, uint64_t size)
{
	uint64_t top = UVM_MMAP_TOP;

	if (hint >= UVM_MIN_ADDR && hint <= USER_TOP - size &&
	    uvm_range_free(hint, hint + size))
		return hint;
	for (int i = uvm_nregions - 1; i >= 0; i--) {
		const struct uvm_region *r = &uvm_regions[i];

		if (r->start >= top)
			continue;
		if (r->end <= top && top - r->end >= size)
			return top - size;
		top = r->start;
	}
	if (top >= UVM_MIN_ADDR && top - UVM_MIN_ADDR >= size)
		return top - size;
	return 0;
}

/* Where a new mapping of len bytes goes (hint, MAP_FIXED...); *start. */
static int place(uint64_t hint, uint64_t len, uint32_t flags, uint64_t *out)
{
	uint64_t start, size;
	int err;

	if (len == 0)
		return -EINVAL;
	if (len > USER_TOP)
		return -ENOMEM;
	size = ALIGN_UP(len, PAGE_SIZE);
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (hint & (PAGE_SIZE - 1))
			return -EINVAL;
		if (hint < UVM_MIN_ADDR)
			return -EPERM;
		if (hint > USER_TOP - size)
			return -ENOMEM;
		start = hint;
		if (!uvm_range_free(start, start + size)) {
			if (flags & MAP_FIXED_NOREPLACE)
				return -EEXIST;
			if ((err = uvm_remove_range(start, start + size)) < 0)
				return err;
		}
	} else {
		start = pick_address(ALIGN_DOWN(hint, PAGE_SIZE), size);
		if (!start)
			return -ENOMEM;
	}
	*out = start;
	return 0;
}

int64_t uvm_mmap(uint64_t hint, uint64_t len, uint32_t prot, uint32_t flags)
{
	uint64_t start;
	int err;

	if ((err = place(hint, len, flags, &start)) < 0)
		return err;
	err = uvm_add_region(start, start + ALIGN_UP(len, PAGE_SIZE), prot,
			     UVM_KIND_ANON);
	return err < 0 ? err : (int64_t)start;
}

int64_t uvm_mmap_file(uint64_t hint, uint64_t len, uint32_t prot,
		      uint32_t flags, struct vnode *vn, uint64_t off,
		      bool maywrite)
{
	struct uvm_region r = {0};
	uint64_t start;
	int err;

	if ((err = place(hint, len, flags, &start)) < 0)
		return err;
	r.start = start;
	r.end = start + ALIGN_UP(len, PAGE_SIZE);
	r.prot = prot;
	r.kind = UVM_KIND_FILE;
	r.vn = vn;
	r.off = off;
	r.flags = ((flags & MAP_TYPE) == MAP_PRIVATE ? 0 : UVM_SHARED) |
		  (maywrite ? UVM_MAYWRITE : 0);
	err = uvm_insert_region(&r);
	return err < 0 ? err : (int64_t)start;
}

/* Page-rounded [addr, addr+len) inside the user half, or false. */
static bool user_span(uint64_t addr, uint64_t len, uint64_t *end)
{
	uint64_t e;

	if (__builtin_add_overflow(addr, len, &e) || e > USER_TOP)
		return false;
	*end = ALIGN_UP(e, PAGE_SIZE);
	return true;
}

int uvm_munmap(uint64_t addr, uint64_t len)
{
	uint64_t end;

	if ((addr & (PAGE_SIZE - 1)) || len == 0 || !user_span(addr, len, &end))
		return -EINVAL;
	return uvm_remove_range(addr, end);
}

int uvm_mprotect(uint64_t addr, uint64_t len, uint32_t prot)
{
	uint64_t end;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (prot & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!user_span(addr, len, &end))
		return -ENOMEM;
	/* a shared mapping of a file opened read-only stays read-only */
	for (int i = uvm_first_ending_after(addr);
	     i < uvm_nregions && uvm_regions[i].start < end; i++) {
		if ((prot & PROT_WRITE) &&
		    (uvm_regions[i].flags & UVM_SHARED) &&
		    !(uvm_regions[i].flags & UVM_MAYWRITE))
			return -EACCES;
	}
	return uvm_protect(addr, end, prot);
}

int uvm_madvise(uint64_t addr, uint64_t len, int advice)
{
	uint64_t end;

	if ((addr & (PAGE_SIZE - 1)) || advice < 0 || advice > 24)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!user_span(addr, len, &end))
		return -EINVAL;
	if (advice == MADV_DONTNEED || advice == MADV_FREE) {
		/* Dropped pages come back zero-filled on the next touch. */
		for (int i = uvm_first_ending_after(addr);
		     i < uvm_nregions && uvm_regions[i].start < end; i++)
			uvm_free_pages(&uvm_regions[i], addr, end);
	}
	return uvm_range_covered(addr, end) ? 0 : -ENOMEM;
}

/*
 * Map the present pages of [lo, hi) (inside a region at src) again at
 * dst + (va - src), then drop the old mappings: the frames move, nothing
 * is copied. All or nothing: when a page table cannot be allocated the
 * new mappings are undone and the old ones stay.
 */
static int move_pages(uint64_t src, uint64_t dst, uint64_t lo, uint64_t hi,
		      uint64_t flags)
{
	paddr_t pa;

	for (uint64_t va = lo; va < hi; va += PAGE_SIZE) {
		uint64_t pte = vmm_lookup(va);

		if (!(pte & PTE_PRESENT))
			continue;
		if (vmm_map_page(dst + (va - src), pte & PTE_ADDR_MASK, flags) <
		    0) {
			for (uint64_t v = lo; v < va; v += PAGE_SIZE) {
				if (vmm_lookup(v) & PTE_PRESENT)
					vmm_unmap_page(dst + (v - src), &pa);
			}
			return -ENOMEM;
		}
	}
	for (uint64_t va = lo; va < hi; va += PAGE_SIZE) {
		if (vmm_lookup(va) & PTE_PRESENT)
			vmm_unmap_page(va, &pa);
	}
	tlb_shootdown(lo, hi); /* SMP: other CPUs' TLBs (mm.h) */
	return 0;
}

/* Move the region [old, old + len) (one region) to dst, free. */
static int move_region(uint64_t old, uint64_t len, uint64_t dst)
{
	struct uvm_region r = uvm_regions[uvm_find_index(old)];
	uint64_t lo = MAX(r.map_lo, old), hi = MIN(r.map_hi, old + len);
	int err;

	if ((err = uvm_add_region(dst, dst + len, r.prot, UVM_KIND_ANON)) < 0)
		return err;
	err = move_pages(old, dst, lo, hi, uvm_pte_flags(r.prot));
	if (err < 0) {
		uvm_remove_range(dst, dst + len);
		return err;
	}
	if (lo < hi) /* an untouched region has an empty window */
		uvm_window_add(&uvm_regions[uvm_find_index(dst)],
			       dst + (lo - old), dst + (hi - old));
	uvm_remove_range(old, old + len); /* its frames have moved */
	return 0;
}

int64_t uvm_mremap(uint64_t old, uint64_t old_len, uint64_t new_len,
		   uint32_t flags, uint64_t new_addr)
{
	uint64_t old_end, new_end, dst;
	const struct uvm_region *r;
	uint32_t prot, kind;
	int err;

	if ((flags & ~(uint32_t)(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) ||
	    (old & (PAGE_SIZE - 1)) || new_len == 0 || old_len == 0)
		return -EINVAL;
	if (!user_span(old, old_len, &old_end) || new_len > USER_TOP)
		return -EINVAL;
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	old_len = old_end - old;
	/* Linux works on one mapping at a time: the range may not span two. */
	r = uvm_find(old);
	if (!r || r->end < old_end)
		return -EFAULT;
	prot = r->prot;
	kind = r->kind;
	/* a file mapping may shrink; moving or growing one is not offered */
	if (kind == UVM_KIND_FILE &&
	    ((flags & MREMAP_FIXED) || new_len > old_len))
		return (flags & MREMAP_FIXED) ? -EINVAL : -ENOMEM;
	if (flags & MREMAP_FIXED) {
		if ((new_addr & (PAGE_SIZE - 1)) || new_addr < UVM_MIN_ADDR ||
		    new_addr > USER_TOP - new_len ||
		    (new_addr < old_end && old < new_addr + new_len))
			return -EINVAL;
		if ((err = uvm_remove_range(new_addr, new_addr + new_len)) < 0)
			return err;
		if (new_len < old_len) {
			uvm_remove_range(old + new_len, old_end);
			old_len = new_len;
		}
		err = move_region(old, old_len, new_addr);
		if (err == 0 && new_len > old_len)
			err = uvm_add_region(new_addr + old_len,
					     new_addr + new_len, prot,
					     UVM_KIND_ANON);
		return err < 0 ? err : (int64_t)new_addr;
	}
	if (new_len <= old_len) {
		uvm_remove_range(old + new_len, old_end);
		return (int64_t)old;
	}
	/* Grow in place when the pages above are free. */
	new_end = old + new_len;
	if (new_end <= USER_TOP && uvm_range_free(old_end, new_end))
		return (err = uvm_add_region(old_end, new_end, prot, kind)) < 0
			       ? err
			       : (int64_t)old;
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	if (!(dst = pick_address(0, new_len)))
		return -ENOMEM;
	if ((err = move_region(old, old_len, dst)) < 0)
		return err;
	err = uvm_add_region(dst + old_len, dst + new_len, prot, UVM_KIND_ANON);
	return err < 0 ? err : (int64_t)dst;
}
