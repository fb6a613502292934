/* ELF64 structures and the image checks shared by loader, kernel and tools. */
#ifndef KILN_LIB_ELF64_H
#define KILN_LIB_ELF64_H

#include <stddef.h>
#include <stdint.h>

/* Field layout from the System V ABI (gABI) and its x86-64 supplement. */
#define ELF_EI_NIDENT 16
#define ELF_EI_CLASS 4
#define ELF_EI_DATA 5
#define ELF_EI_VERSION 6
#define ELF_CLASS32 1
#define ELF_CLASS64 2
#define ELF_DATA2LSB 1
#define ELF_EV_CURRENT 1

#define ELF_ET_EXEC 2
#define ELF_ET_DYN 3
#define ELF_EM_386 3
#define ELF_EM_X86_64 62

#define ELF_PT_NULL 0
#define ELF_PT_LOAD 1
#define ELF_PT_DYNAMIC 2
#define ELF_PT_INTERP 3
#define ELF_PT_NOTE 4
#define ELF_PT_PHDR 6
#define ELF_PT_TLS 7
#define ELF_PT_GNU_STACK 0x6474e551
#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4

#define ELF_SHT_PROGBITS 1
#define ELF_SHT_SYMTAB 2
#define ELF_SHT_STRTAB 3
#define ELF_SHT_NOBITS 8
#define ELF_SHF_ALLOC 2

struct elf64_ehdr {
	unsigned char e_ident[ELF_EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

struct elf64_shdr {
	uint32_t sh_name;
	uint32_t sh_type;
	uint64_t sh_flags;
	uint64_t sh_addr;
	uint64_t sh_offset;
	uint64_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint64_t sh_addralign;
	uint64_t sh_entsize;
};

struct elf64_sym {
	uint32_t st_name;
	unsigned char st_info;
	unsigned char st_other;
	uint16_t st_shndx;
	uint64_t st_value;
	uint64_t st_size;
};

/* What elf_check() learned about a valid file. */
struct elf_image {
	const struct elf64_ehdr *ehdr;
	const struct elf64_phdr *phdr; /* inside the checked buffer */
	uint16_t phnum;
	uint16_t type;	     /* ELF_ET_EXEC or ELF_ET_DYN */
	uint64_t entry;	     /* e_entry, unrelocated */
	uint64_t vaddr_lo;   /* lowest PT_LOAD p_vaddr, page aligned down */
	uint64_t vaddr_hi;   /* end of the highest PT_LOAD, page aligned up */
	int has_interp;	     /* PT_INTERP present: dynamically linked */
	int tls_index;	     /* index of PT_TLS in phdr, -1 if none */
	uint64_t phdr_vaddr; /* p_vaddr of the program headers, 0 if not loaded */
};

#define ELF_PAGE_SIZE 4096ULL

/* Reasons elf_check() gives; each is also a one-line message. */
enum elf_err {
	ELF_OK = 0,
	ELF_ERR_SHORT,	      /* smaller than an ELF header */
	ELF_ERR_MAGIC,	      /* no \177ELF */
	ELF_ERR_CLASS,	      /* not ELF64 */
	ELF_ERR_DATA,	      /* not little-endian */
	ELF_ERR_VERSION,      /* e_ident / e_version not 1 */
	ELF_ERR_MACHINE,      /* not x86-64 */
	ELF_ERR_TYPE,	      /* neither ET_EXEC nor ET_DYN */
	ELF_ERR_PHENTSIZE,    /* e_phentsize != sizeof(struct elf64_phdr) */
	ELF_ERR_PHDR_RANGE,   /* program headers outside the file */
	ELF_ERR_NO_LOAD,      /* no PT_LOAD segment */
	ELF_ERR_SEG_FILESZ,   /* p_filesz > p_memsz */
	ELF_ERR_SEG_RANGE,    /* segment bytes outside the file */
	ELF_ERR_SEG_ALIGN,    /* p_offset and p_vaddr disagree modulo the page */
	ELF_ERR_SEG_ADDR,     /* segment outside the allowed address window */
	ELF_ERR_SEG_OVERLAP,  /* two PT_LOAD segments overlap */
	ELF_ERR_ENTRY,	      /* entry point not in an executable segment */
	ELF_ERR_DYNAMIC,      /* has PT_INTERP (only with ELF_CHECK_STATIC) */
	ELF_ERR_ET_DYN,	      /* ET_DYN refused (only with ELF_CHECK_NO_PIE) */
	ELF_ERR__COUNT
};

/* Flags for elf_check(). */
#define ELF_CHECK_STATIC 1 /* refuse PT_INTERP */
#define ELF_CHECK_NO_PIE 2 /* refuse ET_DYN (the kernel must be ET_EXEC) */

/*
 * Check that buf[0..size) is an ELF64 x86-64 executable whose PT_LOAD
 * segments all lie inside the file and, once loaded, inside
 * [addr_lo, addr_hi) (for ET_DYN: the span from the lowest p_vaddr must
 * fit below addr_hi - addr_lo). buf must be 8-byte aligned.
 * Returns ELF_OK and fills *img, or an enum elf_err; never reads outside
 * the buffer. Pure function: safe on the host, in the loader and kernel.
 */
int elf_check(const void *buf, size_t size, uint64_t addr_lo, uint64_t addr_hi,
	      unsigned flags, struct elf_image *img);

/* One-line English reason for an enum elf_err ("not an ELF file", ...). */
const char *elf_strerror(int err);

/*
 * Find the section called name in the ELF64 file buf[0..size): its file
 * offset and size, both checked to lie inside the buffer (SHT_NOBITS
 * sections are not found). Returns 0, or -1 when the file has no valid
 * section table or no such section. Never reads outside the buffer.
 */
int elf_find_section(const void *buf, size_t size, const char *name,
		     uint64_t *off, uint64_t *len);

/*
 * Whether the file's .symtab defines a symbol called name (any binding or
 * type, st_shndx not undefined): 1 yes, 0 no, -1 when there is no valid
 * .symtab/.strtab (a stripped program). Never reads outside the buffer.
 */
int elf_defines_symbol(const void *buf, size_t size, const char *name);

#endif
