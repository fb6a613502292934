/* elf_find_section(), elf_defines_symbol(): lookups by name, every offset
 * bounds-checked. */
#include "elf64.h"

static int in_buf(uint64_t off, uint64_t len, size_t size)
{
	uint64_t end;

	return !__builtin_add_overflow(off, len, &end) && end <= size;
}

/* Does the NUL-terminated name at strtab[off] (bounded by strsize) equal s? */
static int name_is(const char *strtab, uint64_t strsize, uint64_t off,
		   const char *s)
{
	for (uint64_t i = off;; i++, s++) {
		if (i >= strsize)
			return 0;
		if (strtab[i] != *s)
			return 0;
		if (*s == '\0')
			return 1;
	}
}

int elf_find_section(const void *buf, size_t size, const char *name,
		     uint64_t *off, uint64_t *len)
{
	const struct elf64_ehdr *eh = buf;
	const char *base = buf;

	if (size < sizeof(*eh) || eh->e_ident[0] != 0x7f ||
	    eh->e_ident[1] != 'E' || eh->e_ident[2] != 'L' ||
	    eh->e_ident[3] != 'F' || eh->e_ident[ELF_EI_CLASS] != ELF_CLASS64 ||
	    eh->e_shentsize != sizeof(struct elf64_shdr) || (eh->e_shoff & 7) ||
	    eh->e_shstrndx >= eh->e_shnum ||
	    !in_buf(eh->e_shoff,
		    (uint64_t)eh->e_shnum * sizeof(struct elf64_shdr), size))
		return -1;

	const struct elf64_shdr *sh = (const void *)(base + eh->e_shoff);
	const struct elf64_shdr *names = &sh[eh->e_shstrndx];
	if (names->sh_type != ELF_SHT_STRTAB ||
	    !in_buf(names->sh_offset, names->sh_size, size))
		return -1;
	const char *strtab = base + names->sh_offset;

	for (uint16_t i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type == ELF_SHT_NOBITS ||
		    !name_is(strtab, names->sh_size, sh[i].sh_name, name))
			continue;
		if (!in_buf(sh[i].sh_offset, sh[i].sh_size, size))
			return -1;
		*off = sh[i].sh_offset;
		*len = sh[i].sh_size;
		return 0;
	}
	return -1;
}

int elf_defines_symbol(const void *buf, size_t size, const char *name)
{
	const char *base = buf;
	uint64_t sym_off, sym_len, str_off, str_len;

	if (elf_find_section(buf, size, ".symtab", &sym_off, &sym_len) < 0 ||
	    elf_find_section(buf, size, ".strtab", &str_off, &str_len) < 0 ||
	    (sym_off % 8) != 0)
		return -1;
	for (uint64_t at = 0; at + sizeof(struct elf64_sym) <= sym_len;
	     at += sizeof(struct elf64_sym)) {
		const struct elf64_sym *sym = (const void *)(base + sym_off + at);

		if (sym->st_shndx != 0 &&
		    name_is(base + str_off, str_len, sym->st_name, name))
			return 1;
	}
	return 0;
}
