/* Symbolising kernel addresses from the image's .symtab and .strtab. */
#include <kernel/mm.h>
#include <kernel/string.h>
#include <kiln/abi/boot.h>

#include "elf64.h"
#include "lib/ksym.h"

#define ELF_STT_FUNC 2

static const struct kiln_boot_info *boot_info;
static bool parsed;
static const struct elf64_sym *syms;
static size_t nsyms;
static const char *strtab;
static size_t strtab_size;

/* base[off..off+len) inside a buffer of size bytes, overflow-checked. */
static bool in_range(uint64_t off, uint64_t len, uint64_t size)
{
	uint64_t end;

	return !__builtin_add_overflow(off, len, &end) && end <= size;
}

static const struct elf64_shdr *find_symtab(const char *img, uint64_t size,
					    const struct elf64_shdr **strsh)
{
	const struct elf64_ehdr *eh = (const void *)img;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) != 0 ||
	    eh->e_ident[ELF_EI_CLASS] != ELF_CLASS64 ||
	    eh->e_shentsize != sizeof(struct elf64_shdr) ||
	    !in_range(eh->e_shoff,
		      (uint64_t)eh->e_shnum * sizeof(struct elf64_shdr), size))
		return NULL;

	const struct elf64_shdr *sh = (const void *)(img + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != ELF_SHT_SYMTAB ||
		    sh[i].sh_entsize != sizeof(struct elf64_sym) ||
		    sh[i].sh_link >= eh->e_shnum ||
		    !in_range(sh[i].sh_offset, sh[i].sh_size, size))
			continue;
		const struct elf64_shdr *st = &sh[sh[i].sh_link];
		if (st->sh_type != ELF_SHT_STRTAB || st->sh_size == 0 ||
		    !in_range(st->sh_offset, st->sh_size, size))
			continue;
		*strsh = st;
		return &sh[i];
	}
	return NULL;
}

void ksym_init(const struct kiln_boot_info *bi)
{
	boot_info = bi;
}

/* Parsed on the first lookup, in a panic: nothing to pay at boot. */
static void ksym_parse(const struct kiln_boot_info *bi)
{
	parsed = true;
	if (!bi || bi->nr_modules == 0 ||
	    bi->modules[0].end <= bi->modules[0].start)
		return;

	const char *img = phys_to_virt(bi->modules[0].start);
	uint64_t size = bi->modules[0].end - bi->modules[0].start;
	const struct elf64_shdr *symsh, *strsh;

	if (!(symsh = find_symtab(img, size, &strsh)))
		return;
	syms = (const void *)(img + symsh->sh_offset);
	nsyms = symsh->sh_size / sizeof(struct elf64_sym);
	strtab = img + strsh->sh_offset;
	strtab_size = strsh->sh_size;
}

const char *ksym_lookup(uint64_t addr, uint64_t *off)
{
	const struct elf64_sym *best = NULL;

	if (!parsed)
		ksym_parse(boot_info);

	for (size_t i = 0; i < nsyms; i++) {
		const struct elf64_sym *s = &syms[i];

		if ((s->st_info & 0xf) != ELF_STT_FUNC || s->st_value > addr)
			continue;
		if (s->st_size && addr - s->st_value >= s->st_size)
			continue;
		if (!best || s->st_value > best->st_value)
			best = s;
	}
	if (!best || best->st_name >= strtab_size ||
	    strnlen(strtab + best->st_name, strtab_size - best->st_name) ==
		strtab_size - best->st_name)
		return NULL;
	*off = addr - best->st_value;
	return strtab + best->st_name;
}
