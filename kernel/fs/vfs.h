/* The VFS: vnodes, mounted file systems, the path walk, operations by name. */
#ifndef KERNEL_FS_VFS_H
#define KERNEL_FS_VFS_H

#include <kernel/file.h>
#include <kernel/types.h>

/* st_mode file types and bits (inode(7)). */
#define S_IFMT	 0170000
#define S_IFSOCK 0140000
#define S_IFLNK	 0120000
#define S_IFREG	 0100000
#define S_IFBLK	 0060000
#define S_IFDIR	 0040000
#define S_IFCHR	 0020000
#define S_IFIFO	 0010000
#define S_ISUID	 04000
#define S_ISGID	 02000
#define S_ISVTX	 01000

static inline bool s_isdir(uint32_t m)
{
	return (m & S_IFMT) == S_IFDIR;
}
static inline bool s_isreg(uint32_t m)
{
	return (m & S_IFMT) == S_IFREG;
}
static inline bool s_islnk(uint32_t m)
{
	return (m & S_IFMT) == S_IFLNK;
}
static inline bool s_ischr(uint32_t m)
{
	return (m & S_IFMT) == S_IFCHR;
}

#define VFS_PATH_MAX  4096 /* bytes with the NUL (PATH_MAX) */
#define VFS_NAME_MAX  255  /* bytes in one component (NAME_MAX) */
#define VFS_LINKS_MAX 40   /* symlinks followed in one walk (MAXSYMLINKS) */

/* Directory entry types for getdents64 (DT_*). */
#define DT_UNKNOWN 0
#define DT_FIFO	   1
#define DT_CHR	   2
#define DT_DIR	   4
#define DT_REG	   8
#define DT_LNK	   10
#define DT_SOCK	   12

struct vtime {
	int64_t sec;
	int64_t nsec;
};

/* What stat(2) reports. */
struct kstat {
	uint64_t dev, ino, nlink, rdev, size, blocks;
	uint32_t mode, uid, gid, blksize;
	struct vtime atime, mtime, ctime;
};

/* What statfs(2) reports. */
struct kstatfs {
	uint64_t type, bsize, blocks, bfree, bavail, files, ffree, namelen;
	uint64_t fsid;
};

struct vnode;
struct fs;

/* Called by readdir for each entry; nonzero stops the listing (the entry
 * is not consumed). */
typedef int (*vfs_filldir_fn)(void *ctx, const char *name, size_t len,
			      uint64_t ino, unsigned int type,
			      uint64_t next_cookie);

/*
 * What a file system does with its nodes. Names are len bytes, not
 * NUL-terminated, never "." or "..", at most VFS_NAME_MAX; the VFS has
 * already checked the node types and that a name is free or taken as the
 * operation needs. Results 0 or a negative errno.
 */
struct vnode_ops {
	/* directories */
	int (*lookup)(struct vnode *dir, const char *name, size_t len,
		      struct vnode **out);
	/* a regular file or a directory (mode has S_IFREG or S_IFDIR) */
	int (*create)(struct vnode *dir, const char *name, size_t len,
		      uint32_t mode, struct vnode **out);
	int (*symlink)(struct vnode *dir, const char *name, size_t len,
		       const char *target, size_t tlen, struct vnode **out);
	/* a new name for vn (any type; devices are linked in this way) */
	int (*link)(struct vnode *dir, const char *name, size_t len,
		    struct vnode *vn);
	/* drop the name of vn (an empty directory for rmdir) */
	int (*unlink)(struct vnode *dir, const char *name, size_t len,
		      struct vnode *vn);
	/* move a name; with exchange, swap two names */
	int (*rename)(struct vnode *odir, const char *oname, size_t olen,
		      struct vnode *ndir, const char *nname, size_t nlen,
		      bool exchange);
	bool (*empty)(struct vnode *dir);
	/* entries from *cookie on (>= 2: 0, 1 are "." and ".."), moving it */
	int (*readdir)(struct vnode *dir, uint64_t *cookie, vfs_filldir_fn fill,
		       void *ctx);
	/* symlinks: the target's length, at most size bytes copied */
	int (*readlink)(struct vnode *vn, char *buf, size_t size);
	/* /proc's links to open files: the node itself, or -ENOENT to
	 * follow the readlink text instead */
	int (*follow)(struct vnode *vn, struct vnode **out);
	/* file data at off into / out of u: the byte count or -errno */
	ssize_t (*read)(struct vnode *vn, const struct uio *u, uint64_t off);
	ssize_t (*write)(struct vnode *vn, const struct uio *u, uint64_t off);
	int (*truncate)(struct vnode *vn, uint64_t size);
	/* MAP_SHARED: the frame holding page pgoff, owned by the file;
	 * -EFAULT past the end of the file */
	int (*getpage)(struct vnode *vn, uint64_t pgoff, paddr_t *pa);
	/* devices: set f->ops (the console's terminal) */
	int (*open)(struct vnode *vn, struct file *f);
	/* no name and no reference is left: free the node's data */
	void (*release)(struct vnode *vn);
};

