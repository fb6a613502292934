/* File system calls by name: open, mkdir, unlink, rename, link, chdir... */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/mm.h>
#include <kernel/uaccess.h>

#include "path.h"
#include "syscall.h"

/* Flags open(2) keeps in the file (F_GETFL shows them); O_CLOEXEC belongs
 * to the descriptor, the rest act at open time only. */
#define OPEN_FILE_FLAGS                                                        \
	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_ASYNC | O_DIRECT |    \
	 O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_SYNC | O_PATH)

static long do_openat(int dirfd, const char __user *upath, int flags,
		      uint32_t mode)
{
	struct file *f = NULL;
	struct upath p;
	int err, fd;

	/* x86-64 forces large-file semantics (Linux's force_o_largefile) */
	flags |= O_LARGEFILE;
	/* Linux takes the descriptor first: a full table is -EMFILE even
	 * for a path that does not exist */
	if ((err = fd_check_room()) < 0)
		return err;
	err = upath_begin(&p, dirfd, upath, false);
	if (err == 0)
		err = vfs_open(p.at.vn, p.path, flags, mode & ~umask_get(), &f);
	upath_end(&p);
	if (err < 0)
		return err;
	f->flags &= OPEN_FILE_FLAGS;
	if ((fd = fd_install(f, 0, flags & O_CLOEXEC)) < 0)
		file_put(f);
	return fd;
}

long sys_open(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	int flags = (int)a->arg[1];
	uint32_t mode = (uint32_t)a->arg[2];

	return do_openat(AT_FDCWD, path, flags, mode);
}

long sys_openat(const struct sys_args *a)
{
	int dirfd = (int)a->arg[0];
	const char __user *path = (const char __user *)a->arg[1];
	int flags = (int)a->arg[2];
	uint32_t mode = (uint32_t)a->arg[3];

	return do_openat(dirfd, path, flags, mode);
}

long sys_creat(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	uint32_t mode = (uint32_t)a->arg[1];

	return do_openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

static long do_mkdirat(int dirfd, const char __user *upath, uint32_t mode)
{
	struct upath p;
	int err = upath_begin(&p, dirfd, upath, false);

	if (err == 0)
		err = vfs_mkdir(p.at.vn, p.path, mode & ~umask_get());
	upath_end(&p);
	return err;
}

long sys_mkdir(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	uint32_t mode = (uint32_t)a->arg[1];

	return do_mkdirat(AT_FDCWD, path, mode);
}

long sys_mkdirat(const struct sys_args *a)
{
	int dirfd = (int)a->arg[0];
	const char __user *path = (const char __user *)a->arg[1];
	uint32_t mode = (uint32_t)a->arg[2];

	return do_mkdirat(dirfd, path, mode);
}

/* mknod of a regular file creates it; device nodes and fifos are not
 * offered (the devices kiln has are in /dev already). */
static long do_mknodat(int dirfd, const char __user *upath, uint32_t mode)
{
	struct file *f;
	struct upath p;
	int err;

	if ((mode & S_IFMT) != 0 && (mode & S_IFMT) != S_IFREG)
		return -EPERM;
	if ((err = upath_begin(&p, dirfd, upath, false)) == 0)
		err = vfs_open(p.at.vn, p.path,
			       O_CREAT | O_EXCL | O_PATH | O_NOFOLLOW,
			       mode & ~umask_get(), &f);
	upath_end(&p);
	if (err == 0)
		file_put(f);
	return err;
}

long sys_mknod(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	uint32_t mode = (uint32_t)a->arg[1];

	return do_mknodat(AT_FDCWD, path, mode);
}

long sys_mknodat(const struct sys_args *a)
{
	int dirfd = (int)a->arg[0];
	const char __user *path = (const char __user *)a->arg[1];
	uint32_t mode = (uint32_t)a->arg[2];

	return do_mknodat(dirfd, path, mode);
}

static long do_unlinkat(int dirfd, const char __user *upath, int flags)
{
	struct upath p;
	int err;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	if ((err = upath_begin(&p, dirfd, upath, false)) == 0)
		err = flags & AT_REMOVEDIR ? vfs_rmdir(p.at.vn, p.path)
					   : vfs_unlink(p.at.vn, p.path);
	upath_end(&p);
	return err;
}

long sys_rmdir(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];

	return do_unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

long sys_unlink(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];

	return do_unlinkat(AT_FDCWD, path, 0);
}

