/* Packing: the kernel ELF plus the application (include/kiln/abi/image.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "elf64.h"
#include "kiln.h"
#include "kiln/abi/image.h"

/* Where an application may live: user space above the zero page. */
#define APP_ADDR_LO 0x1000ULL
#define APP_ADDR_HI 0x00007ffffffff000ULL
/* The kernel is linked in the top 2 GiB (-mcmodel=kernel). */
#define KERNEL_ADDR_LO 0xffffffff80000000ULL
#define KERNEL_ADDR_HI 0xfffffffffffff000ULL

#define APP_ALIGN 4096
#define ELF_DT_NULL 0
#define ELF_DT_NEEDED 1
#define SHN_LORESERVE 0xff00

/* The kernel's section headers, copied out and checked. */
struct kernel_sections {
	struct elf64_shdr *sh;
	uint16_t n;
	const char *names; /* .shstrtab, NUL-terminated at its end */
	uint64_t names_size;
	int desc;	   /* index of .kiln.desc */
	uint64_t end;	   /* end of the last byte anything refers to */
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* [off, off + len) inside a file of size bytes, without wrapping. */
static int in_file(uint64_t off, uint64_t len, uint64_t size)
{
	uint64_t end;

	return !__builtin_add_overflow(off, len, &end) && end <= size;
}

static int read_section_table(const unsigned char *k, size_t size,
			      const char *label, struct kernel_sections *ks)
{
	const struct elf64_ehdr *eh = (const void *)k;
	uint64_t bytes = (uint64_t)eh->e_shnum * sizeof(struct elf64_shdr);

	/* e_shnum == 0 also covers extended numbering, which no kernel of
	 * ours needs (gABI, "Sections": SHN_LORESERVE). */
	if (eh->e_shnum == 0 || eh->e_shentsize != sizeof(struct elf64_shdr))
		return kiln_fail("%s: no usable section headers", label);
	if (!in_file(eh->e_shoff, bytes, size))
		return kiln_fail("%s: truncated: section headers outside the "
				 "file", label);
	if (eh->e_shstrndx == 0 || eh->e_shstrndx >= eh->e_shnum)
		return kiln_fail("%s: no section name table", label);

	ks->n = eh->e_shnum;
	ks->sh = xcalloc(ks->n, sizeof(*ks->sh));
	memcpy(ks->sh, k + eh->e_shoff, bytes);

	const struct elf64_shdr *str = &ks->sh[eh->e_shstrndx];
	if (str->sh_type != ELF_SHT_STRTAB || str->sh_size == 0 ||
	    !in_file(str->sh_offset, str->sh_size, size) ||
	    k[str->sh_offset + str->sh_size - 1] != '\0')
		return kiln_fail("%s: bad section name table", label);
	ks->names = (const char *)k + str->sh_offset;
	ks->names_size = str->sh_size;
	return 0;
}

/* The end of the bytes the kernel file's headers, segments and sections
 * use; the old section header table past it is dropped. */
static int find_content_end(const unsigned char *k, size_t size,
			    const char *label, struct kernel_sections *ks)
{
	const struct elf64_ehdr *eh = (const void *)k;
	const struct elf64_phdr *ph = (const void *)(k + eh->e_phoff);
	uint64_t end = eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(*ph);

	if (end < sizeof(*eh))
		end = sizeof(*eh);
	for (uint16_t i = 0; i < eh->e_phnum; i++) {
		if (!in_file(ph[i].p_offset, ph[i].p_filesz, size))
			return kiln_fail("%s: truncated: segment outside the "
					 "file", label);
		if (ph[i].p_offset + ph[i].p_filesz > end)
			end = ph[i].p_offset + ph[i].p_filesz;
	}
	for (uint16_t i = 1; i < ks->n; i++) {
		const struct elf64_shdr *s = &ks->sh[i];

		if (s->sh_type == ELF_SHT_NOBITS)
			continue;
		if (!in_file(s->sh_offset, s->sh_size, size))
			return kiln_fail("%s: truncated: section %u outside "
					 "the file", label, i);
		if (s->sh_offset + s->sh_size > end)
			end = s->sh_offset + s->sh_size;
	}
	ks->end = end;
	return 0;
}

/* .kiln.desc: present once, the right size, loaded, and ours. */
static int find_desc(const unsigned char *k, const char *label,
		     struct kernel_sections *ks)
{
	const struct elf64_ehdr *eh = (const void *)k;
	const struct elf64_phdr *ph = (const void *)(k + eh->e_phoff);

