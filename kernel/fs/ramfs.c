/* ramfs directories and symlinks, and the file system type. */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/string.h>

#include "ramfs.h"

/*
 * A directory is a list of entries in creation order, plus a hash table
 * of them by name once it grows past a few. Each entry keeps the cookie it
 * was given when added; getdents resumes at a cookie, so an entry removed
 * or added while a program lists the directory never makes it skip or
 * repeat another.
 */
struct dirent {
	struct dirent *next, *prev; /* creation order */
	struct dirent *hnext;	    /* same hash bucket */
	struct vnode *vn;
	uint64_t cookie;
	uint32_t hash;
	size_t namelen;
	char name[]; /* NUL-terminated too */
};

struct dir {
	struct dirent *head, *tail;
	struct dirent **buckets; /* nbuckets, a power of two; or none */
	size_t nbuckets, count;
	uint64_t next_cookie; /* 0 and 1 are "." and ".." */
};

#define HASH_FROM 8 /* entries before a directory gets a hash table */

/* st_size of a directory, as tmpfs reports it (BOGO_DIRENT_SIZE). */
#define DIRENT_SIZE 20

static const struct vnode_ops dir_ops, symlink_ops;

/* FNV-1a */
static uint32_t hash_name(const char *name, size_t len)
{
	uint32_t h = 2166136261U;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619U;
	return h;
}

static struct dirent *find(struct vnode *dir, const char *name, size_t len)
{
	struct dir *d = dir->priv;
	uint32_t h = hash_name(name, len);
	struct dirent *e =
		d->nbuckets ? d->buckets[h & (d->nbuckets - 1)] : d->head;

	for (; e; e = d->nbuckets ? e->hnext : e->next) {
		if (e->hash == h && e->namelen == len &&
		    memcmp(e->name, name, len) == 0)
			return e;
	}
	return NULL;
}

/* Grow the table to keep chains short; without memory, chains grow. */
static void rehash(struct dir *d)
{
	size_t n = d->nbuckets ? d->nbuckets * 4 : 16;
	struct dirent **b = kzalloc(n * sizeof *b);

	if (!b)
		return;
	for (struct dirent *e = d->head; e; e = e->next) {
		e->hnext = b[e->hash & (n - 1)];
		b[e->hash & (n - 1)] = e;
	}
	kfree(d->buckets);
	d->buckets = b;
	d->nbuckets = n;
}

static struct dirent *add(struct vnode *dir, const char *name, size_t len,
			  struct vnode *vn)
{
	struct dir *d = dir->priv;
	struct dirent *e = kmalloc(sizeof *e + len + 1);

	if (!e)
		return NULL;
	*e = (struct dirent){NULL, d->tail,	     NULL,
			     vn,   d->next_cookie++, hash_name(name, len),
			     len};
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	if (d->tail)
		d->tail->next = e;
	else
		d->head = e;
	d->tail = e;
	if (d->nbuckets) {
		e->hnext = d->buckets[e->hash & (d->nbuckets - 1)];
		d->buckets[e->hash & (d->nbuckets - 1)] = e;
	}
	if (++d->count >= HASH_FROM && d->count >= 2 * d->nbuckets)
		rehash(d);
	dir->size += DIRENT_SIZE;
	if (s_isdir(vn->mode)) {
		vn->parent = dir;
		vn->name = e->name;
		vn->namelen = len;
	}
	vnode_touch_data(dir);
	return e;
}

static void drop(struct vnode *dir, struct dirent *e)
{
	struct dir *d = dir->priv;

	if (d->nbuckets) {
		struct dirent **p = &d->buckets[e->hash & (d->nbuckets - 1)];

		while (*p != e)
			p = &(*p)->hnext;
		*p = e->hnext;
	}
	if (e->prev)
		e->prev->next = e->next;
	else
		d->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		d->tail = e->prev;
	d->count--;
	dir->size -= DIRENT_SIZE;
	vnode_touch_data(dir);
	kfree(e);
}

