/* Hostile guest: unknown and unsupported system call numbers get -ENOSYS. */
#include <stdio.h>

static long sys0(long n)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n) : "rcx", "r11", "memory");
	return ret;
}

int main(void)
{
	const long nrs[] = { 167, 167, 167, 451, 1000, -1, 0x40000000 | 1, 999999 };
	int bad = 0;

	for (unsigned i = 0; i < sizeof nrs / sizeof nrs[0]; i++) {
		long r = sys0(nrs[i]);

		printf("badsyscall: %ld = %ld\n", nrs[i], r);
		if (r != -38)
			bad++;
	}
	printf(bad ? "badsyscall FAILED\n" : "badsyscall ok\n");
	return bad;
}
