/* What the kernel takes from the ACPI tables (kernel-private). */
#ifndef KERNEL_ARCH_X86_64_ACPI_H
#define KERNEL_ARCH_X86_64_ACPI_H

#include <kernel/types.h>

/* An ISA IRQ that reaches the I/O APIC on another input or with other
 * polarity or trigger than ISA's (MADT interrupt source override). */
struct acpi_iso {
	uint8_t isa_irq;
	uint16_t flags; /* MPS INTI flags: polarity bits 1:0, trigger 3:2 */
	uint32_t gsi;
};
#define ACPI_ISO_POLARITY(f)   ((f) & 3)	/* 0 bus default, 1 high, 3 low */
#define ACPI_ISO_TRIGGER(f)    (((f) >> 2) & 3) /* 0 bus default, 1 edge, 3 level */
#define ACPI_ISO_ACTIVE_HIGH   1
#define ACPI_ISO_ACTIVE_LOW    3
#define ACPI_ISO_EDGE	       1
#define ACPI_ISO_LEVEL	       3

/* Processors kiln keeps track of (MADT local APIC entries). */
#define ACPI_MAX_CPUS 64

struct acpi_info {
	uint32_t cpu_apic_ids[ACPI_MAX_CPUS]; /* enabled CPUs, MADT order */
	unsigned ncpu_ids;
	paddr_t lapic_pa;  /* MADT local APIC address, 0 if no MADT */
	paddr_t ioapic_pa; /* first I/O APIC, 0 if none */
	uint32_t ioapic_gsi_base;
	struct acpi_iso iso[16]; /* at most one per ISA IRQ */
	unsigned niso;
	uint16_t pm1a_cnt; /* FADT PM1a/b control blocks (I/O ports) */
	uint16_t pm1b_cnt;
	uint16_t slp_typa; /* \_S5 sleep types from the DSDT, */
	uint16_t slp_typb; /* read by acpi_poweroff() */
	bool s5_valid;
	uint32_t smi_cmd; /* to switch the chipset into ACPI mode */
	uint8_t acpi_enable;
	uint8_t century; /* CMOS register of the century, 0 if none */
};

extern struct acpi_info acpi;

/* Power off through S5 (PM1x_CNT = SLP_TYP | SLP_EN); returns if that
 * is not possible. */
void acpi_poweroff(void);

#endif
