/* Memory-management internals shared by pmm.c, vmm.c and their tests. */
#ifndef KERNEL_MM_MM_PRIV_H
#define KERNEL_MM_MM_PRIV_H

#include <kernel/types.h>

/*
 * Where the kernel reaches physical memory: 0 (the booter's identity map)
 * until vmm_init() has switched to the kernel's page tables, then
 * DIRECT_MAP_BASE. Host unit tests point it at a buffer standing in for
 * RAM. Only pmm.c and vmm.c use it; everything after vmm_init() uses
 * phys_to_virt().
 */
extern uintptr_t mm_phys_window;

static inline void *mm_phys_ptr(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + mm_phys_window);
}

#endif
