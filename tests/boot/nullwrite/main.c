/* Boot test guest: writes through a NULL pointer; must die with SIGSEGV. */
#include <stdio.h>

int main(void)
{
	printf("nullwrite: writing to address 0\n");
	fflush(stdout);
	*(volatile int *)0 = 1;
	printf("nullwrite: survived\n");
	return 0;
}
