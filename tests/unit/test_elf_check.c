/* Unit tests for lib/elf_check.c, the ELF validator every booter shares. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf64.h"
#include "elf_build.h"
#include "unit.h"

#define APP_LO 0x1000ULL
#define APP_HI 0x00007ffffffff000ULL
#define KERNEL_LO 0xffffffff80000000ULL
#define KERNEL_HI 0xfffffffffffff000ULL

/* Checks a copy of exactly size bytes, so ASan sees any read past it. */
static int check_bytes(const unsigned char *b, size_t size, unsigned flags)
{
	unsigned char *copy = malloc(size ? size : 1);
	struct elf_image img;
	int err;

	memcpy(copy, b, size);
	err = elf_check(copy, size, APP_LO, APP_HI, flags, &img);
	free(copy);
	return err;
}

static int check_app(unsigned char *b, unsigned flags)
{
	return check_bytes(b, EB_APP_SIZE, flags);
}

TEST(elf_check_accepts_static_exec)
{
	size_t size;
	unsigned char *b = eb_app(&size, 0);
	struct elf_image img;

	int err = elf_check(b, size, APP_LO, APP_HI, ELF_CHECK_STATIC, &img);
	free(b);
	CHECK(err == ELF_OK);
	CHECK(img.type == ELF_ET_EXEC);
	CHECK(img.entry == EB_APP_BASE + 0x100);
	CHECK(img.phnum == EB_APP_PHNUM);
	CHECK(img.vaddr_lo == EB_APP_BASE);
	CHECK(img.vaddr_hi == EB_APP_BASE + 0x3000);
	CHECK(img.tls_index == 2);
	CHECK(img.has_interp == 0);
	/* No PT_PHDR: found inside the first segment. */
	CHECK(img.phdr_vaddr == EB_APP_BASE + 64);
}

TEST(elf_check_accepts_static_pie)
{
	size_t size;
	unsigned char *b = eb_app(&size, 1);
	struct elf_image img;

	int err = elf_check(b, size, APP_LO, APP_HI, ELF_CHECK_STATIC, &img);
	free(b);
	CHECK(err == ELF_OK);
	CHECK(img.type == ELF_ET_DYN);
	CHECK(img.vaddr_lo == 0);
	CHECK(img.vaddr_hi == 0x3000);
}

TEST(elf_check_rejects_truncated_header)
{
	size_t size;
	unsigned char *b = eb_app(&size, 0);

	/* Every cut inside the header, at every field. */
	for (size_t n = 0; n < sizeof(struct elf64_ehdr); n++) {
		if (check_bytes(b, n, 0) != ELF_ERR_SHORT) {
			free(b);
			CHECK(!"header cut not refused as short");
		}
	}
	free(b);
}

TEST(elf_check_rejects_truncated_phdrs)
{
	size_t size;
	unsigned char *b = eb_app(&size, 0);

	for (size_t n = sizeof(struct elf64_ehdr); n < EB_PHDRS_END; n++) {
		if (check_bytes(b, n, 0) != ELF_ERR_PHDR_RANGE) {
			free(b);
			CHECK(!"program header cut not refused");
		}
	}
	free(b);
}

TEST(elf_check_rejects_truncated_segment_data)
{
	size_t size;
	unsigned char *b = eb_app(&size, 0);

	for (size_t n = EB_PHDRS_END; n < size; n++) {
		if (check_bytes(b, n, 0) != ELF_ERR_SEG_RANGE) {
			free(b);
			CHECK(!"segment data cut not refused");
		}
	}
	free(b);
}

/* Applies one change to a valid application, returns elf_check's verdict. */
#define MUTATED(pie, flags, stmt)                                          \
	({                                                                 \
		size_t s_;                                                 \
		unsigned char *b = eb_app(&s_, pie);                       \
		stmt;                                                      \
		int e_ = check_app(b, flags);                              \
		free(b);                                                   \
		e_;                                                        \
	})

TEST(elf_check_rejects_bad_magic)
{
	CHECK(MUTATED(0, 0, b[0] = 0x7e) == ELF_ERR_MAGIC);
	CHECK(MUTATED(0, 0, b[3] = 'G') == ELF_ERR_MAGIC);
}

TEST(elf_check_rejects_wrong_class)
{
	CHECK(MUTATED(0, 0, b[ELF_EI_CLASS] = ELF_CLASS32) == ELF_ERR_CLASS);
	CHECK(MUTATED(0, 0, b[ELF_EI_CLASS] = 0) == ELF_ERR_CLASS);
}

TEST(elf_check_rejects_big_endian)
{
	CHECK(MUTATED(0, 0, b[ELF_EI_DATA] = 2) == ELF_ERR_DATA);
}

TEST(elf_check_rejects_unknown_version)
{
	CHECK(MUTATED(0, 0, b[ELF_EI_VERSION] = 2) == ELF_ERR_VERSION);
	CHECK(MUTATED(0, 0, eb_ehdr(b)->e_version = 0) == ELF_ERR_VERSION);
}

