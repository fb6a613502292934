/* What the parts of kernel/fs/ share among themselves at boot. */
#ifndef KERNEL_FS_FS_PRIV_H
#define KERNEL_FS_FS_PRIV_H

#include "vfs.h"

/* /dev's device nodes and links, added to the directory dev; on an error
 * (-EEXIST: a directory with entries in the way), *failed names the node. */
int devfs_populate(struct vnode *dev, const char **failed);
/* The console's node ops: opening it gives the terminal file. */
extern const struct vnode_ops console_vnode_ops;

/* Mount and fill /proc and /sys on the directories given. */
int procfs_mount(struct vnode *dir);
int sysfs_mount(struct vnode *dir);
/* /proc/self/exe: the application's ELF, read in place, and its name. */
int procfs_set_exe(const void *elf, size_t size, const char *name);

#endif