static struct vnode *dir_alloc(struct fs *fs, uint32_t mode)
{
	struct vnode *vn = vnode_alloc(fs, &dir_ops, S_IFDIR | (mode & 07777));
	struct dir *d = kzalloc(sizeof *d);

	if (!vn || !d) {
		kfree(vn);
		kfree(d);
		return NULL;
	}
	d->next_cookie = 2;
	vn->priv = d;
	vn->size = 2 * DIRENT_SIZE;
	return vn;
}

static int dir_lookup(struct vnode *dir, const char *name, size_t len,
		      struct vnode **out)
{
	struct dirent *e = find(dir, name, len);

	if (!e)
		return -ENOENT;
	*out = e->vn;
	return 0;
}

/* Link a new node under dir, or free it. */
static int add_new(struct vnode *dir, const char *name, size_t len,
		   struct vnode *vn, struct vnode **out)
{
	if (!vn)
		return -ENOSPC;
	if (!add(dir, name, len, vn)) {
		vn->nlink = 0;
		vnode_get(vn);
		vnode_put(vn); /* frees it */
		return -ENOSPC;
	}
	if (s_isdir(vn->mode)) {
		vn->nlink = 2; /* its name and its "." */
		dir->nlink++;  /* its ".." */
	} else {
		vn->nlink = 1;
	}
	*out = vn;
	return 0;
}

static int dir_create(struct vnode *dir, const char *name, size_t len,
		      uint32_t mode, struct vnode **out)
{
	struct vnode *vn;

	if (dir->nlink == 0) /* removed while it was the cwd */
		return -ENOENT;
	if (s_isdir(mode))
		vn = dir_alloc(dir->fs, mode);
	else
		vn = ramfs_file_alloc(dir->fs, mode);
	return add_new(dir, name, len, vn, out);
}

static int dir_symlink(struct vnode *dir, const char *name, size_t len,
		       const char *target, size_t tlen, struct vnode **out)
{
	struct vnode *vn;
	char *t;

	if (dir->nlink == 0)
		return -ENOENT;
	vn = vnode_alloc(dir->fs, &symlink_ops, S_IFLNK | 0777);
	t = kmalloc(tlen + 1);
	if (!vn || !t) {
		kfree(vn);
		kfree(t);
		return -ENOSPC;
	}
	memcpy(t, target, tlen);
	t[tlen] = '\0';
	vn->priv = t;
	vn->size = tlen;
	return add_new(dir, name, len, vn, out);
}

static int dir_link(struct vnode *dir, const char *name, size_t len,
		    struct vnode *vn)
{
	if (dir->nlink == 0)
		return -ENOENT;
	if (!add(dir, name, len, vn))
		return -ENOSPC;
	vn->nlink++;
	vnode_touch_attr(vn);
	return 0;
}

static int dir_unlink(struct vnode *dir, const char *name, size_t len,
		      struct vnode *vn)
{
	struct dirent *e = find(dir, name, len);

	if (!e)
		return -ENOENT;
	drop(dir, e);
	if (s_isdir(vn->mode))
		dir->nlink--;
	vnode_unlink(vn);
	return 0;
}

/* vn (a directory) moves from odir to ndir under the name of e. */
static void reparent(struct vnode *vn, struct vnode *odir, struct vnode *ndir,
		     struct dirent *e)
{
	if (!s_isdir(vn->mode))
		return;
	odir->nlink--;
	ndir->nlink++;
	vn->parent = ndir;
	vn->name = e->name;
	vn->namelen = e->namelen;
}

static int rename_exchange(struct vnode *odir, struct dirent *oe,
			   struct vnode *ndir, struct dirent *ne)
{
	struct vnode *a = oe->vn, *b = ne->vn;

	oe->vn = b;
	ne->vn = a;
	reparent(a, odir, ndir, ne);
	reparent(b, ndir, odir, oe);
	vnode_touch_attr(a);
	vnode_touch_attr(b);
	vnode_touch_data(odir);
	vnode_touch_data(ndir);
	return 0;
}

