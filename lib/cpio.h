/* cpio_next(): a bounds-checked reader of newc ("070701") cpio archives. */
#ifndef KILN_LIB_CPIO_H
#define KILN_LIB_CPIO_H

#include <stddef.h>
#include <stdint.h>

/*
 * The newc format (cpio(5), "New ASCII Format"): each entry is a 110-byte
 * header of "070701" and thirteen 8-digit hex fields (ino, mode, uid, gid,
 * nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
 * namesize, check), the NUL-terminated name padded so that header + name is
 * a multiple of 4 bytes, then the data padded to a multiple of 4. The
 * archive ends with an entry named "TRAILER!!!"; bytes after it (writers
 * pad to 512) are ignored.
 */

#define CPIO_NEWC_HDR_SIZE 110
#define CPIO_PATH_MAX	   4095 /* bytes, without the NUL (Linux PATH_MAX - 1) */
#define CPIO_NAME_MAX	   255	/* bytes in one path component (NAME_MAX) */

/* File type bits of cpio_entry.mode, as in st_mode (inode(7)). */
#define CPIO_S_IFMT  0170000
#define CPIO_S_IFDIR 0040000
#define CPIO_S_IFREG 0100000
#define CPIO_S_IFLNK 0120000

struct cpio_entry {
	/* Inside the archive, namelen bytes, no leading "/". */
	const char *name;
	size_t namelen;
	uint32_t mode; /* file type bits (0170000) | permissions, as st_mode */
	uint32_t uid, gid, nlink, ino;
	uint64_t mtime;
	const void *data; /* file bytes or symlink target, inside the archive */
	size_t size;
};

/*
 * Read the entry at *pos of the archive buf[0..size) and advance *pos past
 * it. Set *pos = 0 to start; buf needs no particular alignment.
 *
 * Returns 1 with *e filled, 0 at the "TRAILER!!!" entry, or -1 for a
 * truncated or malformed archive with *why set to a one-line reason (a
 * static string) and *pos left at the start of the bad entry. Never reads
 * outside buf[0..size).
 *
 * What a returned entry guarantees:
 *   - the type is a directory, a regular file or a symlink (device nodes,
 *     fifos and sockets are refused), and mode has no bits above 0177777;
 *   - name is relative and canonical: a leading "./" is stripped, then it
 *     is non-empty, at most CPIO_PATH_MAX bytes, and has no empty, "." or
 *     ".." component and no NUL (name is not NUL-terminated: use namelen);
 *   - a directory has no data; a symlink has a target of 1..CPIO_PATH_MAX
 *     bytes without a NUL.
 * An entry for the archive's root itself ("." or "./", which `find . |
 * cpio -o` writes first) is skipped: it describes "/", which always exists.
 * Hard links (same ino, nlink > 1) come back as separate entries; newc
 * stores the data with the last one only.
 *
 * Pure and freestanding: the kernel reads the packed root file system with
 * it at boot, and `kiln pack` checks a given archive with it.
 */
int cpio_next(const void *buf, size_t size, size_t *pos, struct cpio_entry *e,
	      const char **why);

#endif
