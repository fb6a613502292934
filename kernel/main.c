/* kmain(): the boot order, one step per line. */
#include <kernel/arch.h>
#include <kernel/exec.h>
#include <kernel/fs.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/net.h>
#include <kernel/panic.h>
#include <kernel/power.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <kiln/abi/boot.h>
#include <kiln/abi/exit.h>

#include "arch/x86_64/apic.h"
#include "dev/pci.h"
#include "dev/serial.h"
#include "kcmdline.h"
#include "lib/ksym.h"

static struct kiln_boot_info boot_info;
static struct kcmdline cmdline;

/* The block lives in booter memory, which is reused after vmm_init():
 * keep a checked copy. A bad block is the booter's bug. */
static void boot_info_copy(const struct kiln_boot_info *bi)
{
	if (bi->magic != KILN_BOOT_MAGIC || bi->version != KILN_BOOT_VERSION ||
	    bi->size != sizeof *bi)
		panic("boot info at %p: bad magic, version or size", bi);
	boot_info = *bi;
	if (boot_info.nr_mmap > KILN_BOOT_MAX_MMAP ||
	    boot_info.nr_modules > KILN_BOOT_MAX_MODULES)
		panic("boot info: %u memory ranges, %u modules", bi->nr_mmap,
		      bi->nr_modules);
	boot_info.cmdline[KILN_BOOT_CMDLINE_MAX - 1] = '\0';
}

/* A bad command line is the user's input: one line and exit 2. */
static void cmdline_init(void)
{
	char err[128];

	if (kcmdline_parse(boot_info.cmdline, &cmdline, err, sizeof err) < 0) {
		log_error("command line: %s", err);
		machine_exit(KILN_EXIT_USAGE);
	}
	if (cmdline.verbose >= 0)
		log_set_level(cmdline.verbose);
}

static void log_boot_summary(void)
{
	uint64_t hz = tsc_hz();

	log_info("Free memory: %zu KiB of %zu KiB",
		 pmm_free_count() * (PAGE_SIZE / 1024),
		 pmm_total_count() * (PAGE_SIZE / 1024));
	if (boot_info.tsc_at_start && hz)
		log_debug("Boot took %lu us since the booter started",
			  (rdtsc() - boot_info.tsc_at_start) / (hz / 1000000));
}

void kmain(const struct kiln_boot_info *bi)
{
	tsc_calibration_start();	/* PIT times the TSC while we boot */
	serial_init();			/* console for every step below */
	boot_info_copy(bi);		/* before booter memory is reused */
	cpu_init();			/* GDT, TSS, IDT: faults reported */
	cmdline_init();			/* verbose= counts from here on */
	pmm_init(&boot_info);		/* frames, before any allocation */
	vmm_init(&boot_info);		/* own tables, direct map, W^X */
	pmm_release_booter(&boot_info); /* its tables, stack: unused now */
	heap_init();			/* kmalloc, over the direct map */
	ksym_init(&boot_info);		/* symbols for panic backtraces */
	acpi_init(&boot_info);		/* MADT, FADT: CPUs, APICs, S5 */
	apic_init();			/* LAPIC on, I/O APIC, 8259s off */
	tsc_init();			/* reads the PIT, >= 2 ms on */
	apic_timer_init();		/* one-shot, stopped: tickless */
	sched_init();			/* we become thread "boot"; idle */
	smp_start();			/* APs: INIT/SIPI, own idle threads; */
					/* needs sched, the clock, the heap */
	apic_print_mp_info();		/* MULTIPROCESSOR INFORMATION */
	pci_init();			/* devices, drivers; may sleep, */
					/* start threads: after sched */
	log_boot_summary();		/* memory, clock, boot time */
	fs_init(&boot_info);		/* "/" from the image; needs ncpus */
	net_init(&cmdline.net);		/* lwIP, DHCP or static; after fs: */
					/* it writes /etc/resolv.conf */
	meminfo_report_after(cmdline.meminfo_ms); /* meminfo=MS */

	exec_start_app(&boot_info, &cmdline); /* ring 3, never returns */
}
