/* elf_find_section(): found where it is, refused when the table lies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf64.h"
#include "unit.h"

/* This test binary is itself an ELF64 file with a section table. */
static unsigned char *self(size_t *size)
{
	FILE *f = fopen("/proc/self/exe", "rb");
	unsigned char *b = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0) {
		b = malloc(n);
		rewind(f);
		if (b && fread(b, 1, n, f) != (size_t)n) {
			free(b);
			b = NULL;
		}
		*size = n;
	}
	fclose(f);
	return b;
}

static struct elf64_shdr *shdrs(unsigned char *b)
{
	struct elf64_ehdr *eh = (void *)b;
	return (void *)(b + eh->e_shoff);
}

TEST(elf_find_section_finds_text_and_strtab)
{
	size_t size;
	unsigned char *b = self(&size);
	uint64_t off = 0, len = 0;

	CHECK(b);
	int r = elf_find_section(b, size, ".text", &off, &len);
	int r2 = elf_find_section(b, size, ".shstrtab", &off, &len);
	free(b);
	CHECK(r == 0);
	CHECK(r2 == 0 && len > 0 && off + len <= size);
}

TEST(elf_find_section_misses_unknown_and_prefix_names)
{
	size_t size;
	unsigned char *b = self(&size);
	uint64_t off, len;

	CHECK(b);
	int r1 = elf_find_section(b, size, ".kiln.none", &off, &len);
	int r2 = elf_find_section(b, size, ".tex", &off, &len);
	int r3 = elf_find_section(b, size, ".bss", &off, &len); /* NOBITS */
	free(b);
	CHECK(r1 == -1 && r2 == -1 && r3 == -1);
}

TEST(elf_find_section_refuses_truncated_table)
{
	size_t size;
	unsigned char *b = self(&size);
	uint64_t off, len;

	CHECK(b);
	struct elf64_ehdr *eh = (void *)b;
	/* Every cut inside the section header table. */
	size_t table = eh->e_shoff;
	int bad = 0;
	for (size_t n = table; n < table + eh->e_shnum * sizeof(struct elf64_shdr);
	     n += 7)
		if (elf_find_section(b, n, ".text", &off, &len) != -1)
			bad = 1;
	free(b);
	CHECK(!bad);
}

TEST(elf_find_section_refuses_lying_offsets)
{
	size_t size;
	unsigned char *b = self(&size);
	uint64_t off, len;

	CHECK(b);
	struct elf64_ehdr *eh = (void *)b;
	struct elf64_shdr *sh = shdrs(b);
	uint16_t names = eh->e_shstrndx;

	/* shstrndx out of range */
	eh->e_shstrndx = eh->e_shnum;
	int r1 = elf_find_section(b, size, ".text", &off, &len);
	eh->e_shstrndx = names;
	/* name string table running past the end of the file */
	uint64_t saved = sh[names].sh_size;
	sh[names].sh_size = UINT64_MAX - sh[names].sh_offset + 2;
	int r2 = elf_find_section(b, size, ".text", &off, &len);
	sh[names].sh_size = saved;
	/* a section whose bytes lie past the end of the file */
	int r3 = -2;
	for (uint16_t i = 0; i < eh->e_shnum; i++) {
		if (elf_find_section(b, size, ".text", &off, &len) == 0 &&
		    sh[i].sh_offset == off) {
			sh[i].sh_size = size;
			r3 = elf_find_section(b, size, ".text", &off, &len);
			break;
		}
	}
	free(b);
	CHECK(r1 == -1);
	CHECK(r2 == -1);
	CHECK(r3 == -1);
}

TEST(elf_find_section_refuses_non_elf)
{
	char text[128] = "just some text, not an ELF file at all";
	uint64_t off, len;

	CHECK(elf_find_section(text, sizeof text, ".text", &off, &len) == -1);
	CHECK(elf_find_section(text, 3, ".text", &off, &len) == -1);
}

/* The test binary defines main and elf_defines_symbol, and only calls
 * (does not define) fopen: libc is a shared library here. */
TEST(elf_defines_symbol_finds_defined_names_only)
{
	size_t size;
	unsigned char *b = self(&size);

	CHECK(b);
	int main_ = elf_defines_symbol(b, size, "main");
	int fn = elf_defines_symbol(b, size, "elf_defines_symbol");
	int undef = elf_defines_symbol(b, size, "fopen");
	int none = elf_defines_symbol(b, size, "no_such_symbol_here");
	int prefix = elf_defines_symbol(b, size, "mai");
	free(b);
	CHECK(main_ == 1 && fn == 1);
	CHECK(undef == 0 && none == 0 && prefix == 0);
}

TEST(elf_defines_symbol_without_symtab)
{
	size_t size;
	unsigned char *b = self(&size);
	struct elf64_ehdr *eh = (void *)b;
	uint64_t off, len;

	CHECK(b);
	/* Rename .symtab in the section-name table: a stripped file. */
	CHECK(elf_find_section(b, size, ".shstrtab", &off, &len) == 0);
	for (uint16_t i = 0; i < eh->e_shnum; i++) {
		char *n = (char *)b + off + shdrs(b)[i].sh_name;
		if (strcmp(n, ".symtab") == 0)
			n[1] = 'X';
	}
	int r = elf_defines_symbol(b, size, "main");
	free(b);
	CHECK(r == -1);
}
