/* machine_exit(): interrupt report, exit status to the host, power off. */
#include <kernel/arch.h>
#include <kernel/log.h>
#include <kernel/power.h>
#include <kiln/abi/exit.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/trap.h"
#include "dev/serial.h"

static void print_interrupts(const struct cpu *c)
{
	if (c->id == 0)
		log_info("Number of interrupts");
	for (unsigned v = 0; v < 256; v++) {
		const char *name = trap_name(v);

		if (!c->irq_count[v])
			continue;
		if (name)
			log_info("[%u][%u]: %lu (%s)", c->id, v,
				 c->irq_count[v], name);
		else
			log_info("[%u][%u]: %lu", c->id, v, c->irq_count[v]);
	}
}

void machine_exit(int status)
{
	char line[24];

	irq_disable();
	status &= 0xff;
	/* Every CPU's counts (the others keep running meanwhile: their
	 * figures are as good as a snapshot gets). */
	for (unsigned i = 0; i < ncpus && cpus[i]; i++)
		print_interrupts(cpus[i]);
	log_info("Shutting down system");

	/* The exit-status channels of kiln/abi/exit.h, the line first: it
	 * carries all 8 bits, isa-debug-exit only 7. */
	int n = snprintf(line, sizeof line, "kiln-exit %d\n", status);
	serial_status_write(line, (size_t)n);
	outl(KILN_EXIT_PORT, status & 0x7f);

	/* Still here: no isa-debug-exit device. */
	acpi_poweroff();
	for (;;)
		__asm__ volatile("cli; hlt");
}
