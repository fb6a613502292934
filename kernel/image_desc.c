/* The image descriptor: `kiln pack` fills it in, exec reads it. */
#include <kernel/types.h>
#include <kiln/abi/image.h>

/* Its own section, so the packer finds it by name in the ELF file; not
 * const, so the compiler cannot fold the unpacked values into code. */
__attribute__((used)) struct kiln_image_desc
    kiln_image_desc __section(KILN_IMAGE_DESC_SECTION) = {
	.magic = KILN_IMAGE_MAGIC,
	.version = KILN_IMAGE_VERSION,
};