	ks->desc = -1;
	for (uint16_t i = 1; i < ks->n; i++) {
		if (ks->sh[i].sh_name >= ks->names_size)
			return kiln_fail("%s: section %u has a bad name",
					 label, i);
		const char *name = ks->names + ks->sh[i].sh_name;
		if (strcmp(name, KILN_IMAGE_APP_SECTION) == 0 ||
		    strcmp(name, KILN_IMAGE_ROOTFS_SECTION) == 0)
			return kiln_fail("%s: already holds an application "
					 "(an image, not a kernel)", label);
		if (strcmp(name, KILN_IMAGE_DESC_SECTION) != 0)
			continue;
		if (ks->desc >= 0)
			return kiln_fail("%s: two %s sections", label, name);
		ks->desc = i;
	}
	if (ks->desc < 0)
		return kiln_fail("%s: no %s section (not a kiln kernel)", label,
				 KILN_IMAGE_DESC_SECTION);

	const struct elf64_shdr *d = &ks->sh[ks->desc];
	if (d->sh_type != ELF_SHT_PROGBITS ||
	    d->sh_size != sizeof(struct kiln_image_desc))
		return kiln_fail("%s: %s is %llu bytes, expected %zu", label,
				 KILN_IMAGE_DESC_SECTION,
				 (unsigned long long)d->sh_size,
				 sizeof(struct kiln_image_desc));
	int loaded = 0;
	for (uint16_t i = 0; i < eh->e_phnum; i++) {
		uint64_t seg_end = ph[i].p_offset + ph[i].p_filesz;

		if (ph[i].p_type == ELF_PT_LOAD &&
		    d->sh_offset >= ph[i].p_offset &&
		    d->sh_offset + d->sh_size <= seg_end)
			loaded = 1;
	}
	if (!loaded)
		return kiln_fail("%s: %s is not in a loaded segment", label,
				 KILN_IMAGE_DESC_SECTION);

