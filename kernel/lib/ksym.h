/* Kernel symbols for backtraces, read from the image's own .symtab. */
#ifndef KERNEL_LIB_KSYM_H
#define KERNEL_LIB_KSYM_H

#include <kernel/types.h>

struct kiln_boot_info;

/* Look up symbols in modules[0] (the image file) from now on: the first
 * lookup finds .symtab/.strtab through the direct map, checking every
 * offset against the module's length. Without them (stripped image, no
 * module) lookups fail quietly. Call after vmm_init(); bi must stay. */
void ksym_init(const struct kiln_boot_info *bi);

/* Name of the function containing addr and the offset into it, or NULL. */
const char *ksym_lookup(uint64_t addr, uint64_t *off);

#endif
