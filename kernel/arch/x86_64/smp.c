/* SMP bring-up: the MADT's other CPUs started with INIT/SIPI/SIPI. */
#include <kernel/arch.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/time.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/x86.h"

/* trampoline.S: the code, its absolute-address slots, its parameters. */
extern const char trampoline_start[], trampoline_end[];
extern const char trampoline_gdt[], trampoline_gdtr[];
extern const char trampoline_pm32[], trampoline_pm32_ptr[];
extern const char trampoline_lm64[], trampoline_lm64_ptr[];
extern const char trampoline_params[];

struct trampoline_params {
	uint64_t cr3, stack, cpu, entry;
};

/*
 * Timing of the start-up sequence (Intel SDM Vol. 3A, 9.4.4.1, and the
 * MP specification B.4): INIT, 10 ms, STARTUP, 200 us, a second STARTUP
 * if the AP has not answered. AP_TIMEOUT_NS bounds the wait for each AP
 * (generous: under TCG a vCPU thread may wait for a host CPU).
 */
#define INIT_DELAY_NS  10000000ULL
#define SIPI_DELAY_NS  200000ULL
#define AP_TIMEOUT_NS  2000000000ULL
#define LOW_MEMORY_TOP 0x100000ULL

static volatile uint32_t ap_arrived; /* set by the AP once it runs C */

static void delay_ns(uint64_t ns)
{
	uint64_t end = clock_monotonic_ns() + ns;

	while (clock_monotonic_ns() < end)
		cpu_relax();
}

static bool wait_arrival(uint64_t ns)
{
	uint64_t end = clock_monotonic_ns() + ns;

	while (clock_monotonic_ns() < end) {
		if (__atomic_load_n(&ap_arrived, __ATOMIC_ACQUIRE))
			return true;
		cpu_relax();
	}
	return false;
}

/* The AP's first C code, on its idle thread's stack with GS = c. */
static __noreturn void smp_ap_main(struct cpu *c)
{
	cpu_init_ap(c);
	apic_init_ap();
	__atomic_store_n(&ap_arrived, 1, __ATOMIC_RELEASE);
	sched_run_cpu(); /* this CPU's idle thread from here on */
}

/* Copy the trampoline to base and fill in its absolute addresses. */
static struct trampoline_params *trampoline_install(paddr_t base)
{
	char *page = phys_to_virt(base);
	size_t len = (size_t)(trampoline_end - trampoline_start);

	memcpy(page, trampoline_start, len);
#define AT(sym) (page + ((sym) - trampoline_start))
#define PHYS(sym) ((uint32_t)(base + (uint64_t)((sym) - trampoline_start)))
	*(uint32_t *)(AT(trampoline_gdtr) + 2) = PHYS(trampoline_gdt);
	*(uint32_t *)AT(trampoline_pm32_ptr) = PHYS(trampoline_pm32);
	*(uint32_t *)AT(trampoline_lm64_ptr) = PHYS(trampoline_lm64);
	return (struct trampoline_params *)AT(trampoline_params);
#undef AT
#undef PHYS
}

/* Start the AP with APIC ID apic_id as CPU id; true when it runs. */
static bool start_ap(struct trampoline_params *p, paddr_t base,
		     uint32_t apic_id, unsigned id)
{
	struct cpu *c = cpus[id];
	uintptr_t stack;

	if (!c && !(c = kzalloc(sizeof *c)))
		return false;
	cpus[id] = c;
	memset(c, 0, sizeof *c);
	c->self = c;
	c->id = id;
	c->apic_id = apic_id;
	c->thread_name = "idle";
	if (gdt_alloc(c) < 0 || !(stack = sched_prepare_cpu(id)))
		return false;
	c->kstack_top = stack;
	p->stack = stack;
	p->cpu = (uint64_t)c;
	p->entry = (uint64_t)smp_ap_main;
	__atomic_store_n(&ap_arrived, 0, __ATOMIC_RELEASE);

	apic_send_startup(apic_id, (uint8_t)(base >> 12));
	if (!wait_arrival(SIPI_DELAY_NS))
		apic_send_startup(apic_id, (uint8_t)(base >> 12));
	if (wait_arrival(AP_TIMEOUT_NS))
		return true;
	/* Back to wait-for-SIPI: a late start would run a trampoline that
	 * is no longer there. */
	apic_send_init(apic_id);
	log_warn("smp: CPU with APIC ID %u did not start; left off",
		 apic_id);
	return false;
}

static void start_all(paddr_t base)
{
	struct trampoline_params *p = trampoline_install(base);
	uint32_t self = this_cpu()->apic_id;
	unsigned online = 1;

	p->cr3 = read_cr3();
	for (unsigned i = 0; i < acpi.ncpu_ids; i++)
		if (acpi.cpu_apic_ids[i] != self)
			apic_send_init(acpi.cpu_apic_ids[i]);
	delay_ns(INIT_DELAY_NS);
	for (unsigned i = 0; i < acpi.ncpu_ids && online < MAX_CPUS; i++) {
		if (acpi.cpu_apic_ids[i] == self)
			continue;
		if (start_ap(p, base, acpi.cpu_apic_ids[i], online))
			online++;
	}
	ncpus = online;
}

void smp_start(void)
{
	paddr_t base;

	ncpus = 1;
	if (acpi.ncpu_ids <= 1)
		return;
	if (acpi.ncpu_ids > MAX_CPUS)
		log_warn("smp: %u CPUs in the MADT, using %u", acpi.ncpu_ids,
			 MAX_CPUS);
	/* The trampoline loads CR3 in 32-bit mode. */
	if (read_cr3() >> 32) {
		log_warn("smp: page tables above 4 GiB; one CPU only");
		return;
	}
	base = pmm_alloc_page_below(LOW_MEMORY_TOP);
	if (!base || vmm_map_page(base, base, 0) < 0) {
		log_warn("smp: no free page below 1 MiB; one CPU only");
		if (base)
			pmm_free_page(base);
		return;
	}
	apic_timer_calibrate(); /* the APs' timers use the boot CPU's rate */
	start_all(base);
	/* The identity mapping is in the application's half: gone before
	 * exec. Every AP that started is past the trampoline. */
	vmm_unmap_page(base, NULL);
	tlb_shootdown(base, base + PAGE_SIZE);
	pmm_free_page(base);
	log_debug("smp: %u CPUs running", ncpus);
}