#define VN_MMAP_ANON 1 /* mmap of it gives anonymous memory (/dev/zero) */

/*
 * A file, directory, symlink or device. The attributes are the truth (all
 * file systems here live in memory; a disk-backed one would write them
 * back). A node is freed when it has neither a name (nlink) nor a
 * reference (refs: open files, the cwd, mappings).
 */
struct vnode {
	const struct vnode_ops *ops;
	struct fs *fs;
	uint32_t mode, nlink, uid, gid, refs, flags;
	uint64_t ino, size, rdev;
	struct vtime atime, mtime, ctime;
	uint32_t shared_maps; /* MAP_SHARED mappings: frames must stay */
	/* directories: the one holding it and its name there (NULL once
	 * removed); a file system mounted on it */
	struct vnode *parent;
	const char *name;
	size_t namelen;
	struct fs *mounted;
	void *priv;
};

/* A kind of file system (ramfs; later a virtio-blk or virtio-fs one). */
struct fs_type {
	const char *name;
	uint64_t magic; /* statfs f_type */
	/* build the instance: set fs->root (nlink >= 1) and fs->priv */
	int (*mount)(struct fs *fs, const void *data);
	void (*statfs)(struct fs *fs, struct kstatfs *st);
};

/* One mounted instance. */
struct fs {
	const struct fs_type *type;
	uint64_t dev; /* st_dev */
	struct vnode *root;
	struct vnode *covered; /* the directory it hides, NULL for "/" */
	uint64_t next_ino;
	void *priv;
};

/* --- vnodes (vfs.c) --- */

/* A new node of fs with the given ops and mode, nlink 0, refs 0, times
 * now, owner root; NULL when out of memory. */
struct vnode *vnode_alloc(struct fs *fs, const struct vnode_ops *ops,
			  uint32_t mode);
void vnode_get(struct vnode *vn);
void vnode_put(struct vnode *vn);
/* A name of vn went away: drop nlink, free the node if unused. */
void vnode_unlink(struct vnode *vn);

/* The current time, for a node's timestamps. */
struct vtime vtime_now(void);
/* After a change of data (mtime and ctime) or of attributes (ctime). */
void vnode_touch_data(struct vnode *vn);
void vnode_touch_attr(struct vnode *vn);

void vnode_stat(struct vnode *vn, struct kstat *st);

/* --- mounts (vfs.c) --- */

/* Mount a new instance of type on dir ("/" when dir is NULL); the new
 * fs in *out. -ENOTDIR, -EBUSY (something is mounted there), -ENOMEM. */
int vfs_mount(struct vnode *dir, const struct fs_type *type, const void *data,
	      struct fs **out);
struct vnode *vfs_root(void);
/* Forget every mount (unit tests start afresh; the memory is leaked). */
void vfs_reset(void);

/* --- the path walk (vfs.c) --- */

#define WALK_FOLLOW    0x1 /* follow a symlink in the last component */
#define WALK_PARENT    0x2 /* the last component need not exist */
#define WALK_EMPTY     0x4 /* "" names the start (AT_EMPTY_PATH) */
#define WALK_DIRECTORY 0x8 /* the result must be a directory */

enum walk_last { LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT };

struct walk {
	struct vnode *dir; /* the directory holding the last component */
	struct vnode *vn;  /* the node named, NULL if it does not exist */
	const char *name;  /* the last component (namelen bytes) */
	size_t namelen;
	enum walk_last last;
	bool slash; /* the path ended in "/" */
	char *buf[2];
	bool big[2]; /* buf[i] has VFS_PATH_MAX bytes */
};

