/* Random bytes (getrandom(2), AT_RANDOM, /dev/urandom); in sys/random.c. */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H

#include <kernel/types.h>

/* Fill buf with n random bytes. Never fails, never blocks. */
void random_fill(void *buf, size_t n);

#endif
