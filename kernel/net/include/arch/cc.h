/* lwIP's compiler and platform glue (arch/cc.h) for the kiln kernel. */
#ifndef KILN_NET_ARCH_CC_H
#define KILN_NET_ARCH_CC_H

#include <kernel/types.h>

/* Freestanding: the kernel has no <inttypes.h>, <ctype.h> or <unistd.h>;
 * lwIP then uses its own ctype and the formats below. */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H	   1
#define LWIP_NO_LIMITS_H   1
#define LWIP_NO_UNISTD_H   1
/* ssize_t is the kernel's (types.h); defining SSIZE_MAX stops lwIP's own. */
#define SSIZE_MAX INT64_MAX

/* Only the debug output uses these; the kernel's printf has no 'h'
 * (16-bit values are promoted to int anyway). */
#define X8_F  "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

#ifndef BYTE_ORDER /* the host's, in tests/unit/test_sys_arch.c */
#define BYTE_ORDER LITTLE_ENDIAN
#endif
#define lwip_htons(x) ((u16_t)__builtin_bswap16(x))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32(x))

/* Random numbers for TCP initial sequence numbers, DHCP transaction ids,
 * local ports (sys_arch.c). */
unsigned int net_rand(void);
#define LWIP_RAND() net_rand()

/* lwIP's heap and pools (lwipopts.h: MEM_LIBC_MALLOC, MEMP_MEM_MALLOC)
 * are kmalloc's. */
void *net_malloc(size_t size);
void net_free(void *p);
void *net_calloc(size_t n, size_t size);

/* An lwIP assertion is a broken invariant inside the kernel: a panic
 * naming the file and line (lwIP's message strings would cost ~10 KB of
 * every image; the line says the same). */
void net_assert_failed(const char *file, int line);
#define LWIP_PLATFORM_ASSERT(x) net_assert_failed(__FILE__, __LINE__)
/* LWIP_DEBUGF's arguments are a parenthesized printf argument list. */
int kprintf(const char *fmt, ...) __printf(1, 2);
#define LWIP_PLATFORM_DIAG(x)                                                  \
	do {                                                                   \
		kprintf x;                                                     \
	} while (0)

#endif
