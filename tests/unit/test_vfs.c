/* Host tests of the VFS path walk, name operations and ramfs (kernel/fs/). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/errno.h>
#include <kernel/mm.h>

#include "fs/ramfs.h"
#include "fs/vfs.h"
#include "unit.h"

/*
 * Shims: the heap and the frame allocator over malloc, every block kept on
 * a list so that LeakSanitizer sees the trees each test drops (vfs_reset)
 * as reachable; a clock; user copies as plain copies.
 */
struct blk {
	struct blk *prev, *next;
	size_t size;
	long pad;
};
static struct blk live = {&live, &live, 0, 0};
static long frames_out, frames_limit = -1;

void *kmalloc(size_t size)
{
	struct blk *b = malloc(sizeof *b + size);

	if (!b)
		return NULL;
	b->size = size;
	b->next = live.next;
	b->prev = &live;
	live.next->prev = b;
	live.next = b;
	return b + 1;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	struct blk *b;

	if (!p)
		return;
	b = (struct blk *)p - 1;
	b->prev->next = b->next;
	b->next->prev = b->prev;
	free(b);
}

paddr_t pmm_alloc_page(void)
{
	void *p;

	if (frames_limit >= 0 && frames_out >= frames_limit)
		return 0;
	if (!(p = kzalloc(PAGE_SIZE)))
		return 0;
	frames_out++;
	return (paddr_t)(uintptr_t)p - DIRECT_MAP_BASE;
}

void pmm_free_page(paddr_t pa)
{
	frames_out--;
	kfree(phys_to_virt(pa));
}

size_t pmm_free_count(void)
{
	return 1000;
}

static size_t total_frames = 2000;

size_t pmm_total_count(void)
{
	return total_frames;
}

uint64_t clock_realtime_ns(void)
{
	static uint64_t t = 1700000000ULL * 1000000000ULL;

	return t += 1000;
}

int copy_to_user(void __user *dst, const void *src, size_t n)
{
	memcpy((void *)dst, src, n);
	return 0;
}

int copy_from_user(void *dst, const void __user *src, size_t n)
{
	memcpy(dst, (const void *)src, n);
	return 0;
}

/* file_put's hook for files epoll watches: none are, here */
void epoll_file_gone(struct file *f)
{
	(void)f;
}

/* --- helpers --- */

static struct vnode *root(void)
{
	return vfs_root();
}

static void fresh(void)
{
	vfs_reset();
	frames_limit = -1;
	if (vfs_mount(NULL, &ramfs_type, NULL, NULL) != 0)
		abort();
}

static int lookup(const char *path, unsigned int flags, struct vnode **vn)
{
	return vfs_lookup(root(), path, flags, vn);
}

static int status(const char *path, unsigned int flags)
{
	struct vnode *vn;

	return lookup(path, flags, &vn);
}

static struct vnode *node(const char *path)
{
	struct vnode *vn = NULL;

	return lookup(path, WALK_FOLLOW, &vn) == 0 ? vn : NULL;
}

static int mkfile(const char *path, const char *text)
{
	struct file *f;
	struct uio u = uio_kernel((void *)text, text ? strlen(text) : 0);
	int err =
		vfs_open(root(), path, O_CREAT | O_WRONLY | O_TRUNC, 0644, &f);

	if (err)
		return err;
	if (text && file_write(f, &u, &f->pos) != (ssize_t)strlen(text))
		err = -EIO;
	file_put(f);
	return err;
}

/* The first n bytes of path into buf (NUL-terminated); the count read. */
static ssize_t slurp(const char *path, char *buf, size_t n)
{
	struct file *f;
	struct uio u = uio_kernel(buf, n);
	ssize_t r;
	int err = vfs_open(root(), path, O_RDONLY, 0, &f);

	if (err)
		return err;
	r = file_read(f, &u, &f->pos);
	file_put(f);
	if (r >= 0 && (size_t)r < n)
		buf[r] = '\0';
	return r;
}

/* A tree most tests use:
 *   /a/  /a/b/  /a/f ("hello")  /a/lrel -> b  /labs -> /a/b
 *   /dang -> /nope  /loop1 -> loop2  /loop2 -> loop1 */
