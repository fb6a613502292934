/* Check the kiln image (module 0) and load its kernel's segments. */
#include "elf64.h"
#include "loader.h"

/* Where a kernel may be linked: the top 2 GiB (-mcmodel=kernel), minus
 * the last page. */
#define KERNEL_WINDOW_LO 0xffffffff80000000ULL
#define KERNEL_WINDOW_HI 0xfffffffffffff000ULL

/* The PT_LOAD segment with the lowest p_vaddr above after (any, when
 * first), or NULL. elf_check() refused overlaps, so addresses differ. */
static const struct elf64_phdr *next_segment(const struct elf_image *img,
					     const struct elf64_phdr *prev)
{
	const struct elf64_phdr *best = NULL;

	for (uint16_t i = 0; i < img->phnum; i++) {
		const struct elf64_phdr *p = &img->phdr[i];

		if (p->p_type != ELF_PT_LOAD || p->p_memsz == 0)
			continue;
		if (prev && p->p_vaddr <= prev->p_vaddr)
			continue;
		if (!best || p->p_vaddr < best->p_vaddr)
			best = p;
	}
	return best;
}

/*
 * Lay the segments out as they are in virtual memory, phys = base +
 * (vaddr - vaddr_lo): file bytes copied, everything else in
 * [vaddr_lo, vaddr_hi) (.bss, gaps, page slack) zeroed, each byte
 * written once.
 */
static void copy_segments(const struct elf_image *img, const char *file,
			  uint64_t base)
{
	char *dst = phys_ptr(base);
	uint64_t lo = img->vaddr_lo, done = lo;
	const struct elf64_phdr *p = NULL;

	while ((p = next_segment(img, p)) != NULL) {
		memset(dst + (done - lo), 0, p->p_vaddr - done);
		memcpy(dst + (p->p_vaddr - lo), file + p->p_offset,
		       p->p_filesz);
		done = p->p_vaddr + p->p_filesz;
	}
	memset(dst + (done - lo), 0, img->vaddr_hi - done);
}

uint64_t image_load(struct kiln_boot_info *bi)
{
	const struct kiln_boot_module *m = &bi->modules[0];
	struct elf_image img;
	uint64_t size, phys;
	int err;

	if (bi->nr_modules == 0)
		loader_fail("image", "no module (pass it with QEMU -initrd)");
	if (m->start % 8) /* elf_check() reads the headers in place */
		loader_fail("image", "module at 0x%lx is not 8-byte aligned",
			    m->start);
	err = elf_check(phys_ptr(m->start), m->end - m->start, KERNEL_WINDOW_LO,
			KERNEL_WINDOW_HI, ELF_CHECK_NO_PIE, &img);
	if (err != ELF_OK)
		loader_fail("image", "%s", elf_strerror(err));
	log_line("Found ELF64 x86_64 kernel, entry 0x%lx", img.entry);

	size = img.vaddr_hi - img.vaddr_lo;
	if (mem_find_free(bi, size, &phys) < 0)
		loader_fail("image", "does not fit in memory: needs %lu KiB",
			    size / 1024);
	if (paging_map(img.vaddr_lo, phys, size) < 0)
		loader_fail("image", "too large to map: %lu KiB > %u KiB",
			    size / 1024, LOADER_MAP_MAX_KIB);
	copy_segments(&img, phys_ptr(m->start), phys);
	log_line("Mapped %lu pages: [0x%lx - 0x%lx] -> 0x%lx", size / PAGE_SIZE,
		 img.vaddr_lo, img.vaddr_hi, phys);

	bi->kernel_phys_start = phys;
	bi->kernel_phys_end = phys + size;
	bi->kernel_virt_start = img.vaddr_lo;
	return img.entry;
}
