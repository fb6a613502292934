/* ramfs: the in-memory file system behind "/" (and /proc, /sys). */
#ifndef KERNEL_FS_RAMFS_H
#define KERNEL_FS_RAMFS_H

#include "vfs.h"

#define TMPFS_MAGIC 0x01021994 /* statfs f_type, as Linux's tmpfs */

/* mount data: a uint32_t, the root directory's mode; NULL gives 0755 */
extern const struct fs_type ramfs_type;
/* Its mount function, for file systems built as a ramfs (/proc, /sys). */
int ramfs_mount(struct fs *fs, const void *data);

/* Ops of ramfs regular files (ramfs_data.c). */
extern const struct vnode_ops ramfs_file_ops;
/* A new regular-file node of fs (nlink 0), NULL when out of memory. */
struct vnode *ramfs_file_alloc(struct fs *fs, uint32_t mode);
/*
 * Make the file's content the size bytes at data, read in place: data
 * must stay valid and unchanged for the whole run (the image's archive,
 * kernel rodata). A page is copied into the file's own memory the first
 * time it is written or mapped shared. Replaces any content.
 */
void ramfs_set_data(struct vnode *vn, const void *data, size_t size);
/* Frames holding ramfs file data now (for /proc/meminfo, statfs), and
 * the most it may hold (half of memory, as tmpfs): -ENOSPC past it. */
size_t ramfs_pages_used(void);
size_t ramfs_pages_max(void);

#endif
