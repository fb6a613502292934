/* <string.h> for lwIP's sources: the kernel's string functions. */
#ifndef KILN_NET_COMPAT_STRING_H
#define KILN_NET_COMPAT_STRING_H

#include <kernel/string.h>

#endif
