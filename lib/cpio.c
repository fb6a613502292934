/* cpio_next(): read one newc entry, every offset and field checked. */
#include "cpio.h"

/* Freestanding: the kernel, kiln and the host tests share this file. */

enum newc_field {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_FILESIZE,
	F_DEVMAJOR,
	F_DEVMINOR,
	F_RDEVMAJOR,
	F_RDEVMINOR,
	F_NAMESIZE,
	F_CHECK,
	F__COUNT
};

static const char trailer[] = "TRAILER!!!";

/* Parse the 8 hex digits at p; 0 and *out on success, -1 otherwise. */
static int hex8(const unsigned char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		unsigned c = p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/* Offset rounded up to the next multiple of 4; -1 (as size_t) on overflow. */
static size_t pad4(size_t off)
{
	size_t r;

	if (__builtin_add_overflow(off, (size_t)3, &r))
		return (size_t)-1;
	return r & ~(size_t)3;
}

static int mem_eq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static int mem_has_nul(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == '\0')
			return 1;
	return 0;
}

/* Is name[0..len) relative, with no empty, "." or ".." component? */
static const char *check_name(const char *name, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return "empty file name";
	if (len > CPIO_PATH_MAX)
		return "file name longer than 4095 bytes";
	if (name[0] == '/')
		return "absolute file name";
	while (i < len) {
		size_t start = i;

		while (i < len && name[i] != '/')
			i++;
		size_t n = i - start;
		if (n == 0)
			return "empty component in a file name";
		if (n > CPIO_NAME_MAX)
			return "file name component longer than 255 bytes";
		if (name[start] == '.' &&
		    (n == 1 || (n == 2 && name[start + 1] == '.')))
			return "'.' or '..' in a file name";
		if (i < len && ++i == len)
			return "file name ends with '/'";
	}
	return 0;
}

static const char *check_type(uint32_t mode, size_t size, const char *data)
{
	if (mode & ~(uint32_t)0177777)
		return "mode has bits above the file type";
	switch (mode & CPIO_S_IFMT) {
	case CPIO_S_IFREG:
		return 0;
	case CPIO_S_IFDIR:
		return size ? "directory with data" : 0;
	case CPIO_S_IFLNK:
		if (size == 0)
			return "symlink with an empty target";
		if (size > CPIO_PATH_MAX)
			return "symlink target longer than 4095 bytes";
		if (mem_has_nul(data, size))
			return "NUL in a symlink target";
		return 0;
	default:
		return "not a directory, regular file or symlink";
	}
}

/* One entry at *pos; 2 for a root entry to skip, else as cpio_next(). */
static int read_entry(const unsigned char *b, size_t size, size_t *pos,
		      struct cpio_entry *e, const char **why)
{
	static const char magic[6] = "070701";
	uint32_t f[F__COUNT];
	size_t p = *pos, name_end, data_end, next;

	if (p == size) {
		*why = "no TRAILER!!! entry at the end";
		return -1;
	}
	if (p > size || size - p < CPIO_NEWC_HDR_SIZE) {
		*why = "truncated entry header";
		return -1;
	}
	for (int i = 0; i < 6; i++) {
		if (b[p + i] != magic[i]) {
			*why = "bad magic (not a newc cpio archive)";
			return -1;
		}
	}
	for (int i = 0; i < F__COUNT; i++) {
		if (hex8(b + p + 6 + 8 * i, &f[i])) {
			*why = "header field is not 8 hex digits";
			return -1;
		}
	}
	uint32_t namesize = f[F_NAMESIZE];
	const char *name = (const char *)b + p + CPIO_NEWC_HDR_SIZE;
	if (namesize == 0) {
		*why = "name size 0";
		return -1;
	}
	if (__builtin_add_overflow(p + CPIO_NEWC_HDR_SIZE, (size_t)namesize,
				   &name_end) ||
	    name_end > size) {
		*why = "file name past the end of the archive";
		return -1;
	}
	if (name[namesize - 1] != '\0' || mem_has_nul(name, namesize - 1)) {
		*why = "file name not NUL-terminated at its name size";
		return -1;
	}
	size_t data_off = pad4(name_end);
	if (data_off > size) {
		*why = "padding past the end of the archive";
		return -1;
	}
	if (__builtin_add_overflow(data_off, (size_t)f[F_FILESIZE],
				   &data_end) ||
	    data_end > size) {
		*why = "file data past the end of the archive";
		return -1;
	}
	next = pad4(data_end);
	if (next > size) {
		*why = "padding past the end of the archive";
		return -1;
	}
	size_t namelen = namesize - 1;
	if (namelen == sizeof(trailer) - 1 && mem_eq(name, trailer, namelen)) {
		*pos = next;
		return 0;
	}
	if (namelen >= 2 && name[0] == '.' && name[1] == '/') {
		name += 2;
		namelen -= 2;
	}
	const char *data = (const char *)b + data_off;
	const char *bad = check_type(f[F_MODE], f[F_FILESIZE], data);
	if (bad) {
		*why = bad;
		return -1;
	}
	if ((namelen == 0 || (namelen == 1 && name[0] == '.')) &&
	    (f[F_MODE] & CPIO_S_IFMT) == CPIO_S_IFDIR) {
		*pos = next;
		return 2;
	}
	bad = check_name(name, namelen);
	if (bad) {
		*why = bad;
		return -1;
	}
	*pos = next;
	e->name = name;
	e->namelen = namelen;
	e->mode = f[F_MODE];
	e->uid = f[F_UID];
	e->gid = f[F_GID];
	e->nlink = f[F_NLINK];
	e->ino = f[F_INO];
	e->mtime = f[F_MTIME];
	e->data = data;
	e->size = f[F_FILESIZE];
	return 1;
}

int cpio_next(const void *buf, size_t size, size_t *pos, struct cpio_entry *e,
	      const char **why)
{
	int r;

	do
		r = read_entry(buf, size, pos, e, why);
	while (r == 2);
	return r;
}
