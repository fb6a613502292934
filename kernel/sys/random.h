/* Random bytes for getrandom(2) and AT_RANDOM. */
#ifndef KERNEL_SYS_RANDOM_H
#define KERNEL_SYS_RANDOM_H

#include <kernel/types.h>

/* Fill buf with n random bytes. Never fails, never blocks. */
void random_fill(void *buf, size_t n);

#endif
