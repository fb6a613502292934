/* Operations by name: open, mkdir, unlink, rename, link..., as Linux checks. */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/string.h>

#include "vfs.h"

/*
 * The checks and their order follow Linux's fs/namei.c, so that a program
 * sees the errno it would see there. Everything runs as root: no
 * permission bit ever refuses an access (CAP_DAC_OVERRIDE).
 */

/* An open file remembers where it was opened, for /proc/self/fd. */
static int remember_name(struct file *f, const struct walk *w)
{
	if (w->last != LAST_NORM || s_isdir(f->vn->mode))
		return 0;
	if (!(f->name = kmalloc(w->namelen + 1)))
		return -ENOMEM;
	memcpy(f->name, w->name, w->namelen);
	f->name[w->namelen] = '\0';
	vnode_get(w->dir);
	f->dir = w->dir;
	return 0;
}

/* O_CREAT: the node named by the walk, created when missing. */
static int open_create(struct walk *w, int flags, uint32_t mode,
		       struct vnode **vn)
{
	if (w->last != LAST_NORM || w->slash)
		return -EISDIR;
	if (w->vn) {
		*vn = w->vn;
		if (flags & O_EXCL)
			return -EEXIST;
		return s_isdir(w->vn->mode) ? -EISDIR : 0;
	}
	if (!w->dir->ops->create)
		return -EACCES;
	return w->dir->ops->create(w->dir, w->name, w->namelen,
				   S_IFREG | (mode & 07777), vn);
}

