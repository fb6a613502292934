/* Boot test guest: returns 255 from main, more than isa-debug-exit's 7 bits. */
#include <stdio.h>

int main(void)
{
	printf("exit_255: returning 255 from main\n");
	return 255;
}
