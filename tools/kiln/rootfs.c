/* --rootfs DIR|FILE.cpio and --file SRC:DEST: gather the guest's files. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"
#include "kiln.h"

/* Long names are cut in messages so that an error stays one short line. */
#define SHOW 60

static const char *file_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a fifo";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device node";
	return "not a regular file, directory or symlink";
}

static int check_guest_path(const char *rel)
{
	size_t n = strlen(rel);

	if (n > CPIO_PATH_MAX)
		return kiln_fail("/%.*s...: path in the guest is longer than "
				 "4095 bytes",
				 SHOW, rel);
	return 0;
}

static int read_link(const char *host, unsigned char **target, size_t *len)
{
	size_t cap = 256;

	for (;;) {
		unsigned char *b = xmalloc(cap);
		ssize_t n = readlink(host, (char *)b, cap);

		if (n < 0) {
			int err = errno;
			free(b);
			return kiln_fail("%s: %s", host, strerror(err));
		}
		if ((size_t)n < cap) {
			*target = b;
			*len = (size_t)n;
			return 0;
		}
		free(b);
		if (cap > CPIO_PATH_MAX)
			return kiln_fail("%s: symlink target longer than 4095 "
					 "bytes",
					 host);
		cap *= 2;
	}
}

/* One host file (not followed if a symlink) as the guest's rel. */
static int add_leaf(struct rootfs_list *l, const char *host, const char *rel,
		    const struct stat *st, int rank)
{
	unsigned char *data = NULL;
	size_t size = 0;

	if (S_ISREG(st->st_mode)) {
		if (read_file(host, &data, &size) < 0)
			return -1;
	} else if (S_ISLNK(st->st_mode)) {
		if (read_link(host, &data, &size) < 0)
			return -1;
		if (size == 0)
			return kiln_fail("%s: empty symlink", host);
	} else {
		return kiln_fail("%s: %s; the root file system takes only "
				 "files, directories and symlinks",
				 host, file_kind(st->st_mode));
	}
	rootfs_add(l, rel, (st->st_mode & S_IFMT) | (st->st_mode & 07777), data,
		   size, data, host, rank);
	return 0;
}

static int walk(struct rootfs_list *l, const char *host, const char *rel,
		int rank);

static int add_path(struct rootfs_list *l, const char *host, const char *rel,
		    const struct stat *st, int rank)
{
	if (check_guest_path(rel) < 0)
		return -1;
	if (!S_ISDIR(st->st_mode))
		return add_leaf(l, host, rel, st, rank);
	rootfs_add(l, rel, S_IFDIR | (st->st_mode & 07777), NULL, 0, NULL, host,
		   rank);
	return walk(l, host, rel, rank);
}

/* The names in a directory, read and closed before descending, so deep
 * trees do not hold one descriptor per level. */
static int list_dir(const char *host, struct strvec *names)
{
	DIR *d = opendir(host);
	struct dirent *de;

	if (!d)
		return kiln_fail("%s: %s", host, strerror(errno));
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strvec_push(names, de->d_name);
		errno = 0;
	}
	int err = errno;
	closedir(d);
	if (err)
		return kiln_fail("%s: %s", host, strerror(err));
	return 0;
}

/* The tree under host becomes the guest's rel ("" for the root). */
static int walk(struct rootfs_list *l, const char *host, const char *rel,
		int rank)
{
	struct strvec names = {0};
	int rc = list_dir(host, &names);

	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		char *h = xasprintf("%s/%s", host, names.v[i]);
		char *r = rel[0] ? xasprintf("%s/%s", rel, names.v[i])
				 : xstrdup(names.v[i]);
		struct stat st;

		/* The guest's limit first: the host's may be hit too. */
		if (check_guest_path(r) < 0)
			rc = -1;
		else if (lstat(h, &st) < 0)
			rc = kiln_fail("%s: %s", h, strerror(errno));
		else
			rc = add_path(l, h, r, &st, rank);
		free(r);
		free(h);
	}
	strvec_free(&names);
	return rc;
}

/*
 * A --file DEST in canonical form: leading and doubled slashes and "."
 * components dropped; ".." refused; a trailing "/" means "into this
 * directory" and appends SRC's last component, as cp does.
 */
