/* exec_start_app(): load the packed application and enter it in ring 3. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/exec.h>
#include <kernel/file.h>
#include <kernel/fs.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/power.h>
#include <kernel/random.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/uaccess.h>
#include <kiln/abi/boot.h>
#include <kiln/abi/exit.h>
#include <kiln/abi/image.h>

#include "elf64.h"
#include "kcmdline.h"

#include "proc.h"
#include "uvm.h"

/* Defined in the kernel's .kiln.desc section; `kiln pack` fills it in. */
extern struct kiln_image_desc kiln_image_desc;

/* Auxiliary vector types (System V x86-64 ABI, 3.4.3; Linux auxvec.h). */
#define AT_NULL	    0
#define AT_PHDR	    3
#define AT_PHENT    4
#define AT_PHNUM    5
#define AT_PAGESZ   6
#define AT_BASE	    7
#define AT_FLAGS    8
#define AT_ENTRY    9
#define AT_UID	    11
#define AT_EUID	    12
#define AT_GID	    13
#define AT_EGID	    14
#define AT_PLATFORM 15
#define AT_HWCAP    16
#define AT_CLKTCK   17
#define AT_SECURE   23
#define AT_RANDOM   25
#define AT_HWCAP2   26
#define AT_EXECFN   31
#define NR_AUXV	    20 /* pairs written below, AT_NULL included */

static char app_name[64];

static __noreturn void refuse(const char *why, const char *detail)
{
	if (detail)
		log_error("application: %s: %s", why, detail);
	else
		log_error("application: %s", why);
	machine_exit(KILN_EXIT_BADIMAGE);
}

/*
 * The application's bytes inside modules[0]: the image's ".kiln.app"
 * section, found through the image's own section table (bounds-checked),
 * so that an image passed through strip or objcopy, which move sections,
 * still boots. The descriptor only tells whether anything was packed.
 */
static const void *find_app(const struct kiln_boot_info *bi, size_t *size)
{
	const struct kiln_image_desc *d = &kiln_image_desc;
	const struct kiln_boot_module *mod = &bi->modules[0];
	uint64_t off, len;

	if (d->magic != KILN_IMAGE_MAGIC || d->version != KILN_IMAGE_VERSION)
		refuse("bad image descriptor", NULL);
	if (d->app_size == 0)
		refuse("none packed in this image (use kiln pack)", NULL);
	if (bi->nr_modules == 0 || mod->end <= mod->start)
		refuse("no image module", NULL);
	if (elf_find_section(phys_to_virt(mod->start), mod->end - mod->start,
			     KILN_IMAGE_APP_SECTION, &off, &len) != 0)
		refuse("no " KILN_IMAGE_APP_SECTION " section inside the image",
		       NULL);
	if ((mod->start + off) & 7)
		refuse("misaligned in the image module", NULL);
	*size = len;
	return phys_to_virt(mod->start + off);
}

static uint32_t seg_prot(uint32_t pf)
{
	return ((pf & ELF_PF_R) ? PROT_READ : 0) |
	       ((pf & ELF_PF_W) ? PROT_WRITE : 0) |
	       ((pf & ELF_PF_X) ? PROT_EXEC : 0);
}

/* Regions for one PT_LOAD; a page shared with an earlier segment gets the
 * union of both permissions. */
static int map_segment(const struct elf64_phdr *ph, uint64_t base)
{
	uint64_t lo = ALIGN_DOWN(base + ph->p_vaddr, PAGE_SIZE);
	uint64_t hi = ALIGN_UP(base + ph->p_vaddr + ph->p_memsz, PAGE_SIZE);
	uint32_t prot = seg_prot(ph->p_flags);
	uint64_t va = lo, next;
	int err;

	while (va < hi) {
		const struct uvm_region *r = uvm_find(va);

		if (r) {
			err = uvm_protect(va, va + PAGE_SIZE, r->prot | prot);
			next = va + PAGE_SIZE;
		} else {
			next = va + PAGE_SIZE;
			while (next < hi && !uvm_find(next))
				next += PAGE_SIZE;
			err = uvm_add_region(va, next, prot, UVM_KIND_ELF);
		}
		if (err < 0)
			return err;
		va = next;
	}
	return 0;
}

