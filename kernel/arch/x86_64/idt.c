/* The IDT: 256 interrupt gates into the stubs of entry.S. */
#include <kernel/arch.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/x86.h"

/* 64-bit interrupt gate (Intel SDM Vol. 3A, 6.14.1, figure 6-8). */
struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type; /* P | DPL | 0xe (interrupt gate: IF cleared) */
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __packed;

#define GATE_INTR      0x8e /* present, DPL 0, 64-bit interrupt gate */
#define GATE_INTR_USER 0xee /* same, DPL 3: reachable by INT n from ring 3 */
#define TRAP_STUB_SIZE 16

static struct idt_gate idt[256] __aligned(16);

static void set_gate(unsigned vec, uint8_t type, uint8_t ist)
{
	uint64_t off = (uint64_t)(trap_stubs + vec * TRAP_STUB_SIZE);

	idt[vec] = (struct idt_gate){
	    .offset_lo = off & 0xffff,
	    .selector = SEL_KCODE,
	    .ist = ist,
	    .type = type,
	    .offset_mid = (off >> 16) & 0xffff,
	    .offset_hi = off >> 32,
	};
}

void idt_load(void)
{
	struct desc_ptr idtr = {sizeof idt - 1, (uint64_t)idt};

	__asm__ volatile("lidt %0" ::"m"(idtr));
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, GATE_INTR, 0);
	/* INT3 and INTO from user code raise #BP/#OF (SIGTRAP, SIGSEGV)
	 * rather than #GP, as on Linux. */
	set_gate(VEC_BP, GATE_INTR_USER, 0);
	set_gate(VEC_OF, GATE_INTR_USER, 0);
	set_gate(VEC_DF, GATE_INTR, IST_DF);
	set_gate(VEC_NMI, GATE_INTR, IST_NMI);
	set_gate(VEC_MC, GATE_INTR, IST_MC);
	idt_load();
}