static int canonical_dest(const char *arg, const char *src, const char *dest,
			  char **out)
{
	struct sbuf sb = {0};
	size_t n = strlen(dest);
	char *copy, *save = NULL;

	if (dest[0] != '/')
		return kiln_fail("--file %s: DEST must be an absolute path in "
				 "the guest",
				 arg);
	copy = n && dest[n - 1] == '/'
		       ? xasprintf("%s/%s", dest, path_basename(src))
		       : xstrdup(dest);
	for (char *c = strtok_r(copy, "/", &save); c;
	     c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		const char *bad = NULL;
		if (!strcmp(c, ".."))
			bad = "'..' in DEST";
		else if (strlen(c) > CPIO_NAME_MAX)
			bad = "a name in DEST is longer than 255 bytes";
		if (bad) {
			free(copy);
			sbuf_free(&sb);
			return kiln_fail("--file %.*s: %s", SHOW, arg, bad);
		}
		if (sb.len)
			sbuf_addc(&sb, '/');
		sbuf_adds(&sb, c);
	}
	free(copy);
	if (!sb.len) {
		sbuf_free(&sb);
		return kiln_fail("--file %s: DEST names the root directory, "
				 "not a file",
				 arg);
	}
	*out = sb.s;
	return 0;
}

/* SRC:DEST, split at the last ':' (a guest path rarely holds one). A
 * directory SRC is copied with everything under it; a symlink SRC is
 * followed, as the user named the file, not the link. */
static int add_file_arg(struct rootfs_list *l, const char *arg, int rank)
{
	const char *colon = strrchr(arg, ':');
	struct stat st;
	char *src, *dest = NULL;
	int rc;

	if (!colon || colon == arg)
		return kiln_fail("--file %s: not SRC:DEST (e.g. "
				 "./site.conf:/etc/site.conf)",
				 arg);
	src = xasprintf("%.*s", (int)(colon - arg), arg);
	rc = canonical_dest(arg, src, colon + 1, &dest);
	if (rc == 0 && stat(src, &st) < 0)
		rc = kiln_fail("%s: %s", src, strerror(errno));
	if (rc == 0)
		rc = add_path(l, src, dest, &st, rank);
	free(dest);
	free(src);
	return rc;
}

static const struct rootfs_entry *find(const struct rootfs_entry **sorted,
				       size_t n, const char *path)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(sorted[mid]->path, path);

		if (c == 0)
			return sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int by_path(const void *a, const void *b)
{
	const struct rootfs_entry *const *x = a, *const *y = b;

	return strcmp((*x)->path, (*y)->path);
}

/* Does every entry's parent come earlier, as a directory, and every path
 * once? (What the kernel needs to build its tree in one pass.) */
static int archive_in_order(const struct rootfs_entry *v, size_t n)
{
	const struct rootfs_entry **sorted = xcalloc(n, sizeof(*sorted));
	int ok = 1;

	for (size_t i = 0; i < n; i++)
		sorted[i] = &v[i];
	qsort(sorted, n, sizeof(*sorted), by_path);
	for (size_t i = 1; ok && i < n; i++)
		ok = strcmp(sorted[i - 1]->path, sorted[i]->path) != 0;
	for (size_t i = 0; ok && i < n; i++) {
		char *parent = xstrdup(v[i].path);
		char *slash = strrchr(parent, '/');

		if (slash) {
			*slash = '\0';
			const struct rootfs_entry *p = find(sorted, n, parent);
			ok = p && S_ISDIR(p->mode) && p->seq < v[i].seq;
		}
		free(parent);
	}
	free(sorted);
	return ok;
}

/* newc stores a hard-linked file's data with its last link only
 * (cpio(5)); each link becomes a file of its own with that data. */
static void link_hard_links(struct rootfs_entry *v, const uint32_t *ino,
			    const uint32_t *nlink, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!S_ISREG(v[i].mode) || nlink[i] < 2 || v[i].size)
			continue;
		for (size_t j = n; j-- > 0;) {
			if (S_ISREG(v[j].mode) && nlink[j] > 1 &&
			    ino[j] == ino[i] && v[j].size) {
				v[i].data = v[j].data;
				v[i].size = v[j].size;
				break;
			}
		}
	}
}

