/* ramfs regular files: data in place in the image, or in pages of their own. */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/string.h>

#include "ramfs.h"

/*
 * A file's bytes live in two places. Bytes that came with the image (or
 * from kernel rodata) are read where they are: a rootfs of many megabytes
 * costs no copy at boot and no memory until written. Page i of the file is
 * copied into a frame of its own the first time it is written or mapped
 * MAP_SHARED (copy-on-write per page), and from then on pages[i] is the
 * truth. Pages nobody wrote read as zeros. Frames come one at a time from
 * the frame allocator, so a growing file needs no large contiguous block
 * and a sparse one costs only what was written.
 */
struct data {
	const uint8_t *img; /* in-place bytes, img_size of them */
	uint64_t img_size;
	paddr_t *pages; /* own frames by page index (0: none), npages slots */
	size_t npages;
	/* frames cut off by truncate while mapped MAP_SHARED: the mapping
	 * still uses them; freed with the file */
	paddr_t *orphans;
	size_t norphans;
};

/* Linux's MAX_LFS_FILESIZE on 64-bit. */
#define FILE_SIZE_MAX 0x7fffffffffffffffULL

static size_t pages_used;

size_t ramfs_pages_used(void)
{
	return pages_used;
}

/* As tmpfs's default size: file data may take half of the memory, so a
 * program filling /tmp gets ENOSPC while it and the kernel still have
 * room to run. */
size_t ramfs_pages_max(void)
{
	return pmm_total_count() / 2;
}

struct vnode *ramfs_file_alloc(struct fs *fs, uint32_t mode)
{
	struct vnode *vn =
		vnode_alloc(fs, &ramfs_file_ops, S_IFREG | (mode & 07777));
	struct data *d = kzalloc(sizeof *d);

	if (!vn || !d) {
		kfree(vn);
		kfree(d);
		return NULL;
	}
	vn->priv = d;
	return vn;
}

static void free_frame(paddr_t pa)
{
	pmm_free_page(pa);
	pages_used--;
}

static void drop_pages(struct vnode *vn, size_t from)
{
	struct data *d = vn->priv;

	for (size_t i = from; i < d->npages; i++) {
		paddr_t pa = d->pages[i];

		if (!pa)
			continue;
		d->pages[i] = 0;
		if (vn->shared_maps) {
			paddr_t *o = kmalloc((d->norphans + 1) * sizeof *o);

			if (o) {
				if (d->orphans)
					memcpy(o, d->orphans,
					       d->norphans * sizeof *o);
				kfree(d->orphans);
				d->orphans = o;
				d->orphans[d->norphans++] = pa;
			}
			/* out of memory: the frame leaks rather than being
			 * reused under a live mapping */
			continue;
		}
		free_frame(pa);
	}
}

void ramfs_set_data(struct vnode *vn, const void *data, size_t size)
{
	struct data *d = vn->priv;

	drop_pages(vn, 0);
	d->img = data;
	d->img_size = size;
	vn->size = size;
}

/* Room for page index idx in pages[]. */
static int reserve(struct data *d, size_t idx)
{
	size_t n = d->npages ? d->npages : 4;
	paddr_t *p;

	if (idx < d->npages)
		return 0;
	while (n <= idx)
		n *= 2;
	if (!(p = kzalloc(n * sizeof *p)))
		return -ENOSPC;
	if (d->pages)
		memcpy(p, d->pages, d->npages * sizeof *p);
	kfree(d->pages);
	d->pages = p;
	d->npages = n;
	return 0;
}

/* The file's own frame for page idx, copied from the image bytes first. */
static int own_page(struct data *d, size_t idx, paddr_t *out)
{
	uint64_t base = (uint64_t)idx * PAGE_SIZE;
	paddr_t pa;
	int err;

	if ((err = reserve(d, idx)) < 0)
		return err;
	if (!(pa = d->pages[idx])) {
		if (pages_used >= ramfs_pages_max() ||
		    !(pa = pmm_alloc_page())) /* zero-filled */
			return -ENOSPC;
		if (base < d->img_size)
			memcpy(phys_to_virt(pa), d->img + base,
			       MIN(PAGE_SIZE, d->img_size - base));
		d->pages[idx] = pa;
		pages_used++;
	}
	*out = pa;
	return 0;
}

