/* Small, valid ELF files built in memory, for tests that feed ELF parsers. */
#ifndef KILN_TESTS_ELF_BUILD_H
#define KILN_TESTS_ELF_BUILD_H

#include <stdlib.h>
#include <string.h>

#include "elf64.h"
#include "kiln/abi/image.h"

/*
 * Application layout (ET_EXEC; static-PIE moves it down to vaddr 0):
 *   0x000  ELF header
 *   0x040  4 program headers: LOAD RX, LOAD RW, TLS, GNU_STACK
 *   0x120  code (entry at 0x100 into the RX segment)
 *   0x1000 data: 0x100 bytes in the file, 0x2000 in memory
 */
#define EB_APP_BASE 0x400000ULL
#define EB_APP_PHNUM 4
#define EB_APP_RX_SIZE 0x200
#define EB_APP_RW_OFF 0x1000
#define EB_APP_RW_SIZE 0x100
#define EB_APP_SIZE (EB_APP_RW_OFF + EB_APP_RW_SIZE)
#define EB_PHDRS_END (64 + EB_APP_PHNUM * 56)

static inline struct elf64_ehdr *eb_ehdr(void *buf)
{
	return buf;
}

static inline struct elf64_phdr *eb_phdr(void *buf, int i)
{
	struct elf64_ehdr *eh = buf;

	return (struct elf64_phdr *)((char *)buf + eh->e_phoff) + i;
}

static inline void eb_ident(struct elf64_ehdr *eh, uint16_t type)
{
	memcpy(eh->e_ident, "\177ELF", 4);
	eh->e_ident[ELF_EI_CLASS] = ELF_CLASS64;
	eh->e_ident[ELF_EI_DATA] = ELF_DATA2LSB;
	eh->e_ident[ELF_EI_VERSION] = ELF_EV_CURRENT;
	eh->e_type = type;
	eh->e_machine = ELF_EM_X86_64;
	eh->e_version = ELF_EV_CURRENT;
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(struct elf64_phdr);
	eh->e_shentsize = sizeof(struct elf64_shdr);
}

/* A static application; pie selects ET_DYN at base 0. Free with free(). */
static inline unsigned char *eb_app(size_t *size, int pie)
{
	unsigned char *b = calloc(1, EB_APP_SIZE);
	uint64_t base = pie ? 0 : EB_APP_BASE;
	struct elf64_ehdr *eh = eb_ehdr(b);

	eb_ident(eh, pie ? ELF_ET_DYN : ELF_ET_EXEC);
	eh->e_entry = base + 0x100;
	eh->e_phoff = 64;
	eh->e_phnum = EB_APP_PHNUM;
	*eb_phdr(b, 0) = (struct elf64_phdr){
		.p_type = ELF_PT_LOAD, .p_flags = ELF_PF_R | ELF_PF_X,
		.p_offset = 0, .p_vaddr = base, .p_paddr = base,
		.p_filesz = EB_APP_RX_SIZE, .p_memsz = EB_APP_RX_SIZE,
		.p_align = 0x1000,
	};
	*eb_phdr(b, 1) = (struct elf64_phdr){
		.p_type = ELF_PT_LOAD, .p_flags = ELF_PF_R | ELF_PF_W,
		.p_offset = EB_APP_RW_OFF, .p_vaddr = base + 0x1000,
		.p_paddr = base + 0x1000, .p_filesz = EB_APP_RW_SIZE,
		.p_memsz = 0x2000, .p_align = 0x1000,
	};
	*eb_phdr(b, 2) = (struct elf64_phdr){
		.p_type = ELF_PT_TLS, .p_flags = ELF_PF_R,
		.p_offset = EB_APP_RW_OFF, .p_vaddr = base + 0x1000,
		.p_filesz = 0x10, .p_memsz = 0x20, .p_align = 8,
	};
	*eb_phdr(b, 3) = (struct elf64_phdr){
		.p_type = ELF_PT_GNU_STACK, .p_flags = ELF_PF_R | ELF_PF_W,
	};
	/* Something recognisable to compare after packing. */
	for (int i = 0x120; i < EB_APP_RX_SIZE; i++)
		b[i] = (unsigned char)(i * 7);
	memset(b + EB_APP_RW_OFF, 0xa5, EB_APP_RW_SIZE);
	*size = EB_APP_SIZE;
	return b;
}

/*
 * Kernel layout, as the real one: linked at the top 2 GiB, sections
 * with names, .kiln.desc in its own loaded page, symbols kept.
 *   0x0000 ELF header, 2 program headers
 *   0x1000 .text (LOAD RX)
 *   0x2000 .kiln.desc (LOAD R), magic and version set
 *   0x2080 .symtab (3 symbols), .strtab, .shstrtab
 *   then the section header table (8-aligned), 6 entries
 */
#define EB_KERNEL_BASE 0xffffffff80000000ULL
#define EB_SEC_TEXT 1
#define EB_SEC_DESC 2
#define EB_SEC_SYMTAB 3
#define EB_SEC_STRTAB 4
#define EB_SEC_SHSTRTAB 5
#define EB_KERNEL_SHNUM 6