/*
 * Resolve path (NUL-terminated) from start (a directory; an absolute path
 * starts at "/" instead). "." and ".." (which stops at "/" and crosses
 * mounts), symlinks in every component but the last (there only with
 * WALK_FOLLOW or a trailing "/"), at most VFS_LINKS_MAX of them (-ELOOP).
 * Errors: -ENOENT (a missing component, an empty path), -ENOTDIR (a
 * component or, with a trailing "/", the last is not a directory),
 * -ENAMETOOLONG (a component > VFS_NAME_MAX, a path or expanded symlink
 * >= VFS_PATH_MAX), -ENOMEM. With WALK_PARENT a missing last component
 * gives 0 and w->vn NULL. The nodes are not referenced: they stay valid
 * until the file system changes. Call walk_done() after any result.
 */
int vfs_walk(struct vnode *start, const char *path, unsigned int flags,
	     struct walk *w);
void walk_done(struct walk *w);

/* The absolute path of directory dir into buf (NUL-terminated): its
 * length, -ENOENT when dir was removed, -ERANGE when buf is too small. */
int vfs_dir_path(struct vnode *dir, char *buf, size_t size);

/* --- operations by name (namei.c): start and path as for vfs_walk --- */

/* Open path as open(2) does with flags and mode (umask already applied);
 * the new file in *out. */
int vfs_open(struct vnode *start, const char *path, int flags, uint32_t mode,
	     struct file **out);
int vfs_mkdir(struct vnode *start, const char *path, uint32_t mode);
int vfs_rmdir(struct vnode *start, const char *path);
int vfs_unlink(struct vnode *start, const char *path);
int vfs_symlink(const char *target, struct vnode *start, const char *path);
/* oflags for the old path: WALK_FOLLOW (AT_SYMLINK_FOLLOW), WALK_EMPTY. */
int vfs_link(struct vnode *ostart, const char *opath, struct vnode *nstart,
	     const char *npath, unsigned int oflags);
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE	 2
#define RENAME_WHITEOUT	 4
int vfs_rename(struct vnode *ostart, const char *opath, struct vnode *nstart,
	       const char *npath, unsigned int flags);
/* The target's length (buf not NUL-terminated, at most size bytes). */
int vfs_readlink(struct vnode *start, const char *path, unsigned int flags,
		 char *buf, size_t size);
/* The node path names (WALK_FOLLOW, WALK_EMPTY as flags), unreferenced. */
int vfs_lookup(struct vnode *start, const char *path, unsigned int flags,
	       struct vnode **out);

/* Attribute changes on a node. */
int vfs_truncate(struct vnode *vn, uint64_t size);
void vfs_chmod(struct vnode *vn, uint32_t mode);
void vfs_chown(struct vnode *vn, uint32_t uid, uint32_t gid);

/* --- open files on vnodes (file.c) --- */

/* A file on vn (takes a reference to vn), after vn->ops->open. */
int vfs_file_open(struct vnode *vn, int flags, struct file **out);
/* read/write honouring the access mode, O_APPEND and directories */
ssize_t file_read(struct file *f, const struct uio *u, uint64_t *pos);
ssize_t file_write(struct file *f, const struct uio *u, uint64_t *pos);
/* getdents64 records into u; bytes, 0 at the end, -EINVAL if even the
 * first entry does not fit */
ssize_t file_getdents(struct file *f, const struct uio *u);
/* stat of an open file (a vnode's or the file kind's own) */
int file_stat(struct file *f, struct kstat *st);
/* readlink text of /proc/self/fd/N for f; its length */
int file_link_name(struct file *f, char *buf, size_t size);

/* --- mmap support (file.c) --- */

/* Fill the page kva with the file's bytes at off (zeros past the end). */
int vfs_page_private(struct vnode *vn, uint64_t off, void *kva);
/* The file's own frame for MAP_SHARED at off (page aligned). */
int vfs_page_shared(struct vnode *vn, uint64_t off, paddr_t *pa);

/* --- pipes (pipe.c) --- */

/* A new pipe: ends[0] reads, ends[1] writes; flags may hold O_NONBLOCK
 * and O_DIRECT. 0 or -ENOMEM. */
int pipe_create(int flags, struct file *ends[2]);
/* F_GETPIPE_SZ: the capacity of a pipe, -EBADF for another file. */
int64_t pipe_capacity(struct file *f);

#endif
