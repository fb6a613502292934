/* File descriptors: a small table whose entries all alias the console for now.
 */
#ifndef KERNEL_SYS_FD_H
#define KERNEL_SYS_FD_H

#include <kernel/types.h>

#define FD_MAX 256

/* open(2)/fcntl(2) flag bits (Linux x86-64 values). */
#define O_RDWR	   02
#define O_APPEND   02000
#define O_NONBLOCK 04000
#define O_CLOEXEC  02000000
#define FD_CLOEXEC 1

/* fds 0, 1, 2 open on the console. */
void fd_init(void);

/* 0 when fd is open, else -EBADF. */
int fd_check(int fd);

/* The lowest free fd >= min aliasing oldfd; or -EBADF, -EMFILE, -EINVAL. */
int fd_dup_min(int oldfd, int min, bool cloexec);
/* dup2/dup3: newfd aliases oldfd (closing newfd first). */
int fd_dup_to(int oldfd, int newfd, bool cloexec);
int fd_close(int fd);

int fd_get_cloexec(int fd);
int fd_set_cloexec(int fd, bool on);
int fd_get_status(int fd);	      /* O_* bits, or -EBADF */
int fd_set_status(int fd, int flags); /* O_APPEND, O_NONBLOCK only */

/* Console I/O through user memory; results as read(2)/write(2). */
long fd_write(int fd, const void __user *buf, size_t len);
long fd_read(int fd, void __user *buf, size_t len);

#endif
