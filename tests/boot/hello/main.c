/* Boot test guest: the plainest program, one line on stdout. */
#include <stdio.h>

int main(void)
{
	printf("Hello World!\n");
	return 0;
}
