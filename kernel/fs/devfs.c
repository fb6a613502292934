/* /dev: null, zero, full, random, urandom, the console, and the fd links. */
#include <kernel/errno.h>
#include <kernel/random.h>
#include <kernel/string.h>

#include "fs_priv.h"

/*
 * Device nodes are ordinary names in the root file system's /dev (as on
 * a devtmpfs), so that a program may add its own entries there, /dev/shm
 * for one. Reads and writes go to the node's ops; the file is the
 * generic one on a vnode, whose lseek on a character device answers 0.
 */

/* Linux's new_encode_dev() for st_rdev. */
#define MKDEV(ma, mi) ((uint32_t)(((ma) << 8) | ((mi)&0xff)))

static ssize_t null_read(struct vnode *vn, const struct uio *u, uint64_t off)
{
	(void)vn;
	(void)u;
	(void)off;
	return 0;
}

static ssize_t sink_write(struct vnode *vn, const struct uio *u, uint64_t off)
{
	(void)vn;
	(void)off;
	return (ssize_t)u->len;
}

static ssize_t zero_read(struct vnode *vn, const struct uio *u, uint64_t off)
{
	int err = uio_zero(u, 0, u->len);

	(void)vn;
	(void)off;
	return err < 0 ? err : (ssize_t)u->len;
}

static ssize_t full_write(struct vnode *vn, const struct uio *u, uint64_t off)
{
	(void)vn;
	(void)u;
	(void)off;
	return -ENOSPC;
}

/* /dev/random and /dev/urandom: the generator getrandom(2) uses, which
 * never blocks (as Linux's since 5.6 once seeded). Bounded like a read. */
static ssize_t random_read(struct vnode *vn, const struct uio *u, uint64_t off)
{
	uint8_t chunk[256];
	size_t done = 0, len = MIN(u->len, 0x1ffffffUL);
	int err;

	(void)vn;
	(void)off;
	while (done < len) {
		size_t c = MIN(len - done, sizeof chunk);

		random_fill(chunk, c);
		if ((err = uio_copy_to(u, done, chunk, c)) < 0)
			return done ? (ssize_t)done : err;
		done += c;
	}
	memset(chunk, 0, sizeof chunk);
	return (ssize_t)done;
}

static const struct vnode_ops null_ops = {.read = null_read,
					  .write = sink_write};
static const struct vnode_ops zero_ops = {.read = zero_read,
					  .write = sink_write};
static const struct vnode_ops full_ops = {.read = zero_read,
					  .write = full_write};
static const struct vnode_ops random_ops = {.read = random_read,
					    .write = sink_write};

static const struct {
	const char *name;
	const struct vnode_ops *ops;
	uint32_t perm, rdev, flags;
} devices[] = {
	{"null", &null_ops, 0666, MKDEV(1, 3), 0},
	{"zero", &zero_ops, 0666, MKDEV(1, 5), VN_MMAP_ANON},
	{"full", &full_ops, 0666, MKDEV(1, 7), 0},
	{"random", &random_ops, 0666, MKDEV(1, 8), 0},
	{"urandom", &random_ops, 0666, MKDEV(1, 9), 0},
	{"tty", &console_vnode_ops, 0666, MKDEV(5, 0), 0},
	{"console", &console_vnode_ops, 0620, MKDEV(5, 1), 0},
};

static const struct {
	const char *name, *target;
} links[] = {
	{"stdin", "/proc/self/fd/0"},
	{"stdout", "/proc/self/fd/1"},
	{"stderr", "/proc/self/fd/2"},
	{"fd", "/proc/self/fd"},
};

/* Whatever the packed tree had under the name goes first (a placeholder
 * file or an empty directory where a device belongs); a directory with
 * something in it stays, and is -EEXIST. */
static int make_room(struct vnode *dev, const char *name)
{
	struct vnode *old;

	if (dev->ops->lookup(dev, name, strlen(name), &old) < 0)
		return 0;
	if (s_isdir(old->mode) && (old->mounted || !old->ops->empty(old)))
		return -EEXIST;
	return dev->ops->unlink(dev, name, strlen(name), old);
}

static int add_device(struct vnode *dev, size_t i)
{
	struct vnode *vn;
	int err;

	if ((err = make_room(dev, devices[i].name)) < 0)
		return err;
	vn = vnode_alloc(dev->fs, devices[i].ops, S_IFCHR | devices[i].perm);
	if (!vn)
		return -ENOMEM;
	vn->rdev = devices[i].rdev;
	vn->flags = devices[i].flags;
	err = dev->ops->link(dev, devices[i].name, strlen(devices[i].name), vn);
	if (err < 0) {
		vnode_get(vn);
		vnode_put(vn);
	}
	return err;
}

int devfs_populate(struct vnode *dev, const char **failed)
{
	struct vnode *vn;
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
		*failed = devices[i].name;
		if ((err = add_device(dev, i)) < 0)
			return err;
	}
	*failed = "shm";
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		const char *n = links[i].name;

		if ((err = make_room(dev, n)) < 0)
			continue;
		err = dev->ops->symlink(dev, n, strlen(n), links[i].target,
					strlen(links[i].target), &vn);
		if (err < 0)
			return err;
	}
	if (dev->ops->lookup(dev, "shm", 3, &vn) == -ENOENT) {
		/* POSIX shared memory (shm_open) lives in /dev/shm */
		if ((err = dev->ops->create(dev, "shm", 3, S_IFDIR | 01777,
					    &vn)) < 0)
			return err;
	}
	return 0;
}
