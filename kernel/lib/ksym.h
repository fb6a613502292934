/* Kernel symbols for backtraces, read from the image's own .symtab. */
#ifndef KERNEL_LIB_KSYM_H
#define KERNEL_LIB_KSYM_H

#include <kernel/types.h>

struct kiln_boot_info;

/* Find .symtab/.strtab in modules[0] (the image file) through the direct
 * map; every offset is checked against the module's length. Without them
 * (stripped image, no module) lookups fail quietly. Call after vmm_init(). */
void ksym_init(const struct kiln_boot_info *bi);

/* Name of the function containing addr and the offset into it, or NULL. */
const char *ksym_lookup(uint64_t addr, uint64_t *off);

#endif
