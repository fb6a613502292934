/* fs_init(): "/" from the packed archive; /dev, /proc, /sys, /tmp, /etc. */
#include <kernel/errno.h>
#include <kernel/fs.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/power.h>
#include <kernel/string.h>
#include <kiln/abi/boot.h>
#include <kiln/abi/exit.h>
#include <kiln/abi/image.h>

#include "cpio.h"
#include "elf64.h"
#include "fs_priv.h"
#include "ramfs.h"

/* Filled in by `kiln pack` (kernel/image_desc.c). */
extern struct kiln_image_desc kiln_image_desc;

struct counts {
	size_t files, dirs;
	uint64_t bytes;
};

/* Regular files with several names (newc stores the data with the last). */
struct hardlink {
	uint32_t ino;
	struct vnode *vn;
};

static struct hardlink *hardlinks;
static size_t nhardlinks;
static bool resolv_from_image;

static __noreturn void refuse(const char *path, const char *why)
{
	if (path)
		log_error("root file system: %s: %s", path, why);
	else
		log_error("root file system: %s", why);
	machine_exit(KILN_EXIT_BADIMAGE);
}

static const char *errno_text(int err)
{
	switch (err) {
	case -ENOTDIR:
		return "a parent is not a directory";
	case -EEXIST:
		return "a directory is in the way";
	case -ENAMETOOLONG:
		return "path too long";
	case -ELOOP:
		return "too many symlinks in its parents";
	case -ENOENT:
		return "a parent does not exist";
	default:
		return "out of memory";
	}
}

static struct vnode *hardlink_find(uint32_t ino)
{
	for (size_t i = 0; i < nhardlinks; i++) {
		if (hardlinks[i].ino == ino)
			return hardlinks[i].vn;
	}
	return NULL;
}

static int hardlink_add(uint32_t ino, struct vnode *vn)
{
	struct hardlink *h = kmalloc((nhardlinks + 1) * sizeof *h);

	if (!h)
		return -ENOMEM;
	if (hardlinks)
		memcpy(h, hardlinks, nhardlinks * sizeof *h);
	kfree(hardlinks);
	hardlinks = h;
	hardlinks[nhardlinks++] = (struct hardlink){ino, vn};
	return 0;
}

/* A regular file: a new node, or one more name of an earlier one. */
static int add_file(struct walk *w, const struct cpio_entry *e,
		    struct vnode **vn)
{
	struct vnode *dir = w->dir, *old;
	int err;

	if (e->nlink > 1 && (old = hardlink_find(e->ino))) {
		if ((err = dir->ops->link(dir, w->name, w->namelen, old)) < 0)
			return err;
		*vn = old;
	} else {
		err = dir->ops->create(dir, w->name, w->namelen,
				       S_IFREG | e->mode, vn);
		if (err < 0)
			return err;
		if (e->nlink > 1 && (err = hardlink_add(e->ino, *vn)) < 0)
			return err;
	}
	if (e->size)
		ramfs_set_data(*vn, e->data, e->size);
	return 0;
}

static int create_entry(struct walk *w, const struct cpio_entry *e,
			struct counts *n, struct vnode **vn)
{
	struct vnode *dir = w->dir;

	switch (e->mode & CPIO_S_IFMT) {
	case CPIO_S_IFDIR:
		n->dirs++;
		return dir->ops->create(dir, w->name, w->namelen,
					S_IFDIR | (e->mode & 07777), vn);
	case CPIO_S_IFREG:
		n->files++;
		n->bytes += e->size;
		return add_file(w, e, vn);
	default: /* cpio_next() lets only symlinks through besides */
		n->files++;
		return dir->ops->symlink(dir, w->name, w->namelen, e->data,
					 e->size, vn);
	}
}

/* One archive entry into the tree; a later entry replaces an earlier
 * file of the same name, as Linux's initramfs unpacking does. */
static int add_entry(const char *path, const struct cpio_entry *e,
		     struct counts *n)
{
	struct vnode *vn;
	struct walk w;
	int err = vfs_walk(NULL, path, WALK_PARENT, &w);

	if (err < 0)
		goto out;
	if (w.vn && s_isdir(w.vn->mode)) {
		/* already there: take the archive's attributes */
		if ((e->mode & CPIO_S_IFMT) != CPIO_S_IFDIR) {
			err = -EEXIST;
			goto out;
		}
		vn = w.vn;
	} else if ((w.vn && (err = w.dir->ops->unlink(w.dir, w.name, w.namelen,
						      w.vn)) < 0) ||
		   (err = create_entry(&w, e, n, &vn)) < 0) {
		goto out;
	}
	vn->mode = (vn->mode & S_IFMT) | (e->mode & 07777);
	vn->uid = e->uid;
	vn->gid = e->gid;
	vn->atime = vn->mtime = vn->ctime =
		(struct vtime){(int64_t)e->mtime, 0};
out:
	walk_done(&w);
	return err;
}

