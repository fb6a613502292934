/* The kiln image format: a kernel ELF carrying the application inside it. */
#ifndef KILN_ABI_IMAGE_H
#define KILN_ABI_IMAGE_H

#include <stdint.h>

/*
 * An image is the kernel's ELF64 file with, appended by `kiln pack`:
 *   - a non-allocated section ".kiln.app" holding the application's
 *     static ELF, byte for byte (file offset 4096-aligned);
 *   - when a root file system was packed (`kiln pack --rootfs/--file`), a
 *     non-allocated section ".kiln.rootfs" after it (file offset
 *     4096-aligned) holding a newc cpio archive (cpio(5); read with
 *     lib/cpio.h). kiln writes it with relative canonical paths
 *     ("etc/site.conf"), parents before children, sorted by path,
 *     directories, regular files and symlinks only, uid/gid 0; an archive
 *     the user gave is kept as is when it already has that parent order.
 * The booter passes the image file to the kernel unchanged as modules[0];
 * the kernel finds ".kiln.app" through the file's own section table, so an
 * image passed through strip or objcopy (which move sections) still boots.
 * The kernel also carries one struct kiln_image_desc in its loaded section
 * ".kiln.desc", which `kiln pack` fills in: it says that an application was
 * packed (app_size != 0) and names it (argv[0]); rootfs_size != 0 says a
 * root file system was packed. Its offsets record where pack put the
 * sections (from the first byte of the file) and are not relied on at
 * boot. A kernel ELF that was never packed has app_size == 0. flags:
 * KILN_IMAGE_NO_NET when pack chose the kernel built without a network
 * stack (kernel-min.elf), so that `kiln run` can refuse a NIC the guest
 * could not use.
 */

#define KILN_IMAGE_MAGIC 0x4e4c494bU /* "KILN" */
#define KILN_IMAGE_VERSION 1
#define KILN_IMAGE_DESC_SECTION ".kiln.desc"
#define KILN_IMAGE_APP_SECTION ".kiln.app"
#define KILN_IMAGE_ROOTFS_SECTION ".kiln.rootfs"
#define KILN_IMAGE_NO_NET (1ULL << 0) /* no NIC drivers, no TCP/IP */

struct kiln_image_desc {
	uint32_t magic;	  /* KILN_IMAGE_MAGIC */
	uint32_t version; /* KILN_IMAGE_VERSION */
	uint64_t app_offset;
	uint64_t app_size;
	uint64_t rootfs_offset;
	uint64_t rootfs_size;
	uint64_t flags;	/* KILN_IMAGE_* below; 0 in older images */
	uint64_t reserved[2];
	char app_name[64]; /* argv[0] for the application, NUL-terminated */
};

#endif
