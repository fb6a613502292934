/* Attributes: the stat family, statx, statfs, access, chmod, chown, utimes. */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/string.h>
#include <kernel/uaccess.h>

#include "path.h"
#include "syscall.h"

/* The kernel's struct stat on x86-64 (144 bytes). */
struct k_stat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	int64_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
	int64_t unused[3];
};
_Static_assert(sizeof(struct k_stat) == 144, "struct stat");

struct k_statx_ts {
	int64_t sec;
	uint32_t nsec;
	int32_t pad;
};

/* struct statx (include/uapi/linux/stat.h), 256 bytes. */
struct k_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad0;
	uint64_t ino, size, blocks, attributes_mask;
	struct k_statx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};
_Static_assert(sizeof(struct k_statx) == 256, "struct statx");

#define STATX_BASIC_STATS 0x7ffU
#define STATX__RESERVED	  0x80000000U

/* The kernel's struct statfs on x86-64 (120 bytes). */
struct k_statfs {
	int64_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	int32_t fsid[2];
	int64_t namelen, frsize, flags, spare[4];
};
_Static_assert(sizeof(struct k_statfs) == 120, "struct statfs");

#define ST_VALID    0x20
#define ST_RELATIME 0x1000

/* The node dirfd + path names, or with an empty path (AT_EMPTY_PATH) the
 * open file dirfd itself, which may have no node (a pipe). */
static int stat_at(int dirfd, const char __user *upath, int flags,
		   struct kstat *st)
{
	unsigned int wf = flags & AT_SYMLINK_NOFOLLOW ? 0 : WALK_FOLLOW;
	struct vnode *vn;
	struct upath p;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
		      AT_STATX_SYNC_TYPE))
		return -EINVAL;
	err = upath_begin(&p, dirfd, upath, flags & AT_EMPTY_PATH);
	if (err == 0 && p.path[0] == '\0' && p.at.f) {
		err = file_stat(p.at.f, st);
	} else if (err == 0 && (err = vfs_lookup(p.at.vn, p.path,
						 wf | WALK_EMPTY, &vn)) == 0) {
		vnode_stat(vn, st);
	}
	upath_end(&p);
	return err;
}

static int put_stat(const struct kstat *s, struct k_stat __user *out)
{
	struct k_stat st = {
		.dev = s->dev,
		.ino = s->ino,
		.nlink = s->nlink,
		.mode = s->mode,
		.uid = s->uid,
		.gid = s->gid,
		.rdev = s->rdev,
		.size = (int64_t)s->size,
		.blksize = s->blksize,
		.blocks = (int64_t)s->blocks,
		.atime = s->atime.sec,
		.atime_nsec = s->atime.nsec,
		.mtime = s->mtime.sec,
		.mtime_nsec = s->mtime.nsec,
		.ctime = s->ctime.sec,
		.ctime_nsec = s->ctime.nsec,
	};

	return copy_to_user(out, &st, sizeof st);
}

static long do_fstatat(int dirfd, const char __user *path,
		       struct k_stat __user *out, int flags)
{
	struct kstat st;
	int err = stat_at(dirfd, path, flags, &st);

	return err < 0 ? err : put_stat(&st, out);
}

long sys_stat(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	struct k_stat __user *st = (void __user *)a->arg[1];

	return do_fstatat(AT_FDCWD, path, st, 0);
}

