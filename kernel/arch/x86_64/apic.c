/* Local APIC (xAPIC or x2APIC), I/O APIC, 8259s and the one-shot timer. */
#include <kernel/arch.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/time.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/x86.h"

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
#define LAPIC_REG_ICR_LO     0x300 /* interrupt command, SDM 11.6.1 */
#define LAPIC_ICR_FIXED	     (0U << 8)
#define LAPIC_ICR_INIT	     (5U << 8)
#define LAPIC_ICR_STARTUP    (6U << 8)
#define LAPIC_ICR_PENDING    (1U << 12) /* delivery status, xAPIC only */
#define LAPIC_ICR_ASSERT     (1U << 14)
#define LAPIC_REG_ICR_HI     0x310 /* xAPIC: destination in bits 31:24 */
#define LAPIC_REG_LVT_TIMER  0x320
#define LAPIC_TIMER_ONESHOT  (0U << 17) /* LVT timer mode, SDM 11.5.4 */
#define LAPIC_TIMER_DEADLINE (2U << 17) /* TSC-deadline mode */
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
#define X2APIC_MSR_ICR	     0x830 /* one 64-bit write, SDM 11.12.9 */
#define MSR_TSC_DEADLINE     0x6e0 /* IA32_TSC_DEADLINE, SDM 11.5.4.1 */

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

/*
 * In one-shot mode the timer's rate is measured against the TSC from the
 * end of apic_init() to the first apic_timer_set(): usually far more than
 * the 2 ms wanted, so nobody waits for it (and a program that never sleeps
 * never finishes it). At least 2 ms because 100 us under TCG was 9% off,
 * and a one-shot deadline is only as good as this rate. Counting down
 * from 2^32-1 lasts over a minute at QEMU's 62.5 MHz; a measurement that
 * outlasted the count is taken again.
 */
#define TIMER_CAL_US	    2000
#define TIMER_FALLBACK_RATE 62500000ULL /* 1 GHz bus / 16 (QEMU), per s */

static volatile uint32_t *lapic_mmio;
static bool x2apic;
static bool tsc_deadline;
static uint64_t timer_mult; /* counts = ns * timer_mult >> 32 */
static uint32_t cal_count;  /* timer count and TSC when calibration began */
static uint64_t cal_tsc;

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

/*
 * The timer count and the TSC at (nearly) the same instant: the TSC is
 * read on both sides of the count and the tightest of a few tries is
 * kept, so that neither TCG translating this code (0.4% off when the two
 * reads were merely back to back) nor the host descheduling the vCPU
 * between two reads skews the rate. Returns the TSC midpoint.
 */
static uint64_t timer_sample(uint32_t *count)
{
	uint64_t best = UINT64_MAX, mid = 0;

	for (int i = 0; i < 5; i++) {
		uint64_t t0 = rdtsc();
		uint32_t c = lapic_read(LAPIC_REG_TIMER_CUR);
		uint64_t t1 = rdtsc();

		if (t1 - t0 < best) {
			best = t1 - t0;
			mid = t0 + best / 2;
			*count = c;
		}
	}
	return mid;
}

/* The timer counting down, masked, from its largest value. */
static void timer_calibration_start(void)
{
	lapic_write(LAPIC_REG_TIMER_DIV, LAPIC_TIMER_DIV16);
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_REG_TIMER_INIT, UINT32_MAX);
	cal_tsc = timer_sample(&cal_count);
}

/* Timer counts per second (divide-by-16), TIMER_CAL_US or more after
 * timer_calibration_start(). */
static uint64_t timer_rate(void)
{
	uint64_t hz = tsc_hz(), t1, ticks, counted, rate;
	uint32_t c1;

	if (!hz)
		return TIMER_FALLBACK_RATE;
	for (;;) {
		do
			t1 = timer_sample(&c1);
		while (t1 - cal_tsc < hz / 1000000 * TIMER_CAL_US);
		if (c1)
			break;
		timer_calibration_start(); /* ran out: again */
	}
	ticks = t1 - cal_tsc;
	counted = cal_count - c1;
	/* A long span makes counted * hz overflow; then both are large
	 * enough to lose 16 bits. */
	if (__builtin_mul_overflow(counted, hz, &rate))
		rate = counted * (hz >> 16) / (ticks >> 16);
	else
		rate /= ticks;
	log_debug("APIC timer: one-shot, %lu kHz (measured over %lu us)",
		  rate / 1000, ticks / (hz / 1000000));
	/* Below 1 MHz or above 10 GHz the measurement failed. */
	if (rate < 1000000 || rate > 10000000000ULL) {
		log_warn("APIC timer: implausible rate, assuming QEMU's");
		return TIMER_FALLBACK_RATE;
	}
	return rate;
}

/* This CPU's local APIC on, in the mode the boot CPU chose (every CPU
 * maps its own APIC at the same address, SDM Vol. 3A, 11.4.1). */
