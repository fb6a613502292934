/* The application's address space: regions, demand paging, brk and mmap. */
#ifndef KERNEL_SYS_UVM_H
#define KERNEL_SYS_UVM_H

#include <kernel/mm.h>
#include <kernel/types.h>

/* Protection bits, as Linux's PROT_* (mmap(2)). */
#define PROT_NONE  0x0
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4

/* Kinds of access, for checks and faults (same bits as PROT_*). */
#define UVM_READ  PROT_READ
#define UVM_WRITE PROT_WRITE
#define UVM_EXEC  PROT_EXEC

/* mmap(2) flags (Linux x86-64 values). */
#define MAP_SHARED	    0x01
#define MAP_PRIVATE	    0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE	    0x0f
#define MAP_FIXED	    0x10
#define MAP_ANONYMOUS	    0x20
#define MAP_FIXED_NOREPLACE 0x100000

/* mremap(2) flags. */
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED   2

/* madvise(2) advice values used here. */
#define MADV_DONTNEED 4
#define MADV_FREE     8

/*
 * Layout (top down): the stack's 8 MiB reservation right below USER_TOP,
 * a guard gap, then anonymous mmaps chosen top-down from UVM_MMAP_TOP.
 * The program sits low (its own addresses, or UVM_PIE_BASE for
 * static-PIE) with brk above it growing up.
 */
#define UVM_MIN_ADDR	0x10000ULL /* like Linux's vm.mmap_min_addr */
#define UVM_STACK_TOP	USER_TOP
#define UVM_STACK_SIZE	(8ULL << 20)
#define UVM_STACK_GUARD (1ULL << 20)
#define UVM_MMAP_TOP	(UVM_STACK_TOP - UVM_STACK_SIZE - UVM_STACK_GUARD)
#define UVM_PIE_BASE	0x400000ULL

enum uvm_kind {
	UVM_KIND_ELF,	/* a PT_LOAD segment of the program */
	UVM_KIND_BRK,	/* the heap above the program */
	UVM_KIND_STACK, /* the main thread's stack */
	UVM_KIND_ANON,	/* anonymous mmap */
	UVM_KIND_FILE,	/* mmap of a file: pages from vn at off */
};

/* uvm_region.flags of a file mapping. */
#define UVM_SHARED   0x1 /* MAP_SHARED: the file's own frames */
#define UVM_MAYWRITE 0x2 /* the file is open for writing */

struct vnode;

struct uvm_region {
	uint64_t start, end; /* page aligned, [start, end) */
	uint32_t prot;	     /* PROT_* */
	uint32_t kind;	     /* enum uvm_kind */
	/* Pages are mapped only inside [map_lo, map_hi): lets unmap skip
	 * the untouched part of a large reservation. */
	uint64_t map_lo, map_hi;
	/* UVM_KIND_FILE: the file (a reference per region), the file offset
	 * of start, UVM_* flags */
	struct vnode *vn;
	uint64_t off;
	uint32_t flags;
};

/* Forget every region (the page tables must hold no user pages). */
void uvm_reset(void);

/* Add [start, end) (page aligned, free) with prot; 0, -EEXIST when part of
 * it is in use, -EINVAL for a bad range, -ENOMEM when the table is full. */
int uvm_add_region(uint64_t start, uint64_t end, uint32_t prot,
		   enum uvm_kind kind);

/* Give [start, end) (page aligned, fully covered) protection prot;
 * 0 or -ENOMEM (a hole in the range, or the table is full). */
int uvm_protect(uint64_t start, uint64_t end, uint32_t prot);

/* The region holding addr, or NULL. The pointer is valid until the next
 * change to the address space. */
const struct uvm_region *uvm_find(uint64_t addr);

/*
 * Demand paging: map a zeroed frame at the page holding addr if the region
 * there allows access (UVM_* bits). 0 when mapped (or already mapped with
 * that permission), -EFAULT when there is no region or no permission,
 * -ENOMEM when no frame is left.
 */
int uvm_fault(uint64_t addr, uint32_t access);

/* Why the last uvm_fault() failed with -ENOMEM was out of memory (for the
 * fault report). */
bool uvm_last_fault_oom(void);

/* Kernel view (through the direct map) of the user byte at va, faulting the
 * page in; access as for uvm_fault(). 0 or -EFAULT/-ENOMEM. */
int uvm_kernel_ptr(uint64_t va, uint32_t access, void **kva);

/* Like uvm_kernel_ptr() but ignoring the region's protection (exec uses it
 * to copy segments into read-only text). */
int uvm_populate(uint64_t va, void **kva);

/* Whether [addr, addr+len) lies inside regions allowing access; does not
 * fault anything in. 0 or -EFAULT. len 0 is always fine. */
int uvm_check(uint64_t addr, size_t len, uint32_t access);

/* Whether [start, end) is mapped without a hole. */
bool uvm_covered(uint64_t start, uint64_t end);

/* brk: set the start (page aligned, right above the program) once. */
void uvm_brk_init(uint64_t start);
/* The brk(2) semantics: returns the new break, or the old one on failure. */
uint64_t uvm_brk(uint64_t want);

/* Anonymous mmap(2); returns the address or a negative errno. flags are
 * MAP_* and must already be checked to be anonymous. */
int64_t uvm_mmap(uint64_t hint, uint64_t len, uint32_t prot, uint32_t flags);
/*
 * mmap of a file: as uvm_mmap(), with pages filled on first touch from vn
 * at off (page aligned): MAP_PRIVATE copies them (zeros past the end),
 * MAP_SHARED maps the file's own frames, so stores are visible to read()
 * and other mappings. maywrite: the file is open for writing (a shared
 * mapping may then be or become writable).
 */
int64_t uvm_mmap_file(uint64_t hint, uint64_t len, uint32_t prot,
		      uint32_t flags, struct vnode *vn, uint64_t off,
		      bool maywrite);
int uvm_munmap(uint64_t addr, uint64_t len);
int uvm_mprotect(uint64_t addr, uint64_t len, uint32_t prot);
int uvm_madvise(uint64_t addr, uint64_t len, int advice);
/* mremap(2) without MREMAP_DONTUNMAP: shrink, grow in place, or (MAYMOVE)
 * move the frames to a new range; returns the address or -errno. */
int64_t uvm_mremap(uint64_t old, uint64_t old_len, uint64_t new_len,
		   uint32_t flags, uint64_t new_addr);

/* PTE bits for a protection (never W+X unless prot asks for both). */
uint64_t uvm_pte_flags(uint32_t prot);

#endif
