/* Multiboot info -> kiln boot info: memory map, command line, modules. */
#include "loader.h"
#include "multiboot.h"

/* Longest kernel file name skipped at the start of the command line. */
#define FILE_NAME_MAX 4096

static void add_mmap(struct kiln_boot_info *bi, uint64_t base, uint64_t len,
		     uint32_t type)
{
	if (len == 0)
		return;
	if (len > UINT64_MAX - base)
		len = UINT64_MAX - base;
	if (type < KILN_MEM_USABLE || type > KILN_MEM_BAD)
		type = KILN_MEM_RESERVED;
	/* Past the table's end, entries are dropped: the kernel treats what
	 * the map does not list as unusable, which is always safe. */
	if (bi->nr_mmap == KILN_BOOT_MAX_MMAP)
		return;
	bi->mmap[bi->nr_mmap++] = (struct kiln_boot_mmap_entry){
	    .base = base,
	    .len = len,
	    .type = type,
	};
}

/* Multiboot spec 3.3: the full map when flags bit 6 is set, otherwise
 * the two sizes of flags bit 0 (low memory, and memory from 1 MiB). */
static void read_mmap(struct kiln_boot_info *bi, const struct mb_info *mbi)
{
	if (mbi->flags & MB_INFO_MEM_MAP) {
		uint64_t off = 0;

		mem_reserve(mbi->mmap_addr,
			    (uint64_t)mbi->mmap_addr + mbi->mmap_length);
		while (off + sizeof(uint32_t) <= mbi->mmap_length) {
			const struct mb_mmap_entry *e =
			    phys_ptr(mbi->mmap_addr + off);
			uint64_t next = off + sizeof(uint32_t) + e->size;

			if (e->size < sizeof(*e) - sizeof(uint32_t) ||
			    next > mbi->mmap_length)
				loader_fail("boot", "malformed memory map");
			add_mmap(bi, e->base_addr, e->length, e->type);
			off = next;
		}
	} else if (mbi->flags & MB_INFO_MEMORY) {
		add_mmap(bi, 0, (uint64_t)mbi->mem_lower * 1024,
			 KILN_MEM_USABLE);
		add_mmap(bi, MIB, (uint64_t)mbi->mem_upper * 1024,
			 KILN_MEM_USABLE);
	}
	if (bi->nr_mmap == 0)
		loader_fail("boot", "no memory map from the boot loader");
}

/* Strings the boot loader passed (module and boot loader names) are not
 * copied, but stay intact like the rest of its data: reserve, bounded. */
static void reserve_string(uint32_t addr)
{
	const char *s = phys_ptr(addr);
	uint64_t n = 0;

	if (addr == 0)
		return;
	while (n < FILE_NAME_MAX && s[n])
		n++;
	mem_reserve(addr, (uint64_t)addr + n + 1);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * QEMU (like GRUB Legacy) starts the command line with the kernel's own
 * file name; GRUB 2 passes only the arguments. Measured: for "a b c",
 * QEMU 7.2 gives "build/loader.elf a b c", GRUB 2.06 gives "a b c".
 */
static int cmdline_has_file_name(const struct mb_info *mbi)
{
	static const char grub2[] = "GRUB 2";
	const char *name = phys_ptr(mbi->boot_loader_name);

	if (!(mbi->flags & MB_INFO_BOOT_LOADER_NAME) || !mbi->boot_loader_name)
		return 1;
	reserve_string(mbi->boot_loader_name);
	for (size_t i = 0; i < sizeof(grub2) - 1; i++)
		if (name[i] != grub2[i])
			return 1;
	return 0;
}

/* The kernel gets the command line without the boot loader's file name. */
static void read_cmdline(struct kiln_boot_info *bi, const struct mb_info *mbi)
{
	bi->cmdline[0] = '\0';
	if (!(mbi->flags & MB_INFO_CMDLINE) || mbi->cmdline == 0)
		return;

	const char *s = phys_ptr(mbi->cmdline);
	size_t i = 0, n;

	while (is_blank(s[i]))
		i++;
	if (cmdline_has_file_name(mbi)) {
		while (s[i] && !is_blank(s[i]))
			if (++i > FILE_NAME_MAX)
				loader_fail("command line",
					    "file name too long");
		while (is_blank(s[i]))
			i++;
	}
	for (n = 0; s[i + n]; n++)
		if (n == KILN_BOOT_CMDLINE_MAX - 1)
			loader_fail("command line", "longer than %u bytes",
				    KILN_BOOT_CMDLINE_MAX - 1);
	memcpy(bi->cmdline, s + i, n);
	bi->cmdline[n] = '\0';
	mem_reserve(mbi->cmdline, (uint64_t)mbi->cmdline + i + n + 1);
}

static void read_modules(struct kiln_boot_info *bi, const struct mb_info *mbi)
{
	if (!(mbi->flags & MB_INFO_MODS) || mbi->mods_count == 0)
		return;
	if (mbi->mods_count > KILN_BOOT_MAX_MODULES)
		loader_fail("boot", "%u modules, at most %u are supported",
			    mbi->mods_count, KILN_BOOT_MAX_MODULES);

	const struct mb_module *m = phys_ptr(mbi->mods_addr);

	mem_reserve(mbi->mods_addr,
		    (uint64_t)mbi->mods_addr + mbi->mods_count * sizeof(*m));
	for (uint32_t i = 0; i < mbi->mods_count; i++) {
		if (m[i].mod_end < m[i].mod_start)
			loader_fail("boot", "module %u ends before it starts",
				    i);
		bi->modules[i].start = m[i].mod_start;
		bi->modules[i].end = m[i].mod_end;
		mem_reserve(m[i].mod_start, m[i].mod_end);
		reserve_string(m[i].string);
		log_line("Found module: [0x%x - 0x%x] (%u bytes)",
			 m[i].mod_start, m[i].mod_end,
			 m[i].mod_end - m[i].mod_start);
	}
	bi->nr_modules = mbi->mods_count;
}

void bootinfo_from_multiboot(struct kiln_boot_info *bi, uint32_t mbi_phys)
{
	const struct mb_info *mbi = phys_ptr(mbi_phys);

	mem_reserve(mbi_phys, (uint64_t)mbi_phys + sizeof(*mbi));
	read_mmap(bi, mbi);
	read_cmdline(bi, mbi);
	read_modules(bi, mbi);
}
