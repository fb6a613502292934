/* The VFS core: vnode lifetime, mounts, and the path walk. */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/string.h>
#include <kernel/time.h>

#include "vfs.h"

/*
 * One name space for the one application. No locks: the kernel runs the
 * application's system calls one at a time; when threads come, one
 * sleeping lock around each operation by name keeps this code as it is.
 */
static struct vnode *root_vn;
static uint64_t next_dev = 1;

struct vtime vtime_now(void)
{
	uint64_t ns = clock_realtime_ns();

	return (struct vtime){(int64_t)(ns / NSEC_PER_SEC),
			      (int64_t)(ns % NSEC_PER_SEC)};
}

struct vnode *vnode_alloc(struct fs *fs, const struct vnode_ops *ops,
			  uint32_t mode)
{
	struct vnode *vn = kzalloc(sizeof *vn);

	if (!vn)
		return NULL;
	vn->ops = ops;
	vn->fs = fs;
	vn->mode = mode;
	vn->ino = fs->next_ino++;
	vn->atime = vn->mtime = vn->ctime = vtime_now();
	return vn;
}

static void vnode_free(struct vnode *vn)
{
	if (vn->ops->release)
		vn->ops->release(vn);
	kfree(vn);
}

void vnode_get(struct vnode *vn)
{
	vn->refs++;
}

void vnode_put(struct vnode *vn)
{
	if (--vn->refs == 0 && vn->nlink == 0)
		vnode_free(vn);
}

void vnode_unlink(struct vnode *vn)
{
	/* A directory's nlink counts "." and its subdirectories' "..":
	 * removing its name removes all of them. */
	if (s_isdir(vn->mode) || vn->nlink <= 1) {
		vn->nlink = 0;
		vn->parent = NULL;
	} else {
		vn->nlink--;
	}
	vnode_touch_attr(vn);
	if (vn->nlink == 0 && vn->refs == 0)
		vnode_free(vn);
}

void vnode_touch_data(struct vnode *vn)
{
	vn->mtime = vn->ctime = vtime_now();
}

void vnode_touch_attr(struct vnode *vn)
{
	vn->ctime = vtime_now();
}

void vnode_stat(struct vnode *vn, struct kstat *st)
{
	*st = (struct kstat){
		.dev = vn->fs->dev,
		.ino = vn->ino,
		.nlink = vn->nlink,
		.rdev = vn->rdev,
		.size = vn->size,
		.blocks = s_isreg(vn->mode)
				  ? ALIGN_UP(vn->size, PAGE_SIZE) / 512
				  : 0,
		.mode = vn->mode,
		.uid = vn->uid,
		.gid = vn->gid,
		.blksize = PAGE_SIZE,
		.atime = vn->atime,
		.mtime = vn->mtime,
		.ctime = vn->ctime,
	};
}

/* --- mounts --- */

int vfs_mount(struct vnode *dir, const struct fs_type *type, const void *data,
	      struct fs **out)
{
	struct fs *fs;
	int err;

	if (dir && !s_isdir(dir->mode))
		return -ENOTDIR;
	if (dir ? dir->mounted != NULL : root_vn != NULL)
		return -EBUSY;
	if (!(fs = kzalloc(sizeof *fs)))
		return -ENOMEM;
	fs->type = type;
	fs->dev = next_dev++;
	fs->next_ino = 1;
	fs->covered = dir;
	if ((err = type->mount(fs, data)) < 0) {
		kfree(fs);
		return err;
	}
	if (dir) {
		vnode_get(dir); /* stays while covered, even if unlinked */
		dir->mounted = fs;
	} else {
		root_vn = fs->root;
	}
	if (out)
		*out = fs;
	return 0;
}

struct vnode *vfs_root(void)
{
	return root_vn;
}

void vfs_reset(void)
{
	root_vn = NULL;
}

/* --- the path walk --- */

static struct vnode *cross_mounts(struct vnode *vn)
{
	while (vn->mounted)
		vn = vn->mounted->root;
	return vn;
}

/* ".." of cur: "/" stays, the root of a mounted file system steps to the
 * directory it covers first, a removed directory has none. */
static int dotdot(struct vnode *cur, struct vnode **out)
{
	while (cur != root_vn && cur == cur->fs->root && cur->fs->covered)
		cur = cur->fs->covered;
	if (cur == root_vn) {
		*out = cur;
		return 0;
	}
	if (!cur->parent)
		return -ENOENT;
	*out = cross_mounts(cur->parent);
	return 0;
}

static enum walk_last classify(const char *name, size_t len)
{
	if (len == 1 && name[0] == '.')
		return LAST_DOT;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return LAST_DOTDOT;
	return LAST_NORM;
}

/* The rest of the walk continues with the symlink's target: the buffer
 * becomes target + rest (rest is what followed the link's name). */
