/* Open files: the struct file life cycle and files opened on vnodes. */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/poll.h>
#include <kernel/string.h>
#include <kernel/uaccess.h>

#include "vfs.h"

int uio_copy_to(const struct uio *u, size_t at, const void *src, size_t n)
{
	if (u->user)
		return copy_to_user((void __user *)(u->base + at), src, n);
	memcpy(u->base + at, src, n);
	return 0;
}

int uio_copy_from(const struct uio *u, size_t at, void *dst, size_t n)
{
	if (u->user)
		return copy_from_user(dst, (const void __user *)(u->base + at),
				      n);
	memcpy(dst, u->base + at, n);
	return 0;
}

int uio_zero(const struct uio *u, size_t at, size_t n)
{
	static const char zeros[256];
	int err;

	if (!u->user) {
		memset(u->base + at, 0, n);
		return 0;
	}
	while (n) {
		size_t c = MIN(n, sizeof zeros);

		if ((err = uio_copy_to(u, at, zeros, c)) < 0)
			return err;
		at += c;
		n -= c;
	}
	return 0;
}

struct file *file_alloc(const struct file_ops *ops, uint32_t flags, void *priv)
{
	struct file *f = kzalloc(sizeof *f);

	if (!f)
		return NULL;
	f->ops = ops;
	f->refs = 1;
	f->flags = flags;
	f->priv = priv;
	return f;
}

void file_get(struct file *f)
{
	f->refs++;
}

void file_put(struct file *f)
{
	if (--f->refs)
		return;
	if (f->epitems)
		epoll_file_gone(f);
	if (f->ops->release)
		f->ops->release(f);
	if (f->vn)
		vnode_put(f->vn);
	if (f->dir)
		vnode_put(f->dir);
	kfree(f->name);
	kfree(f);
}

/* --- files on vnodes --- */

static ssize_t vn_read(struct file *f, const struct uio *u, uint64_t *pos)
{
	struct vnode *vn = f->vn;
	ssize_t n;

	if (!vn->ops->read)
		return -EINVAL;
	n = vn->ops->read(vn, u, *pos);
	if (n > 0)
		*pos += (uint64_t)n;
	return n;
}

static ssize_t vn_write(struct file *f, const struct uio *u, uint64_t *pos)
{
	struct vnode *vn = f->vn;
	ssize_t n;

	if (!vn->ops->write)
		return -EINVAL;
	if ((f->flags & O_APPEND) && s_isreg(vn->mode))
		*pos = vn->size;
	n = vn->ops->write(vn, u, *pos);
	if (n > 0)
		*pos += (uint64_t)n;
	return n;
}

/* The next data or hole at or after off; files here have holes only
 * where nothing was written, which SEEK_DATA may report as data. */
static int64_t seek_data_hole(struct vnode *vn, int64_t off, int whence)
{
	if (off < 0 || (uint64_t)off >= vn->size)
		return -ENXIO;
	return whence == SEEK_DATA ? off : (int64_t)vn->size;
}

static int64_t vn_lseek(struct file *f, int64_t off, int whence)
{
	struct vnode *vn = f->vn;
	int64_t base, pos;

	if (s_ischr(vn->mode))
		return 0; /* /dev/null, /dev/zero: no position */
	/* a directory's position is a getdents cookie (as tmpfs: no end) */
	if (s_isdir(vn->mode) && whence != SEEK_SET && whence != SEEK_CUR)
		return -EINVAL;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = (int64_t)vn->size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (!s_isreg(vn->mode))
			return -EINVAL;
		if ((pos = seek_data_hole(vn, off, whence)) < 0)
			return pos;
		f->pos = (uint64_t)pos;
		return pos;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, off, &pos))
		return -EOVERFLOW;
	if (pos < 0)
		return -EINVAL;
	f->pos = (uint64_t)pos;
	return pos;
}

static int64_t vn_nread(struct file *f)
{
	struct vnode *vn = f->vn;

	if (!s_isreg(vn->mode))
		return -ENOTTY;
	return vn->size > f->pos ? (int64_t)(vn->size - f->pos) : 0;
}

static const struct file_ops vnode_file_ops = {
	.read = vn_read,
	.write = vn_write,
	.lseek = vn_lseek,
	.nread = vn_nread,
};