static void lapic_setup(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	/* Disabled -> xAPIC -> x2APIC: the only legal order (SDM Vol. 3A,
	 * 11.12.5, figure 11-27). */
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	if (x2apic)
		wrmsr(MSR_APIC_BASE,
		      base | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
	this_cpu()->apic_id = x2apic ? lapic_read(LAPIC_REG_ID)
				     : lapic_read(LAPIC_REG_ID) >> 24;

	lapic_write(LAPIC_REG_TPR, 0);
	lapic_write(LAPIC_REG_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_REG_LVT_LINT1, LAPIC_LVT_NMI);
	lapic_write(LAPIC_REG_LVT_ERROR, VEC_APIC_ERROR);
	lapic_write(LAPIC_REG_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
	apic_read_error();
}

void apic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	pic_disable();
	x2apic = cpu_has.x2apic;
	if (!x2apic) {
		lapic_mmio =
			vmm_map_mmio(base & APIC_BASE_ADDR_MASK, PAGE_SIZE);
		if (!lapic_mmio)
			panic("apic: cannot map the local APIC");
	}
	lapic_setup();
	ioapic_mask_all();
	timer_calibration_start();
}

/* An AP's APIC and its timer, stopped, in the boot CPU's timer mode
 * (apic_timer_calibrate() ran first). */
void apic_init_ap(void)
{
	lapic_setup();
	lapic_write(LAPIC_REG_TIMER_DIV, LAPIC_TIMER_DIV16);
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
	if (tsc_deadline) {
		lapic_write(LAPIC_REG_LVT_TIMER,
			    LAPIC_TIMER_DEADLINE | VEC_TIMER);
		__asm__ volatile("mfence" ::: "memory");
	} else {
		lapic_write(LAPIC_REG_LVT_TIMER,
			    LAPIC_TIMER_ONESHOT | VEC_TIMER);
	}
}

/*
 * Send an interrupt command (SDM Vol. 3A, 11.6.1). xAPIC: destination
 * first (the low write sends), then wait for the delivery status to
 * clear; x2APIC: one MSR write, no status to wait for (11.12.9).
 * Interrupts off around it: a handler on this CPU sending its own IPI
 * between the two xAPIC writes would change the destination.
 */
static void icr_send(uint32_t apic_id, uint32_t lo)
{
	uint64_t flags = read_rflags();

	irq_disable();
	if (x2apic) {
		wrmsr(X2APIC_MSR_ICR, (uint64_t)apic_id << 32 | lo);
	} else {
		lapic_write(LAPIC_REG_ICR_HI, apic_id << 24);
		lapic_write(LAPIC_REG_ICR_LO, lo);
		while (lapic_read(LAPIC_REG_ICR_LO) & LAPIC_ICR_PENDING)
			cpu_relax();
	}
	if (flags & RFLAGS_IF)
		irq_enable();
}

void apic_send_ipi(unsigned cpu, uint8_t vector)
{
	icr_send(cpus[cpu]->apic_id, LAPIC_ICR_FIXED | LAPIC_ICR_ASSERT |
					     vector);
}

void apic_send_init(uint32_t apic_id)
{
	icr_send(apic_id, LAPIC_ICR_INIT | LAPIC_ICR_ASSERT);
}

void apic_send_startup(uint32_t apic_id, uint8_t page)
{
	icr_send(apic_id, LAPIC_ICR_STARTUP | LAPIC_ICR_ASSERT | page);
}

/*
 * One-shot, programmed for the next deadline only (timer.c): TSC-deadline
 * mode where CPUID offers it (an absolute TSC value, no rate to measure;
 * QEMU's TCG does not), else a one-shot count at the measured rate. The
 * timer stays stopped until the first timer is armed.
 */
void apic_timer_init(void)
{
	tsc_deadline = cpu_has.tsc_deadline && tsc_hz();
	if (!tsc_deadline)
		return; /* apic_timer_set() finishes the measurement */
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_TIMER_DEADLINE | VEC_TIMER);
	/* The LVT write must land before the first deadline MSR write (SDM
	 * Vol. 3A, 11.5.4.1): MMIO is not ordered against WRMSR. */
	__asm__ volatile("mfence" ::: "memory");
	log_debug("APIC timer: TSC-deadline");
}

/* The first one-shot arming: the rate, then the timer unmasked. */
static void timer_oneshot_start(void)
{
	uint64_t rate = timer_rate();

	/* rate * 2^32 / 10^9 as rate * 2^29 / 125000000: no 128-bit
	 * division (no libgcc), and rate <= 10 GHz fits 64 bits. */
	timer_mult = (rate << 29) / 125000000;
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_TIMER_ONESHOT | VEC_TIMER);
}

void apic_timer_set(uint64_t deadline_ns)
{
	if (tsc_deadline) {
		/* 0 disarms; a deadline already past fires at once. */
		wrmsr(MSR_TSC_DEADLINE,
		      deadline_ns ? tsc_at_ns(deadline_ns) : 0);
		return;
	}
	if (!deadline_ns) {
		if (timer_mult)
			lapic_write(LAPIC_REG_TIMER_INIT, 0);
		return;
	}
	if (!timer_mult)
		timer_oneshot_start();
	uint64_t now = clock_monotonic_ns();
	uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;
	unsigned __int128 counts =
		((unsigned __int128)delta * timer_mult) >> 32;
	/* At least 1 (0 would stop the timer); a deadline further out than
	 * the 32-bit counter reaches takes an early interrupt that finds
	 * nothing due and programs the rest. */
	lapic_write(LAPIC_REG_TIMER_INIT, counts < 1 ? 1
					  : counts > UINT32_MAX
						  ? UINT32_MAX
						  : (uint32_t)counts);
}

void apic_timer_calibrate(void)
{
	if (!tsc_deadline && !timer_mult)
		timer_oneshot_start();
}

void apic_print_mp_info(void)
{
	log_info("===================== MULTIPROCESSOR INFORMATION "
		 "=====================");
	log_info("APIC in use:             %s", x2apic ? "x2APIC" : "xAPIC");
	log_info("Initialized CPUs:        %u", ncpus);
	log_info("======================================================"
		 "================");
	log_debug("CPUs in the MADT: %u", acpi.ncpu_ids);
}