static void tree(void)
{
	fresh();
	if (vfs_mkdir(root(), "/a", 0755) || vfs_mkdir(root(), "/a/b", 0755) ||
	    mkfile("/a/f", "hello") || vfs_symlink("b", root(), "/a/lrel") ||
	    vfs_symlink("/a/b", root(), "/labs") ||
	    vfs_symlink("/nope", root(), "/dang") ||
	    vfs_symlink("loop2", root(), "/loop1") ||
	    vfs_symlink("loop1", root(), "/loop2"))
		abort();
}

/* --- the path walk --- */

TEST(vfs_walk_dot_and_dotdot)
{
	tree();
	CHECK(node("/a/b/../f") == node("/a/f"));
	CHECK(node("/a/./b/.") == node("/a/b"));
	CHECK(node("/..") == root());
	CHECK(node("/../../a/..") == root());
	CHECK(node("a/b/../../a") == node("/a"));
	CHECK(node("//a///b//") == node("/a/b"));
	CHECK(vfs_lookup(node("/a/b"), "..", 0, &(struct vnode *){0}) == 0);
	CHECK(status("/a/f/..", 0) == -ENOTDIR);
	CHECK(status("/a/f/.", 0) == -ENOTDIR);
}

TEST(vfs_walk_follows_relative_and_absolute_symlinks)
{
	tree();
	CHECK(node("/a/lrel") == node("/a/b"));
	CHECK(node("/labs") == node("/a/b"));
	CHECK(node("/labs/../f") == node("/a/f")); /* .. of the target */
	CHECK(mkfile("/a/b/g", "x") == 0);
	CHECK(node("/a/lrel/g") == node("/a/b/g"));
	struct vnode *vn;
	CHECK(lookup("/a/lrel", 0, &vn) == 0 && s_islnk(vn->mode));
	CHECK(lookup("/a/lrel/", 0, &vn) == 0 && s_isdir(vn->mode));
}

TEST(vfs_walk_symlink_loops_give_eloop)
{
	tree();
	CHECK(status("/loop1", WALK_FOLLOW) == -ELOOP);
	CHECK(status("/loop1/x", 0) == -ELOOP);
	CHECK(status("/loop1", 0) == 0); /* lstat sees the link itself */
	CHECK(vfs_symlink("self", root(), "/self") == 0);
	CHECK(status("/self/", 0) == -ELOOP);
}

TEST(vfs_walk_follows_40_symlinks_but_not_41)
{
	char name[32], target[32];

	fresh();
	CHECK(vfs_mkdir(root(), "/d", 0755) == 0);
	CHECK(vfs_symlink("/d", root(), "/l0") == 0);
	for (int i = 1; i <= 40; i++) {
		snprintf(name, sizeof name, "/l%d", i);
		snprintf(target, sizeof target, "l%d", i - 1);
		CHECK(vfs_symlink(target, root(), name) == 0);
	}
	CHECK(node("/l39") == node("/d")); /* 40 links */
	CHECK(status("/l40", WALK_FOLLOW) == -ELOOP);
}

TEST(vfs_walk_dangling_symlink)
{
	tree();
	CHECK(status("/dang", WALK_FOLLOW) == -ENOENT);
	CHECK(status("/dang", 0) == 0);
	/* open(O_CREAT) through a dangling link creates its target */
	CHECK(mkfile("/dang", "t") == 0);
	CHECK(node("/nope") != NULL && node("/dang") == node("/nope"));
}

TEST(vfs_walk_o_creat_excl_does_not_follow)
{
	struct file *f;

	tree();
	CHECK(vfs_open(root(), "/dang", O_CREAT | O_EXCL | O_WRONLY, 0644,
		       &f) == -EEXIST);
	CHECK(vfs_open(root(), "/dang", O_RDONLY | O_NOFOLLOW, 0, &f) ==
	      -ELOOP);
	CHECK(vfs_open(root(), "/dang", O_PATH | O_NOFOLLOW, 0, &f) == 0);
	CHECK(s_islnk(f->vn->mode));
	file_put(f);
	CHECK(status("/nope", 0) == -ENOENT);
}