int vfs_file_open(struct vnode *vn, int flags, struct file **out)
{
	struct file *f = file_alloc(&vnode_file_ops, (uint32_t)flags, NULL);
	int err;

	if (!f)
		return -ENOMEM;
	vnode_get(vn);
	f->vn = vn;
	if (!(flags & O_PATH) && vn->ops->open &&
	    (err = vn->ops->open(vn, f)) < 0) {
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}

ssize_t file_read(struct file *f, const struct uio *u, uint64_t *pos)
{
	if (!file_readable(f))
		return -EBADF;
	if (f->vn && s_isdir(f->vn->mode))
		return -EISDIR;
	return f->ops->read(f, u, pos);
}

ssize_t file_write(struct file *f, const struct uio *u, uint64_t *pos)
{
	if (!file_writable(f))
		return -EBADF;
	return f->ops->write(f, u, pos);
}

int file_stat(struct file *f, struct kstat *st)
{
	if (f->vn) {
		vnode_stat(f->vn, st);
		return 0;
	}
	if (f->ops->stat)
		return f->ops->stat(f, st);
	return -EINVAL;
}

/* --- getdents64 --- */

/* struct linux_dirent64: ino, off, reclen, type, then the name. */
struct dirent64_head {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
} __packed;

struct fill_ctx {
	const struct uio *u;
	size_t used;
	int err;
	uint64_t *pos;
};

static int filldir(void *p, const char *name, size_t len, uint64_t ino,
		   unsigned int type, uint64_t next)
{
	struct fill_ctx *c = p;
	size_t reclen = ALIGN_UP(sizeof(struct dirent64_head) + len + 1, 8);
	struct dirent64_head h = {ino, (int64_t)next, (uint16_t)reclen,
				  (uint8_t)type};
	int err;

	if (c->used + reclen > c->u->len) {
		if (c->used == 0)
			c->err = -EINVAL;
		return 1;
	}
	if ((err = uio_copy_to(c->u, c->used, &h, sizeof h)) < 0 ||
	    (err = uio_copy_to(c->u, c->used + sizeof h, name, len)) < 0 ||
	    (err = uio_zero(c->u, c->used + sizeof h + len,
			    reclen - sizeof h - len)) < 0) {
		c->err = err;
		return 1;
	}
	c->used += reclen;
	*c->pos = next;
	return 0;
}

ssize_t file_getdents(struct file *f, const struct uio *u)
{
	struct vnode *dir = f->vn, *up;
	struct fill_ctx c = {u, 0, 0, &f->pos};
	int err;

	if (!dir || (f->flags & O_PATH))
		return -EBADF;
	if (!s_isdir(dir->mode) || !dir->ops->readdir)
		return -ENOTDIR;
	if (dir->nlink == 0) /* removed: nothing left to list, not even . */
		return 0;
	if (f->pos == 0 && filldir(&c, ".", 1, dir->ino, DT_DIR, 1))
		goto out;
	if (f->pos == 1) {
		up = dir->parent ? dir->parent : dir;
		if (filldir(&c, "..", 2, up->ino, DT_DIR, 2))
			goto out;
	}
	err = dir->ops->readdir(dir, &f->pos, filldir, &c);
	if (err < 0 && !c.used)
		return err;
out:
	if (c.err && !c.used)
		return c.err;
	dir->atime = vtime_now();
	return (ssize_t)c.used;
}

/* --- /proc/self/fd/N --- */

/* buf holds a directory's path, n bytes: append "/name", and " (deleted)"
 * once the file has no name left, as Linux's d_path() shows it. */
static int append_name(char *buf, size_t size, size_t n, const char *name,
		       bool deleted)
{
	const char *suffix = deleted ? " (deleted)" : "";
	size_t nl = strlen(name), sl = strlen(suffix);

	if (n == 1) /* "/" */
		n = 0;
	if (n + 1 + nl + sl + 1 > size)
		return -ENAMETOOLONG;
	buf[n] = '/';
	memcpy(buf + n + 1, name, nl);
	memcpy(buf + n + 1 + nl, suffix, sl + 1);
	return (int)(n + 1 + nl + sl);
}

int file_link_name(struct file *f, char *buf, size_t size)
{
	struct vnode *vn = f->vn;
	int n;

	if (!vn)
		return f->ops->link_name ? f->ops->link_name(f, buf, size)
					 : -ENOENT;
	if (s_isdir(vn->mode))
		return vfs_dir_path(vn, buf, size);
	if (!f->dir)
		return f->ops->link_name ? f->ops->link_name(f, buf, size)
					 : -ENOENT;
	n = vfs_dir_path(f->dir, buf, size);
	if (n < 0)
		return n;
	return append_name(buf, size, (size_t)n, f->name, vn->nlink == 0);
}

/* --- mmap --- */

int vfs_page_private(struct vnode *vn, uint64_t off, void *kva)
{
	struct uio u = uio_kernel(kva, PAGE_SIZE);
	ssize_t n;

	if (!vn->ops->read)
		return -EACCES;
	n = vn->ops->read(vn, &u, off);
	return n < 0 ? (int)n : 0;
}

int vfs_page_shared(struct vnode *vn, uint64_t off, paddr_t *pa)
{
	if (!vn->ops->getpage)
		return -ENODEV;
	return vn->ops->getpage(vn, off / PAGE_SIZE, pa);
}
