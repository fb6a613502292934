/* Multiboot v1 structures and flags, from the Multiboot Specification 0.6.96.
 */
#ifndef KILN_LOADER_MULTIBOOT_H
#define KILN_LOADER_MULTIBOOT_H

/* Section 3.1.2: the OS image header, in the first 8192 bytes. */
#define MB_HEADER_MAGIC	      0x1badb002
#define MB_HEADER_PAGE_ALIGN  0x00000001 /* modules on 4 KiB boundaries */
#define MB_HEADER_MEMORY_INFO 0x00000002 /* mem_* and mmap_* wanted */

/* Section 3.2: EAX at entry when a Multiboot loader started us. */
#define MB_BOOTLOADER_MAGIC 0x2badb002

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Section 3.3: which fields of struct mb_info are valid. */
#define MB_INFO_MEMORY		 0x00000001 /* mem_lower, mem_upper */
#define MB_INFO_CMDLINE		 0x00000004
#define MB_INFO_MODS		 0x00000008
#define MB_INFO_MEM_MAP		 0x00000040 /* mmap_length, mmap_addr */
#define MB_INFO_BOOT_LOADER_NAME 0x00000200

/* Section 3.3: the boot information block, EBX at entry. */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB from 0 */
	uint32_t mem_upper; /* KiB from 1 MiB, up to the first hole */
	uint32_t boot_device;
	uint32_t cmdline; /* physical address of a NUL-terminated string */
	uint32_t mods_count;
	uint32_t mods_addr; /* physical address of struct mb_module[] */
	uint32_t syms[4];
	uint32_t mmap_length; /* bytes of the buffer at mmap_addr */
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
};

/* Section 3.3: one boot module; mod_end is one past the last byte. */
struct mb_module {
	uint32_t mod_start;
	uint32_t mod_end;
	uint32_t string; /* physical address of its NUL-terminated string */
	uint32_t reserved;
};

/*
 * Section 3.3: one memory-map entry. size counts the bytes that follow
 * it, so the next entry starts size + 4 bytes further on; a boot loader
 * may make entries larger than this structure.
 */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t base_addr;
	uint64_t length;
	uint32_t type; /* 1 = available RAM, others as in E820 */
} __attribute__((packed));

#endif /* __ASSEMBLER__ */
#endif