	struct kiln_image_desc cur;
	memcpy(&cur, k + d->sh_offset, sizeof(cur));
	if (cur.magic != KILN_IMAGE_MAGIC)
		return kiln_fail("%s: %s has a bad magic number", label,
				 KILN_IMAGE_DESC_SECTION);
	if (cur.version != KILN_IMAGE_VERSION)
		return kiln_fail("%s: image format version %u, this kiln "
				 "writes %u", label, cur.version,
				 KILN_IMAGE_VERSION);
	return 0;
}

static int check_kernel(const unsigned char *k, size_t size,
			const char *label, struct kernel_sections *ks)
{
	struct elf_image img;
	int err;

	err = elf_check(k, size, KERNEL_ADDR_LO, KERNEL_ADDR_HI,
			ELF_CHECK_NO_PIE, &img);
	if (err != ELF_OK)
		return kiln_fail("%s: %s", label, elf_strerror(err));
	if (read_section_table(k, size, label, ks) < 0 ||
	    find_content_end(k, size, label, ks) < 0 ||
	    find_desc(k, label, ks) < 0)
		return -1;
	if (ks->n + 2 >= SHN_LORESERVE)
		return kiln_fail("%s: too many sections", label);
	return 0;
}

/* What goes after the kernel's bytes: the application and, if given, the
 * root file system archive. */
struct payload {
	const unsigned char *app;
	size_t app_size;
	const unsigned char *rootfs; /* NULL: no .kiln.rootfs section */
	size_t rootfs_size;
	const char *name;
};

static void fill_desc(unsigned char *out, const struct elf64_shdr *d,
		      const struct payload *pl, uint64_t app_off,
		      uint64_t rootfs_off)
{
	struct kiln_image_desc desc = {
		.magic = KILN_IMAGE_MAGIC,
		.version = KILN_IMAGE_VERSION,
		.app_offset = app_off,
		.app_size = pl->app_size,
		.rootfs_offset = pl->rootfs ? rootfs_off : 0,
		.rootfs_size = pl->rootfs ? pl->rootfs_size : 0,
	};
	size_t n = strlen(pl->name);

	if (n > sizeof(desc.app_name) - 1)
		n = sizeof(desc.app_name) - 1;
	memcpy(desc.app_name, pl->name, n);
	memcpy(out + d->sh_offset, &desc, sizeof(desc));
}

/* A non-allocated section holding bytes of the file, 4 KiB aligned. */
static struct elf64_shdr blob_section(uint32_t name, uint64_t off,
				      uint64_t size)
{
	return (struct elf64_shdr){
		.sh_name = name,
		.sh_type = ELF_SHT_PROGBITS,
		.sh_offset = off,
		.sh_size = size,
		.sh_addralign = APP_ALIGN,
	};
}

/*
 * Output layout: the kernel's bytes up to ks.end, zeros to a 4 KiB
 * boundary, the application, (zeros to 4 KiB, the root file system
 * archive,) the old .shstrtab extended by the new names, then (8-aligned)
 * the section header table with one or two more entries. Every gap is
 * zero, nothing depends on time or the host: same inputs, same bytes.
 */
static void lay_out(const unsigned char *k, const struct kernel_sections *ks,
		    const struct payload *pl, unsigned char **out,
		    size_t *out_size)
{
	const struct elf64_ehdr *keh = (const void *)k;
	const char app_sec[] = KILN_IMAGE_APP_SECTION;
	const char rootfs_sec[] = KILN_IMAGE_ROOTFS_SECTION;
	int has_rootfs = pl->rootfs != NULL;
	uint64_t app_off = align_up(ks->end, APP_ALIGN);
	uint64_t rootfs_off = align_up(app_off + pl->app_size, APP_ALIGN);
	uint64_t str_off = has_rootfs ? rootfs_off + pl->rootfs_size
				      : app_off + pl->app_size;
	uint64_t str_size = ks->names_size + sizeof(app_sec) +
			    (has_rootfs ? sizeof(rootfs_sec) : 0);
	uint64_t sh_off = align_up(str_off + str_size, 8);
	uint16_t shnum = ks->n + 1 + has_rootfs;
	uint64_t total = sh_off + (uint64_t)shnum * sizeof(struct elf64_shdr);
	unsigned char *o = xcalloc(1, total);

	memcpy(o, k, ks->end);
	memcpy(o + app_off, pl->app, pl->app_size);
	if (has_rootfs)
		memcpy(o + rootfs_off, pl->rootfs, pl->rootfs_size);
	memcpy(o + str_off, ks->names, ks->names_size);
	memcpy(o + str_off + ks->names_size, app_sec, sizeof(app_sec));
	if (has_rootfs)
		memcpy(o + str_off + ks->names_size + sizeof(app_sec),
		       rootfs_sec, sizeof(rootfs_sec));

	struct elf64_shdr *sh = (void *)(o + sh_off);
	memcpy(sh, ks->sh, ks->n * sizeof(*sh));
	sh[keh->e_shstrndx].sh_offset = str_off;
	sh[keh->e_shstrndx].sh_size = str_size;
	sh[ks->n] = blob_section((uint32_t)ks->names_size, app_off,
				 pl->app_size);
	if (has_rootfs)
		sh[ks->n + 1] = blob_section(
			(uint32_t)(ks->names_size + sizeof(app_sec)),
			rootfs_off, pl->rootfs_size);

	struct elf64_ehdr *eh = (void *)o;
	eh->e_shoff = sh_off;
	eh->e_shnum = shnum;

	fill_desc(o, &ks->sh[ks->desc], pl, app_off, rootfs_off);
	*out = o;
	*out_size = total;
}

/* Where the descriptor of img sits, or -1. */
static int64_t desc_offset(const unsigned char *img, size_t size)
{
	struct kiln_image_desc d;
	uint64_t off, len;

	if (elf_find_section(img, size, KILN_IMAGE_DESC_SECTION, &off, &len) <
		    0 ||
	    len != sizeof(d))
		return -1;
	memcpy(&d, img + off, sizeof(d));
	return d.magic == KILN_IMAGE_MAGIC ? (int64_t)off : -1;
}

int image_read_desc(const unsigned char *img, size_t size,
		    struct kiln_image_desc *desc)
{
	int64_t off = desc_offset(img, size);