TEST(elf_check_rejects_wrong_machine)
{
	CHECK(MUTATED(0, 0, eb_ehdr(b)->e_machine = ELF_EM_386) ==
	      ELF_ERR_MACHINE);
	CHECK(MUTATED(0, 0, eb_ehdr(b)->e_machine = 183 /* aarch64 */) ==
	      ELF_ERR_MACHINE);
}

TEST(elf_check_rejects_wrong_type)
{
	CHECK(MUTATED(0, 0, eb_ehdr(b)->e_type = 1 /* ET_REL */) ==
	      ELF_ERR_TYPE);
	CHECK(MUTATED(0, 0, eb_ehdr(b)->e_type = 4 /* ET_CORE */) ==
	      ELF_ERR_TYPE);
}

TEST(elf_check_rejects_bad_phentsize)
{
	CHECK(MUTATED(0, 0, eb_ehdr(b)->e_phentsize = 32) ==
	      ELF_ERR_PHENTSIZE);
	CHECK(MUTATED(0, 0, eb_ehdr(b)->e_phentsize = 57) ==
	      ELF_ERR_PHENTSIZE);
}

TEST(elf_check_rejects_phdrs_outside_file)
{
	CHECK(MUTATED(0, 0, eb_ehdr(b)->e_phoff = EB_APP_SIZE) ==
	      ELF_ERR_PHDR_RANGE);
	/* e_phoff + e_phnum * 56 wrapping around 2^64. */
	CHECK(MUTATED(0, 0, eb_ehdr(b)->e_phoff = UINT64_MAX - 100) ==
	      ELF_ERR_PHDR_RANGE);
	CHECK(MUTATED(0, 0, eb_ehdr(b)->e_phnum = 0xffff) ==
	      ELF_ERR_PHDR_RANGE);
	/* Misaligned: the checker reads the headers in place. */
	CHECK(MUTATED(0, 0, eb_ehdr(b)->e_phoff = 65) == ELF_ERR_PHDR_RANGE);
}

TEST(elf_check_rejects_no_load_segment)
{
	CHECK(MUTATED(0, 0, eb_ehdr(b)->e_phnum = 0) == ELF_ERR_NO_LOAD);
	CHECK(MUTATED(0, 0, {
		      eb_phdr(b, 0)->p_type = ELF_PT_NOTE;
		      eb_phdr(b, 1)->p_type = ELF_PT_NOTE;
	      }) == ELF_ERR_NO_LOAD);
}

TEST(elf_check_rejects_filesz_over_memsz)
{
	CHECK(MUTATED(0, 0, eb_phdr(b, 1)->p_filesz = 0x2001) ==
	      ELF_ERR_SEG_FILESZ);
}

TEST(elf_check_rejects_segment_outside_file)
{
	CHECK(MUTATED(0, 0, eb_phdr(b, 1)->p_offset = 0x2000) ==
	      ELF_ERR_SEG_RANGE);
}

TEST(elf_check_rejects_offset_overflow)
{
	/* p_offset + p_filesz wraps to a small number. */
	CHECK(MUTATED(0, 0, {
		      eb_phdr(b, 1)->p_offset = UINT64_MAX - 0x7f;
		      eb_phdr(b, 1)->p_vaddr = EB_APP_BASE + 0x1f80;
	      }) == ELF_ERR_SEG_RANGE);
}

TEST(elf_check_rejects_vaddr_overflow)
{
	CHECK(MUTATED(0, 0, {
		      eb_phdr(b, 1)->p_vaddr = UINT64_MAX - 0xfff;
		      eb_phdr(b, 1)->p_memsz = 0x2000;
	      }) == ELF_ERR_SEG_ADDR);
}

TEST(elf_check_rejects_misaligned_segment)
{
	CHECK(MUTATED(0, 0, eb_phdr(b, 1)->p_vaddr += 8) ==
	      ELF_ERR_SEG_ALIGN);
}

TEST(elf_check_rejects_overlapping_segments)
{
	/* The RW segment moved down onto the RX one. */
	CHECK(MUTATED(0, 0, eb_phdr(b, 1)->p_vaddr = EB_APP_BASE) ==
	      ELF_ERR_SEG_OVERLAP);
	/* Partial overlap at the end. */
	CHECK(MUTATED(0, 0, eb_phdr(b, 0)->p_memsz = 0x1001) ==
	      ELF_ERR_SEG_OVERLAP);
}

TEST(elf_check_accepts_adjacent_segments)
{
	CHECK(MUTATED(0, 0, eb_phdr(b, 0)->p_memsz = 0x1000) == ELF_OK);
}

