/* The application's address space: a sorted table of regions, paged on demand.
 */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/string.h>

#include "fs/vfs.h"
#include "uvm.h"

/*
 * One process, so one table. Adjacent regions of the same kind and
 * protection are merged, which keeps musl's malloc (brk plus many small
 * mmaps) well below the limit; past it mmap fails with -ENOMEM as Linux
 * does at vm.max_map_count.
 */
#define UVM_MAX_REGIONS 256

static struct uvm_region regions[UVM_MAX_REGIONS];
static int nregions;
static uint64_t brk_start, brk_cur;
static bool last_fault_oom;

void uvm_reset(void)
{
	nregions = 0;
	brk_start = brk_cur = 0;
}

uint64_t uvm_pte_flags(uint32_t prot)
{
	uint64_t f;

	/* PROT_NONE keeps the frame (mprotect back restores the data) but
	 * makes it supervisor-only, so every ring-3 access faults. */
	if ((prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) == 0)
		return PTE_NX;
	f = PTE_USER;
	if (prot & PROT_WRITE)
		f |= PTE_WRITE;
	if (!(prot & PROT_EXEC))
		f |= PTE_NX;
	return f;
}

/* x86 cannot map write-only or exec-only: any access right implies read. */
static bool prot_allows(uint32_t prot, uint32_t access)
{
	if ((prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) == 0)
		return false;
	if ((access & UVM_WRITE) && !(prot & PROT_WRITE))
		return false;
	if ((access & UVM_EXEC) && !(prot & PROT_EXEC))
		return false;
	return true;
}

static bool pte_allows(uint64_t pte, uint32_t access)
{
	if (!(pte & PTE_PRESENT) || !(pte & PTE_USER))
		return false;
	if ((access & UVM_WRITE) && !(pte & PTE_WRITE))
		return false;
	if ((access & UVM_EXEC) && (pte & PTE_NX))
		return false;
	return true;
}

