/* The loader's boot order: Multiboot in, kiln boot-info block out. */
#include "loader.h"

/* Copied out of the Multiboot memory, so the kernel may reuse that. Lies
 * inside the loader image, which booter_phys_* reports. */
static struct kiln_boot_info boot_info __attribute__((aligned(16)));

/* Called from entry.S in long mode, on the loader stack, with 0-4 GiB
 * identity mapped. */
__attribute__((noreturn)) void loader_main(uint32_t mbi_phys);

void loader_main(uint32_t mbi_phys)
{
	struct kiln_boot_info *bi = &boot_info;
	uint64_t entry;

	serial_init(); /* first: every later step may report */
	log_line("Loader: [0x%lx - 0x%lx]", (uint64_t)loader_start,
		 (uint64_t)loader_end);
	log_line("Found Multiboot information at 0x%x", mbi_phys);

	bi->magic = KILN_BOOT_MAGIC;
	bi->version = KILN_BOOT_VERSION;
	bi->size = sizeof(*bi);
	bi->tsc_at_start = loader_tsc_at_start;
	bi->booter_phys_start = (uint64_t)loader_start;
	bi->booter_phys_end = (uint64_t)loader_end;

	/* Before anything is placed: what must not be overwritten. */
	mem_reserve(0, PAGE_SIZE); /* frame 0: real-mode IVT and BIOS data */
	mem_reserve(bi->booter_phys_start, bi->booter_phys_end);

	bootinfo_from_multiboot(bi, mbi_phys); /* map, command line, modules */
	if (bi->cmdline[0])
		log_line("Command line: %s", bi->cmdline);
	bi->rsdp = acpi_find_rsdp();

	entry = image_load(bi); /* checks module 0, needs the map */

	log_line("Jumping to kernel");
	loader_enter_kernel(entry, (uint64_t)bi, (uint64_t)loader_stack_top);
}
