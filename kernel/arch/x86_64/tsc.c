/* The TSC clock: frequency from CPUID or the PIT, monotonic ns. */
#include <kernel/arch.h>
#include <kernel/log.h>
#include <kernel/sched.h>
#include <kernel/time.h>

#include "arch/x86_64/x86.h"

/* 8254 PIT (Intel 82C54 datasheet): channel 2's gate and output are
 * wired to port 0x61 bits 0 and 5 on every PC since the AT. */
#define PIT_HZ	       1193182
#define PIT_CH2	       0x42
#define PIT_CMD	       0x43
#define PIT_CH2_MODE0  0xb0 /* channel 2, lobyte/hibyte, mode 0, binary */
#define PORT_B	       0x61
#define PORT_B_GATE2   0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2    0x20

#define PIT_CH2_LATCH 0x80 /* counter latch command, channel 2 */

/*
 * Calibration measures the TSC against the PIT over at least 2 ms (~2400
 * PIT ticks, against a read error of a tick or two even under TCG). To
 * keep that out of boot time, tsc_calibration_start() sets channel 2
 * counting down from 0xffff (55 ms) early in kmain() and tsc_init() reads
 * it much later, waiting only for what is left of the 2 ms. When the count
 * ran out in between (a slow machine), a plain 2 ms gate is timed instead.
 */
#define PIT_MIN_TICKS 2386 /* 2 ms */
#define PIT_GATE_US   2000
#define PIT_SPIN_MAX  50000000

#define CPUID_HYPERVISOR (1U << 31)  /* CPUID.1:ECX */
#define CPUID_HV_TIMING	 0x40000010U /* EAX: TSC kHz, where offered */

static uint64_t hz;
static uint64_t tsc_base;
static uint64_t cal_tsc; /* rdtsc when channel 2 started, 0 if not */
static uint8_t cal_port_b;
static uint64_t ns_mult;  /* ns = ticks * ns_mult >> 32 */
static uint64_t tsc_mult; /* ticks = ns * tsc_mult >> 32 */

/* Exact frequency where the CPU or the hypervisor states it. */
static uint64_t hz_from_cpuid(void)
{
	uint32_t max = cpuid(0, 0).eax;

	if (max >= 0x15) {
		/* Leaf 0x15: TSC/crystal ratio EBX/EAX, crystal Hz in ECX
		 * (SDM Vol. 2A, CPUID). */
		struct cpuid_regs r = cpuid(0x15, 0);
		if (r.eax && r.ebx && r.ecx)
			return (uint64_t)r.ecx * r.ebx / r.eax;
	}
	if (cpuid(1, 0).ecx & CPUID_HYPERVISOR &&
	    cpuid(0x40000000, 0).eax >= CPUID_HV_TIMING) {
		uint32_t khz = cpuid(CPUID_HV_TIMING, 0).eax;
		if (khz)
			return (uint64_t)khz * 1000;
	}
	return 0;
}

static uint64_t plausible_hz(uint64_t f)
{
	return f >= 100000000ULL && f <= 20000000000ULL ? f : 0;
}

/* Count TSC ticks while PIT channel 2 counts down a fixed interval. */
static uint64_t hz_from_pit(void)
{
	const uint16_t count = (uint64_t)PIT_HZ * PIT_GATE_US / 1000000;
	uint8_t saved = inb(PORT_B);
	uint64_t t0, t1;
	int spins = 0;

	outb(PORT_B, (saved & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_CMD, PIT_CH2_MODE0);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	t0 = rdtsc();
	while (!(inb(PORT_B) & PORT_B_OUT2) && ++spins < PIT_SPIN_MAX)
		;
	t1 = rdtsc();
	outb(PORT_B, saved);

	/* No PIT (reads as 0xff: OUT2 "set" at once) or a stuck one. */
	if (spins >= PIT_SPIN_MAX)
		return 0;
	return plausible_hz((t1 - t0) * (1000000 / PIT_GATE_US));
}

void tsc_calibration_start(void)
{
	cal_port_b = inb(PORT_B);
	outb(PORT_B, (cal_port_b & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_CMD, PIT_CH2_MODE0);
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	cal_tsc = rdtsc();
}

static uint16_t pit_ch2_read(void)
{
	outb(PIT_CMD, PIT_CH2_LATCH);
	uint16_t lo = inb(PIT_CH2);
	return lo | (uint16_t)inb(PIT_CH2) << 8;
}

/* Finish what tsc_calibration_start() began; 0 when it cannot. */
static uint64_t hz_from_running_pit(void)
{
	uint64_t t = 0;
	uint16_t elapsed = 0;

	if (!cal_tsc)
		return 0;
	for (int spins = 0; spins < PIT_SPIN_MAX; spins++) {
		t = rdtsc();
		uint16_t count = pit_ch2_read();
		/* OUT2 high now: the count had run out (or no PIT answers
		 * and the port reads 0xff), so the read says nothing. */
		if (inb(PORT_B) & PORT_B_OUT2) {
			elapsed = 0;
			break;
		}
		elapsed = 0xffff - count;
		if (elapsed >= PIT_MIN_TICKS)
			break;
	}
	outb(PORT_B, cal_port_b);
	if (elapsed < PIT_MIN_TICKS)
		return 0;
	return plausible_hz((t - cal_tsc) * PIT_HZ / elapsed);
}

void tsc_init(void)
{
	tsc_base = rdtsc();
	hz = hz_from_cpuid();
	if (!hz)
		hz = hz_from_running_pit();
	if (!hz)
		hz = hz_from_pit();
	if (!hz) {
		hz = 1000000000ULL;
		log_warn("TSC: cannot measure its frequency; assuming 1 GHz");
	}
	ns_mult = (NSEC_PER_SEC << 32) / hz;
	/* hz * 2^32 / 10^9 without a 128-bit division (no libgcc): the
	 * same as hz * 2^29 / 125000000, and hz <= 20 GHz keeps it in 64
	 * bits. */
	tsc_mult = (hz << 29) / 125000000;
	log_debug("TSC: %lu.%03lu MHz%s", hz / 1000000, hz / 1000 % 1000,
		  cpu_has.invariant_tsc ? ", invariant" : "");
}

uint64_t tsc_hz(void)
{
	return hz;
}

uint64_t clock_monotonic_ns(void)
{
	uint64_t ticks = rdtsc() - tsc_base;

	return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32);
}

/* One tick later than the exact value, so that rounding cannot make a
 * deadline timer fire before clock_monotonic_ns() reaches ns. */
uint64_t tsc_at_ns(uint64_t ns)
{
	return tsc_base + (uint64_t)(((unsigned __int128)ns * tsc_mult) >> 32) +
	       1;
}

void time_sleep_until(uint64_t deadline_ns)
{
	thread_sleep_until(deadline_ns);
}