/* Index of the first region ending above addr (nregions if none). */
static int first_ending_after(uint64_t addr)
{
	int lo = 0, hi = nregions;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (regions[mid].end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static int find_index(uint64_t addr)
{
	int i = first_ending_after(addr);

	if (i < nregions && regions[i].start <= addr)
		return i;
	return -1;
}

const struct uvm_region *uvm_find(uint64_t addr)
{
	int i = find_index(addr);

	return i < 0 ? NULL : &regions[i];
}

static bool range_free(uint64_t start, uint64_t end)
{
	int i = first_ending_after(start);

	return i == nregions || regions[i].start >= end;
}

/* Whether [start, end) is covered by regions without a hole. */
static bool range_covered(uint64_t start, uint64_t end)
{
	int i = first_ending_after(start);
	uint64_t at = start;

	while (at < end) {
		if (i == nregions || regions[i].start > at)
			return false;
		at = regions[i++].end;
	}
	return true;
}

/* Each region of a file mapping holds a reference to the file, and a
 * shared one counts in vn->shared_maps (its frames must then stay). */
static void insert_at(int i, const struct uvm_region *r)
{
	memmove(&regions[i + 1], &regions[i],
		(size_t)(nregions - i) * sizeof(regions[0]));
	regions[i] = *r;
	nregions++;
	if (r->vn) {
		vnode_get(r->vn);
		if (r->flags & UVM_SHARED)
			r->vn->shared_maps++;
	}
}

static void remove_at(int i)
{
	struct vnode *vn = regions[i].vn;

	if (vn) {
		if (regions[i].flags & UVM_SHARED)
			vn->shared_maps--;
		vnode_put(vn);
	}
	memmove(&regions[i], &regions[i + 1],
		(size_t)(nregions - i - 1) * sizeof(regions[0]));
	nregions--;
}

static bool window_empty(const struct uvm_region *r)
{
	return r->map_lo >= r->map_hi;
}

static void window_add(struct uvm_region *r, uint64_t lo, uint64_t hi)
{
	if (lo >= hi)
		return;
	if (window_empty(r)) {
		r->map_lo = lo;
		r->map_hi = hi;
	} else {
		r->map_lo = MIN(r->map_lo, lo);
		r->map_hi = MAX(r->map_hi, hi);
	}
}

static void clip_window(struct uvm_region *r)
{
	r->map_lo = MAX(r->map_lo, r->start);
	r->map_hi = MIN(r->map_hi, r->end);
	if (window_empty(r))
		r->map_lo = r->map_hi = 0;
}

/* Split the region holding addr at addr. The caller made room for one. */
static void split_at(uint64_t addr)
{
	int i = first_ending_after(addr);
	struct uvm_region hi;

	if (i == nregions || regions[i].start >= addr)
		return;
	hi = regions[i];
	hi.off += addr - hi.start;
	hi.start = addr;
	regions[i].end = addr;
	clip_window(&regions[i]);
	clip_window(&hi);
	insert_at(i + 1, &hi);
}

static void merge_all(void)
{
	int i = 0;

	while (i + 1 < nregions) {
		struct uvm_region *a = &regions[i], *b = &regions[i + 1];

		if (a->end != b->start || a->prot != b->prot ||
		    a->kind != b->kind || a->vn != b->vn ||
		    a->flags != b->flags ||
		    (a->vn && b->off != a->off + (a->end - a->start))) {
			i++;
			continue;
		}
		if (window_empty(a)) {
			a->map_lo = b->map_lo;
			a->map_hi = b->map_hi;
		} else if (!window_empty(b)) {
			a->map_hi = b->map_hi;
		}
		a->end = b->end;
		remove_at(i + 1);
	}
}

/* Unmap and free the frames of r inside [start, end); a shared file
 * mapping's frames are the file's and stay. */
static void free_pages(const struct uvm_region *r, uint64_t start, uint64_t end)
{
	uint64_t lo = MAX(start, r->map_lo), hi = MIN(end, r->map_hi);
	bool owned = !(r->flags & UVM_SHARED);
	paddr_t pa;

	for (uint64_t va = lo; va < hi; va += PAGE_SIZE) {
		if (!(vmm_lookup(va) & PTE_PRESENT))
			continue;
		if (vmm_unmap_page(va, &pa) == 0 && owned)
			pmm_free_page(pa);
	}
}

static void reflag_pages(const struct uvm_region *r)
{
	uint64_t flags = uvm_pte_flags(r->prot);

	for (uint64_t va = r->map_lo; va < r->map_hi; va += PAGE_SIZE) {
		if (vmm_lookup(va) & PTE_PRESENT)
			vmm_protect_page(va, flags);
	}
}

static bool valid_range(uint64_t start, uint64_t end)
{
	return start < end && end <= USER_TOP && !(start & (PAGE_SIZE - 1)) &&
	       !(end & (PAGE_SIZE - 1));
}

/* Drop every region and frame in [start, end) (page aligned). */
static int remove_range(uint64_t start, uint64_t end)
{
	int i;

	if (range_free(start, end))
		return 0;
	if (nregions + 2 > UVM_MAX_REGIONS)
		return -ENOMEM;
	split_at(start);
	split_at(end);
	i = first_ending_after(start);
	while (i < nregions && regions[i].start < end) {
		free_pages(&regions[i], regions[i].start, regions[i].end);
		remove_at(i);
	}
	return 0;
}

static int add_region(const struct uvm_region *r)
{
	if (!valid_range(r->start, r->end))
		return -EINVAL;
	if (!range_free(r->start, r->end))
		return -EEXIST;
	if (nregions == UVM_MAX_REGIONS)
		return -ENOMEM;
	insert_at(first_ending_after(r->start), r);
	merge_all();
	return 0;
}

int uvm_add_region(uint64_t start, uint64_t end, uint32_t prot,
		   enum uvm_kind kind)
{
	struct uvm_region r = {start, end, prot, kind, 0, 0, NULL, 0, 0};

	return add_region(&r);
}

int uvm_protect(uint64_t start, uint64_t end, uint32_t prot)
{
	if (!valid_range(start, end) || !range_covered(start, end))
		return -ENOMEM;
	if (nregions + 2 > UVM_MAX_REGIONS)
		return -ENOMEM;
	split_at(start);
	split_at(end);
	for (int i = first_ending_after(start);
	     i < nregions && regions[i].start < end; i++) {
		if (regions[i].prot == prot)
			continue;
		regions[i].prot = prot;
		reflag_pages(&regions[i]);
	}
	merge_all();
	return 0;
}

/* The frame for va in a file mapping: the file's own (shared), or a
 * private copy of its bytes. */
static int file_page(const struct uvm_region *r, uint64_t va, paddr_t *pa)
{
	uint64_t off = r->off + (va - r->start);
	int err;

	if (r->flags & UVM_SHARED)
		return vfs_page_shared(r->vn, off, pa);
	if (!(*pa = pmm_alloc_page()))
		return -ENOMEM;
	if ((err = vfs_page_private(r->vn, off, phys_to_virt(*pa))) < 0)
		pmm_free_page(*pa);
	return err;
}

/* Map a frame at va inside region i: zeroed, or the file's page. */
static int populate_page(int i, uint64_t va, paddr_t *pa_out)
{
	struct uvm_region *r = &regions[i];
	bool owned = !(r->flags & UVM_SHARED);
	paddr_t pa = 0;
	int err;

	if (r->kind == UVM_KIND_FILE)
		err = file_page(r, va, &pa);
	else
		err = (pa = pmm_alloc_page()) ? 0 : -ENOMEM;
	if (err == -EFAULT) /* past the end of a shared file */
		return err;
	if (err < 0) {
		last_fault_oom = true;
		return -ENOMEM;
	}
	err = vmm_map_page(va, pa, uvm_pte_flags(r->prot));
	if (err < 0) {
		if (owned)
			pmm_free_page(pa);
		last_fault_oom = true;
		return err;
	}
	window_add(r, va, va + PAGE_SIZE);
	*pa_out = pa;
	return 0;
}

int uvm_fault(uint64_t addr, uint32_t access)
{
	int i = find_index(addr);
	uint64_t va = ALIGN_DOWN(addr, PAGE_SIZE);
	uint64_t pte;
	paddr_t pa;

	last_fault_oom = false;
	if (i < 0 || !prot_allows(regions[i].prot, access))
		return -EFAULT;
	pte = vmm_lookup(va);
	if (pte & PTE_PRESENT)
		return pte_allows(pte, access) ? 0 : -EFAULT;
	return populate_page(i, va, &pa);
}

bool uvm_last_fault_oom(void)
{
	return last_fault_oom;
}

static int kernel_ptr(int i, uint64_t va, void **kva)
{
	uint64_t page = ALIGN_DOWN(va, PAGE_SIZE);
	uint64_t pte = vmm_lookup(page);
	paddr_t pa;
	int err;

	if (pte & PTE_PRESENT) {
		pa = pte & PTE_ADDR_MASK;
	} else if ((err = populate_page(i, page, &pa)) < 0) {
		return err;
	}
	*kva = (char *)phys_to_virt(pa) + (va - page);
	return 0;
}

int uvm_kernel_ptr(uint64_t va, uint32_t access, void **kva)
{
	int i = find_index(va);

	if (i < 0 || !prot_allows(regions[i].prot, access))
		return -EFAULT;
	return kernel_ptr(i, va, kva);
}

int uvm_populate(uint64_t va, void **kva)
{
	int i = find_index(va);

	if (i < 0)
		return -EFAULT;
	return kernel_ptr(i, va, kva);
}

int uvm_check(uint64_t addr, size_t len, uint32_t access)
{
	uint64_t end, at = addr;
	int i;

	if (len == 0)
		return 0;
	if (__builtin_add_overflow(addr, len, &end) || end > USER_TOP)
		return -EFAULT;
	i = first_ending_after(addr);
	while (at < end) {
		if (i == nregions || regions[i].start > at ||
		    !prot_allows(regions[i].prot, access))
			return -EFAULT;
		at = regions[i++].end;
	}
	return 0;
}

bool uvm_covered(uint64_t start, uint64_t end)
{
	return range_covered(start, end);
}

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
		if (remove_range(new_end, old_end) < 0)
			return brk_cur;
		merge_all();
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
	    range_free(hint, hint + size))
		return hint;
	for (int i = nregions - 1; i >= 0; i--) {
		const struct uvm_region *r = &regions[i];

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
		if (!range_free(start, start + size)) {
			if (flags & MAP_FIXED_NOREPLACE)
				return -EEXIST;
			if ((err = remove_range(start, start + size)) < 0)
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
	err = add_region(&r);
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
	return remove_range(addr, end);
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
	for (int i = first_ending_after(addr);
	     i < nregions && regions[i].start < end; i++) {
		if ((prot & PROT_WRITE) && (regions[i].flags & UVM_SHARED) &&
		    !(regions[i].flags & UVM_MAYWRITE))
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
		for (int i = first_ending_after(addr);
		     i < nregions && regions[i].start < end; i++)
			free_pages(&regions[i], addr, end);
	}
	return range_covered(addr, end) ? 0 : -ENOMEM;
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
	return 0;
}

/* Move the region [old, old + len) (one region) to dst, free. */
static int move_region(uint64_t old, uint64_t len, uint64_t dst)
{
	struct uvm_region r = regions[find_index(old)];
	uint64_t lo = MAX(r.map_lo, old), hi = MIN(r.map_hi, old + len);
	int err;

	if ((err = uvm_add_region(dst, dst + len, r.prot, UVM_KIND_ANON)) < 0)
		return err;
	err = move_pages(old, dst, lo, hi, uvm_pte_flags(r.prot));
	if (err < 0) {
		remove_range(dst, dst + len);
		return err;
	}
	if (lo < hi) /* an untouched region has an empty window */
		window_add(&regions[find_index(dst)], dst + (lo - old),
			   dst + (hi - old));
	remove_range(old, old + len); /* its frames have moved */
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
		if ((err = remove_range(new_addr, new_addr + new_len)) < 0)
			return err;
		if (new_len < old_len) {
			remove_range(old + new_len, old_end);
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
		remove_range(old + new_len, old_end);
		return (int64_t)old;
	}
	/* Grow in place when the pages above are free. */
	new_end = old + new_len;
	if (new_end <= USER_TOP && range_free(old_end, new_end))
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
