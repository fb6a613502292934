/* memcpy and memset shared by the loader and the kernel (lib/mem.c). GCC
 * may also emit calls to them. */
#ifndef KILN_LIB_MEM_H
#define KILN_LIB_MEM_H

#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

#endif
