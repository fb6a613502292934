/* A stand-in kernel.elf for the CLI tests: only what `kiln pack` looks at. */
#include "kiln/abi/image.h"

#define KILN_DESC __attribute__((section(".kiln.desc")))

KILN_DESC struct kiln_image_desc kiln_image_desc = {
	.magic = KILN_IMAGE_MAGIC,
	.version = KILN_IMAGE_VERSION,
};

void _start(void)
{
	for (;;)
		__asm__ volatile("hlt");
}