/* File bytes into the segment's pages; the rest (bss) is demand-zero. */
static int copy_segment(const uint8_t *app, const struct elf64_phdr *ph,
			uint64_t base)
{
	uint64_t off = 0;
	void *kva;
	int err;

	while (off < ph->p_filesz) {
		uint64_t va = base + ph->p_vaddr + off;
		size_t c =
		    MIN(ph->p_filesz - off, PAGE_SIZE - (va & (PAGE_SIZE - 1)));

		if ((err = uvm_populate(va, &kva)) < 0)
			return err;
		memcpy(kva, app + ph->p_offset + off, c);
		off += c;
	}
	return 0;
}

static void load_segments(const uint8_t *app, const struct elf_image *img,
			  uint64_t base)
{
	for (int pass = 0; pass < 2; pass++) {
		for (uint16_t i = 0; i < img->phnum; i++) {
			const struct elf64_phdr *ph = &img->phdr[i];
			int err;

			if (ph->p_type != ELF_PT_LOAD || ph->p_memsz == 0)
				continue;
			err = pass == 0 ? map_segment(ph, base)
					: copy_segment(app, ph, base);
			if (err == -ENOMEM)
				refuse("out of memory loading it", NULL);
			if (err < 0)
				refuse("cannot map its segments", NULL);
			if (pass == 0)
				log_debug("app: segment 0x%lx-0x%lx %c%c%c",
					  base + ph->p_vaddr,
					  base + ph->p_vaddr + ph->p_memsz,
					  ph->p_flags & ELF_PF_R ? 'r' : '-',
					  ph->p_flags & ELF_PF_W ? 'w' : '-',
					  ph->p_flags & ELF_PF_X ? 'x' : '-');
		}
	}
}

/* Builds the initial stack top-down through copy_to_user. */
struct ustack {
	uint64_t sp;
	int err;
};

static uint64_t push_bytes(struct ustack *st, const void *p, size_t n)
{
	int err;

	st->sp -= n;
	if (!st->err && (err = copy_to_user((void __user *)st->sp, p, n)) < 0)
		st->err = err;
	return st->sp;
}

static uint64_t push_str(struct ustack *st, const char *s)
{
	return push_bytes(st, s, strlen(s) + 1);
}

static uint32_t cpuid1_edx(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return d;
}

/* Where the program headers are in the application's memory: loaded with
 * it (PT_PHDR or inside a segment), else a copy on the stack. */
static uint64_t phdr_addr(struct ustack *st, const struct elf_image *img,
			  uint64_t base)
{
	if (img->phdr_vaddr)
		return base + img->phdr_vaddr;
	st->sp &= ~7ULL;
	return push_bytes(st, img->phdr,
			  (size_t)img->phnum * sizeof(struct elf64_phdr));
}

/*
 * The System V initial stack (x86-64 psABI, 3.4.1), from the top: an
 * end marker, the strings, 16 random bytes, then at the 16-byte aligned
 * %rsp: argc, argv[], NULL, envp[], NULL, auxv pairs ending in AT_NULL.
 */