/* Copy [pos, pos + n) (inside one page) of the file into u at at. */
static int read_chunk(struct data *d, uint64_t pos, size_t n,
		      const struct uio *u, size_t at)
{
	size_t idx = pos / PAGE_SIZE, c;
	int err;

	if (idx < d->npages && d->pages[idx])
		return uio_copy_to(u, at,
				   (char *)phys_to_virt(d->pages[idx]) +
					   pos % PAGE_SIZE,
				   n);
	c = pos < d->img_size ? MIN(n, d->img_size - pos) : 0;
	if (c && (err = uio_copy_to(u, at, d->img + pos, c)) < 0)
		return err;
	return uio_zero(u, at + c, n - c);
}

/* relatime: atime moves when it is older than the last change, or a day
 * old, so that reads do not rewrite it each time. */
static void touch_atime(struct vnode *vn)
{
	struct vtime now = vtime_now();

	if (vn->atime.sec <= vn->mtime.sec || vn->atime.sec <= vn->ctime.sec ||
	    now.sec - vn->atime.sec >= 86400)
		vn->atime = now;
}

static ssize_t file_read_data(struct vnode *vn, const struct uio *u,
			      uint64_t off)
{
	struct data *d = vn->priv;
	size_t n, done = 0;
	int err;

	if (off >= vn->size || u->len == 0)
		return 0;
	n = (size_t)MIN((uint64_t)u->len, vn->size - off);
	while (done < n) {
		uint64_t pos = off + done;
		size_t c = MIN(n - done, PAGE_SIZE - pos % PAGE_SIZE);

		if ((err = read_chunk(d, pos, c, u, done)) < 0)
			return done ? (ssize_t)done : err;
		done += c;
	}
	touch_atime(vn);
	return (ssize_t)done;
}

static ssize_t file_write_data(struct vnode *vn, const struct uio *u,
			       uint64_t off)
{
	struct data *d = vn->priv;
	size_t done = 0;
	uint64_t end;
	paddr_t pa;
	int err = 0;

	if (u->len == 0)
		return 0;
	if (__builtin_add_overflow(off, (uint64_t)u->len, &end) ||
	    end > FILE_SIZE_MAX)
		return -EFBIG;
	while (done < u->len) {
		uint64_t pos = off + done;
		size_t c = MIN(u->len - done, PAGE_SIZE - pos % PAGE_SIZE);

		if ((err = own_page(d, pos / PAGE_SIZE, &pa)) < 0)
			break;
		err = uio_copy_from(
			u, done, (char *)phys_to_virt(pa) + pos % PAGE_SIZE, c);
		if (err < 0)
			break;
		done += c;
	}
	if (done) {
		vn->size = MAX(vn->size, off + done);
		vnode_touch_data(vn);
		return (ssize_t)done;
	}
	return err;
}

static int file_truncate_data(struct vnode *vn, uint64_t size)
{
	struct data *d = vn->priv;
	size_t keep = (size_t)(ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE);
	size_t tail = size % PAGE_SIZE, last = size / PAGE_SIZE;

	if (size > FILE_SIZE_MAX)
		return -EFBIG;
	if (size < vn->size) {
		drop_pages(vn, keep);
		/* bytes past the new end read as zeros if it grows again */
		if (tail && last < d->npages && d->pages[last])
			memset((char *)phys_to_virt(d->pages[last]) + tail, 0,
			       PAGE_SIZE - tail);
		d->img_size = MIN(d->img_size, size);
	}
	vn->size = size;
	vnode_touch_data(vn);
	return 0;
}

static int file_getpage(struct vnode *vn, uint64_t pgoff, paddr_t *pa)
{
	if (pgoff >= ALIGN_UP(vn->size, PAGE_SIZE) / PAGE_SIZE)
		return -EFAULT;
	return own_page(vn->priv, (size_t)pgoff, pa);
}

static void file_release(struct vnode *vn)
{
	struct data *d = vn->priv;

	vn->shared_maps = 0;
	drop_pages(vn, 0);
	for (size_t i = 0; i < d->norphans; i++)
		free_frame(d->orphans[i]);
	kfree(d->orphans);
	kfree(d->pages);
	kfree(d);
}

const struct vnode_ops ramfs_file_ops = {
	.read = file_read_data,
	.write = file_write_data,
	.truncate = file_truncate_data,
	.getpage = file_getpage,
	.release = file_release,
};