TEST(elf_check_rejects_entry_not_executable)
{
	/* In the RW segment. */
	CHECK(MUTATED(0, 0, eb_ehdr(b)->e_entry = EB_APP_BASE + 0x1010) ==
	      ELF_ERR_ENTRY);
	/* Past the end of the RX segment. */
	CHECK(MUTATED(0, 0, eb_ehdr(b)->e_entry = EB_APP_BASE + 0x200) ==
	      ELF_ERR_ENTRY);
	/* Nowhere. */
	CHECK(MUTATED(0, 0, eb_ehdr(b)->e_entry = 0) == ELF_ERR_ENTRY);
	CHECK(MUTATED(0, 0, eb_phdr(b, 0)->p_flags = ELF_PF_R) ==
	      ELF_ERR_ENTRY);
}

TEST(elf_check_rejects_dynamic_with_static_flag)
{
	/* A PT_INTERP turns the GNU_STACK slot into an interpreter. */
	CHECK(MUTATED(0, ELF_CHECK_STATIC,
		      eb_phdr(b, 3)->p_type = ELF_PT_INTERP) ==
	      ELF_ERR_DYNAMIC);
	CHECK(MUTATED(1, ELF_CHECK_STATIC,
		      eb_phdr(b, 3)->p_type = ELF_PT_INTERP) ==
	      ELF_ERR_DYNAMIC);
}

TEST(elf_check_reports_interp_without_static_flag)
{
	size_t size;
	unsigned char *b = eb_app(&size, 0);
	struct elf_image img;

	eb_phdr(b, 3)->p_type = ELF_PT_INTERP;
	int err = elf_check(b, size, APP_LO, APP_HI, 0, &img);
	free(b);
	CHECK(err == ELF_OK);
	CHECK(img.has_interp == 1);
}

TEST(elf_check_rejects_et_dyn_with_no_pie)
{
	CHECK(MUTATED(1, ELF_CHECK_NO_PIE, (void)0) == ELF_ERR_ET_DYN);
	CHECK(MUTATED(0, ELF_CHECK_NO_PIE, (void)0) == ELF_OK);
}

TEST(elf_check_enforces_address_window)
{
	size_t size;
	unsigned char *b = eb_app(&size, 0);
	struct elf_image img;

	/* The application's window refuses page zero... */
	eb_phdr(b, 0)->p_vaddr = 0;
	eb_phdr(b, 1)->p_vaddr = 0x1000;
	eb_ehdr(b)->e_entry = 0x100;
	CHECK(check_app(b, 0) == ELF_ERR_SEG_ADDR);
	/* ...and the kernel half. */
	eb_phdr(b, 0)->p_vaddr = KERNEL_LO;
	eb_phdr(b, 1)->p_vaddr = KERNEL_LO + 0x1000;
	eb_ehdr(b)->e_entry = KERNEL_LO + 0x100;
	CHECK(check_app(b, 0) == ELF_ERR_SEG_ADDR);
	/* The kernel's window takes it. */
	CHECK(elf_check(b, size, KERNEL_LO, KERNEL_HI, ELF_CHECK_NO_PIE,
			&img) == ELF_OK);
	/* Up to the last byte below the window's end, not past it. */
	eb_phdr(b, 0)->p_vaddr = APP_HI - 0x3000;
	eb_phdr(b, 1)->p_vaddr = APP_HI - 0x2000;
	eb_ehdr(b)->e_entry = APP_HI - 0x3000 + 0x100;
	CHECK(check_app(b, 0) == ELF_OK);
	eb_phdr(b, 1)->p_memsz = 0x2001;
	CHECK(check_app(b, 0) == ELF_ERR_SEG_ADDR);
	free(b);
}

TEST(elf_check_fits_pie_span_in_window)
{
	size_t size;
	unsigned char *b = eb_app(&size, 1);
	struct elf_image img;

	/* A 0x3000-byte span fits in 0x3000, not in 0x2000. */
	CHECK(elf_check(b, size, 0x1000, 0x4000, 0, &img) == ELF_OK);
	CHECK(elf_check(b, size, 0x1000, 0x3000, 0, &img) ==
	      ELF_ERR_SEG_ADDR);
	free(b);
}

TEST(elf_check_ignores_empty_segments_for_overlap)
{
	CHECK(MUTATED(0, 0, {
		      eb_phdr(b, 3)->p_type = ELF_PT_LOAD;
		      eb_phdr(b, 3)->p_vaddr = EB_APP_BASE;
	      }) == ELF_OK);
}

TEST(elf_strerror_names_every_error)
{
	for (int e = 0; e < ELF_ERR__COUNT; e++)
		CHECK(elf_strerror(e) && elf_strerror(e)[0]);
	CHECK(strcmp(elf_strerror(-1), "unknown ELF error") == 0);
	CHECK(strcmp(elf_strerror(ELF_ERR__COUNT), "unknown ELF error") == 0);
	CHECK(strstr(elf_strerror(ELF_ERR_DYNAMIC), "-static") != NULL);
}
