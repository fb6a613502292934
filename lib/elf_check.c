/* elf_check(): validate an ELF64 x86-64 executable held in memory. */
#include "elf64.h"

static const char *const reasons[ELF_ERR__COUNT] = {
	[ELF_OK] = "valid",
	[ELF_ERR_SHORT] = "truncated: shorter than an ELF header",
	[ELF_ERR_MAGIC] = "not an ELF file",
	[ELF_ERR_CLASS] = "not a 64-bit ELF file",
	[ELF_ERR_DATA] = "not a little-endian ELF file",
	[ELF_ERR_VERSION] = "unknown ELF version",
	[ELF_ERR_MACHINE] = "wrong machine: not x86-64",
	[ELF_ERR_TYPE] = "not an executable (ET_EXEC or static-PIE ET_DYN)",
	[ELF_ERR_PHENTSIZE] = "bad program header entry size",
	[ELF_ERR_PHDR_RANGE] = "truncated: program headers outside the file",
	[ELF_ERR_NO_LOAD] = "no loadable segment",
	[ELF_ERR_SEG_FILESZ] = "segment file size larger than memory size",
	[ELF_ERR_SEG_RANGE] = "truncated: segment data outside the file",
	[ELF_ERR_SEG_ALIGN] = "segment offset and address not page-congruent",
	[ELF_ERR_SEG_ADDR] = "segment outside the allowed address range",
	[ELF_ERR_SEG_OVERLAP] = "overlapping segments",
	[ELF_ERR_ENTRY] = "entry point not in an executable segment",
	[ELF_ERR_DYNAMIC] = "dynamically linked (has an interpreter); "
			    "link it with -static",
	[ELF_ERR_ET_DYN] = "position-independent executable not allowed here",
};

const char *elf_strerror(int err)
{
	if (err < 0 || err >= ELF_ERR__COUNT)
		return "unknown ELF error";
	return reasons[err];
}

static int check_header(const struct elf64_ehdr *eh, size_t size,
			unsigned flags)
{
	const unsigned char *id = eh->e_ident;

	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return ELF_ERR_MAGIC;
	if (id[ELF_EI_CLASS] != ELF_CLASS64)
		return ELF_ERR_CLASS;
	if (id[ELF_EI_DATA] != ELF_DATA2LSB)
		return ELF_ERR_DATA;
	if (id[ELF_EI_VERSION] != ELF_EV_CURRENT ||
	    eh->e_version != ELF_EV_CURRENT)
		return ELF_ERR_VERSION;
	if (eh->e_machine != ELF_EM_X86_64)
		return ELF_ERR_MACHINE;
	if (eh->e_type != ELF_ET_EXEC && eh->e_type != ELF_ET_DYN)
		return ELF_ERR_TYPE;
	if (eh->e_type == ELF_ET_DYN && (flags & ELF_CHECK_NO_PIE))
		return ELF_ERR_ET_DYN;
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return ELF_ERR_PHENTSIZE;

	uint64_t ph_bytes = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);
	uint64_t ph_end;
	if (eh->e_phnum == 0)
		return ELF_ERR_NO_LOAD;
	if (__builtin_add_overflow(eh->e_phoff, ph_bytes, &ph_end) ||
	    ph_end > size || (eh->e_phoff & 7))
		return ELF_ERR_PHDR_RANGE;
	return ELF_OK;
}

/* One PT_LOAD: inside the file, sane sizes, page-congruent. */
static int check_load(const struct elf64_phdr *ph, size_t size)
{
	uint64_t end;

	if (ph->p_filesz > ph->p_memsz)
		return ELF_ERR_SEG_FILESZ;
	if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &end) ||
	    end > size)
		return ELF_ERR_SEG_RANGE;
	if ((ph->p_offset % ELF_PAGE_SIZE) != (ph->p_vaddr % ELF_PAGE_SIZE))
		return ELF_ERR_SEG_ALIGN;
	if (__builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &end) ||
	    end > UINT64_MAX - ELF_PAGE_SIZE)
		return ELF_ERR_SEG_ADDR;
	return ELF_OK;
}

