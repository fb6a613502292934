/* The root file system's entries: merged, ordered and written as newc cpio. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpio.h"
#include "kiln.h"

#define RANK_IMPLIED (-1)

void rootfs_add(struct rootfs_list *l, const char *path, uint32_t mode,
		const unsigned char *data, size_t size, unsigned char *owned,
		const char *origin, int rank)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n] = (struct rootfs_entry){
		.path = xstrdup(path),
		.mode = mode,
		.data = data,
		.size = size,
		.owned = owned,
		.origin = xstrdup(origin),
		.rank = rank,
		.seq = l->n,
	};
	l->n++;
}

static void entry_free(struct rootfs_entry *e)
{
	free(e->path);
	free(e->owned);
	free(e->origin);
}

void rootfs_list_free(struct rootfs_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		entry_free(&l->v[i]);
	free(l->v);
	*l = (struct rootfs_list){0};
}

/* Byte order of the paths: locale-free, so the same on every host, and a
 * parent (a prefix) always sorts before its children. */
static int by_path_rank_seq(const void *pa, const void *pb)
{
	const struct rootfs_entry *a = pa, *b = pb;
	int c = strcmp(a->path, b->path);

	if (c)
		return c;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Every ancestor of every entry, as an implied directory 0755; the ones
 * that exist already win over these when duplicates are dropped. */
static void add_parents(struct rootfs_list *l)
{
	size_t n = l->n;

	for (size_t i = 0; i < n; i++) {
		char *p = xstrdup(l->v[i].path);
		char *origin = xstrdup(l->v[i].origin);

		for (char *s = strrchr(p, '/'); s; s = strrchr(p, '/')) {
			*s = '\0';
			rootfs_add(l, p, S_IFDIR | 0755, NULL, 0, NULL, origin,
				   RANK_IMPLIED);
		}
		free(origin);
		free(p);
	}
}

/* Within one path's run [i, j) sorted by rank, the last entry wins. A
 * directory (given or implied by a child) may not become a file. */
static int merge_run(struct rootfs_entry *v, size_t i, size_t j)
{
	const struct rootfs_entry *win = &v[j - 1];

	if (S_ISDIR(win->mode))
		return 0;
	for (size_t k = i; k < j - 1; k++)
		if (v[k].rank != RANK_IMPLIED && S_ISDIR(v[k].mode))
			return kiln_fail("/%s: a directory (from %s) cannot "
					 "be replaced by a file (from %s)",
					 win->path, v[k].origin, win->origin);
	for (size_t k = i; k < j - 1; k++)
		if (v[k].rank == RANK_IMPLIED)
			return kiln_fail("/%s: not a directory (from %s), but "
					 "%s goes under it",
					 win->path, win->origin, v[k].origin);
	return 0;
}

/* The end of the run of entries with v[i]'s path. */
static size_t run_end(const struct rootfs_list *l, size_t i)
{
	size_t j = i + 1;

	while (j < l->n && !strcmp(l->v[j].path, l->v[i].path))
		j++;
	return j;
}

static int merge(struct rootfs_list *l)
{
	size_t out = 0;

	add_parents(l);
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), by_path_rank_seq);
	/* Check every run first: on failure the list is still whole. */
	for (size_t i = 0, j; i < l->n; i = j) {
		j = run_end(l, i);
		if (merge_run(l->v, i, j) < 0)
			return -1;
	}
	for (size_t i = 0, j; i < l->n; i = j) {
		j = run_end(l, i);
		for (size_t k = i; k < j - 1; k++)
			entry_free(&l->v[k]);
		l->v[out++] = l->v[j - 1];
	}
	l->n = out;
	return 0;
}

static void put_header(struct sbuf *sb, uint32_t ino, uint32_t mode,
		       uint32_t nlink, uint32_t mtime, uint32_t size,
		       uint32_t namesize)
{
	char h[CPIO_NEWC_HDR_SIZE + 1];

	/* cpio(5), "New ASCII Format": ino mode uid gid nlink mtime
	 * filesize devmajor devminor rdevmajor rdevminor namesize check. */
	snprintf(h, sizeof(h),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino, mode, 0u, 0u, nlink, mtime, size, 0u, 0u, 0u, 0u,
		 namesize, 0u);
	sbuf_add(sb, h, CPIO_NEWC_HDR_SIZE);
}

static void put_pad(struct sbuf *sb)
{
	static const char zeros[3];

	sbuf_add(sb, zeros, (4 - sb->len % 4) % 4);
}

static void put_entry(struct sbuf *sb, uint32_t ino, const char *name,
		      uint32_t mode, uint32_t mtime, const void *data,
		      size_t size)
{
	size_t namesize = strlen(name) + 1;

	put_header(sb, ino, mode, S_ISDIR(mode) ? 2 : 1, mtime, (uint32_t)size,
		   (uint32_t)namesize);
	sbuf_add(sb, name, namesize);
	put_pad(sb);
	if (size)
		sbuf_add(sb, data, size);
	put_pad(sb);
}

int rootfs_write(struct rootfs_list *l, uint32_t mtime, unsigned char **out,
		 size_t *out_size)
{
	struct sbuf sb = {0};

	if (merge(l) < 0)
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		const struct rootfs_entry *e = &l->v[i];

		if (e->size > UINT32_MAX) {
			sbuf_free(&sb);
			return kiln_fail("%s: too large for the root file "
					 "system (over 4 GiB)",
					 e->origin);
		}
		put_entry(&sb, (uint32_t)(i + 1), e->path, e->mode, mtime,
			  e->data, e->size);
	}
	put_entry(&sb, 0, "TRAILER!!!", 0, 0, NULL, 0);
	*out = (unsigned char *)sb.s;
	*out_size = sb.len;
	return 0;
}
