/* ACPI: RSDP -> RSDT/XSDT -> MADT (CPUs, APICs) and FADT (S5, century). */
#include <kernel/arch.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/string.h>
#include <kiln/abi/boot.h>

#include "arch/x86_64/acpi.h"

/*
 * Tables are firmware input: every length is checked against what was
 * mapped, every checksum verified, and a bad table is skipped with a
 * warning, never trusted. Layouts from the ACPI 6.5 specification,
 * sections 5.2.5 (RSDP), 5.2.6 (header), 5.2.9 (FADT), 5.2.12 (MADT).
 */

#define ACPI_TABLE_MAX	(1U << 20) /* sanity bound for any one table */
#define SDT_HEADER_SIZE 36

struct acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;  /* first 20 bytes */
	char oem_id[6];
	uint8_t revision; /* 0: ACPI 1.0, 2+: has the fields below */
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum; /* whole structure */
	uint8_t reserved[3];
} __packed;

struct acpi_sdt {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;

/* MADT (5.2.12): local APIC address at 36, flags at 40, entries from 44. */
#define MADT_LAPIC_ADDR	    36
#define MADT_ENTRIES	    44
#define MADT_LAPIC	    0 /* processor local APIC */
#define MADT_IOAPIC	    1
#define MADT_ISO	    2 /* interrupt source override */
#define MADT_LAPIC_OVERRIDE 5 /* 64-bit local APIC address */
#define MADT_X2APIC	    9 /* processor local x2APIC */
#define MADT_CPU_ENABLED    1

/* FADT (5.2.9) field offsets. */
#define FADT_DSDT	 40
#define FADT_SMI_CMD	 48
#define FADT_ACPI_ENABLE 52
#define FADT_PM1A_CNT	 64
#define FADT_PM1B_CNT	 68
#define FADT_CENTURY	 108
#define FADT_X_DSDT	 140

/* PM1 control register bits (4.8.3.2.1). */
#define PM1_SCI_EN	  (1U << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK  (7U << 10)
#define PM1_SLP_EN	  (1U << 13)

/* AML opcodes (20.2) used by the \_S5 scan. */
#define AML_ZERO    0x00
#define AML_ONE	    0x01
#define AML_NAME    0x08
#define AML_BYTE    0x0a
#define AML_WORD    0x0b
#define AML_DWORD   0x0c
#define AML_PACKAGE 0x12

struct acpi_info acpi;
unsigned int ncpus = 1;
static paddr_t dsdt_pa;

static uint8_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

/* A little-endian field of a table, 0 when it lies past the end. */
static uint64_t field(const struct acpi_sdt *t, uint32_t off, unsigned size)
{
	uint64_t v = 0;

	if (off > t->length || size > t->length - off)
		return 0;
	memcpy(&v, (const char *)t + off, size);
	return v;
}

/* Map the table at pa when its signature matches (any when sig is NULL),
 * its length is sane and its checksum is right. */
static const struct acpi_sdt *map_table(paddr_t pa, const char *sig)
{
	const struct acpi_sdt *h;
	uint32_t len;

	if (!pa || !(h = vmm_map_phys(pa, SDT_HEADER_SIZE, PTE_NX)))
		return NULL;
	if (sig && memcmp(h->signature, sig, 4) != 0)
		return NULL;
	len = h->length;
	if (len < SDT_HEADER_SIZE || len > ACPI_TABLE_MAX)
		goto bad;
	if (!(h = vmm_map_phys(pa, len, PTE_NX)))
		return NULL;
	if (h->length != len || checksum(h, len) != 0)
		goto bad;
	return h;
bad:
	log_warn("ACPI: ignoring bad table %.4s at %#lx", h->signature, pa);
	return NULL;
}

/* An enabled processor's APIC ID, kept for smp_start(); beyond
 * ACPI_MAX_CPUS they are counted, not kept. */
static void add_cpu(uint32_t apic_id, unsigned *enabled)
{
	if (acpi.ncpu_ids < ACPI_MAX_CPUS)
		acpi.cpu_apic_ids[acpi.ncpu_ids++] = apic_id;
	(*enabled)++;
}

static void parse_madt(const struct acpi_sdt *madt)
{
	const uint8_t *p = (const uint8_t *)madt + MADT_ENTRIES;
	const uint8_t *end = (const uint8_t *)madt + madt->length;
	unsigned enabled = 0;
	uint32_t flags, id;

	acpi.lapic_pa = field(madt, MADT_LAPIC_ADDR, 4);
	for (; end - p >= 2 && p[1] >= 2 && p[1] <= end - p; p += p[1]) {
		switch (p[0]) {
		case MADT_LAPIC:
			if (p[1] < 8)
				break;
			memcpy(&flags, p + 4, 4);
			if (flags & MADT_CPU_ENABLED)
				add_cpu(p[3], &enabled);
			break;
		case MADT_X2APIC:
			if (p[1] < 16)
				break;
			memcpy(&flags, p + 8, 4);
			memcpy(&id, p + 4, 4);
			if (flags & MADT_CPU_ENABLED)
				add_cpu(id, &enabled);
			break;
		case MADT_IOAPIC:
			if (p[1] < 12 || acpi.ioapic_pa)
				break;
			uint32_t addr;
			memcpy(&addr, p + 4, 4);
			memcpy(&acpi.ioapic_gsi_base, p + 8, 4);
			acpi.ioapic_pa = addr;
			break;
		case MADT_ISO:
			/* bus 0 (ISA), source, GSI, MPS INTI flags
			 * (5.2.12.5) */
			if (p[1] < 10 || p[2] != 0 ||
			    acpi.niso == ARRAY_SIZE(acpi.iso))
				break;
			struct acpi_iso *o = &acpi.iso[acpi.niso++];
			o->isa_irq = p[3];
			memcpy(&o->gsi, p + 4, 4);
			memcpy(&o->flags, p + 8, 2);
			break;
		case MADT_LAPIC_OVERRIDE:
			if (p[1] >= 12)
				memcpy(&acpi.lapic_pa, p + 4, 8);
			break;
		}
	}
	if (enabled)
		ncpus = enabled;
}

/* One AML integer constant at aml[*i]; false when it is something else. */
static bool aml_int(const uint8_t *aml, size_t len, size_t *i, uint16_t *v)
{
	if (*i >= len)
		return false;
	switch (aml[*i]) {
	case AML_ZERO:
	case AML_ONE:
		*v = aml[(*i)++];
		return true;
	case AML_BYTE:
	case AML_WORD:
	case AML_DWORD: {
		size_t n = aml[*i] == AML_BYTE	 ? 1
			   : aml[*i] == AML_WORD ? 2
						 : 4;
		if (len - *i <= n)
			return false;
		*v = aml[*i + 1];
		*i += 1 + n;
		return true;
	}
	}
	return false;
}

/*
 * The S5 sleep types sit in the DSDT as Name(_S5, Package(){a, b, ...}).
 * Full AML is an interpreter's job; a byte scan for that one shape is
 * what small kernels do, with every step bounds-checked.
 */
static void find_s5(const struct acpi_sdt *dsdt)
{
	const uint8_t *aml = (const uint8_t *)dsdt;
	size_t len = dsdt->length;

	for (size_t pos = SDT_HEADER_SIZE + 1; pos + 4 < len; pos++) {
		if (aml[pos] != '_' || memcmp(aml + pos, "_S5_", 4) != 0)
			continue;
		if (aml[pos - 1] != AML_NAME &&
		    !(aml[pos - 1] == '\\' && aml[pos - 2] == AML_NAME))
			continue;
		size_t i = pos + 4;
		if (i >= len || aml[i++] != AML_PACKAGE || i >= len)
			continue;
		i += 1 + (aml[i] >> 6); /* PkgLength: 1-4 bytes (20.2.4) */
		i++;			/* NumElements */
		if (aml_int(aml, len, &i, &acpi.slp_typa) &&
		    aml_int(aml, len, &i, &acpi.slp_typb)) {
			acpi.s5_valid = true;
			return;
		}
	}
}

static void parse_fadt(const struct acpi_sdt *fadt)
{
	acpi.pm1a_cnt = field(fadt, FADT_PM1A_CNT, 4);
	acpi.pm1b_cnt = field(fadt, FADT_PM1B_CNT, 4);
	acpi.smi_cmd = field(fadt, FADT_SMI_CMD, 4);
	acpi.acpi_enable = field(fadt, FADT_ACPI_ENABLE, 1);
	acpi.century = field(fadt, FADT_CENTURY, 1);

	/* The DSDT is only read if isa-debug-exit did not end the machine
	 * (acpi_poweroff): checksumming and scanning kilobytes of AML at
	 * boot would cost more than the rest of this file under TCG. */
	dsdt_pa = field(fadt, FADT_X_DSDT, 8);
	if (!dsdt_pa)
		dsdt_pa = field(fadt, FADT_DSDT, 4);
}

/* The RSDT or, from ACPI 2.0 on, the XSDT: a list of table addresses. */
static const struct acpi_sdt *map_root(paddr_t rsdp_pa, unsigned *entry_size)
{
	const struct acpi_rsdp *rsdp =
	    vmm_map_phys(rsdp_pa, sizeof *rsdp, PTE_NX);

	if (!rsdp || memcmp(rsdp->signature, "RSD PTR ", 8) != 0 ||
	    checksum(rsdp, 20) != 0) {
		log_warn("ACPI: bad RSDP at %#lx", rsdp_pa);
		return NULL;
	}
	if (rsdp->revision >= 2 && rsdp->length == sizeof *rsdp &&
	    checksum(rsdp, sizeof *rsdp) == 0 && rsdp->xsdt) {
		*entry_size = 8;
		const struct acpi_sdt *x = map_table(rsdp->xsdt, "XSDT");
		if (x)
			return x;
	}
	*entry_size = 4;
	return map_table(rsdp->rsdt, "RSDT");
}

void acpi_init(const struct kiln_boot_info *bi)
{
	unsigned esize;
	const struct acpi_sdt *root;

	if (!bi->rsdp || !(root = map_root(bi->rsdp, &esize))) {
		log_warn(
		    "ACPI: no tables; assuming one CPU, no ACPI power-off");
		return;
	}
	uint32_t n = (root->length - SDT_HEADER_SIZE) / esize;
	for (uint32_t i = 0; i < n; i++) {
		paddr_t pa = field(root, SDT_HEADER_SIZE + i * esize, esize);
		const struct acpi_sdt *h, *t;

		if (!pa || !(h = vmm_map_phys(pa, SDT_HEADER_SIZE, PTE_NX)))
			continue;
		if (!memcmp(h->signature, "APIC", 4) &&
		    (t = map_table(pa, "APIC")))
			parse_madt(t);
		else if (!memcmp(h->signature, "FACP", 4) &&
			 (t = map_table(pa, "FACP")))
			parse_fadt(t);
	}
}

void acpi_poweroff(void)
{
	const struct acpi_sdt *dsdt;

	if (!acpi.pm1a_cnt || !(dsdt = map_table(dsdt_pa, "DSDT")))
		return;
	find_s5(dsdt);
	if (!acpi.s5_valid)
		return;
	/* Hand the chipset to ACPI first if firmware left it in legacy
	 * mode (4.8.2.1 and the FADT's SMI_CMD/ACPI_ENABLE). */
	if (!(inw(acpi.pm1a_cnt) & PM1_SCI_EN) && acpi.smi_cmd &&
	    acpi.acpi_enable) {
		outb(acpi.smi_cmd, acpi.acpi_enable);
		for (int i = 0;
		     i < 1000000 && !(inw(acpi.pm1a_cnt) & PM1_SCI_EN); i++)
			cpu_relax();
	}
	outw(acpi.pm1a_cnt, (inw(acpi.pm1a_cnt) & ~PM1_SLP_TYP_MASK) |
				(acpi.slp_typa << PM1_SLP_TYP_SHIFT) |
				PM1_SLP_EN);
	if (acpi.pm1b_cnt)
		outw(acpi.pm1b_cnt, (inw(acpi.pm1b_cnt) & ~PM1_SLP_TYP_MASK) |
					(acpi.slp_typb << PM1_SLP_TYP_SHIFT) |
					PM1_SLP_EN);
}
