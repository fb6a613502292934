/* Boot test guest: exit(1), which flushes stdio first. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	printf("exit_1: calling exit(1)\n");
	exit(1);
}
