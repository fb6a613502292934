/* The file system as the rest of the kernel starts and feeds it (fs/). */
#ifndef KERNEL_FS_H
#define KERNEL_FS_H

#include <kernel/types.h>

struct kiln_boot_info;

/*
 * Build "/": an in-memory file system holding the image's packed root
 * file system (the ".kiln.rootfs" newc archive in modules[0], files kept
 * in place until written), then /dev, /proc, /sys, /tmp and /etc/hosts
 * where the archive brought none. Logs one INFO line when an archive was
 * packed. A malformed archive is one "[0][ERROR] root file system: ..."
 * line and machine_exit(KILN_EXIT_BADIMAGE). Call after heap_init() and
 * acpi_init() (/proc/cpuinfo counts CPUs), before exec_start_app().
 */
void fs_init(const struct kiln_boot_info *bi);

/* The application's ELF (read-only, in place) and name, for
 * /proc/self/exe. exec calls it before entering the application. */
void fs_set_exe(const void *elf, size_t size, const char *name);

/*
 * Write /etc/resolv.conf ("nameserver X" per server, e.g. "10.0.2.3")
 * unless the root file system brought its own; a later call replaces
 * what an earlier one wrote. For the network stack once it knows its DNS
 * servers. 0, or -ENOMEM.
 */
int fs_set_resolv_conf(const char *const *servers, size_t n);

#endif
