/* Hostile guest: abort() raises SIGABRT through tkill with the signal blocked. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	printf("abort: calling abort()\n");
	fflush(stdout);
	abort();
}