TEST(vfs_walk_trailing_slashes_only_on_directories)
{
	struct file *f;

	tree();
	CHECK(status("/a/f/", 0) == -ENOTDIR);
	CHECK(status("/a/b/", 0) == 0);
	CHECK(status("/a/f", WALK_DIRECTORY) == -ENOTDIR);
	CHECK(vfs_unlink(root(), "/a/f/") == -ENOTDIR);
	CHECK(vfs_rmdir(root(), "/a/f/") == -ENOTDIR);
	CHECK(vfs_mkdir(root(), "/a/new/", 0755) == 0);
	CHECK(vfs_mkdir(root(), "/a/f/", 0755) == -EEXIST);
	CHECK(vfs_open(root(), "/a/x/", O_CREAT | O_WRONLY, 0644, &f) ==
	      -EISDIR);
	CHECK(vfs_open(root(), "/a/f/", O_RDONLY, 0, &f) == -ENOTDIR);
	CHECK(vfs_symlink("t", root(), "/a/s/") == -ENOENT);
	CHECK(vfs_rmdir(root(), "/a/new/") == 0);
}

TEST(vfs_walk_empty_path)
{
	struct vnode *vn;

	tree();
	CHECK(status("", 0) == -ENOENT);
	CHECK(vfs_lookup(node("/a"), "", WALK_EMPTY, &vn) == 0);
	CHECK(vn == node("/a"));
}

TEST(vfs_walk_name_and_path_limits)
{
	char name[300], path[VFS_PATH_MAX + 10];

	tree();
	memset(name, 'n', 255);
	name[255] = '\0';
	CHECK(vfs_mkdir(root(), name, 0755) == 0);
	CHECK(node(name) != NULL);
	name[255] = 'n';
	name[256] = '\0';
	CHECK(status(name, 0) == -ENAMETOOLONG);
	CHECK(vfs_mkdir(root(), name, 0755) == -ENAMETOOLONG);
	/* 4095 bytes: long but legal; 4096: too long */
	memset(path, '/', sizeof path);
	memcpy(path + 4090, "a/b", 3);
	path[4093] = '\0';
	CHECK(node(path) == node("/a/b"));
	path[4093] = '/';
	path[4095] = '\0';
	CHECK(status(path, 0) == 0);
	path[4095] = '/';
	path[4096] = '\0';
	CHECK(status(path, 0) == -ENAMETOOLONG);
}

TEST(vfs_walk_symlink_expansion_too_long)
{
	char target[4000], path[200];

	fresh();
	memset(target, '/', sizeof target - 1);
	target[sizeof target - 1] = '\0';
	CHECK(vfs_symlink(target, root(), "/long") == 0);
	CHECK(node("/long") == root());
	memset(path, 'x', sizeof path - 1);
	path[0] = '/';
	memcpy(path, "/long/", 6);
	path[sizeof path - 1] = '\0';
	CHECK(status(path, 0) == -ENAMETOOLONG);
}

/* --- operations by name --- */

TEST(vfs_eexist_cases)
{
	struct file *f;

	tree();
	CHECK(vfs_mkdir(root(), "/a", 0755) == -EEXIST);
	CHECK(vfs_mkdir(root(), "/a/f", 0755) == -EEXIST);
	CHECK(vfs_mkdir(root(), "/a/.", 0755) == -EEXIST);
	CHECK(vfs_mkdir(root(), "/", 0755) == -EEXIST);
	CHECK(vfs_mkdir(root(), "/dang", 0755) == -EEXIST);
	CHECK(vfs_open(root(), "/a/f", O_CREAT | O_EXCL | O_RDWR, 0644, &f) ==
	      -EEXIST);
	CHECK(vfs_symlink("x", root(), "/a/f") == -EEXIST);
	CHECK(vfs_link(root(), "/a/f", root(), "/a/b", 0) == -EEXIST);
	CHECK(vfs_rename(root(), "/a/f", root(), "/labs", RENAME_NOREPLACE) ==
	      -EEXIST);
}

