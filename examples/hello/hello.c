/* The first kiln example: an ordinary C program, unchanged for the unikernel. */
#include <stdio.h>

int main(void)
{
	printf("Hello World!\n");
	return 0;
}
