/* panic(): a broken kernel invariant. Never for input from outside. */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <kernel/types.h>

/* Prints the message, CPU, thread and a symbolised backtrace, then exits
 * the machine with KILN_EXIT_PANIC (125). */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define BUG_ON(cond)                                                       \
	do {                                                               \
		if (__builtin_expect(!!(cond), 0))                         \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__,      \
			      __LINE__);                                   \
	} while (0)

#endif