static int open_checks(struct vnode *vn, int flags)
{
	if (flags & O_PATH)
		return (flags & O_DIRECTORY) && !s_isdir(vn->mode) ? -ENOTDIR
								   : 0;
	if (s_islnk(vn->mode)) /* O_NOFOLLOW on a symlink */
		return -ELOOP;
	if ((flags & O_DIRECTORY) && !s_isdir(vn->mode))
		return -ENOTDIR;
	if (s_isdir(vn->mode) &&
	    ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
		return -EISDIR;
	return 0;
}

int vfs_open(struct vnode *start, const char *path, int flags, uint32_t mode,
	     struct file **out)
{
	struct vnode *vn = NULL;
	struct file *f = NULL;
	unsigned int wf;
	struct walk w;
	int err;

	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	if ((flags & O_CREAT) && (flags & O_DIRECTORY))
		return -EINVAL; /* as Linux since 6.4 */
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if (flags & O_CREAT)
		wf = WALK_PARENT |
		     (flags & (O_EXCL | O_NOFOLLOW) ? 0 : WALK_FOLLOW);
	else
		wf = flags & O_NOFOLLOW ? 0 : WALK_FOLLOW;
	if ((err = vfs_walk(start, path, wf, &w)) < 0)
		goto out;
	if (flags & O_CREAT)
		err = open_create(&w, flags, mode, &vn);
	else
		vn = w.vn;
	if (err < 0 || (err = open_checks(vn, flags)) < 0)
		goto out;
	if ((flags & O_TRUNC) && !(flags & O_PATH) && s_isreg(vn->mode) &&
	    vn->size && (err = vfs_truncate(vn, 0)) < 0)
		goto out;
	if ((err = vfs_file_open(vn, flags, &f)) < 0)
		goto out;
	if ((err = remember_name(f, &w)) < 0) {
		file_put(f);
		goto out;
	}
	*out = f;
out:
	walk_done(&w);
	return err;
}

int vfs_mkdir(struct vnode *start, const char *path, uint32_t mode)
{
	struct vnode *vn;
	struct walk w;
	int err = vfs_walk(start, path, WALK_PARENT, &w);

	if (err == 0 && (w.last != LAST_NORM || w.vn))
		err = -EEXIST;
	if (err == 0)
		err = w.dir->ops->create
			      ? w.dir->ops->create(w.dir, w.name, w.namelen,
						   S_IFDIR | (mode & 01777),
						   &vn)
			      : -EACCES;
	walk_done(&w);
	return err;
}

/* The root of a file system, or a directory something is mounted on. */
static bool busy(struct vnode *vn)
{
	return vn == vn->fs->root || vn->mounted;
}

int vfs_rmdir(struct vnode *start, const char *path)
{
	struct walk w;
	int err = vfs_walk(start, path, WALK_PARENT, &w);

	if (err < 0)
		goto out;
	if (w.last != LAST_NORM)
		err = w.last == LAST_DOT      ? -EINVAL
		      : w.last == LAST_DOTDOT ? -ENOTEMPTY
					      : -EBUSY;
	else if (!w.vn)
		err = -ENOENT;
	else if (!s_isdir(w.vn->mode))
		err = -ENOTDIR;
	else if (busy(w.vn))
		err = -EBUSY;
	else if (!w.vn->ops->empty(w.vn))
		err = -ENOTEMPTY;
	else
		err = w.dir->ops->unlink(w.dir, w.name, w.namelen, w.vn);
out:
	walk_done(&w);
	return err;
}

int vfs_unlink(struct vnode *start, const char *path)
{
	struct walk w;
	int err = vfs_walk(start, path, WALK_PARENT, &w);

	if (err < 0)
		goto out;
	if (w.last != LAST_NORM)
		err = -EISDIR;
	else if (!w.vn)
		err = -ENOENT;
	else if (s_isdir(w.vn->mode))
		err = -EISDIR;
	else if (w.slash)
		err = -ENOTDIR;
	else
		err = w.dir->ops->unlink(w.dir, w.name, w.namelen, w.vn);
out:
	walk_done(&w);
	return err;
}

/* The new name of link/symlink: free, and not "name/". */
static int check_new_name(const struct walk *w)
{
	if (w->last != LAST_NORM || w->vn)
		return -EEXIST;
	if (w->slash)
		return -ENOENT;
	return 0;
}

int vfs_symlink(const char *target, struct vnode *start, const char *path)
{
	size_t tlen = strnlen(target, VFS_PATH_MAX);
	struct vnode *vn;
	struct walk w;
	int err;

	if (tlen == 0)
		return -ENOENT;
	if (tlen >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	err = vfs_walk(start, path, WALK_PARENT, &w);
	if (err == 0)
		err = check_new_name(&w);
	if (err == 0)
		err = w.dir->ops->symlink
			      ? w.dir->ops->symlink(w.dir, w.name, w.namelen,
						    target, tlen, &vn)
			      : -EPERM;
	walk_done(&w);
	return err;
}

int vfs_link(struct vnode *ostart, const char *opath, struct vnode *nstart,
	     const char *npath, unsigned int oflags)
{
	struct walk o, n;
	int err;

	err = vfs_walk(ostart, opath, oflags & (WALK_FOLLOW | WALK_EMPTY), &o);
	if (err < 0) {
		walk_done(&o);
		return err;
	}
	err = vfs_walk(nstart, npath, WALK_PARENT, &n);
	if (err == 0)
		err = check_new_name(&n);
	if (err == 0 && n.dir->fs != o.vn->fs)
		err = -EXDEV;
	if (err == 0 && s_isdir(o.vn->mode))
		err = -EPERM;
	if (err == 0 && o.vn->nlink == 0) /* an unlinked file by its fd */
		err = -ENOENT;
	if (err == 0)
		err = n.dir->ops->link
			      ? n.dir->ops->link(n.dir, n.name, n.namelen, o.vn)
			      : -EPERM;
	walk_done(&n);
	walk_done(&o);
	return err;
}

/* Whether directory a is d or one of d's ancestors. */
static bool is_ancestor(const struct vnode *a, const struct vnode *d)
{
	for (; d; d = d->parent) {
		if (d == a)
			return true;
	}
	return false;
}

static int rename_checks(const struct walk *o, const struct walk *n,
			 unsigned int flags)
{
	bool exchange = flags & RENAME_EXCHANGE;

	if (o->last != LAST_NORM)
		return -EBUSY;
	if (n->last != LAST_NORM)
		return flags & RENAME_NOREPLACE ? -EEXIST : -EBUSY;
	if (o->dir->fs != n->dir->fs)
		return -EXDEV;
	if (!o->vn || (exchange && !n->vn))
		return -ENOENT;
	if ((flags & RENAME_NOREPLACE) && n->vn)
		return -EEXIST;
	if (!s_isdir(o->vn->mode) && (o->slash || (n->slash && !exchange)))
		return -ENOTDIR;
	if (exchange && n->slash && !s_isdir(n->vn->mode))
		return -ENOTDIR;
	if (o->vn == n->vn)
		return 1; /* two names of one node: nothing to do */
	if (busy(o->vn) || (n->vn && busy(n->vn)))
		return -EBUSY;
	if (s_isdir(o->vn->mode) && is_ancestor(o->vn, n->dir))
		return -EINVAL;
	if (n->vn && s_isdir(n->vn->mode) && is_ancestor(n->vn, o->dir))
		return exchange ? -EINVAL : -ENOTEMPTY;
	if (exchange || !n->vn)
		return 0;
	if (s_isdir(o->vn->mode) && !s_isdir(n->vn->mode))
		return -ENOTDIR;
	if (!s_isdir(o->vn->mode) && s_isdir(n->vn->mode))
		return -EISDIR;
	if (s_isdir(n->vn->mode) && !n->vn->ops->empty(n->vn))
		return -ENOTEMPTY;
	return 0;
}

int vfs_rename(struct vnode *ostart, const char *opath, struct vnode *nstart,
	       const char *npath, unsigned int flags)
{
	struct walk o, n = {0};
	int err;

	if ((flags & ~(unsigned int)(RENAME_NOREPLACE | RENAME_EXCHANGE |
				     RENAME_WHITEOUT)) ||
	    ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)) ||
	    (flags & RENAME_WHITEOUT))
		return -EINVAL;
	err = vfs_walk(ostart, opath, WALK_PARENT, &o);
	if (err == 0)
		err = vfs_walk(nstart, npath, WALK_PARENT, &n);
	if (err == 0)
		err = rename_checks(&o, &n, flags);
	if (err == 0)
		err = o.dir->ops->rename(o.dir, o.name, o.namelen, n.dir,
					 n.name, n.namelen,
					 flags & RENAME_EXCHANGE);
	walk_done(&n);
	walk_done(&o);
	return err > 0 ? 0 : err;
}

