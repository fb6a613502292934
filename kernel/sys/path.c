/* The user's paths, the cwd, the umask, and the dirfd of the *at() calls. */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/mm.h>
#include <kernel/uaccess.h>

#include "path.h"

static struct vnode *cwd; /* a reference */
static uint32_t file_mask = 022;

/* Sized to the path: a 4 KiB buffer would cost two zeroed frames from
 * the heap on every open and stat. */
int path_get(const char __user *upath, char **out)
{
	long n = strnlen_user(upath, VFS_PATH_MAX);
	char *buf;
	int err;

	if (n < 0)
		return (int)n;
	if (!(buf = kmalloc((size_t)n + 1)))
		return -ENOMEM;
	if ((err = copy_from_user(buf, upath, (size_t)n)) < 0) {
		kfree(buf);
		return err;
	}
	buf[n] = '\0'; /* whatever the string became since it was measured */
	*out = buf;
	return 0;
}

int at_begin(int dirfd, const char *path, bool empty_ok, struct at *at)
{
	struct file *f;

	*at = (struct at){NULL, NULL};
	if (path[0] == '\0' && !empty_ok)
		return -ENOENT;
	if (path[0] == '/')
		return 0;
	if (dirfd == AT_FDCWD) {
		at->vn = cwd_get();
		return 0;
	}
	if (!(f = fd_get(dirfd)))
		return -EBADF;
	at->f = f;
	at->vn = f->vn;
	if (path[0] != '\0' && (!f->vn || !s_isdir(f->vn->mode)))
		return -ENOTDIR;
	return 0;
}

void at_end(struct at *at)
{
	if (at->f)
		file_put(at->f);
	at->f = NULL;
}

int upath_begin(struct upath *p, int dirfd, const char __user *upath,
		bool empty_ok)
{
	int err = path_get(upath, &p->path);

	p->at = (struct at){NULL, NULL};
	if (err < 0) {
		p->path = NULL;
		return err;
	}
	return at_begin(dirfd, p->path, empty_ok, &p->at);
}

void upath_end(struct upath *p)
{
	at_end(&p->at);
	kfree(p->path);
	p->path = NULL;
}

struct vnode *cwd_get(void)
{
	if (!cwd && (cwd = vfs_root()))
		vnode_get(cwd);
	return cwd;
}

int cwd_set(struct vnode *vn)
{
	if (!s_isdir(vn->mode))
		return -ENOTDIR;
	vnode_get(vn);
	if (cwd)
		vnode_put(cwd);
	cwd = vn;
	return 0;
}

uint32_t umask_get(void)
{
	return file_mask;
}

uint32_t umask_set(uint32_t mask)
{
	uint32_t old = file_mask;

	file_mask = mask & 0777;
	return old;
}