TEST(vfs_enotempty_and_eisdir_cases)
{
	struct file *f;

	tree();
	CHECK(vfs_rmdir(root(), "/a") == -ENOTEMPTY);
	CHECK(vfs_rmdir(root(), "/a/b/..") == -ENOTEMPTY);
	CHECK(vfs_rmdir(root(), "/a/b/.") == -EINVAL);
	CHECK(vfs_rmdir(root(), "/") == -EBUSY);
	CHECK(vfs_mkdir(root(), "/c", 0755) == 0);
	CHECK(vfs_rename(root(), "/c", root(), "/a", 0) == -ENOTEMPTY);
	CHECK(vfs_unlink(root(), "/a") == -EISDIR);
	CHECK(vfs_unlink(root(), "/a/.") == -EISDIR);
	CHECK(vfs_open(root(), "/a", O_WRONLY, 0, &f) == -EISDIR);
	CHECK(vfs_open(root(), "/a", O_RDONLY | O_TRUNC, 0, &f) == -EISDIR);
	CHECK(vfs_open(root(), "/a", O_CREAT | O_RDONLY, 0644, &f) == -EISDIR);
	CHECK(vfs_rename(root(), "/a/f", root(), "/c", 0) == -EISDIR);
}

TEST(vfs_enotdir_cases)
{
	struct file *f;

	tree();
	CHECK(status("/a/f/x", 0) == -ENOTDIR);
	CHECK(vfs_mkdir(root(), "/a/f/x", 0755) == -ENOTDIR);
	CHECK(vfs_rmdir(root(), "/a/f") == -ENOTDIR);
	CHECK(vfs_rename(root(), "/a/b", root(), "/a/f", 0) == -ENOTDIR);
	CHECK(vfs_rename(root(), "/a/f/", root(), "/a/g", 0) == -ENOTDIR);
	CHECK(vfs_open(root(), "/a/f", O_RDONLY | O_DIRECTORY, 0, &f) ==
	      -ENOTDIR);
}

TEST(vfs_enoent_cases)
{
	tree();
	CHECK(status("/nothing", 0) == -ENOENT);
	CHECK(status("/nothing/x", 0) == -ENOENT);
	CHECK(vfs_unlink(root(), "/nothing") == -ENOENT);
	CHECK(vfs_rmdir(root(), "/nothing") == -ENOENT);
	CHECK(vfs_rename(root(), "/nothing", root(), "/x", 0) == -ENOENT);
	CHECK(vfs_rename(root(), "/a/f", root(), "/x", RENAME_EXCHANGE) ==
	      -ENOENT);
	CHECK(vfs_mkdir(root(), "/nothing/x", 0755) == -ENOENT);
	CHECK(vfs_symlink("", root(), "/x") == -ENOENT);
}

TEST(vfs_rename_moves_replaces_and_exchanges)
{
	char buf[16];

	tree();
	CHECK(mkfile("/g", "gee") == 0);
	CHECK(vfs_rename(root(), "/g", root(), "/a/b/h", 0) == 0);
	CHECK(status("/g", 0) == -ENOENT);
	CHECK(slurp("/a/b/h", buf, sizeof buf) == 3 && !strcmp(buf, "gee"));
	CHECK(vfs_rename(root(), "/a/b/h", root(), "/a/f", 0) == 0);
	CHECK(slurp("/a/f", buf, sizeof buf) == 3);
	CHECK(mkfile("/x", "xx") == 0);
	CHECK(vfs_rename(root(), "/x", root(), "/a/f", RENAME_EXCHANGE) == 0);
	CHECK(slurp("/x", buf, sizeof buf) == 3 && !strcmp(buf, "gee"));
	CHECK(slurp("/a/f", buf, sizeof buf) == 2);
	/* a directory moves with its subtree; its ".." follows */
	CHECK(vfs_rename(root(), "/a/b", root(), "/b2", 0) == 0);
	CHECK(node("/b2/..") == root());
	CHECK(node("/a")->nlink == 2 && root()->nlink == 4);
	CHECK(vfs_rename(root(), "/a", root(), "/a/sub", 0) == -EINVAL);
	CHECK(vfs_rename(root(), "/x", root(), "/x", 0) == 0);
	CHECK(vfs_rename(root(), "/x", root(), "/a/b3", 0x8) == -EINVAL);
}