static uint64_t build_stack(const struct kcmdline *cl,
			    const struct elf_image *img, uint64_t base)
{
	struct ustack st = {UVM_STACK_TOP - 8, 0};
	size_t words = 1 + (1 + (size_t)cl->argc + 1) + ((size_t)cl->envc + 1) +
		       2 * NR_AUXV;
	uint64_t *v = kzalloc(words * sizeof(uint64_t));
	uint64_t execfn, platform, rnd, phdr, sp;
	uint8_t random[16];
	size_t n = 0;

	if (!v)
		refuse("out of memory building its stack", NULL);
	push_bytes(&st, &(uint64_t){0}, 8);
	execfn = push_str(&st, app_name);
	platform = push_str(&st, "x86_64");
	v[n++] = 1 + (uint64_t)cl->argc;
	v[n++] = execfn;
	for (int i = 0; i < cl->argc; i++)
		v[n++] = push_str(&st, cl->argv[i]);
	v[n++] = 0;
	for (int i = 0; i < cl->envc; i++)
		v[n++] = push_str(&st, cl->envp[i]);
	v[n++] = 0;
	random_fill(random, sizeof random);
	st.sp &= ~15ULL;
	rnd = push_bytes(&st, random, sizeof random);
	phdr = phdr_addr(&st, img, base);

	const uint64_t auxv[NR_AUXV][2] = {
	    {AT_PHDR, phdr},
	    {AT_PHENT, sizeof(struct elf64_phdr)},
	    {AT_PHNUM, img->phnum},
	    {AT_PAGESZ, PAGE_SIZE},
	    {AT_BASE, 0}, /* no interpreter */
	    {AT_FLAGS, 0},
	    {AT_ENTRY, base + img->entry},
	    {AT_UID, 0},
	    {AT_EUID, 0},
	    {AT_GID, 0},
	    {AT_EGID, 0},
	    {AT_SECURE, 0},
	    {AT_RANDOM, rnd},
	    {AT_HWCAP, cpuid1_edx()},
	    {AT_HWCAP2, 0},
	    {AT_CLKTCK, 100},
	    {AT_PLATFORM, platform},
	    {AT_EXECFN, execfn},
	    {AT_NULL, 0},
	    {AT_NULL, 0},
	};
	memcpy(&v[n], auxv, sizeof auxv);
	n += 2 * NR_AUXV;

	st.sp = ALIGN_DOWN(st.sp - n * sizeof(uint64_t), 16);
	sp = st.sp;
	if (!st.err)
		st.err =
		    copy_to_user((void __user *)sp, v, n * sizeof(uint64_t));
	kfree(v);
	if (st.err == -ENOMEM)
		refuse("out of memory building its stack", NULL);
	if (st.err < 0)
		refuse("cannot build its stack", NULL);
	return sp;
}

void exec_start_app(const struct kiln_boot_info *bi, const struct kcmdline *cl)
{
	const uint64_t lo = UVM_MIN_ADDR, hi = UVM_MMAP_TOP;
	struct elf_image img;
	uint64_t base = 0, sp;
	size_t size;
	const void *app = find_app(bi, &size);
	int err;

	err = elf_check(app, size, lo, hi, ELF_CHECK_STATIC, &img);
	if (err != ELF_OK)
		refuse(elf_strerror(err), NULL);
	if (img.type == ELF_ET_DYN) {
		/* Static-PIE: place it where a non-PIE program would be. */
		if (img.vaddr_hi - img.vaddr_lo > hi - UVM_PIE_BASE)
			refuse("too large", NULL);
		base = UVM_PIE_BASE - img.vaddr_lo;
	}
	/* The descriptor is image input: bound the name, do not trust a NUL. */
	size_t namelen = strnlen(kiln_image_desc.app_name, sizeof app_name - 1);
	memcpy(app_name, kiln_image_desc.app_name, namelen);
	app_name[namelen] = '\0';
	if (!namelen)
		strlcpy(app_name, "app", sizeof app_name);

	uvm_reset();
	load_segments(app, &img, base);
	uvm_brk_init(base + img.vaddr_hi);
	err = uvm_add_region(UVM_STACK_TOP - UVM_STACK_SIZE, UVM_STACK_TOP,
			     PROT_READ | PROT_WRITE, UVM_KIND_STACK);
	if (err < 0)
		refuse("cannot reserve its stack", NULL);
	fs_set_exe(app, size, app_name); /* /proc/self/exe */
	if (fd_init() < 0)		 /* 0, 1, 2 on /dev/console */
		refuse("cannot open /dev/console for descriptors 0-2", NULL);
	sp = build_stack(cl, &img, base);

	/* The boot thread becomes the application's: its name, its own FS
	 * and GS bases from 0 (musl sets its TLS with arch_prctl). */
	thread_set_name(thread_current(), app_name);
	thread_mark_user();
	proc_init_main(); /* thread 1 of process 1 */
	log_debug("app: %s, entry 0x%lx, brk 0x%lx, stack 0x%llx-0x%llx",
		  img.type == ELF_ET_DYN ? "static-pie" : "static",
		  base + img.entry, base + img.vaddr_hi,
		  UVM_STACK_TOP - UVM_STACK_SIZE, UVM_STACK_TOP);
	arch_enter_user(base + img.entry, sp);
}
