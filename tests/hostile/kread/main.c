/* Hostile guest: reads kernel memory directly; supervisor pages stop it. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	volatile uint64_t *kernel = (volatile uint64_t *)0xffffffff80000000ULL;

	printf("kread: reading %p\n", (void *)kernel);
	fflush(stdout);
	printf("kread: read 0x%llx\n", (unsigned long long)*kernel);
	return 0;
}
