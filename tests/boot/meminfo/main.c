/* kiln run --meminfo: the report counts the application's own memory. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(void)
{
	size_t len = 2 << 20;
	volatile char *p = malloc(len); /* volatile: kept, not elided */
	struct timespec ts = {1, 0};

	if (!p)
		return 1;
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 1; /* touched: 2 MiB of frames in use */
	puts("touched 2 MiB");
	fflush(stdout);
	nanosleep(&ts, NULL); /* the report comes while we sleep */
	return p[len - 4096] == 1 ? 0 : 1;
}