int vfs_readlink(struct vnode *start, const char *path, unsigned int flags,
		 char *buf, size_t size)
{
	struct walk w;
	int err = vfs_walk(start, path, flags & WALK_EMPTY, &w);

	if (err == 0 && !s_islnk(w.vn->mode))
		err = *path ? -EINVAL : -ENOENT;
	if (err == 0)
		err = w.vn->ops->readlink(w.vn, buf, size);
	if (err > 0 && (size_t)err > size)
		err = (int)size;
	walk_done(&w);
	return err;
}

int vfs_lookup(struct vnode *start, const char *path, unsigned int flags,
	       struct vnode **out)
{
	struct walk w;
	int err = vfs_walk(start, path, flags, &w);

	if (err == 0)
		*out = w.vn;
	walk_done(&w);
	return err;
}

int vfs_truncate(struct vnode *vn, uint64_t size)
{
	if (s_isdir(vn->mode))
		return -EISDIR;
	if (!s_isreg(vn->mode) || !vn->ops->truncate)
		return -EINVAL;
	return vn->ops->truncate(vn, size);
}

void vfs_chmod(struct vnode *vn, uint32_t mode)
{
	vn->mode = (vn->mode & S_IFMT) | (mode & 07777);
	vnode_touch_attr(vn);
}

void vfs_chown(struct vnode *vn, uint32_t uid, uint32_t gid)
{
	if (uid != (uint32_t)-1)
		vn->uid = uid;
	if (gid != (uint32_t)-1)
		vn->gid = gid;
	vnode_touch_attr(vn);
}