TEST(vfs_link_counts_and_unlinked_open_files)
{
	struct file *f;
	char buf[16];
	struct uio u = uio_kernel(buf, sizeof buf);

	tree();
	CHECK(vfs_link(root(), "/a/f", root(), "/f2", 0) == 0);
	CHECK(node("/f2") == node("/a/f") && node("/f2")->nlink == 2);
	CHECK(vfs_link(root(), "/a/b", root(), "/b3", 0) == -EPERM);
	CHECK(vfs_link(root(), "/a/lrel", root(), "/l3", WALK_FOLLOW) ==
	      -EPERM);
	CHECK(vfs_link(root(), "/a/lrel", root(), "/l3", 0) == 0);
	CHECK(vfs_open(root(), "/f2", O_RDONLY, 0, &f) == 0);
	CHECK(vfs_unlink(root(), "/f2") == 0 &&
	      vfs_unlink(root(), "/a/f") == 0);
	CHECK(f->vn->nlink == 0);
	CHECK(file_read(f, &u, &f->pos) == 5 && !memcmp(buf, "hello", 5));
	file_put(f); /* frees the node now */
}

TEST(vfs_readlink_and_dir_path)
{
	char buf[64];
	struct file *f;

	tree();
	CHECK(vfs_readlink(root(), "/labs", 0, buf, sizeof buf) == 4);
	CHECK(!memcmp(buf, "/a/b", 4));
	CHECK(vfs_readlink(root(), "/labs", 0, buf, 2) == 2);
	CHECK(vfs_readlink(root(), "/a/f", 0, buf, sizeof buf) == -EINVAL);
	CHECK(vfs_dir_path(node("/labs"), buf, sizeof buf) == 4);
	CHECK(!strcmp(buf, "/a/b"));
	CHECK(vfs_dir_path(root(), buf, sizeof buf) == 1 && !strcmp(buf, "/"));
	CHECK(vfs_dir_path(node("/a/b"), buf, 4) == -ERANGE);
	CHECK(vfs_open(root(), "/a/lrel/../f", O_RDONLY, 0, &f) == 0);
	CHECK(file_link_name(f, buf, sizeof buf) == 4 && !strcmp(buf, "/a/f"));
	file_put(f);
	struct vnode *b = node("/a/b");
	vnode_get(b);
	CHECK(vfs_rmdir(root(), "/a/b") == 0);
	CHECK(vfs_dir_path(b, buf, sizeof buf) == -ENOENT);
	CHECK(vfs_lookup(b, "..", 0, &(struct vnode *){0}) == -ENOENT);
	CHECK(vfs_mkdir(b, "x", 0755) == -ENOENT);
	vnode_put(b);
}

/* --- file data --- */

TEST(ramfs_sparse_write_reads_zeros_in_the_hole)
{
	struct file *f;
	char buf[8];
	struct uio w = uio_kernel("end", 3), r = uio_kernel(buf, sizeof buf);
	uint64_t pos = 3 * PAGE_SIZE + 100;
	long before = frames_out;

	fresh();
	CHECK(vfs_open(root(), "/s", O_CREAT | O_RDWR, 0644, &f) == 0);
	CHECK(file_write(f, &w, &pos) == 3);
	CHECK(f->vn->size == 3 * PAGE_SIZE + 103);
	CHECK(frames_out == before + 1);
	pos = PAGE_SIZE - 4;
	CHECK(file_read(f, &r, &pos) == 8);
	CHECK(!memcmp(buf, "\0\0\0\0\0\0\0\0", 8));
	pos = 3 * PAGE_SIZE + 100;
	CHECK(file_read(f, &r, &pos) == 3 && !memcmp(buf, "end", 3));
	file_put(f);
}

