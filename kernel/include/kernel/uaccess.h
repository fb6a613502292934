/* The only way the kernel touches application memory (sys/uaccess.c). */
#ifndef KERNEL_UACCESS_H
#define KERNEL_UACCESS_H

#include <kernel/types.h>

/*
 * Each checks the whole user range (overflow-checked, below USER_TOP, inside
 * the application's regions with the needed permission), faults pages in as
 * needed and copies through the kernel's direct map. They return 0, or
 * -EFAULT for a bad range (-ENOMEM when no frame is left to fault a page
 * in). A failed copy_to_user may have written a prefix of the range.
 */
int copy_from_user(void *dst, const void __user *src, size_t n);
int copy_to_user(void __user *dst, const void *src, size_t n);

/* Copies a NUL-terminated string of at most size-1 bytes plus the NUL.
 * Returns its length, -ENAMETOOLONG when no NUL is found in size bytes,
 * or -EFAULT. */
long strncpy_from_user(char *dst, const char __user *src, size_t size);

/* Length of a user string without copying it: < max, or -ENAMETOOLONG
 * when no NUL is found in max bytes, or -EFAULT. */
long strnlen_user(const char __user *s, size_t max);

/* Whether the range could be read (or written) without copying. */
int user_range_ok(const void __user *p, size_t n, bool write);

#endif
