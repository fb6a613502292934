/* Find the ACPI RSDP where BIOS systems keep it. */
#include "loader.h"

/*
 * ACPI spec, "Finding the RSDP on IA-PC Systems": on a 16-byte boundary
 * in the first KiB of the EBDA (its real-mode segment is the word at
 * 40:0Eh) or in the BIOS area 0E0000h-0FFFFFh.
 */
#define BDA_EBDA_SEGMENT 0x40e
#define EBDA_LIMIT	 0xa0000 /* end of conventional memory */
#define EBDA_SEARCH_LEN	 1024
#define BIOS_AREA_START	 0xe0000
#define BIOS_AREA_END	 0x100000

/* ACPI spec, "Root System Description Pointer (RSDP) Structure". */
#define RSDP_REVISION 15
#define RSDP_LENGTH   20 /* revision 2 and later */
#define RSDP_V1_SIZE  20 /* bytes the first checksum covers */
#define RSDP_V2_SIZE  36
#define RSDP_MAX_SIZE 4096 /* sanity bound on the length field */

static int sums_to_zero(const uint8_t *p, uint32_t n)
{
	uint8_t sum = 0;

	while (n--)
		sum += *p++;
	return sum == 0;
}

static int rsdp_valid(const uint8_t *p)
{
	if (!sums_to_zero(p, RSDP_V1_SIZE))
		return 0;
	if (p[RSDP_REVISION] >= 2) {
		uint32_t len;

		memcpy(&len, p + RSDP_LENGTH, sizeof(len));
		if (len < RSDP_V2_SIZE || len > RSDP_MAX_SIZE ||
		    !sums_to_zero(p, len))
			return 0;
	}
	return 1;
}

/* The signature compared as one 8-byte load: the BIOS area has 8192
 * candidate places, each costly under QEMU's TCG. */
static uint64_t scan(uint64_t start, uint64_t end)
{
	const uint64_t sig = 0x2052545020445352ULL; /* "RSD PTR " */

	for (uint64_t a = start; a + RSDP_V1_SIZE <= end; a += 16)
		if (*(const uint64_t *)phys_ptr(a) == sig &&
		    rsdp_valid(phys_ptr(a)))
			return a;
	return 0;
}

uint64_t acpi_find_rsdp(void)
{
	const uint16_t *seg = phys_ptr(BDA_EBDA_SEGMENT);
	uint64_t ebda = (uint64_t)*seg << 4;
	uint64_t rsdp = 0;

	if (ebda != 0 && ebda + EBDA_SEARCH_LEN <= EBDA_LIMIT)
		rsdp = scan(ebda, ebda + EBDA_SEARCH_LEN);
	if (rsdp == 0)
		rsdp = scan(BIOS_AREA_START, BIOS_AREA_END);
	return rsdp;
}
