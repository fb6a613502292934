/* GDT and TSS: flat 64-bit segments, per-CPU kernel and IST stacks. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/mm.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/x86.h"

/* 64-bit TSS (Intel SDM Vol. 3A, 8.7, figure 8-11). */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

/*
 * Code/data descriptors (SDM Vol. 3A, 3.4.5): in long mode only the
 * present, DPL, type and L bits matter. Order fixed by SYSCALL/SYSRET, see
 * the SEL_* selectors in kernel/arch.h.
 */
#define GDT_KCODE      0x00af9a000000ffffULL /* P, DPL0, code RX, L */
#define GDT_KDATA      0x00cf92000000ffffULL /* P, DPL0, data RW */
#define GDT_UDATA      0x00cff2000000ffffULL /* P, DPL3, data RW */
#define GDT_UCODE      0x00affa000000ffffULL /* P, DPL3, code RX, L */
#define TSS_TYPE_AVAIL 0x9ULL		     /* 64-bit TSS, available */

#define IST_STACK_SIZE 4096

/* One CPU's descriptor tables and exception stacks: the boot CPU's are
 * static, each AP's come from the heap (gdt_alloc()). */
struct cpu_tables {
	uint64_t gdt[7] __aligned(16);
	struct tss tss __aligned(16);
	char ist_stacks[3][IST_STACK_SIZE] __aligned(16);
};

static struct cpu_tables boot_tables;

/*
 * The top 16 bytes of each IST stack hold the owning struct cpu: the
 * paranoid entry in entry.S (NMI, #DF, #MC) reads it there instead of
 * trusting whichever GS base is loaded when it strikes.
 */
static uint64_t ist_top(struct cpu_tables *t, int i, struct cpu *c)
{
	char *top = t->ist_stacks[i] + IST_STACK_SIZE - 16;

	*(struct cpu **)top = c;
	return (uint64_t)top;
}

int gdt_alloc(struct cpu *c)
{
	c->tables = kzalloc(sizeof *c->tables);
	return c->tables ? 0 : -ENOMEM;
}

/* A system-segment descriptor takes two slots (SDM Vol. 3A, 7.2.3). */
static void set_tss_desc(uint64_t *d, uint64_t base, uint32_t limit)
{
	d[0] = (limit & 0xffffULL) | ((base & 0xffffffULL) << 16) |
	       (TSS_TYPE_AVAIL << 40) | (1ULL << 47) |
	       ((uint64_t)(limit >> 16 & 0xf) << 48) |
	       ((base >> 24 & 0xffULL) << 56);
	d[1] = base >> 32;
}

void arch_set_kernel_stack(uint64_t top)
{
	struct cpu *c = this_cpu();

	c->kstack_top = top;
	c->tables->tss.rsp[0] = top;
}

void gdt_init(struct cpu *c)
{
	struct cpu_tables *t;
	struct desc_ptr gdtr;
	uint64_t *gdt;

	if (!c->tables)
		c->tables = &boot_tables;
	t = c->tables;
	gdt = t->gdt;
	gdtr = (struct desc_ptr){sizeof t->gdt - 1, (uint64_t)gdt};
	t->tss.rsp[0] = c->kstack_top;
	t->tss.ist[IST_DF - 1] = ist_top(t, 0, c);
	t->tss.ist[IST_NMI - 1] = ist_top(t, 1, c);
	t->tss.ist[IST_MC - 1] = ist_top(t, 2, c);
	/* No I/O bitmap: ring 3 gets no ports. */
	t->tss.iomap_base = sizeof t->tss;

	gdt[0] = 0;
	gdt[SEL_KCODE >> 3] = GDT_KCODE;
	gdt[SEL_KDATA >> 3] = GDT_KDATA;
	gdt[SEL_UDATA >> 3] = GDT_UDATA;
	gdt[SEL_UCODE >> 3] = GDT_UCODE;
	set_tss_desc(&gdt[SEL_TSS >> 3], (uint64_t)&t->tss, sizeof t->tss - 1);

	/* CS can only be reloaded by a far transfer: LRETQ to the next line. */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "xorl %%eax, %%eax\n\t"
			 "movl %%eax, %%fs\n\t"
			 "movl %%eax, %%gs\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "i"(SEL_KCODE), "i"(SEL_KDATA),
			   "r"((uint16_t)SEL_TSS)
			 : "rax", "memory");
}
