/* Paths from the application and the starting points of the *at() calls. */
#ifndef KERNEL_SYS_PATH_H
#define KERNEL_SYS_PATH_H

#include <kernel/types.h>

#include "fs/vfs.h"

/* *at() flags (Linux's fcntl.h). */
#define AT_FDCWD	    -100
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR	    0x200
#define AT_EACCESS	    0x200
#define AT_SYMLINK_FOLLOW   0x400
#define AT_NO_AUTOMOUNT	    0x800
#define AT_EMPTY_PATH	    0x1000
#define AT_STATX_SYNC_TYPE  0x6000

/* A copy of the user's path in a new buffer (kfree it): 0, -EFAULT,
 * -ENAMETOOLONG (no NUL in VFS_PATH_MAX bytes) or -ENOMEM. */
int path_get(const char __user *upath, char **out);

/*
 * Where a walk of path starts for dirfd: NULL for an absolute path (the
 * root), the cwd for AT_FDCWD, else dirfd's directory (-EBADF, -ENOTDIR).
 * An empty path is -ENOENT unless empty_ok (AT_EMPTY_PATH); then it names
 * dirfd itself, whatever its type (at->f set, at->vn NULL for a pipe).
 * at_end() drops the file reference.
 */
struct at {
	struct vnode *vn;
	struct file *f;
};
int at_begin(int dirfd, const char *path, bool empty_ok, struct at *at);
void at_end(struct at *at);

/* Both at once: the path copied in, then its start; upath_end() after
 * any result. */
struct upath {
	char *path;
	struct at at;
};
int upath_begin(struct upath *p, int dirfd, const char __user *upath,
		bool empty_ok);
void upath_end(struct upath *p);

/* The working directory (never NULL once the root exists). */
struct vnode *cwd_get(void);
/* chdir: vn must be a directory (-ENOTDIR). */
int cwd_set(struct vnode *vn);
/* The file mode creation mask; umask_set() returns the old one. */
uint32_t umask_get(void);
uint32_t umask_set(uint32_t mask);

#endif
