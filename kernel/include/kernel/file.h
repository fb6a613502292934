/* Open files and the descriptor table shared by files, pipes and sockets. */
#ifndef KERNEL_FILE_H
#define KERNEL_FILE_H

#include <kernel/types.h>

/* open(2) flags, Linux x86-64 values (asm-generic/fcntl.h). */
#define O_ACCMODE   03
#define O_RDONLY    00
#define O_WRONLY    01
#define O_RDWR	    02
#define O_CREAT	    0100
#define O_EXCL	    0200
#define O_NOCTTY    0400
#define O_TRUNC	    01000
#define O_APPEND    02000
#define O_NONBLOCK  04000
#define O_DSYNC	    010000
#define O_ASYNC	    020000
#define O_DIRECT    040000
#define O_LARGEFILE 0100000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW  0400000
#define O_NOATIME   01000000
#define O_CLOEXEC   02000000
#define O_SYNC	    04010000
#define O_PATH	    010000000
#define O_TMPFILE   020200000
#define FD_CLOEXEC  1

/* lseek(2) whence. */
#define SEEK_SET  0
#define SEEK_CUR  1
#define SEEK_END  2
#define SEEK_DATA 3
#define SEEK_HOLE 4

/* Linux's MAX_RW_COUNT: one read or write moves at most this much. */
#define RW_MAX 0x7ffff000UL

/*
 * A buffer that file data is copied into or out of: kernel memory, or the
 * application's (then every copy goes through copy_to_user/copy_from_user
 * and may fail with -EFAULT). base is a user address when user is set.
 */
struct uio {
	char *base;
	size_t len;
	bool user;
};

static inline struct uio uio_kernel(void *p, size_t len)
{
	return (struct uio){(char *)p, len, false};
}

static inline struct uio uio_user(void __user *p, size_t len)
{
	return (struct uio){(char *)p, len, true};
}

/* Copy n bytes to (from) the buffer at offset at; 0 or -EFAULT. The caller
 * keeps at + n <= u->len. */
int uio_copy_to(const struct uio *u, size_t at, const void *src, size_t n);
int uio_copy_from(const struct uio *u, size_t at, void *dst, size_t n);
int uio_zero(const struct uio *u, size_t at, size_t n);

struct file;
struct kstat;
struct pollq;
struct epitem;

/*
 * What a kind of open file does. read/write move at most u->len bytes at
 * *pos and advance it; they return the count or a negative errno. lseek
 * NULL means the file has no position (pipes, terminals): lseek, pread
 * and pwrite fail with -ESPIPE. Every member but read and write may be
 * NULL.
 */
struct file_ops {
	ssize_t (*read)(struct file *f, const struct uio *u, uint64_t *pos);
	ssize_t (*write)(struct file *f, const struct uio *u, uint64_t *pos);
	int64_t (*lseek)(struct file *f, int64_t off, int whence);
	/* -ENOTTY for requests it does not know; arg may be a user pointer */
	int (*ioctl)(struct file *f, unsigned int req, uint64_t arg);
	/* stat of a file without a vnode (pipes) */
	int (*stat)(struct file *f, struct kstat *st);
	/* the text readlink shows for /proc/self/fd/N ("pipe:[7]"); length */
	int (*link_name)(struct file *f, char *buf, size_t size);
	/* bytes a read would return now, for FIONREAD */
	int64_t (*nread)(struct file *f);
	/* readiness (POLLx bits, <kernel/poll.h>) and, in *q when q is not
	 * NULL, the queue woken when it changes. NULL: always readable and
	 * writable, and epoll_ctl refuses the file (-EPERM), as Linux does
	 * for regular files */
	unsigned int (*poll)(struct file *f, struct pollq **q);
	void (*release)(struct file *f); /* the last reference is gone */
};

/*
 * One open file description: shared by the descriptors dup() made, freed
 * when the last reference goes. flags holds the access mode and the
 * status flags F_GETFL shows (O_APPEND, O_NONBLOCK, O_PATH...).
 */
struct file {
	const struct file_ops *ops;
	uint32_t refs;
	uint32_t flags;
	uint64_t pos;
	struct vnode *vn; /* the file's node (a reference), NULL for a pipe */
	void *priv;	  /* the file kind's own state */
	/* where it was opened, for /proc/self/fd: the directory (a
	 * reference) and the name in it; NULL and "" for directories and
	 * nameless files */
	struct vnode *dir;
	char *name;
	/* the epoll instances watching it (kernel/fs/epoll.c) */
	struct epitem *epitems;
};

/* A new file with one reference, or NULL when out of memory. */
struct file *file_alloc(const struct file_ops *ops, uint32_t flags, void *priv);
void file_get(struct file *f);
void file_put(struct file *f); /* releases it with the last reference */

static inline bool file_readable(const struct file *f)
{
	return !(f->flags & O_PATH) && (f->flags & O_ACCMODE) != O_WRONLY;
}

static inline bool file_writable(const struct file *f)
{
	return !(f->flags & O_PATH) && (f->flags & O_ACCMODE) != O_RDONLY;
}

/* The stat op of an anonymous-inode file (epoll, eventfd). */
int anon_inode_stat(struct file *f, struct kstat *st);

/* --- the descriptor table (kernel/sys/fd.c), one per application --- */

/* RLIMIT_NOFILE as Linux sets it for a process: a soft limit of 1024 that
 * a server raises up to the hard one (10,000 connections need more). The
 * table grows on demand, so the hard limit costs nothing until used. */
#define FD_SOFT_DEFAULT 1024
#define FD_MAX 65536

/* Descriptors 0, 1 and 2 open on /dev/console. Call after fs_init().
 * 0, or the error opening it. */
int fd_init(void);

/* The lowest free descriptor >= min for f; the table takes over the
 * caller's reference. The fd, or -EMFILE (the caller keeps its ref). */
int fd_install(struct file *f, int min, bool cloexec);
/* 0 when a descriptor is free, else -EMFILE. */
int fd_check_room(void);
/* RLIMIT_NOFILE's soft limit: descriptors from n on are refused (at most
 * FD_MAX). */
void fd_set_limit(uint64_t n);
int fd_limit(void);
/* The file open at fd with a new reference, or NULL (-EBADF). */
struct file *fd_get(int fd);
int fd_close(int fd);
/* dup: the lowest free fd >= min; dup2/dup3: newfd (closed first). */
int fd_dup_min(int oldfd, int min, bool cloexec);
int fd_dup_to(int oldfd, int newfd, bool cloexec);
int fd_get_cloexec(int fd);
int fd_set_cloexec(int fd, bool on);

#endif
