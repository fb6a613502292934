/* The loader's test kernel: checks the boot-info block and its own loading. */
#include <stddef.h>
#include <stdint.h>

#include <kiln/abi/boot.h>
#include <kiln/abi/exit.h>

/*
 * What the loader must have copied byte for byte (128 KiB, so the image
 * has the size of a small kernel, for the -m 2M run) and what it must
 * have zeroed. volatile: the compiler may not fold the reads.
 */
#define PATTERN_WORDS (128 * 1024 / 4)
#define PATTERN	      0x6b696c6eU
static const volatile uint32_t pattern[PATTERN_WORDS] = {
    [0 ... PATTERN_WORDS - 1] = PATTERN};
static volatile uint32_t zeroes[8192];
static volatile uint64_t data_word = 0x1122334455667788;

uint64_t tk_entry_rsp; /* tk_entry.S */
extern char tk_entry[], tk_image_start[], tk_image_end[];
void tk_main(const struct kiln_boot_info *bi);

#define COM1	  0x3f8
#define PTE_P	  0x1ULL
#define PTE_PS	  0x80ULL
#define PTE_ADDR  0x000ffffffffff000ULL
#define MSR_EFER  0xc0000080
#define EFER_NXE  (1ULL << 11)
#define RFLAGS_IF (1ULL << 9)

static int failures;

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void puts(const char *s)
{
	for (; *s; s++) {
		for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
			;
		outb(COM1, (uint8_t)*s);
	}
}

static void puthex(uint64_t v)
{
	char buf[19] = "0x";
	int n = 0;

	for (uint64_t t = v; t; t >>= 4)
		n++;
	if (n == 0)
		n = 1;
	for (int i = 0; i < n; i++)
		buf[2 + n - 1 - i] = "0123456789abcdef"[(v >> (4 * i)) & 15];
	buf[2 + n] = '\0';
	puts(buf);
}

static void check(int ok, const char *what)
{
	if (ok)
		return;
	puts("testkernel: FAIL ");
	puts(what);
	puts("\n");
	failures++;
}

static __attribute__((noreturn)) void leave(uint32_t v)
{
	__asm__ volatile("outl %0, %1"
			 :
			 : "a"(v), "Nd"((uint16_t)KILN_EXIT_PORT));
	/* No exit device: an exception under the loader's empty IDT is a
	 * triple fault, which -no-reboot ends the run on (status 0). */
	__builtin_trap();
}

static void *phys(uint64_t pa)
{
	return (void *)pa; /* the loader identity-maps RAM below 4 GiB */
}

/* Physical address behind va in the live page tables, ~0 if unmapped. */
static uint64_t translate(uint64_t va)
{
	uint64_t cr3, *t;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	t = phys(cr3 & PTE_ADDR);
	for (int shift = 39; shift >= 12; shift -= 9) {
		uint64_t e = t[(va >> shift) & 511];
		uint64_t mask = (1ULL << shift) - 1;

		if (!(e & PTE_P))
			return ~0ULL;
		if (shift == 12 || (shift < 39 && (e & PTE_PS)))
			return ((e & PTE_ADDR) & ~mask) | (va & mask);
		t = phys(e & PTE_ADDR);
	}
	return ~0ULL;
}

static int in_range(uint64_t a, uint64_t len, uint64_t lo, uint64_t hi)
{
	return a >= lo && a <= hi && len <= hi - a;
}

static int overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 < b1 && b0 < a1;
}

static int in_usable(const struct kiln_boot_info *bi, uint64_t a, uint64_t b)
{
	for (uint32_t i = 0; i < bi->nr_mmap && i < KILN_BOOT_MAX_MMAP; i++) {
		const struct kiln_boot_mmap_entry *e = &bi->mmap[i];

		if (e->type == KILN_MEM_USABLE &&
		    in_range(a, b - a, e->base, e->base + e->len))
			return 1;
	}
	return 0;
}

/* Where va must be: kernel_phys_start + (va - kernel_virt_start). */
static int placed(const struct kiln_boot_info *bi, const volatile void *p)
{
	uint64_t va = (uint64_t)p;

	return translate(va) ==
	       bi->kernel_phys_start + (va - bi->kernel_virt_start);
}

static void check_image(const struct kiln_boot_info *bi)
{
	int copied = 1, zeroed = 1;

	check(bi->kernel_virt_start == (uint64_t)tk_image_start,
	      "kernel_virt_start");
	check(bi->kernel_phys_end - bi->kernel_phys_start ==
		  (uint64_t)(tk_image_end - tk_image_start),
	      "kernel_phys size");
	check(placed(bi, tk_entry) && placed(bi, pattern) &&
		  placed(bi, &pattern[PATTERN_WORDS - 1]) &&
		  placed(bi, &data_word) && placed(bi, zeroes),
	      "phys = kernel_phys_start + (vaddr - kernel_virt_start)");
	for (int i = 0; i < PATTERN_WORDS; i++)
		copied &= pattern[i] == PATTERN;
	for (size_t i = 0; i < sizeof(zeroes) / sizeof(zeroes[0]); i++)
		zeroed &= zeroes[i] == 0;
	check(copied && data_word == 0x1122334455667788, "segments copied");
	check(zeroed, ".bss zeroed");
	check(in_usable(bi, bi->kernel_phys_start, bi->kernel_phys_end),
	      "kernel in usable RAM");
}