static const char eb_shstrtab[] =
	"\0.text\0.kiln.desc\0.symtab\0.strtab\0.shstrtab";
static const char eb_strtab[] = "\0_start\0kmain";

static inline unsigned char *eb_kernel(size_t *size)
{
	const size_t symtab_off = 0x2000 + sizeof(struct kiln_image_desc);
	const size_t symtab_size = 3 * sizeof(struct elf64_sym);
	const size_t strtab_off = symtab_off + symtab_size;
	const size_t shstr_off = strtab_off + sizeof(eb_strtab);
	const size_t sh_off = (shstr_off + sizeof(eb_shstrtab) + 7) & ~7UL;
	const size_t total = sh_off + EB_KERNEL_SHNUM *
					     sizeof(struct elf64_shdr);
	unsigned char *b = calloc(1, total);
	struct elf64_ehdr *eh = eb_ehdr(b);

	eb_ident(eh, ELF_ET_EXEC);
	eh->e_entry = EB_KERNEL_BASE + 0x1000;
	eh->e_phoff = 64;
	eh->e_phnum = 2;
	eh->e_shoff = sh_off;
	eh->e_shnum = EB_KERNEL_SHNUM;
	eh->e_shstrndx = EB_SEC_SHSTRTAB;
	*eb_phdr(b, 0) = (struct elf64_phdr){
		.p_type = ELF_PT_LOAD, .p_flags = ELF_PF_R | ELF_PF_X,
		.p_offset = 0x1000, .p_vaddr = EB_KERNEL_BASE + 0x1000,
		.p_paddr = 0x101000, .p_filesz = 0x100, .p_memsz = 0x100,
		.p_align = 0x1000,
	};
	*eb_phdr(b, 1) = (struct elf64_phdr){
		.p_type = ELF_PT_LOAD, .p_flags = ELF_PF_R,
		.p_offset = 0x2000, .p_vaddr = EB_KERNEL_BASE + 0x2000,
		.p_paddr = 0x102000, .p_filesz = sizeof(struct kiln_image_desc),
		.p_memsz = sizeof(struct kiln_image_desc), .p_align = 0x1000,
	};
	memset(b + 0x1000, 0xcc, 0x100);

	struct kiln_image_desc desc = { .magic = KILN_IMAGE_MAGIC,
					.version = KILN_IMAGE_VERSION };
	memcpy(b + 0x2000, &desc, sizeof(desc));

	struct elf64_sym *sym = (void *)(b + symtab_off);
	sym[1] = (struct elf64_sym){ .st_name = 1, .st_info = 0x12,
				     .st_shndx = EB_SEC_TEXT,
				     .st_value = EB_KERNEL_BASE + 0x1000,
				     .st_size = 0x10 };
	sym[2] = (struct elf64_sym){ .st_name = 8, .st_info = 0x12,
				     .st_shndx = EB_SEC_TEXT,
				     .st_value = EB_KERNEL_BASE + 0x1010,
				     .st_size = 0x20 };
	memcpy(b + strtab_off, eb_strtab, sizeof(eb_strtab));
	memcpy(b + shstr_off, eb_shstrtab, sizeof(eb_shstrtab));

	struct elf64_shdr *sh = (void *)(b + sh_off);
	sh[EB_SEC_TEXT] = (struct elf64_shdr){
		.sh_name = 1, .sh_type = ELF_SHT_PROGBITS, .sh_flags = 6,
		.sh_addr = EB_KERNEL_BASE + 0x1000, .sh_offset = 0x1000,
		.sh_size = 0x100, .sh_addralign = 16,
	};
	sh[EB_SEC_DESC] = (struct elf64_shdr){
		.sh_name = 7, .sh_type = ELF_SHT_PROGBITS,
		.sh_flags = ELF_SHF_ALLOC, .sh_addr = EB_KERNEL_BASE + 0x2000,
		.sh_offset = 0x2000, .sh_size = sizeof(struct kiln_image_desc),
		.sh_addralign = 8,
	};
	sh[EB_SEC_SYMTAB] = (struct elf64_shdr){
		.sh_name = 18, .sh_type = ELF_SHT_SYMTAB,
		.sh_offset = symtab_off, .sh_size = symtab_size,
		.sh_link = EB_SEC_STRTAB, .sh_info = 1, .sh_addralign = 8,
		.sh_entsize = sizeof(struct elf64_sym),
	};
	sh[EB_SEC_STRTAB] = (struct elf64_shdr){
		.sh_name = 26, .sh_type = ELF_SHT_STRTAB,
		.sh_offset = strtab_off, .sh_size = sizeof(eb_strtab),
		.sh_addralign = 1,
	};
	sh[EB_SEC_SHSTRTAB] = (struct elf64_shdr){
		.sh_name = 34, .sh_type = ELF_SHT_STRTAB,
		.sh_offset = shstr_off, .sh_size = sizeof(eb_shstrtab),
		.sh_addralign = 1,
	};
	*size = total;
	return b;
}

/* Section header i of an ELF in memory. */
static inline struct elf64_shdr *eb_shdr(void *buf, int i)
{
	struct elf64_ehdr *eh = buf;

	return (struct elf64_shdr *)((char *)buf + eh->e_shoff) + i;
}

#endif