TEST(ramfs_truncate_then_grow_reads_zeros)
{
	struct file *f;
	char buf[8];
	struct uio r = uio_kernel(buf, sizeof buf);
	uint64_t pos = 2;
	long before = frames_out;

	fresh();
	CHECK(mkfile("/t", "abcdefgh") == 0);
	CHECK(vfs_open(root(), "/t", O_RDWR, 0, &f) == 0);
	CHECK(vfs_truncate(f->vn, 2) == 0 && vfs_truncate(f->vn, 8) == 0);
	CHECK(file_read(f, &r, &pos) == 6 && !memcmp(buf, "\0\0\0\0\0\0", 6));
	CHECK(vfs_truncate(f->vn, 0) == 0 && frames_out == before);
	file_put(f);
}

TEST(ramfs_image_data_is_copied_on_write_per_page)
{
	static char image[3 * PAGE_SIZE];
	struct file *f;
	char buf[4];
	struct uio w = uio_kernel("XY", 2), r = uio_kernel(buf, sizeof buf);
	uint64_t pos = PAGE_SIZE + 1;
	long before = frames_out;

	memset(image, 'i', sizeof image);
	fresh();
	CHECK(mkfile("/img", NULL) == 0);
	ramfs_set_data(node("/img"), image, sizeof image);
	CHECK(node("/img")->size == sizeof image && frames_out == before);
	CHECK(vfs_open(root(), "/img", O_RDWR, 0, &f) == 0);
	CHECK(file_write(f, &w, &pos) == 2);
	CHECK(frames_out == before + 1);
	CHECK(image[PAGE_SIZE + 1] == 'i'); /* the image is untouched */
	pos = PAGE_SIZE;
	CHECK(file_read(f, &r, &pos) == 4 && !memcmp(buf, "iXYi", 4));
	pos = 0;
	CHECK(file_read(f, &r, &pos) == 4 && !memcmp(buf, "iiii", 4));
	/* shrinking into the image keeps the bytes past the end out */
	CHECK(vfs_truncate(f->vn, 10) == 0 && vfs_truncate(f->vn, 20) == 0);
	pos = 8;
	CHECK(file_read(f, &r, &pos) == 4 && !memcmp(buf, "ii\0\0", 4));
	file_put(f);
}

TEST(ramfs_write_out_of_memory_is_enospc)
{
	struct file *f;
	char big[3 * PAGE_SIZE] = {0};
	struct uio w = uio_kernel(big, sizeof big);

	fresh();
	CHECK(vfs_open(root(), "/m", O_CREAT | O_RDWR, 0644, &f) == 0);
	frames_limit = frames_out + 2;
	CHECK(file_write(f, &w, &f->pos) == 2 * PAGE_SIZE);
	CHECK(file_write(f, &w, &f->pos) == -ENOSPC);
	file_put(f);
}

TEST(vfs_o_append_and_o_trunc)
{
	struct file *f;
	char buf[16];
	struct uio w = uio_kernel("++", 2);

	tree();
	CHECK(vfs_open(root(), "/a/f", O_WRONLY | O_APPEND, 0, &f) == 0);
	f->pos = 0;
	CHECK(file_write(f, &w, &f->pos) == 2 && f->pos == 7);
	file_put(f);
	CHECK(slurp("/a/f", buf, sizeof buf) == 7 && !strcmp(buf, "hello++"));
	CHECK(vfs_open(root(), "/a/f", O_RDONLY | O_TRUNC, 0, &f) == 0);
	CHECK(f->vn->size == 0);
	CHECK(file_write(f, &w, &f->pos) == -EBADF);
	file_put(f);
}

TEST(ramfs_file_data_is_limited_to_half_of_memory)
{
	struct file *f;
	static char big[3 * PAGE_SIZE];
	struct uio w = uio_kernel(big, sizeof big);

	fresh();
	total_frames = (ramfs_pages_used() + 2) * 2;
	CHECK(vfs_open(root(), "/h", O_CREAT | O_RDWR, 0644, &f) == 0);
	CHECK(file_write(f, &w, &f->pos) == 2 * PAGE_SIZE);
	CHECK(file_write(f, &w, &f->pos) == -ENOSPC);
	CHECK(vfs_truncate(f->vn, 0) == 0);
	CHECK(file_write(f, &w, &f->pos) == 2 * PAGE_SIZE);
	total_frames = 2000;
	file_put(f);
}

/* --- directories --- */