static int splice(struct walk *w, struct vnode *link, const char *rest)
{
	size_t restlen = strlen(rest);
	char *tmp;
	int n;

	/* buf[0] starts as small as the path; both become full size */
	if (!w->big[1]) {
		kfree(w->buf[1]);
		if (!(w->buf[1] = kmalloc(VFS_PATH_MAX)))
			return -ENOMEM;
		w->big[1] = true;
	}
	if (!link->ops->readlink)
		return -EINVAL;
	n = link->ops->readlink(link, w->buf[1], VFS_PATH_MAX);
	if (n < 0)
		return n;
	if (n == 0)
		return -ENOENT;
	if ((size_t)n + restlen >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(w->buf[1] + n, rest, restlen + 1);
	tmp = w->buf[0];
	w->buf[0] = w->buf[1];
	w->buf[1] = tmp;
	w->big[1] = w->big[0];
	w->big[0] = true;
	return 0;
}

static int lookup_one(struct vnode *cur, const char *name, size_t len,
		      enum walk_last type, struct vnode **next)
{
	if (type == LAST_DOT) {
		*next = cur;
		return 0;
	}
	if (type == LAST_DOTDOT)
		return dotdot(cur, next);
	if (!cur->ops->lookup)
		return -ENOTDIR;
	return cur->ops->lookup(cur, name, len, next);
}

static int walk_buf(struct walk *w, struct vnode *cur, unsigned int flags)
{
	char *p = w->buf[0];
	int links = 0, err;

	if (*p == '/')
		cur = root_vn;
	for (;;) {
		struct vnode *next = NULL, *target;
		const char *name, *rest;
		enum walk_last type;
		bool last, slash;
		size_t len;

		while (*p == '/')
			p++;
		if (*p == '\0') { /* "/", or a symlink to "/" */
			w->dir = w->vn = cur;
			w->name = "";
			w->namelen = 0;
			w->last = LAST_ROOT;
			w->slash = true;
			return 0;
		}
		name = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - name);
		rest = p;
		while (*p == '/')
			p++;
		last = *p == '\0';
		slash = last && *rest == '/';
		if (len > VFS_NAME_MAX)
			return -ENAMETOOLONG;
		if (!s_isdir(cur->mode))
			return -ENOTDIR;
		type = classify(name, len);
		err = lookup_one(cur, name, len, type, &next);
		if (err == -ENOENT && last && (flags & WALK_PARENT)) {
			next = NULL;
			err = 0;
		}
		if (err < 0)
			return err;
		if (next)
			next = cross_mounts(next);
		if (next && s_islnk(next->mode) &&
		    (!last || (flags & WALK_FOLLOW) ||
		     (slash && !(flags & WALK_PARENT)))) {
			if (++links > VFS_LINKS_MAX)
				return -ELOOP;
			err = next->ops->follow
				      ? next->ops->follow(next, &target)
				      : -ENOENT;
			if (err == -ENOENT) {
				if ((err = splice(w, next, rest)) < 0)
					return err;
				p = w->buf[0];
				if (*p == '/')
					cur = root_vn;
				continue;
			}
			if (err < 0)
				return err;
			next = target;
		}
		if (last) {
			w->dir = cur;
			w->vn = next;
			w->name = name;
			w->namelen = len;
			w->last = type;
			w->slash = slash;
			/* callers by parent judge a trailing "/" themselves:
			 * unlink("f/") is ENOTDIR, mkdir("f/") EEXIST */
			if (next && !(flags & WALK_PARENT) &&
			    (slash || (flags & WALK_DIRECTORY)) &&
			    !s_isdir(next->mode))
				return -ENOTDIR;
			return 0;
		}
		if (!s_isdir(next->mode))
			return -ENOTDIR;
		cur = next;
	}
}

int vfs_walk(struct vnode *start, const char *path, unsigned int flags,
	     struct walk *w)
{
	size_t len = strnlen(path, VFS_PATH_MAX);

	*w = (struct walk){0};
	if (len >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0) {
		if (!(flags & WALK_EMPTY) || !start)
			return -ENOENT;
		w->dir = w->vn = start;
		w->name = "";
		w->last = LAST_DOT;
		if ((flags & WALK_DIRECTORY) && !s_isdir(start->mode))
			return -ENOTDIR;
		return 0;
	}
	if (!root_vn)
		return -ENOENT;
	if (!(w->buf[0] = kmalloc(len + 1)))
		return -ENOMEM;
	memcpy(w->buf[0], path, len + 1);
	return walk_buf(w, start ? start : root_vn, flags);
}

void walk_done(struct walk *w)
{
	kfree(w->buf[0]);
	kfree(w->buf[1]);
	w->buf[0] = w->buf[1] = NULL;
	w->big[0] = w->big[1] = false;
}

int vfs_dir_path(struct vnode *dir, char *buf, size_t size)
{
	size_t pos = size;
	struct vnode *cur = dir;

	if (size < 2)
		return -ERANGE;
	buf[--pos] = '\0';
	while (cur != root_vn) {
		if (cur == cur->fs->root && cur->fs->covered) {
			cur = cur->fs->covered;
			continue;
		}
		if (!cur->parent)
			return -ENOENT;
		if (pos < cur->namelen + 1)
			return -ERANGE;
		pos -= cur->namelen;
		memcpy(buf + pos, cur->name, cur->namelen);
		buf[--pos] = '/';
		cur = cur->parent;
	}
	if (pos == size - 1)
		buf[--pos] = '/';
	memmove(buf, buf + pos, size - pos);
	return (int)(size - pos - 1);
}
