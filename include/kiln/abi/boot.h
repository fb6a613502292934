/* The boot-info block: what the loader (and later hvt) hands the kernel. */
#ifndef KILN_ABI_BOOT_H
#define KILN_ABI_BOOT_H

#include <stdint.h>

/*
 * Entry contract (loader -> kernel, and later hvt -> kernel):
 *   - 64-bit long mode, CPL 0, interrupts disabled, paging on;
 *   - all RAM the memory map lists below 4 GiB is identity mapped
 *     (virtual == physical), writable;
 *   - every PT_LOAD segment of the kernel ELF is mapped at its p_vaddr,
 *     backed by physical memory inside [kernel_phys_start, kernel_phys_end),
 *     segments laid out in the same order and relative offsets as their
 *     p_vaddr (phys = kernel_phys_start + (vaddr - kernel_virt_start));
 *     .bss is zeroed;
 *   - %rdi holds the physical (= identity-mapped) address of a
 *     struct kiln_boot_info; %rsp is a valid 16-byte aligned stack inside
 *     the identity map;
 *   - the GDT, IDT and page tables in use belong to the booter: the kernel
 *     copies the block and installs its own before reusing loader memory.
 */

#define KILN_BOOT_MAGIC 0x544f4f424e4c494bULL /* "KILNBOOT" */
#define KILN_BOOT_VERSION 1

#define KILN_BOOT_MAX_MMAP 32
#define KILN_BOOT_MAX_MODULES 4
#define KILN_BOOT_CMDLINE_MAX 4096

/* Memory-map entry types, as in the Multiboot/E820 map. */
#define KILN_MEM_USABLE 1
#define KILN_MEM_RESERVED 2
#define KILN_MEM_ACPI_RECLAIM 3
#define KILN_MEM_ACPI_NVS 4
#define KILN_MEM_BAD 5

struct kiln_boot_mmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type; /* KILN_MEM_* */
	uint32_t pad;
};

struct kiln_boot_module {
	uint64_t start; /* physical, first byte */
	uint64_t end;	/* physical, one past the last byte */
};

struct kiln_boot_info {
	uint64_t magic;	   /* KILN_BOOT_MAGIC */
	uint32_t version;  /* KILN_BOOT_VERSION */
	uint32_t size;	   /* sizeof(struct kiln_boot_info) */

	/* Kernel command line, NUL-terminated, without the booter's own
	 * file name. Empty string when none was given. */
	char cmdline[KILN_BOOT_CMDLINE_MAX];

	uint32_t nr_mmap;
	uint32_t nr_modules;
	struct kiln_boot_mmap_entry mmap[KILN_BOOT_MAX_MMAP];
	/* modules[0] is the kiln image file itself, kept intact in memory. */
	struct kiln_boot_module modules[KILN_BOOT_MAX_MODULES];

	uint64_t rsdp; /* physical address of the ACPI RSDP, 0 if not found */

	/* Where the kernel's PT_LOAD segments live. */
	uint64_t kernel_phys_start;
	uint64_t kernel_phys_end;
	uint64_t kernel_virt_start; /* lowest p_vaddr (page aligned down) */

	/* Memory the booter still uses at entry (its code, stack, page tables,
	 * this block). The kernel may reuse it once it runs on its own page
	 * tables and stack and has copied this block. Zero length under hvt. */
	uint64_t booter_phys_start;
	uint64_t booter_phys_end;

	uint64_t tsc_at_start; /* rdtsc at the booter's first instruction, 0 if unknown */
};

#endif
