/* The region table shared by uvm.c (lookup, faults, checks) and
 * uvm_map.c (the calls that reshape the address space). */
#ifndef KERNEL_SYS_UVM_PRIV_H
#define KERNEL_SYS_UVM_PRIV_H

#include "uvm.h"

/*
 * One process, so one table, sorted by address, regions never
 * overlapping. Adjacent regions of the same kind and protection are
 * merged, which keeps musl's malloc (brk plus many small mmaps) small;
 * each thread stack costs two (musl's PROT_NONE guard and the stack). The
 * table starts static and doubles from the heap as needed; past
 * UVM_MAX_REGIONS (Linux's default vm.max_map_count) mmap fails with
 * -ENOMEM as Linux does.
 */
#define UVM_FIRST_REGIONS 256
#define UVM_MAX_REGIONS	  65530
extern struct uvm_region *uvm_regions;
extern int uvm_nregions;

/* Room for n regions in the table: 0, or -ENOMEM. */
int uvm_reserve(int n);

/* Index of the first region ending above addr (uvm_nregions if none). */
int uvm_first_ending_after(uint64_t addr);
/* Index of the region holding addr, or -1. */
int uvm_find_index(uint64_t addr);
/* No region overlaps [start, end) / regions cover all of it. */
bool uvm_range_free(uint64_t start, uint64_t end);
bool uvm_range_covered(uint64_t start, uint64_t end);
/* Widen r's window of pages that may be mapped (map_lo..map_hi, what
 * unmapping walks) to cover [lo, hi). */
void uvm_window_add(struct uvm_region *r, uint64_t lo, uint64_t hi);
/* Merge neighbours of the same kind, protection and backing. */
void uvm_merge_all(void);
/* Unmap and free r's pages in [start, end). */
void uvm_free_pages(const struct uvm_region *r, uint64_t start, uint64_t end);
/* Drop every region and frame in [start, end), page aligned, splitting
 * regions at its ends; 0 or -ENOMEM when the table is full. */
int uvm_remove_range(uint64_t start, uint64_t end);
/* Insert r into a free, page-aligned range and merge; 0, -EINVAL (bad
 * range), -EEXIST (overlap) or -ENOMEM (table full). */
int uvm_insert_region(const struct uvm_region *r);

#endif