static int dir_rename(struct vnode *odir, const char *oname, size_t olen,
		      struct vnode *ndir, const char *nname, size_t nlen,
		      bool exchange)
{
	struct dirent *oe = find(odir, oname, olen);
	struct dirent *ne = find(ndir, nname, nlen);
	struct vnode *vn, *victim = NULL;

	if (!oe || (exchange && !ne))
		return -ENOENT;
	if (ndir->nlink == 0)
		return -ENOENT;
	if (exchange)
		return rename_exchange(odir, oe, ndir, ne);
	vn = oe->vn;
	if (ne) {
		victim = ne->vn;
		ne->vn = vn;
		vnode_touch_data(ndir);
	} else if (!(ne = add(ndir, nname, nlen, vn))) {
		return -ENOSPC;
	}
	drop(odir, oe);
	if (s_isdir(vn->mode))
		reparent(vn, odir, ndir, ne);
	vnode_touch_attr(vn);
	if (victim) {
		if (s_isdir(victim->mode))
			ndir->nlink--;
		vnode_unlink(victim);
	}
	return 0;
}

static bool dir_empty(struct vnode *dir)
{
	return ((struct dir *)dir->priv)->count == 0;
}

static unsigned int dtype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return DT_DIR;
	case S_IFREG:
		return DT_REG;
	case S_IFLNK:
		return DT_LNK;
	case S_IFCHR:
		return DT_CHR;
	case S_IFIFO:
		return DT_FIFO;
	case S_IFSOCK:
		return DT_SOCK;
	default:
		return DT_UNKNOWN;
	}
}

static int dir_readdir(struct vnode *dir, uint64_t *cookie, vfs_filldir_fn fill,
		       void *ctx)
{
	struct dir *d = dir->priv;

	for (struct dirent *e = d->head; e; e = e->next) {
		if (e->cookie < *cookie)
			continue;
		if (fill(ctx, e->name, e->namelen, e->vn->ino,
			 dtype(e->vn->mode), e->cookie + 1))
			return 0;
		*cookie = e->cookie + 1;
	}
	return 0;
}

static void dir_release(struct vnode *dir)
{
	struct dir *d = dir->priv;

	while (d->head) {
		struct dirent *e = d->head;

		d->head = e->next;
		kfree(e);
	}
	kfree(d->buckets);
	kfree(d);
}

static const struct vnode_ops dir_ops = {
	.lookup = dir_lookup,
	.create = dir_create,
	.symlink = dir_symlink,
	.link = dir_link,
	.unlink = dir_unlink,
	.rename = dir_rename,
	.empty = dir_empty,
	.readdir = dir_readdir,
	.release = dir_release,
};

static int symlink_readlink(struct vnode *vn, char *buf, size_t size)
{
	size_t n = MIN(vn->size, size);

	memcpy(buf, vn->priv, n);
	return (int)vn->size;
}

static void symlink_release(struct vnode *vn)
{
	kfree(vn->priv);
}

static const struct vnode_ops symlink_ops = {
	.readlink = symlink_readlink,
	.release = symlink_release,
};

int ramfs_mount(struct fs *fs, const void *data)
{
	const uint32_t *mode = data;
	struct vnode *root = dir_alloc(fs, mode ? *mode : 0755);

	if (!root)
		return -ENOMEM;
	root->nlink = 2;
	fs->root = root;
	return 0;
}

static void ramfs_statfs(struct fs *fs, struct kstatfs *st)
{
	size_t max = ramfs_pages_max(), used = ramfs_pages_used();

	st->bsize = PAGE_SIZE;
	st->blocks = max;
	st->bfree = st->bavail =
		MIN(max > used ? max - used : 0, pmm_free_count());
	st->files = pmm_total_count() / 2; /* tmpfs's default nr_inodes */
	st->ffree = st->files > fs->next_ino ? st->files - fs->next_ino : 0;
}

const struct fs_type ramfs_type = {
	.name = "tmpfs",
	.magic = TMPFS_MAGIC,
	.mount = ramfs_mount,
	.statfs = ramfs_statfs,
};