long sys_unlinkat(const struct sys_args *a)
{
	int dirfd = (int)a->arg[0];
	const char __user *path = (const char __user *)a->arg[1];
	int flags = (int)a->arg[2];

	return do_unlinkat(dirfd, path, flags);
}

static long do_renameat2(int odirfd, const char __user *opath, int ndirfd,
			 const char __user *npath, unsigned int flags)
{
	struct upath o, n = {NULL, {NULL, NULL}};
	int err = upath_begin(&o, odirfd, opath, false);

	if (err == 0)
		err = upath_begin(&n, ndirfd, npath, false);
	if (err == 0)
		err = vfs_rename(o.at.vn, o.path, n.at.vn, n.path, flags);
	upath_end(&n);
	upath_end(&o);
	return err;
}

long sys_rename(const struct sys_args *a)
{
	const char __user *opath = (const char __user *)a->arg[0];
	const char __user *npath = (const char __user *)a->arg[1];

	return do_renameat2(AT_FDCWD, opath, AT_FDCWD, npath, 0);
}

long sys_renameat(const struct sys_args *a)
{
	int odirfd = (int)a->arg[0];
	const char __user *opath = (const char __user *)a->arg[1];
	int ndirfd = (int)a->arg[2];
	const char __user *npath = (const char __user *)a->arg[3];

	return do_renameat2(odirfd, opath, ndirfd, npath, 0);
}

long sys_renameat2(const struct sys_args *a)
{
	int odirfd = (int)a->arg[0];
	const char __user *opath = (const char __user *)a->arg[1];
	int ndirfd = (int)a->arg[2];
	const char __user *npath = (const char __user *)a->arg[3];
	unsigned int flags = (unsigned int)a->arg[4];

	return do_renameat2(odirfd, opath, ndirfd, npath, flags);
}

static long do_linkat(int odirfd, const char __user *opath, int ndirfd,
		      const char __user *npath, int flags)
{
	struct upath o, n = {NULL, {NULL, NULL}};
	unsigned int wf = 0;
	int err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	wf |= flags & AT_SYMLINK_FOLLOW ? WALK_FOLLOW : 0;
	wf |= flags & AT_EMPTY_PATH ? WALK_EMPTY : 0;
	err = upath_begin(&o, odirfd, opath, flags & AT_EMPTY_PATH);
	if (err == 0)
		err = upath_begin(&n, ndirfd, npath, false);
	if (err == 0 && !o.at.vn && o.path[0] == '\0')
		err = -ENOENT; /* AT_EMPTY_PATH on a pipe */
	if (err == 0)
		err = vfs_link(o.at.vn, o.path, n.at.vn, n.path, wf);
	upath_end(&n);
	upath_end(&o);
	return err;
}

long sys_link(const struct sys_args *a)
{
	const char __user *opath = (const char __user *)a->arg[0];
	const char __user *npath = (const char __user *)a->arg[1];

	return do_linkat(AT_FDCWD, opath, AT_FDCWD, npath, 0);
}

long sys_linkat(const struct sys_args *a)
{
	int odirfd = (int)a->arg[0];
	const char __user *opath = (const char __user *)a->arg[1];
	int ndirfd = (int)a->arg[2];
	const char __user *npath = (const char __user *)a->arg[3];
	int flags = (int)a->arg[4];

	return do_linkat(odirfd, opath, ndirfd, npath, flags);
}

static long do_symlinkat(const char __user *utarget, int dirfd,
			 const char __user *upath)
{
	struct upath p;
	char *target;
	int err = path_get(utarget, &target);

	if (err < 0)
		return err;
	if ((err = upath_begin(&p, dirfd, upath, false)) == 0)
		err = vfs_symlink(target, p.at.vn, p.path);
	upath_end(&p);
	kfree(target);
	return err;
}

