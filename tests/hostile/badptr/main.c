/* Hostile guest: hands the kernel bad pointers; every call must say -EFAULT. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include "../rawsys.h"

#define EFAULT_ 14


static void expect_efault(const char *what, const char *ptr, long ret)
{
	if (ret == -EFAULT_) {
		printf("badptr: %s(%s) = -EFAULT\n", what, ptr);
		return;
	}
	printf("badptr: FAILED %s(%s) = %ld, expected -EFAULT\n", what, ptr,
	       ret);
	failures++;
}

struct bad {
	const char *name;
	uintptr_t addr;
};

static const struct bad bads[] = {
	{ "NULL", 0 },
	{ "1", 1 },
	{ "kernel text", 0xffffffff80000000ULL },
	{ "direct map", 0xffff800000000000ULL },
	{ "non-canonical low", 0x0000800000000000ULL },
	{ "non-canonical high", 0x8000000000000000ULL },
	{ "top of user space", 0x00007ffffffff000ULL },
	{ "last byte", UINTPTR_MAX },
};

static char buf[64];

int main(void)
{
	for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		long p = (long)bads[i].addr;
		const char *n = bads[i].name;

		expect_efault("write", n, sys6(SYS_write, 1, p, 5, 0, 0, 0));
		expect_efault("read", n, sys6(SYS_read, 0, p, 5, 0, 0, 0));
		expect_efault("clock_gettime", n,
			      sys6(SYS_clock_gettime, CLOCK_MONOTONIC, p, 0,
				   0, 0, 0));
		expect_efault("uname", n, sys6(SYS_uname, p, 0, 0, 0, 0, 0));
		expect_efault("getrandom", n,
			      sys6(SYS_getrandom, p, 16, 0, 0, 0, 0));
		if (p) { /* NULL is "no action" / "old action not wanted" */
			expect_efault("rt_sigaction act", n,
				      sys6(SYS_rt_sigaction, SIGUSR1, p, 0, 8,
					   0, 0));
			expect_efault("rt_sigaction oldact", n,
				      sys6(SYS_rt_sigaction, SIGUSR1, 0, p, 8,
					   0, 0));
		}
		expect_efault("nanosleep", n,
			      sys6(SYS_nanosleep, p, 0, 0, 0, 0, 0));
		expect_efault("writev", n, sys6(SYS_writev, 1, p, 1, 0, 0, 0));
	}

	/* Ranges that start valid and wrap past 2^64 or leave user space. */
	long b = (long)(uintptr_t)buf;
	expect_efault("write", "buf, SIZE_MAX",
		      sys6(SYS_write, 1, b, -1L, 0, 0, 0));
	expect_efault("read", "buf, SIZE_MAX",
		      sys6(SYS_read, 0, b, -1L, 0, 0, 0));
	expect_efault("write", "-16, 32", sys6(SYS_write, 1, -16, 32, 0, 0, 0));
	expect_efault("getrandom", "-16, 32",
		      sys6(SYS_getrandom, -16, 32, 0, 0, 0, 0));
	/* A stack page, with a length that wraps to below it. */
	long top = (long)(uintptr_t)&b & ~4095L;
	expect_efault("write", "stack, -4096",
		      sys6(SYS_write, 1, top, -4096L, 0, 0, 0));
	expect_efault("write", "across USER_TOP",
		      sys6(SYS_write, 1, 0x00007fffffffff00L, 0x200, 0, 0, 0));

	/* Valid addresses without the needed permission. */
	long text = (long)(uintptr_t)&main;
	expect_efault("clock_gettime", "into text",
		      sys6(SYS_clock_gettime, CLOCK_MONOTONIC, text, 0, 0, 0,
			   0));
	expect_efault("read", "into text", sys6(SYS_read, 0, text, 8, 0, 0, 0));
	void *none = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			  0);
	if (none == MAP_FAILED) {
		printf("badptr: FAILED mmap PROT_NONE\n");
		failures++;
	} else {
		long q = (long)(uintptr_t)none;
		expect_efault("write", "PROT_NONE page",
			      sys6(SYS_write, 1, q, 5, 0, 0, 0));
		expect_efault("uname", "PROT_NONE page",
			      sys6(SYS_uname, q, 0, 0, 0, 0, 0));
	}

	/* An iovec that is fine, pointing at memory that is not. */
	struct {
		long base, len;
	} iov = { 0xffffffff80000000L, 8 };
	expect_efault("writev", "iov to kernel",
		      sys6(SYS_writev, 1, (long)(uintptr_t)&iov, 1, 0, 0, 0));

	if (failures) {
		printf("badptr: %d FAILED\n", failures);
		return 1;
	}
	printf("badptr ok\n");
	return 0;
}
