/* Boot test guest: returns 0 from main after printing a line. */
#include <stdio.h>

int main(void)
{
	printf("exit_0: returning 0 from main\n");
	return 0;
}