	if (off < 0)
		return -1;
	memcpy(desc, img + off, sizeof(*desc));
	return 0;
}

int image_set_flags(unsigned char *img, size_t size, uint64_t flags)
{
	int64_t off = desc_offset(img, size);

	if (off < 0)
		return -1;
	memcpy(img + off + offsetof(struct kiln_image_desc, flags), &flags,
	       sizeof(flags));
	return 0;
}

/*
 * A PIE without an interpreter can still name shared libraries (musl-gcc
 * -static-pie without -static links libc.so): nothing would load them,
 * and the program would crash at its first libc call. gABI "Dynamic
 * Section": entries of two 64-bit words, DT_NULL ends the array.
 */
static int needs_shared_libs(const unsigned char *app, size_t size,
			     const struct elf_image *img)
{
	for (uint16_t i = 0; i < img->phnum; i++) {
		const struct elf64_phdr *ph = &img->phdr[i];

		if (ph->p_type != ELF_PT_DYNAMIC ||
		    !in_file(ph->p_offset, ph->p_filesz, size))
			continue;
		for (uint64_t off = 0; off + 16 <= ph->p_filesz; off += 16) {
			int64_t tag;

			memcpy(&tag, app + ph->p_offset + off, sizeof(tag));
			if (tag == ELF_DT_NULL)
				break;
			if (tag == ELF_DT_NEEDED)
				return 1;
		}
	}
	return 0;
}

int image_check_app(const unsigned char *app, size_t app_size,
		    const char *label)
{
	struct elf_image img;
	int err;

	/* A short text file is "not an ELF", not a truncated one. */
	if (app_size < 4 || memcmp(app, "\177ELF", 4) != 0)
		return kiln_fail("%s: %s", label, elf_strerror(ELF_ERR_MAGIC));
	err = elf_check(app, app_size, APP_ADDR_LO, APP_ADDR_HI,
			ELF_CHECK_STATIC, &img);
	if (err != ELF_OK)
		return kiln_fail("%s: %s", label, elf_strerror(err));
	if (needs_shared_libs(app, app_size, &img))
		return kiln_fail("%s: needs shared libraries; link it with "
				 "-static", label);
	return 0;
}

int image_pack(const unsigned char *kernel, size_t kernel_size,
	       const char *kernel_label, const unsigned char *app,
	       size_t app_size, const char *app_label, const char *name,
	       const unsigned char *rootfs, size_t rootfs_size,
	       unsigned char **out, size_t *out_size)
{
	struct kernel_sections ks = { 0 };
	struct payload pl = { app, app_size, rootfs, rootfs_size, name };

	if (image_check_app(app, app_size, app_label) < 0)
		return -1;
	if (check_kernel(kernel, kernel_size, kernel_label, &ks) < 0) {
		free(ks.sh);
		return -1;
	}
	lay_out(kernel, &ks, &pl, out, out_size);
	free(ks.sh);
	return 0;
}
