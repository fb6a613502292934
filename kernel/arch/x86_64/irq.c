/* Device interrupts: the vector table, I/O APIC routing, MSI messages. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/irq.h>
#include <kernel/log.h>
#include <kernel/mm.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/trap.h"

/* I/O APIC (82093AA datasheet, 3.0 and 3.2.4): an index/data window;
 * redirection entry n is registers 0x10 + 2n (low) and 0x11 + 2n (high). */
#define IOAPIC_REGSEL	  0x00
#define IOAPIC_WIN	  0x10
#define IOAPIC_REG_VER	  0x01
#define IOAPIC_REG_REDTBL 0x10
#define IOAPIC_ACTIVE_LOW (1U << 13) /* interrupt input pin polarity */
#define IOAPIC_LEVEL	  (1U << 15) /* trigger mode */
#define IOAPIC_MASKED	  (1U << 16)
#define IOAPIC_DEST_SHIFT 24 /* in the high register: APIC ID, physical */

/* MSI (Intel SDM Vol. 3A, 11.11.1 and 11.11.2): fixed delivery, edge,
 * physical destination in address bits 19:12. */
#define MSI_ADDR_BASE	    0xfee00000ULL
#define MSI_ADDR_DEST_SHIFT 12

#define NR_VECTORS (IRQ_VECTOR_LAST - IRQ_VECTOR_FIRST + 1)

struct irq_slot {
	irq_handler_fn fn;
	void *arg;
};

static struct irq_slot slots[NR_VECTORS];
static volatile uint32_t *ioapic;
static unsigned ioapic_pins;

int irq_alloc_vector(irq_handler_fn fn, void *arg)
{
	uint64_t flags = irq_save();
	int vector = -ENOSPC;

	for (int i = 0; i < NR_VECTORS; i++) {
		if (!slots[i].fn) {
			slots[i].arg = arg;
			slots[i].fn = fn;
			vector = IRQ_VECTOR_FIRST + i;
			break;
		}
	}
	irq_restore(flags);
	return vector;
}

void irq_free_vector(int vector)
{
	if (vector < IRQ_VECTOR_FIRST || vector > IRQ_VECTOR_LAST)
		return;
	uint64_t flags = irq_save();
	slots[vector - IRQ_VECTOR_FIRST] = (struct irq_slot){0};
	irq_restore(flags);
}

void irq_dispatch(unsigned vector)
{
	const struct irq_slot *s = &slots[vector - IRQ_VECTOR_FIRST];

	/* A vector freed while its interrupt was in flight: nothing to do
	 * but the EOI the trap code sends. */
	if (s->fn)
		s->fn(s->arg);
}

static void ioapic_write(unsigned reg, uint32_t v)
{
	ioapic[IOAPIC_REGSEL / 4] = reg;
	ioapic[IOAPIC_WIN / 4] = v;
}

static uint32_t ioapic_read(unsigned reg)
{
	ioapic[IOAPIC_REGSEL / 4] = reg;
	return ioapic[IOAPIC_WIN / 4];
}

/* The I/O APIC input for gsi, or -ENODEV. Maps the I/O APIC on first
 * use: a machine without device interrupts never pays for it. */
static int ioapic_pin(unsigned gsi)
{
	if (!ioapic) {
		if (!acpi.ioapic_pa)
			return -ENODEV;
		ioapic = vmm_map_mmio(acpi.ioapic_pa, 0x20);
		if (!ioapic)
			return -ENODEV;
		ioapic_pins = ((ioapic_read(IOAPIC_REG_VER) >> 16) & 0xff) + 1;
	}
	if (gsi < acpi.ioapic_gsi_base ||
	    gsi - acpi.ioapic_gsi_base >= ioapic_pins)
		return -ENODEV;
	return (int)(gsi - acpi.ioapic_gsi_base);
}

int irq_route_gsi(unsigned gsi, int vector, bool level, bool active_low)
{
	if (vector < IRQ_VECTOR_FIRST || vector > IRQ_VECTOR_LAST)
		return -EINVAL;

	uint64_t flags = irq_save();
	int pin = ioapic_pin(gsi);
	if (pin >= 0) {
		uint32_t lo = (uint32_t)vector | (level ? IOAPIC_LEVEL : 0) |
			      (active_low ? IOAPIC_ACTIVE_LOW : 0);
		/* Masked while the destination changes, unmasked last. */
		ioapic_write(IOAPIC_REG_REDTBL + 2 * pin, IOAPIC_MASKED);
		ioapic_write(IOAPIC_REG_REDTBL + 2 * pin + 1,
			     this_cpu()->apic_id << IOAPIC_DEST_SHIFT);
		ioapic_write(IOAPIC_REG_REDTBL + 2 * pin, lo);
	}
	irq_restore(flags);
	return pin < 0 ? pin : 0;
}

void irq_mask_gsi(unsigned gsi)
{
	uint64_t flags = irq_save();
	int pin = ioapic_pin(gsi);

	if (pin >= 0)
		ioapic_write(IOAPIC_REG_REDTBL + 2 * pin, IOAPIC_MASKED);
	irq_restore(flags);
}

unsigned irq_isa_to_gsi(unsigned isa_irq, bool *level, bool *active_low)
{
	for (unsigned i = 0; i < acpi.niso; i++) {
		const struct acpi_iso *o = &acpi.iso[i];

		if (o->isa_irq != isa_irq)
			continue;
		if (ACPI_ISO_TRIGGER(o->flags) == ACPI_ISO_EDGE)
			*level = false;
		else if (ACPI_ISO_TRIGGER(o->flags) == ACPI_ISO_LEVEL)
			*level = true;
		if (ACPI_ISO_POLARITY(o->flags) == ACPI_ISO_ACTIVE_HIGH)
			*active_low = false;
		else if (ACPI_ISO_POLARITY(o->flags) == ACPI_ISO_ACTIVE_LOW)
			*active_low = true;
		return o->gsi;
	}
	return isa_irq;
}

void irq_msi_message(int vector, uint64_t *addr, uint32_t *data)
{
	*addr = MSI_ADDR_BASE |
		((uint64_t)(this_cpu()->apic_id & 0xff) << MSI_ADDR_DEST_SHIFT);
	*data = (uint32_t)vector & 0xff;
}