struct names {
	char all[256];
	int n;
};

static int collect(struct file *f, struct names *out, size_t bufsize)
{
	char buf[512];
	struct uio u = uio_kernel(buf, bufsize);
	ssize_t n;

	while ((n = file_getdents(f, &u)) > 0) {
		for (ssize_t at = 0; at < n;) {
			uint16_t reclen;

			memcpy(&reclen, buf + at + 16, 2);
			strcat(out->all, buf + at + 19);
			strcat(out->all, " ");
			out->n++;
			at += reclen;
		}
	}
	return (int)n;
}

TEST(vfs_getdents_lists_dot_dotdot_and_entries)
{
	struct file *f;
	struct names got = {"", 0};

	tree();
	CHECK(vfs_open(root(), "/a", O_RDONLY | O_DIRECTORY, 0, &f) == 0);
	CHECK(collect(f, &got, 40) == 0);
	CHECK(!strcmp(got.all, ". .. b f lrel "));
	char tiny[8];
	struct uio u = uio_kernel(tiny, sizeof tiny);
	f->pos = 0;
	CHECK(file_getdents(f, &u) == -EINVAL);
	file_put(f);
}

TEST(vfs_getdents_survives_removal_while_listing)
{
	struct file *f;
	struct names got = {"", 0};
	char buf[64];
	struct uio u = uio_kernel(buf, 32); /* one entry per call */

	fresh();
	CHECK(mkfile("/1", "") == 0 && mkfile("/2", "") == 0 &&
	      mkfile("/3", "") == 0);
	CHECK(vfs_open(root(), "/", O_RDONLY, 0, &f) == 0);
	CHECK(file_getdents(f, &u) > 0 && file_getdents(f, &u) > 0 &&
	      file_getdents(f, &u) > 0); /* . .. 1 */
	CHECK(vfs_unlink(root(), "/2") == 0);
	CHECK(collect(f, &got, 64) == 0);
	CHECK(!strcmp(got.all, "3 "));
	file_put(f);
}

TEST(ramfs_large_directory_finds_and_drops_every_entry)
{
	char name[32];
	struct vnode *vn;

	fresh();
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof name, "/f%d", i);
		CHECK(mkfile(name, NULL) == 0);
	}
	for (int i = 0; i < 500; i += 2) {
		snprintf(name, sizeof name, "/f%d", i);
		CHECK(vfs_unlink(root(), name) == 0);
	}
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof name, "/f%d", i);
		CHECK(lookup(name, 0, &vn) == (i % 2 ? 0 : -ENOENT));
	}
	CHECK(vfs_rename(root(), "/f1", root(), "/f3", 0) == 0);
	CHECK(status("/f1", 0) == -ENOENT && status("/f3", 0) == 0);
	CHECK(root()->size == 20 * (2 + 249));
}

/* --- mounts --- */

TEST(vfs_mount_is_crossed_both_ways)
{
	struct fs *fs;
	char buf[64];

	tree();
	CHECK(vfs_mkdir(root(), "/mnt", 0755) == 0);
	CHECK(vfs_mount(node("/mnt"), &ramfs_type, NULL, &fs) == 0);
	CHECK(vfs_mount(node("/a/f"), &ramfs_type, NULL, NULL) == -ENOTDIR);
	CHECK(node("/mnt") == fs->root);
	CHECK(vfs_mkdir(root(), "/mnt/d", 0755) == 0);
	CHECK(node("/mnt/d/../..") == root());
	CHECK(vfs_dir_path(node("/mnt/d"), buf, sizeof buf) == 6);
	CHECK(!strcmp(buf, "/mnt/d"));
	CHECK(vfs_rename(root(), "/a/f", root(), "/mnt/f", 0) == -EXDEV);
	CHECK(vfs_link(root(), "/a/f", root(), "/mnt/f", 0) == -EXDEV);
	CHECK(vfs_rmdir(root(), "/mnt") == -EBUSY);
	CHECK(vfs_rename(root(), "/mnt", root(), "/mnt2", 0) == -EBUSY);
	CHECK(node("/mnt")->fs->dev != root()->fs->dev);
}
