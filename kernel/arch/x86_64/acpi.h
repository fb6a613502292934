/* What the kernel takes from the ACPI tables (kernel-private). */
#ifndef KERNEL_ARCH_X86_64_ACPI_H
#define KERNEL_ARCH_X86_64_ACPI_H

#include <kernel/types.h>

struct acpi_info {
	paddr_t lapic_pa;  /* MADT local APIC address, 0 if no MADT */
	paddr_t ioapic_pa; /* first I/O APIC, 0 if none */
	uint32_t ioapic_gsi_base;
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
