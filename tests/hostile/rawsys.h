/* Raw system calls for hostile guests: the kernel's own return value,
 * untouched by libc, and a checker that counts what differs from Linux. */
#ifndef KILN_TESTS_HOSTILE_RAWSYS_H
#define KILN_TESTS_HOSTILE_RAWSYS_H

#include <stdio.h>
#include <sys/syscall.h>

static inline long sys6(long n, long a, long b, long c, long d, long e,
			long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define S(n, ...) sys6(SYS_##n, __VA_ARGS__)

static int failures;

/* One line per mismatch, prefixed with the program's name. */
static inline void expect_named(const char *prog, const char *what, long got,
				long want)
{
	if (got == want)
		return;
	printf("%s: FAILED %s = %ld, expected %ld\n", prog, what, got, want);
	failures++;
}

#endif