/* No two PT_LOAD segments may claim the same byte of memory. */
static int check_overlap(const struct elf64_phdr *ph, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		if (ph[i].p_type != ELF_PT_LOAD || ph[i].p_memsz == 0)
			continue;
		for (uint16_t j = i + 1; j < n; j++) {
			if (ph[j].p_type != ELF_PT_LOAD || ph[j].p_memsz == 0)
				continue;
			uint64_t a0 = ph[i].p_vaddr, a1 = a0 + ph[i].p_memsz;
			uint64_t b0 = ph[j].p_vaddr, b1 = b0 + ph[j].p_memsz;
			if (a0 < b1 && b0 < a1)
				return ELF_ERR_SEG_OVERLAP;
		}
	}
	return ELF_OK;
}

static int check_window(struct elf_image *img, uint64_t lo, uint64_t hi)
{
	if (img->type == ELF_ET_DYN) {
		/* Relocatable: only the span has to fit. */
		if (img->vaddr_hi - img->vaddr_lo > hi - lo)
			return ELF_ERR_SEG_ADDR;
		return ELF_OK;
	}
	if (img->vaddr_lo < lo || img->vaddr_hi > hi)
		return ELF_ERR_SEG_ADDR;
	return ELF_OK;
}

int elf_check(const void *buf, size_t size, uint64_t addr_lo, uint64_t addr_hi,
	      unsigned flags, struct elf_image *img)
{
	const struct elf64_ehdr *eh = buf;
	int err;

	/* A file that does not start like an ELF is "not an ELF", however
	 * short; one that does but stops early is truncated. */
	static const unsigned char magic[4] = { 0x7f, 'E', 'L', 'F' };
	for (size_t i = 0; i < 4 && i < size; i++)
		if (((const unsigned char *)buf)[i] != magic[i])
			return ELF_ERR_MAGIC;
	if (size < sizeof(*eh))
		return ELF_ERR_SHORT;
	if ((err = check_header(eh, size, flags)) != ELF_OK)
		return err;

	const struct elf64_phdr *ph =
		(const void *)((const char *)buf + eh->e_phoff);
	*img = (struct elf_image){
		.ehdr = eh,
		.phdr = ph,
		.phnum = eh->e_phnum,
		.type = eh->e_type,
		.entry = eh->e_entry,
		.vaddr_lo = UINT64_MAX,
		.vaddr_hi = 0,
		.tls_index = -1,
	};

	int entry_ok = 0, nload = 0;
	for (uint16_t i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *p = &ph[i];

		if (p->p_type == ELF_PT_INTERP)
			img->has_interp = 1;
		if (p->p_type == ELF_PT_TLS)
			img->tls_index = i;
		if (p->p_type == ELF_PT_PHDR)
			img->phdr_vaddr = p->p_vaddr;
		if (p->p_type != ELF_PT_LOAD)
			continue;
		if ((err = check_load(p, size)) != ELF_OK)
			return err;
		nload++;
		uint64_t lo = p->p_vaddr & ~(ELF_PAGE_SIZE - 1);
		uint64_t hi = (p->p_vaddr + p->p_memsz + ELF_PAGE_SIZE - 1) &
			      ~(ELF_PAGE_SIZE - 1);
		if (lo < img->vaddr_lo)
			img->vaddr_lo = lo;
		if (hi > img->vaddr_hi)
			img->vaddr_hi = hi;
		if ((p->p_flags & ELF_PF_X) && eh->e_entry >= p->p_vaddr &&
		    eh->e_entry - p->p_vaddr < p->p_memsz)
			entry_ok = 1;
		/* Program headers found inside a loaded segment (no PT_PHDR). */
		if (!img->phdr_vaddr && eh->e_phoff >= p->p_offset &&
		    eh->e_phoff - p->p_offset < p->p_filesz)
			img->phdr_vaddr = p->p_vaddr + (eh->e_phoff - p->p_offset);
	}
	if (nload == 0)
		return ELF_ERR_NO_LOAD;
	if (img->has_interp && (flags & ELF_CHECK_STATIC))
		return ELF_ERR_DYNAMIC;
	if ((err = check_overlap(ph, eh->e_phnum)) != ELF_OK)
		return err;
	if ((err = check_window(img, addr_lo, addr_hi)) != ELF_OK)
		return err;
	if (!entry_ok)
		return ELF_ERR_ENTRY;
	return ELF_OK;
}
