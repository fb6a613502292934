/* <stdlib.h> for lwIP's sources: atoi (netif_name_to_index) only. */
#ifndef KILN_NET_COMPAT_STDLIB_H
#define KILN_NET_COMPAT_STDLIB_H

#include <kernel/types.h>

static inline int atoi(const char *s)
{
	int n = 0;

	while (*s >= '0' && *s <= '9')
		n = n * 10 + (*s++ - '0');
	return n;
}

#endif
