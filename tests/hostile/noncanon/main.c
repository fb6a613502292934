/* Hostile guest: touches a non-canonical address (#GP, not #PF). */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	volatile uint64_t *p = (volatile uint64_t *)0x0000800000000000ULL;

	printf("noncanon: reading %p\n", (void *)p);
	fflush(stdout);
	printf("noncanon: read 0x%llx\n", (unsigned long long)*p);
	return 0;
}