long sys_lstat(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	struct k_stat __user *st = (void __user *)a->arg[1];

	return do_fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

long sys_newfstatat(const struct sys_args *a)
{
	int dirfd = (int)a->arg[0];
	const char __user *path = (const char __user *)a->arg[1];
	struct k_stat __user *st = (void __user *)a->arg[2];
	int flags = (int)a->arg[3];

	return do_fstatat(dirfd, path, st, flags);
}

long sys_fstat(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	struct k_stat __user *out = (void __user *)a->arg[1];
	struct file *f = fd_get(fd);
	struct kstat st;
	int err;

	if (!f)
		return -EBADF;
	err = file_stat(f, &st);
	file_put(f);
	return err < 0 ? err : put_stat(&st, out);
}

static struct k_statx_ts statx_ts(struct vtime t)
{
	return (struct k_statx_ts){t.sec, (uint32_t)t.nsec, 0};
}

long sys_statx(const struct sys_args *a)
{
	int dirfd = (int)a->arg[0];
	const char __user *path = (const char __user *)a->arg[1];
	int flags = (int)a->arg[2];
	uint32_t mask = (uint32_t)a->arg[3];
	struct k_statx __user *out = (void __user *)a->arg[4];
	struct kstat s;
	struct k_statx x;
	int err;

	if (mask & STATX__RESERVED)
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if ((err = stat_at(dirfd, path, flags, &s)) < 0)
		return err;
	memset(&x, 0, sizeof x);
	x.mask = STATX_BASIC_STATS;
	x.blksize = s.blksize;
	x.nlink = (uint32_t)s.nlink;
	x.uid = s.uid;
	x.gid = s.gid;
	x.mode = (uint16_t)s.mode;
	x.ino = s.ino;
	x.size = s.size;
	x.blocks = s.blocks;
	x.atime = statx_ts(s.atime);
	x.ctime = statx_ts(s.ctime);
	x.mtime = statx_ts(s.mtime);
	x.rdev_major = (uint32_t)(s.rdev >> 8) & 0xfff;
	x.rdev_minor = (uint32_t)s.rdev & 0xff;
	x.dev_major = (uint32_t)(s.dev >> 8) & 0xfff;
	x.dev_minor = (uint32_t)s.dev & 0xff;
	return copy_to_user(out, &x, sizeof x);
}

static int put_statfs(struct vnode *vn, struct k_statfs __user *out)
{
	struct kstatfs s = {0};
	struct k_statfs st;

	if (vn->fs->type->statfs)
		vn->fs->type->statfs(vn->fs, &s);
	st = (struct k_statfs){
		.type = (int64_t)vn->fs->type->magic,
		.bsize = PAGE_SIZE,
		.blocks = s.blocks,
		.bfree = s.bfree,
		.bavail = s.bavail,
		.files = s.files,
		.ffree = s.ffree,
		.fsid = {(int32_t)vn->fs->dev, 0},
		.namelen = VFS_NAME_MAX,
		.frsize = PAGE_SIZE,
		.flags = ST_VALID | ST_RELATIME,
	};
	return copy_to_user(out, &st, sizeof st);
}

long sys_statfs(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	struct k_statfs __user *out = (void __user *)a->arg[1];
	struct vnode *vn;
	struct upath p;
	int err;

	if ((err = upath_begin(&p, AT_FDCWD, path, false)) == 0 &&
	    (err = vfs_lookup(p.at.vn, p.path, WALK_FOLLOW, &vn)) == 0)
		err = put_statfs(vn, out);
	upath_end(&p);
	return err;
}

long sys_fstatfs(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	struct k_statfs __user *out = (void __user *)a->arg[1];
	struct file *f = fd_get(fd);
	struct k_statfs pipefs = {.type = 0x50495045, .bsize = PAGE_SIZE};
	int err;

	if (!f)
		return -EBADF;
	err = f->vn ? put_statfs(f->vn, out)
		    : copy_to_user(out, &pipefs, sizeof pipefs);
	file_put(f);
	return err;
}

/* --- access, chmod, chown, times: on the node dirfd + path names --- */

enum attr_op { ATTR_ACCESS, ATTR_CHMOD, ATTR_CHOWN, ATTR_TIMES };

struct attr {
	enum attr_op op;
	uint32_t a, b;	       /* mode; uid and gid */
	struct vtime times[2]; /* atime, mtime for ATTR_TIMES */
	bool set[2];	       /* which of them change */
};

#define X_OK 1

/* Root passes every check but execution, which needs an x bit. */
static int apply(struct vnode *vn, const struct attr *at)
{
	switch (at->op) {
	case ATTR_ACCESS:
		if ((at->a & X_OK) && !s_isdir(vn->mode) && !(vn->mode & 0111))
			return -EACCES;
		return 0;
	case ATTR_CHMOD:
		vfs_chmod(vn, at->a);
		return 0;
	case ATTR_CHOWN:
		vfs_chown(vn, at->a, at->b);
		return 0;
	case ATTR_TIMES:
		if (at->set[0])
			vn->atime = at->times[0];
		if (at->set[1])
			vn->mtime = at->times[1];
		vnode_touch_attr(vn);
		return 0;
	}
	return -EINVAL;
}

static long attr_at(int dirfd, const char __user *upath, int flags,
		    const struct attr *at)
{
	unsigned int wf = flags & AT_SYMLINK_NOFOLLOW ? 0 : WALK_FOLLOW;
	struct vnode *vn;
	struct upath p;
	int err = upath_begin(&p, dirfd, upath, flags & AT_EMPTY_PATH);

	if (err == 0 && p.path[0] == '\0' && p.at.f && !p.at.f->vn)
		err = 0; /* a pipe: nothing recorded */
	else if (err == 0 &&
		 (err = vfs_lookup(p.at.vn, p.path, wf | WALK_EMPTY, &vn)) == 0)
		err = apply(vn, at);
	upath_end(&p);
	return err;
}

static long attr_fd(int fd, const struct attr *at)
{
	struct file *f = fd_get(fd);
	int err = 0;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		err = -EBADF;
	else if (f->vn)
		err = apply(f->vn, at);
	file_put(f);
	return err;
}

static long do_faccessat(int dirfd, const char __user *path, uint32_t mode,
			 int flags)
{
	struct attr at = {ATTR_ACCESS, mode, 0, {{0, 0}, {0, 0}}, {0, 0}};

	if (mode & ~7U)
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return attr_at(dirfd, path, flags & ~AT_EACCESS, &at);
}

long sys_access(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	uint32_t mode = (uint32_t)a->arg[1];

	return do_faccessat(AT_FDCWD, path, mode, 0);
}

long sys_faccessat(const struct sys_args *a)
{
	int dirfd = (int)a->arg[0];
	const char __user *path = (const char __user *)a->arg[1];
	uint32_t mode = (uint32_t)a->arg[2];

	return do_faccessat(dirfd, path, mode, 0);
}

long sys_faccessat2(const struct sys_args *a)
{
	int dirfd = (int)a->arg[0];
	const char __user *path = (const char __user *)a->arg[1];
	uint32_t mode = (uint32_t)a->arg[2];
	int flags = (int)a->arg[3];

	return do_faccessat(dirfd, path, mode, flags);
}

long sys_chmod(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	struct attr at = {.op = ATTR_CHMOD, .a = (uint32_t)a->arg[1]};

	return attr_at(AT_FDCWD, path, 0, &at);
}

long sys_fchmodat(const struct sys_args *a)
{
	int dirfd = (int)a->arg[0];
	const char __user *path = (const char __user *)a->arg[1];
	struct attr at = {.op = ATTR_CHMOD, .a = (uint32_t)a->arg[2]};

	return attr_at(dirfd, path, 0, &at);
}

long sys_fchmod(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	struct attr at = {.op = ATTR_CHMOD, .a = (uint32_t)a->arg[1]};

	return attr_fd(fd, &at);
}

long sys_chown(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	struct attr at = {ATTR_CHOWN,
			  (uint32_t)a->arg[1],
			  (uint32_t)a->arg[2],
			  {{0, 0}, {0, 0}},
			  {0, 0}};

	return attr_at(AT_FDCWD, path, 0, &at);
}

long sys_lchown(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	struct attr at = {ATTR_CHOWN,
			  (uint32_t)a->arg[1],
			  (uint32_t)a->arg[2],
			  {{0, 0}, {0, 0}},
			  {0, 0}};

	return attr_at(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, &at);
}

long sys_fchown(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	struct attr at = {ATTR_CHOWN,
			  (uint32_t)a->arg[1],
			  (uint32_t)a->arg[2],
			  {{0, 0}, {0, 0}},
			  {0, 0}};

	return attr_fd(fd, &at);
}

long sys_fchownat(const struct sys_args *a)
{
	int dirfd = (int)a->arg[0];
	const char __user *path = (const char __user *)a->arg[1];
	struct attr at = {ATTR_CHOWN,
			  (uint32_t)a->arg[2],
			  (uint32_t)a->arg[3],
			  {{0, 0}, {0, 0}},
			  {0, 0}};
	int flags = (int)a->arg[4];

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return attr_at(dirfd, path, flags, &at);
}

/* --- times --- */

#define UTIME_NOW  ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

struct k_timespec {
	int64_t sec, nsec;
};

/* utimensat's times[2] (NULL: both now) into at. */
static int read_timespecs(const struct k_timespec __user *ut, struct attr *at)
{
	struct k_timespec ts[2];
	int err;

	at->op = ATTR_TIMES;
	at->times[0] = at->times[1] = vtime_now();
	at->set[0] = at->set[1] = true;
	if (!ut)
		return 0;
	if ((err = copy_from_user(ts, ut, sizeof ts)) < 0)
		return err;
	for (int i = 0; i < 2; i++) {
		if (ts[i].nsec == UTIME_OMIT)
			at->set[i] = false;
		else if (ts[i].nsec == UTIME_NOW)
			continue;
		else if (ts[i].nsec < 0 || ts[i].nsec >= 1000000000)
			return -EINVAL;
		else
			at->times[i] = (struct vtime){ts[i].sec, ts[i].nsec};
	}
	return 0;
}

long sys_utimensat(const struct sys_args *a)
{
	int dirfd = (int)a->arg[0];
	const char __user *path = (const char __user *)a->arg[1];
	const struct k_timespec __user *times = (const void __user *)a->arg[2];
	int flags = (int)a->arg[3];
	struct attr at;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((err = read_timespecs(times, &at)) < 0)
		return err;
	if (!at.set[0] && !at.set[1])
		return 0;
	if (!path) /* futimens() */
		return attr_fd(dirfd, &at);
	return attr_at(dirfd, path, flags, &at);
}

struct k_timeval {
	int64_t sec, usec;
};

/* utimes/futimesat: microseconds; NULL is now. */
static long do_futimesat(int dirfd, const char __user *path,
			 const struct k_timeval __user *utv)
{
	struct attr at = {ATTR_TIMES, 0, 0, {{0, 0}, {0, 0}}, {true, true}};
	struct k_timeval tv[2];
	int err;

	at.times[0] = at.times[1] = vtime_now();
	if (utv) {
		if ((err = copy_from_user(tv, utv, sizeof tv)) < 0)
			return err;
		for (int i = 0; i < 2; i++) {
			if (tv[i].usec < 0 || tv[i].usec >= 1000000)
				return -EINVAL;
			at.times[i] =
				(struct vtime){tv[i].sec, tv[i].usec * 1000};
		}
	}
	return attr_at(dirfd, path, 0, &at);
}

long sys_utimes(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	const struct k_timeval __user *tv = (const void __user *)a->arg[1];

	return do_futimesat(AT_FDCWD, path, tv);
}

long sys_futimesat(const struct sys_args *a)
{
	int dirfd = (int)a->arg[0];
	const char __user *path = (const char __user *)a->arg[1];
	const struct k_timeval __user *tv = (const void __user *)a->arg[2];

	return do_futimesat(dirfd, path, tv);
}

long sys_utime(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	const int64_t __user *ubuf = (const void __user *)a->arg[1];
	struct attr at = {ATTR_TIMES, 0, 0, {{0, 0}, {0, 0}}, {true, true}};
	int64_t buf[2];
	int err;

	at.times[0] = at.times[1] = vtime_now();
	if (ubuf) {
		if ((err = copy_from_user(buf, ubuf, sizeof buf)) < 0)
			return err;
		at.times[0] = (struct vtime){buf[0], 0};
		at.times[1] = (struct vtime){buf[1], 0};
	}
	return attr_at(AT_FDCWD, path, 0, &at);
}