long sys_symlink(const struct sys_args *a)
{
	const char __user *target = (const char __user *)a->arg[0];
	const char __user *path = (const char __user *)a->arg[1];

	return do_symlinkat(target, AT_FDCWD, path);
}

long sys_symlinkat(const struct sys_args *a)
{
	const char __user *target = (const char __user *)a->arg[0];
	int dirfd = (int)a->arg[1];
	const char __user *path = (const char __user *)a->arg[2];

	return do_symlinkat(target, dirfd, path);
}

/* readlinkat(fd, "") reads the symlink fd was opened on (O_PATH). */
static long do_readlinkat(int dirfd, const char __user *upath, char __user *buf,
			  int size)
{
	struct upath p;
	char *text = NULL;
	int n;

	if (size <= 0)
		return -EINVAL;
	if ((n = upath_begin(&p, dirfd, upath, true)) == 0 &&
	    !(text = kmalloc(VFS_PATH_MAX)))
		n = -ENOMEM;
	if (n == 0 && !p.at.vn && p.path[0] == '\0')
		n = -ENOENT;
	if (n == 0)
		n = vfs_readlink(p.at.vn, p.path, WALK_EMPTY, text,
				 MIN((size_t)size, VFS_PATH_MAX));
	if (n > 0) {
		int err = copy_to_user(buf, text, (size_t)n);

		if (err < 0)
			n = err;
	}
	upath_end(&p);
	kfree(text);
	return n;
}

long sys_readlink(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	char __user *buf = (char __user *)a->arg[1];
	int size = (int)a->arg[2];

	return do_readlinkat(AT_FDCWD, path, buf, size);
}

long sys_readlinkat(const struct sys_args *a)
{
	int dirfd = (int)a->arg[0];
	const char __user *path = (const char __user *)a->arg[1];
	char __user *buf = (char __user *)a->arg[2];
	int size = (int)a->arg[3];

	return do_readlinkat(dirfd, path, buf, size);
}

long sys_truncate(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	int64_t length = (int64_t)a->arg[1];
	struct vnode *vn;
	struct upath p;
	int err;

	if (length < 0)
		return -EINVAL;
	if ((err = upath_begin(&p, AT_FDCWD, path, false)) == 0 &&
	    (err = vfs_lookup(p.at.vn, p.path, WALK_FOLLOW, &vn)) == 0)
		err = vfs_truncate(vn, (uint64_t)length);
	upath_end(&p);
	return err;
}

long sys_chdir(const struct sys_args *a)
{
	const char __user *path = (const char __user *)a->arg[0];
	struct vnode *vn;
	struct upath p;
	int err;

	if ((err = upath_begin(&p, AT_FDCWD, path, false)) == 0 &&
	    (err = vfs_lookup(p.at.vn, p.path, WALK_FOLLOW | WALK_DIRECTORY,
			      &vn)) == 0)
		err = cwd_set(vn);
	upath_end(&p);
	return err;
}

long sys_fchdir(const struct sys_args *a)
{
	int fd = (int)a->arg[0];
	struct file *f = fd_get(fd);
	int err;

	if (!f)
		return -EBADF;
	err = f->vn ? cwd_set(f->vn) : -ENOTDIR;
	file_put(f);
	return err;
}

/* The length with the NUL, as Linux's getcwd returns it; -ENOENT once the
 * directory was removed. */
long sys_getcwd(const struct sys_args *a)
{
	char __user *buf = (char __user *)a->arg[0];
	size_t size = a->arg[1];
	char *path = kmalloc(VFS_PATH_MAX);
	int n, err;

	if (!path)
		return -ENOMEM;
	n = vfs_dir_path(cwd_get(), path, VFS_PATH_MAX);
	if (n >= 0 && (size_t)n + 1 > size)
		n = -ERANGE;
	if (n >= 0 && (err = copy_to_user(buf, path, (size_t)n + 1)) < 0)
		n = err;
	kfree(path);
	return n < 0 ? n : n + 1;
}

long sys_umask(const struct sys_args *a)
{
	uint32_t mask = (uint32_t)a->arg[0];

	return umask_set(mask);
}