/*
 * A newc archive given as --rootfs: checked entry by entry with the
 * kernel's own reader. It is kept byte for byte (up to its trailer) when
 * the kernel can take it as it is (*as_is): every parent a directory
 * earlier in it, no path twice, no hard links. Otherwise its entries join
 * the list to be rewritten in kiln's order.
 */
static int add_archive(struct rootfs_list *l, const char *path,
		       const unsigned char *buf, size_t size, size_t *end,
		       int *as_is)
{
	struct cpio_entry e;
	const char *why;
	size_t pos = 0, first = l->n, n = 0, cap = 0;
	uint32_t *ino = NULL, *nlink = NULL;
	int r;

	*as_is = 1;
	while ((r = cpio_next(buf, size, &pos, &e, &why)) == 1) {
		char *name = xasprintf("%.*s", (int)e.namelen, e.name);
		char *origin = xasprintf("%s:%s", path, name);

		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ino = xrealloc(ino, cap * sizeof(*ino));
			nlink = xrealloc(nlink, cap * sizeof(*nlink));
		}
		ino[n] = e.ino;
		nlink[n++] = e.nlink;
		if (S_ISREG(e.mode) && e.nlink > 1)
			*as_is = 0;
		rootfs_add(l, name, e.mode, e.data, e.size, NULL, origin, 0);
		free(origin);
		free(name);
	}
	if (r == 0) {
		*end = pos;
		if (*as_is)
			*as_is = archive_in_order(l->v + first, n);
		link_hard_links(l->v + first, ino, nlink, n);
	}
	free(ino);
	free(nlink);
	if (r < 0)
		return kiln_fail("%s: %s (at byte %zu)", path, why, pos);
	return 0;
}

/* The 32-bit mtime every entry gets: $SOURCE_DATE_EPOCH, else 0 (see
 * reproducible-builds.org/specs/source-date-epoch). */
static int archive_mtime(const char *env, uint32_t *mtime)
{
	unsigned long v = 0;

	if (env && parse_uint("SOURCE_DATE_EPOCH", env, 0, UINT32_MAX, &v) < 0)
		return -1;
	*mtime = (uint32_t)v;
	return 0;
}

static int is_newc(const unsigned char *b, size_t n)
{
	return n >= 6 && memcmp(b, "070701", 6) == 0;
}

int rootfs_build(const struct rootfs_spec *spec, unsigned char **out,
		 size_t *out_size)
{
	struct rootfs_list l = {0};
	unsigned char *archive = NULL;
	size_t archive_size = 0, archive_end = 0;
	uint32_t mtime;
	struct stat st;
	int as_is = 0, rc = 0;

	*out = NULL;
	*out_size = 0;
	if (!spec->rootfs && spec->nfiles == 0)
		return 0;
	if (archive_mtime(spec->mtime_env, &mtime) < 0)
		return -1;
	if (spec->rootfs) {
		const char *root = spec->rootfs;

		if (stat(root, &st) < 0)
			rc = kiln_fail("%s: %s", root, strerror(errno));
		else if (S_ISDIR(st.st_mode))
			rc = walk(&l, root, "", 0);
		else if (!S_ISREG(st.st_mode))
			rc = kiln_fail("%s: not a directory or a newc cpio "
				       "archive",
				       root);
		else if ((rc = read_file(root, &archive, &archive_size)) == 0)
			rc = is_newc(archive, archive_size)
				     ? add_archive(&l, root, archive,
						   archive_size, &archive_end,
						   &as_is)
				     : kiln_fail(
					       "%s: not a directory or a newc "
					       "cpio archive",
					       root);
	}
	if (rc == 0 && as_is && spec->nfiles == 0) {
		*out = xmalloc(archive_end);
		memcpy(*out, archive, archive_end);
		*out_size = archive_end;
	} else {
		for (int i = 0; rc == 0 && i < spec->nfiles; i++)
			rc = add_file_arg(&l, spec->files[i], i + 1);
		if (rc == 0)
			rc = rootfs_write(&l, mtime, out, out_size);
	}
	rootfs_list_free(&l);
	free(archive);
	return rc;
}
