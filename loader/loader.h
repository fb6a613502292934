/* Interfaces between the loader's files (loader/ only). */
#ifndef KILN_LOADER_H
#define KILN_LOADER_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <kiln/abi/boot.h>
#include <kernel/errno.h>

#define PAGE_SIZE 4096UL
#define MIB	  (1024UL * 1024)
#define GIB	  (1024UL * MIB)

static inline uint64_t page_down(uint64_t a)
{
	return a & ~(PAGE_SIZE - 1);
}

/* Callers pass addresses below 4 GiB or sizes checked by elf_check(). */
static inline uint64_t page_up(uint64_t a)
{
	return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/*
 * A pointer to physical address pa, which the loader's identity map
 * (entry.S: 0-4 GiB) covers. The empty asm hides the constant from the
 * compiler, which otherwise warns about low fixed addresses like 0x40e.
 */
static inline void *phys_ptr(uint64_t pa)
{
	void *p = (void *)pa;

	__asm__("" : "+r"(p));
	return p;
}

/* entry.S and loader.ld */
extern char loader_start[], loader_end[];
extern char loader_stack_top[];
extern uint64_t loader_tsc_at_start;
extern uint64_t loader_pml4[512];
__attribute__((noreturn)) void
loader_enter_kernel(uint64_t entry, uint64_t boot_info, uint64_t stack_top);

/* serial.c: COM1 console. log_line() prints "[LOADER] <fmt>\n". Formats:
 * %s %c %u %lu %x %lx %%. */
void serial_init(void);
void serial_vprintf(const char *fmt, va_list ap);
__attribute__((format(printf, 1, 2))) void serial_printf(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_line(const char *fmt, ...);

/* exit.c: prints "[LOADER] error: <what>: <why>", reports status 126 on
 * COM2 and isa-debug-exit, then stops the machine. Never returns. */
__attribute__((noreturn, format(printf, 2, 3))) void
loader_fail(const char *what, const char *fmt, ...);

/* bootinfo.c: copy the Multiboot information into *bi (memory map,
 * command line, modules) and reserve the memory it occupies. Fails the
 * boot on malformed or missing information. */
void bootinfo_from_multiboot(struct kiln_boot_info *bi, uint32_t mbi_phys);

/* acpi.c: physical address of a checksummed ACPI RSDP, 0 if none. */
uint64_t acpi_find_rsdp(void);

/* memory.c: ranges the kernel must not be copied over, and the search
 * for a free range in the usable memory the map lists below 4 GiB:
 * 0 and *phys set, or -ENOMEM. */
void mem_reserve(uint64_t start, uint64_t end);
int mem_find_free(const struct kiln_boot_info *bi, uint64_t size,
		  uint64_t *phys);

/* image.c: check module 0, copy the kernel's segments into free memory,
 * map them; fills the kernel_* fields of *bi, returns the entry point. */
uint64_t image_load(struct kiln_boot_info *bi);

/*
 * paging.c: map [virt, virt + size) to [phys, ...) with 4 KiB pages in
 * the loader's page tables. 0, or -ENOMEM when the table pool ran out.
 * The pool holds a PDPT and a page directory for the top of the address
 * space and one page table per 2 MiB: LOADER_PT_POOL 10 maps a kernel
 * (its loaded span, .bss included) of up to 16 MiB.
 */
#ifndef LOADER_PT_POOL
#define LOADER_PT_POOL 10
#endif
#define LOADER_MAP_MAX_KIB ((LOADER_PT_POOL - 2) * 2048)
int paging_map(uint64_t virt, uint64_t phys, uint64_t size);

/* string.c */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

#endif
