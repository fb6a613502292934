/* Local APIC (xAPIC or x2APIC), I/O APIC, 8259s and the periodic timer. */
#include <kernel/arch.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/time.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/trap.h"

/* IA32_APIC_BASE (Intel SDM Vol. 3A, 11.4.4). */
#define APIC_BASE_X2APIC    (1ULL << 10)
#define APIC_BASE_ENABLE    (1ULL << 11)
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ULL

/* Local APIC registers, xAPIC MMIO offsets (SDM Vol. 3A, table 11-1); in
 * x2APIC mode register r is MSR 0x800 + r/16 (table 11-6). */
#define LAPIC_REG_ID	     0x020
#define LAPIC_REG_TPR	     0x080
#define LAPIC_REG_EOI	     0x0b0
#define LAPIC_REG_SVR	     0x0f0
#define LAPIC_SVR_ENABLE     (1U << 8)
#define LAPIC_REG_ESR	     0x280
#define LAPIC_REG_LVT_TIMER  0x320
#define LAPIC_TIMER_PERIODIC (1U << 17)
#define LAPIC_REG_LVT_LINT0  0x350
#define LAPIC_REG_LVT_LINT1  0x360
#define LAPIC_LVT_NMI	     (4U << 8)
#define LAPIC_LVT_MASKED     (1U << 16)
#define LAPIC_REG_LVT_ERROR  0x370
#define LAPIC_REG_TIMER_INIT 0x380
#define LAPIC_REG_TIMER_CUR  0x390
#define LAPIC_REG_TIMER_DIV  0x3e0
#define LAPIC_TIMER_DIV16    0x3
#define X2APIC_MSR_BASE	     0x800

/* I/O APIC (82093AA datasheet, 3.0): index/data window. */
#define IOAPIC_REGSEL	  0x00
#define IOAPIC_WIN	  0x10
#define IOAPIC_REG_VER	  0x01
#define IOAPIC_REG_REDTBL 0x10 /* two 32-bit registers per entry */
#define IOAPIC_MASKED	  (1U << 16)

/* 8259A PICs (8259A datasheet: ICW1-ICW4, then OCW1 as the mask). */
#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

/* How long the timer is measured against the TSC: both ends are read
 * the same way, so 100 us gives its rate within 0.1%. */
#define TIMER_CAL_US	     100
#define TIMER_FALLBACK_COUNT 625000 /* 1 GHz bus / 16 / 100 Hz (QEMU) */

static volatile uint32_t *lapic_mmio;
static bool x2apic;
static bool timer_running;

static uint32_t lapic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR_BASE + reg / 16);
	return lapic_mmio[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(X2APIC_MSR_BASE + reg / 16, v);
	else
		lapic_mmio[reg / 4] = v;
}

void apic_eoi(void)
{
	lapic_write(LAPIC_REG_EOI, 0);
}

uint32_t apic_read_error(void)
{
	lapic_write(LAPIC_REG_ESR, 0); /* latch, then read (SDM 11.5.3) */
	return lapic_read(LAPIC_REG_ESR);
}

bool apic_timer_running(void)
{
	return timer_running;
}

/* Move the 8259s off the exception vectors, then mask every line: all
 * interrupts come through the APICs. */
static void pic_disable(void)
{
	outb(PIC1_CMD, 0x11); /* ICW1: init, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, VEC_PIC_BASE); /* ICW2: vector base */
	outb(PIC2_DATA, VEC_PIC_BASE + 8);
	outb(PIC1_DATA, 4); /* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, 1); /* ICW4: 8086 mode */
	outb(PIC2_DATA, 1);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

static void ioapic_mask_all(void)
{
	volatile uint32_t *io;

	if (!acpi.ioapic_pa || !(io = vmm_map_mmio(acpi.ioapic_pa, 0x20)))
		return;
	io[IOAPIC_REGSEL / 4] = IOAPIC_REG_VER;
	unsigned last = (io[IOAPIC_WIN / 4] >> 16) & 0xff;
	for (unsigned i = 0; i <= last; i++) {
		io[IOAPIC_REGSEL / 4] = IOAPIC_REG_REDTBL + 2 * i;
		io[IOAPIC_WIN / 4] = IOAPIC_MASKED;
	}
}

/* Timer counts per 1/APIC_TIMER_HZ s, measured against the TSC. */
static uint32_t timer_calibrate(void)
{
	uint64_t hz = tsc_hz();

	if (!hz)
		return TIMER_FALLBACK_COUNT;
	lapic_write(LAPIC_REG_TIMER_DIV, LAPIC_TIMER_DIV16);
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_REG_TIMER_INIT, UINT32_MAX);
	/* Both ends are read by the same two instructions, so their delays
	 * (large under TCG) cancel out. */
	uint32_t c0 = lapic_read(LAPIC_REG_TIMER_CUR), c1;
	uint64_t t0 = rdtsc(), t1;
	do {
		c1 = lapic_read(LAPIC_REG_TIMER_CUR);
		t1 = rdtsc();
	} while (t1 - t0 < hz / 1000000 * TIMER_CAL_US);
	uint32_t counted = c0 - c1;
	lapic_write(LAPIC_REG_TIMER_INIT, 0);

	uint64_t per_tick =
		(uint64_t)counted * (hz / APIC_TIMER_HZ) / (t1 - t0);
	if (per_tick == 0 || per_tick > UINT32_MAX) {
		log_warn("APIC timer: implausible rate, assuming QEMU's");
		return TIMER_FALLBACK_COUNT;
	}
	return (uint32_t)per_tick;
}

void apic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	pic_disable();
	x2apic = cpu_has.x2apic;
	/* Disabled -> xAPIC -> x2APIC: the only legal order (SDM Vol. 3A,
	 * 11.12.5, figure 11-27). */
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	if (x2apic) {
		wrmsr(MSR_APIC_BASE,
		      base | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
	} else {
		lapic_mmio =
			vmm_map_mmio(base & APIC_BASE_ADDR_MASK, PAGE_SIZE);
		if (!lapic_mmio)
			panic("apic: cannot map the local APIC");
	}
	this_cpu()->apic_id = x2apic ? lapic_read(LAPIC_REG_ID)
				     : lapic_read(LAPIC_REG_ID) >> 24;

	lapic_write(LAPIC_REG_TPR, 0);
	lapic_write(LAPIC_REG_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_REG_LVT_LINT1, LAPIC_LVT_NMI);
	lapic_write(LAPIC_REG_LVT_ERROR, VEC_APIC_ERROR);
	lapic_write(LAPIC_REG_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
	apic_read_error();
	ioapic_mask_all();
}

void apic_timer_init(void)
{
	uint32_t count = timer_calibrate();
	lapic_write(LAPIC_REG_TIMER_DIV, LAPIC_TIMER_DIV16);
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_TIMER_PERIODIC | VEC_TIMER);
	lapic_write(LAPIC_REG_TIMER_INIT, count);
	timer_running = true;
	log_debug("APIC timer: %u counts per %u ms", count,
		  1000 / APIC_TIMER_HZ);
}

void apic_print_mp_info(void)
{
	log_info("===================== MULTIPROCESSOR INFORMATION "
		 "=====================");
	log_info("APIC in use:             %s", x2apic ? "x2APIC" : "xAPIC");
	log_info("Initialized CPUs:        1");
	log_info("======================================================"
		 "================");
	log_debug("CPUs in the MADT: %u", ncpus);
}