/* The archive inside modules[0], found like exec finds the application. */
static const void *find_archive(const struct kiln_boot_info *bi, size_t *size)
{
	const struct kiln_boot_module *mod = &bi->modules[0];
	uint64_t off, len;

	if (bi->nr_modules == 0 || mod->end <= mod->start)
		refuse(NULL, "no image module");
	if (elf_find_section(phys_to_virt(mod->start), mod->end - mod->start,
			     KILN_IMAGE_ROOTFS_SECTION, &off, &len) != 0)
		refuse(NULL, "no " KILN_IMAGE_ROOTFS_SECTION
			     " section inside the image");
	*size = len;
	return phys_to_virt(mod->start + off);
}

static void unpack(const struct kiln_boot_info *bi)
{
	size_t size, pos = 0;
	const void *buf = find_archive(bi, &size);
	char *path = kmalloc(VFS_PATH_MAX);
	struct counts n = {0, 0, 0};
	struct cpio_entry e;
	const char *why;
	int r, err;

	if (!path)
		refuse(NULL, "out of memory");
	while ((r = cpio_next(buf, size, &pos, &e, &why)) > 0) {
		memcpy(path, e.name, e.namelen);
		path[e.namelen] = '\0';
		if ((err = add_entry(path, &e, &n)) < 0)
			refuse(path, errno_text(err));
	}
	if (r < 0)
		refuse(NULL, why);
	log_info("Root file system: %zu files, %zu directories, %lu KiB",
		 n.files, n.dirs, (unsigned long)((n.bytes + 1023) / 1024));
	kfree(path);
	kfree(hardlinks);
	hardlinks = NULL;
}

/* The directory at path, made with mode when missing. */
static struct vnode *need_dir(const char *path, uint32_t mode)
{
	struct vnode *vn;
	int err = vfs_mkdir(NULL, path, mode);

	if (err < 0 && err != -EEXIST)
		refuse(path, errno_text(err));
	if (vfs_lookup(NULL, path, WALK_FOLLOW, &vn) < 0 || !s_isdir(vn->mode))
		refuse(path, "not a directory");
	return vn;
}

/* A file with fixed text (kernel rodata, read in place) unless the
 * archive brought one. */
static void default_file(const char *path, const char *text)
{
	struct file *f;
	int err = vfs_open(NULL, path, O_CREAT | O_EXCL | O_WRONLY, 0644, &f);

	if (err == -EEXIST)
		return;
	if (err < 0)
		refuse(path, errno_text(err));
	ramfs_set_data(f->vn, text, strlen(text));
	file_put(f);
}

static const char hosts[] = "127.0.0.1\tlocalhost\n"
			    "::1\tlocalhost ip6-localhost ip6-loopback\n"
			    "127.0.1.1\tkiln\n";

/* The accounts every Linux system has: servers started as root look up
 * the user they drop to (nginx's "nobody", with group "nogroup"). The
 * application runs as uid 0 whatever they say. */
static const char passwd[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
static const char group[] = "root:x:0:\n"
			    "nogroup:x:65534:\n";

static void make_dev(void)
{
	const char *name = "";
	char path[32];
	int err = devfs_populate(need_dir("/dev", 0755), &name);

	if (err < 0) {
		snprintf(path, sizeof path, "/dev/%s", name);
		refuse(path, errno_text(err));
	}
}

void fs_init(const struct kiln_boot_info *bi)
{
	struct vnode *vn;
	int err;

	if (vfs_mount(NULL, &ramfs_type, NULL, NULL) < 0)
		refuse(NULL, "out of memory");
	if (kiln_image_desc.rootfs_size)
		unpack(bi);
	resolv_from_image = vfs_lookup(NULL, "/etc/resolv.conf", 0, &vn) == 0;
	need_dir("/tmp", 01777);
	make_dev();
	if ((err = procfs_mount(need_dir("/proc", 0555))) < 0 ||
	    (err = sysfs_mount(need_dir("/sys", 0555))) < 0)
		refuse(NULL, "out of memory");
	need_dir("/etc", 0755);
	default_file("/etc/hosts", hosts);
	default_file("/etc/passwd", passwd);
	default_file("/etc/group", group);
}

void fs_set_exe(const void *elf, size_t size, const char *name)
{
	if (procfs_set_exe(elf, size, name) < 0)
		log_warn("/proc/self/exe: out of memory");
}

int fs_set_resolv_conf(const char *const *servers, size_t n)
{
	size_t len = 0, at = 0;
	struct file *f;
	struct uio u;
	char *text;
	ssize_t w;
	int err;

	if (resolv_from_image)
		return 0;
	for (size_t i = 0; i < n; i++)
		len += strlen("nameserver \n") + strlen(servers[i]);
	if (!(text = kmalloc(len + 1)))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		at += (size_t)snprintf(text + at, len + 1 - at,
				       "nameserver %s\n", servers[i]);
	err = vfs_open(NULL, "/etc/resolv.conf", O_CREAT | O_TRUNC | O_WRONLY,
		       0644, &f);
	if (err == 0) {
		u = uio_kernel(text, len);
		w = file_write(f, &u, &f->pos);
		err = w < 0 ? (int)w : (size_t)w == len ? 0 : -ENOSPC;
		file_put(f);
	}
	kfree(text);
	return err;
}