static void check_memory(const struct kiln_boot_info *bi, uint64_t bi_pa)
{
	const struct kiln_boot_module *m = &bi->modules[0];
	const unsigned char *file = phys(m->start);
	uint64_t e_entry;

	check(bi->nr_modules >= 1 && bi->nr_modules <= KILN_BOOT_MAX_MODULES,
	      "nr_modules");
	check(file[0] == 0x7f && file[1] == 'E' && file[2] == 'L' &&
		  file[3] == 'F',
	      "module 0 is the image");
	__builtin_memcpy(&e_entry, file + 24, sizeof(e_entry));
	check(e_entry == (uint64_t)tk_entry, "module 0 entry");
	check(!overlap(m->start, m->end, bi->kernel_phys_start,
		       bi->kernel_phys_end) &&
		  !overlap(m->start, m->end, bi->booter_phys_start,
			   bi->booter_phys_end) &&
		  !overlap(bi->kernel_phys_start, bi->kernel_phys_end,
			   bi->booter_phys_start, bi->booter_phys_end),
	      "module, kernel and booter memory apart");
	check(bi->kernel_phys_start >= 4096 && bi->booter_phys_start >= 4096,
	      "frame 0 unused");
	check(in_range(bi_pa, sizeof(*bi), bi->booter_phys_start,
		       bi->booter_phys_end),
	      "block inside booter range");
	check(in_range(tk_entry_rsp - 64, 64, bi->booter_phys_start,
		       bi->booter_phys_end),
	      "stack inside booter range");
	check((tk_entry_rsp & 15) == 0, "rsp 16-byte aligned");
	check(bi->nr_mmap >= 1 && bi->nr_mmap <= KILN_BOOT_MAX_MMAP, "nr_mmap");

	/* Every usable byte below 4 GiB is identity mapped: touch the last
	 * one of each region (a fault here ends the run with status 0). */
	for (uint32_t i = 0; i < bi->nr_mmap && i < KILN_BOOT_MAX_MMAP; i++) {
		const struct kiln_boot_mmap_entry *e = &bi->mmap[i];
		uint64_t last = e->base + e->len - 1;

		if (e->type != KILN_MEM_USABLE || last >= (1ULL << 32))
			continue;
		check(translate(last) == last && translate(e->base) == e->base,
		      "usable RAM identity mapped");
		(void)*(volatile char *)phys(last);
	}
}

static void check_cpu(const struct kiln_boot_info *bi)
{
	uint64_t rflags, tsc, lo, hi;

	__asm__ volatile("pushfq; popq %0" : "=r"(rflags));
	check(!(rflags & RFLAGS_IF), "interrupts off");
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_EFER));
	check(((hi << 32) | lo) & EFER_NXE, "EFER.NXE");
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	tsc = (hi << 32) | lo;
	check(bi->tsc_at_start != 0 && bi->tsc_at_start < tsc, "tsc_at_start");
	check(bi->rsdp != 0 &&
		  __builtin_memcmp(phys(bi->rsdp), "RSD PTR ", 8) == 0,
	      "rsdp");
}

void tk_main(const struct kiln_boot_info *bi)
{
	size_t len = 0;

	puts("testkernel: started\n");
	if (bi->magic != KILN_BOOT_MAGIC || bi->version != KILN_BOOT_VERSION ||
	    bi->size != sizeof(*bi)) {
		puts("testkernel: FAIL boot-info magic, version or size\n");
		leave(1);
	}
	while (len < KILN_BOOT_CMDLINE_MAX && bi->cmdline[len])
		len++;
	check(len < KILN_BOOT_CMDLINE_MAX, "cmdline NUL-terminated");

	check_image(bi);
	check_memory(bi, (uint64_t)bi);
	check_cpu(bi);
	if (failures)
		leave(1);

	puts("testkernel: ok cmdline='");
	puts(len < KILN_BOOT_CMDLINE_MAX ? bi->cmdline : "");
	puts("' module=[");
	puthex(bi->modules[0].start);
	puts(" - ");
	puthex(bi->modules[0].end);
	puts("] kernel=");
	puthex(bi->kernel_phys_start);
	puts("\n");
	/* A status only a correct block gives: 64 + command-line length. */
	leave(64 + len % 64);
}
