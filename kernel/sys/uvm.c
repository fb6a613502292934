/* The application's address space: the region table, demand paging, and
 * the checks uaccess makes (uvm_map.c reshapes the table). */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/string.h>

#include "fs/vfs.h"
#include "uvm.h"
#include "uvm_priv.h"

/* The one table (uvm_priv.h says how it is kept). */
static struct uvm_region first_table[UVM_FIRST_REGIONS];
struct uvm_region *uvm_regions = first_table;
int uvm_nregions;
static int capacity = UVM_FIRST_REGIONS;
static bool last_fault_oom;

int uvm_reserve(int n)
{
	struct uvm_region *t;
	int cap = capacity;

	if (n <= capacity)
		return 0;
	if (n > UVM_MAX_REGIONS)
		return -ENOMEM;
	while (cap < n)
		cap *= 2;
	cap = MIN(cap, UVM_MAX_REGIONS);
	if (!(t = kmalloc((size_t)cap * sizeof *t)))
		return -ENOMEM;
	memcpy(t, uvm_regions, (size_t)uvm_nregions * sizeof *t);
	if (uvm_regions != first_table)
		kfree(uvm_regions);
	uvm_regions = t;
	capacity = cap;
	return 0;
}

void uvm_reset(void)
{
	uvm_nregions = 0;
	uvm_brk_init(0);
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

/* Index of the first region ending above addr (uvm_nregions if none). */
int uvm_first_ending_after(uint64_t addr)
{
	int lo = 0, hi = uvm_nregions;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (uvm_regions[mid].end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int uvm_find_index(uint64_t addr)
{
	int i = uvm_first_ending_after(addr);

	if (i < uvm_nregions && uvm_regions[i].start <= addr)
		return i;
	return -1;
}

const struct uvm_region *uvm_find(uint64_t addr)
{
	int i = uvm_find_index(addr);

	return i < 0 ? NULL : &uvm_regions[i];
}

bool uvm_range_free(uint64_t start, uint64_t end)
{
	int i = uvm_first_ending_after(start);

	return i == uvm_nregions || uvm_regions[i].start >= end;
}

/* Whether [start, end) is covered by regions without a hole. */
bool uvm_range_covered(uint64_t start, uint64_t end)
{
	int i = uvm_first_ending_after(start);
	uint64_t at = start;

	while (at < end) {
		if (i == uvm_nregions || uvm_regions[i].start > at)
			return false;
		at = uvm_regions[i++].end;
	}
	return true;
}

/* Each region of a file mapping holds a reference to the file, and a
 * shared one counts in vn->shared_maps (its frames must then stay). */
static void insert_at(int i, const struct uvm_region *r)
{
	memmove(&uvm_regions[i + 1], &uvm_regions[i],
		(size_t)(uvm_nregions - i) * sizeof(uvm_regions[0]));
	uvm_regions[i] = *r;
	uvm_nregions++;
	if (r->vn) {
		vnode_get(r->vn);
		if (r->flags & UVM_SHARED)
			r->vn->shared_maps++;
	}
}

static void remove_at(int i)
{
	struct vnode *vn = uvm_regions[i].vn;

	if (vn) {
		if (uvm_regions[i].flags & UVM_SHARED)
			vn->shared_maps--;
		vnode_put(vn);
	}
	memmove(&uvm_regions[i], &uvm_regions[i + 1],
		(size_t)(uvm_nregions - i - 1) * sizeof(uvm_regions[0]));
	uvm_nregions--;
}

static bool window_empty(const struct uvm_region *r)
{
	return r->map_lo >= r->map_hi;
}

void uvm_window_add(struct uvm_region *r, uint64_t lo, uint64_t hi)
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
	int i = uvm_first_ending_after(addr);
	struct uvm_region hi;

	if (i == uvm_nregions || uvm_regions[i].start >= addr)
		return;
	hi = uvm_regions[i];
	hi.off += addr - hi.start;
	hi.start = addr;
	uvm_regions[i].end = addr;
	clip_window(&uvm_regions[i]);
	clip_window(&hi);
	insert_at(i + 1, &hi);
}

void uvm_merge_all(void)
{
	int i = 0;

	while (i + 1 < uvm_nregions) {
		struct uvm_region *a = &uvm_regions[i],
				  *b = &uvm_regions[i + 1];

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
void uvm_free_pages(const struct uvm_region *r, uint64_t start, uint64_t end)
{
	uint64_t lo = MAX(start, r->map_lo), hi = MIN(end, r->map_hi);
	bool owned = !(r->flags & UVM_SHARED);
	bool any = false;
	paddr_t pa;

	for (uint64_t va = lo; va < hi; va += PAGE_SIZE) {
		if (!(vmm_lookup(va) & PTE_PRESENT))
			continue;
		any = true;
		if (vmm_unmap_page(va, &pa) == 0 && owned)
			pmm_free_page(pa);
	}
	if (any) /* SMP: other CPUs' TLBs (mm.h) */
		tlb_shootdown(lo, hi);
}

static void reflag_pages(const struct uvm_region *r)
{
	uint64_t flags = uvm_pte_flags(r->prot);
	bool any = false;

	for (uint64_t va = r->map_lo; va < r->map_hi; va += PAGE_SIZE) {
		if (vmm_lookup(va) & PTE_PRESENT) {
			vmm_protect_page(va, flags);
			any = true;
		}
	}
	if (any) /* SMP: other CPUs' TLBs (mm.h) */
		tlb_shootdown(r->map_lo, r->map_hi);
}

static bool valid_range(uint64_t start, uint64_t end)
{
	return start < end && end <= USER_TOP && !(start & (PAGE_SIZE - 1)) &&
	       !(end & (PAGE_SIZE - 1));
}

/* Drop every region and frame in [start, end) (page aligned). */
int uvm_remove_range(uint64_t start, uint64_t end)
{
	int i;

	if (uvm_range_free(start, end))
		return 0;
	if (uvm_reserve(uvm_nregions + 2) < 0)
		return -ENOMEM;
	split_at(start);
	split_at(end);
	i = uvm_first_ending_after(start);
	while (i < uvm_nregions && uvm_regions[i].start < end) {
		uvm_free_pages(&uvm_regions[i], uvm_regions[i].start,
			       uvm_regions[i].end);
		remove_at(i);
	}
	return 0;
}

int uvm_insert_region(const struct uvm_region *r)
{
	if (!valid_range(r->start, r->end))
		return -EINVAL;
	if (!uvm_range_free(r->start, r->end))
		return -EEXIST;
	if (uvm_reserve(uvm_nregions + 1) < 0)
		return -ENOMEM;
	insert_at(uvm_first_ending_after(r->start), r);
	uvm_merge_all();
	return 0;
}

int uvm_add_region(uint64_t start, uint64_t end, uint32_t prot,
		   enum uvm_kind kind)
{
	struct uvm_region r = {start, end, prot, kind, 0, 0, NULL, 0, 0};

	return uvm_insert_region(&r);
}

int uvm_protect(uint64_t start, uint64_t end, uint32_t prot)
{
	if (!valid_range(start, end) || !uvm_range_covered(start, end))
		return -ENOMEM;
	if (uvm_reserve(uvm_nregions + 2) < 0)
		return -ENOMEM;
	split_at(start);
	split_at(end);
	for (int i = uvm_first_ending_after(start);
	     i < uvm_nregions && uvm_regions[i].start < end; i++) {
		if (uvm_regions[i].prot == prot)
			continue;
		uvm_regions[i].prot = prot;
		reflag_pages(&uvm_regions[i]);
	}
	uvm_merge_all();
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
	struct uvm_region *r = &uvm_regions[i];
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
	uvm_window_add(r, va, va + PAGE_SIZE);
	*pa_out = pa;
	return 0;
}

int uvm_fault(uint64_t addr, uint32_t access)
{
	int i = uvm_find_index(addr);
	uint64_t va = ALIGN_DOWN(addr, PAGE_SIZE);
	uint64_t pte;
	paddr_t pa;

	last_fault_oom = false;
	if (i < 0 || !prot_allows(uvm_regions[i].prot, access))
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
	int i = uvm_find_index(va);

	if (i < 0 || !prot_allows(uvm_regions[i].prot, access))
		return -EFAULT;
	return kernel_ptr(i, va, kva);
}

int uvm_populate(uint64_t va, void **kva)
{
	int i = uvm_find_index(va);

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
	i = uvm_first_ending_after(addr);
	while (at < end) {
		if (i == uvm_nregions || uvm_regions[i].start > at ||
		    !prot_allows(uvm_regions[i].prot, access))
			return -EFAULT;
		at = uvm_regions[i++].end;
	}
	return 0;
}

bool uvm_covered(uint64_t start, uint64_t end)
{
	return uvm_range_covered(start, end);
}
