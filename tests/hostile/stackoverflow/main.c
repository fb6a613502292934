/* Hostile guest: unbounded recursion runs off the 8 MiB stack into the guard gap. */
#include <stdio.h>

#pragma GCC diagnostic ignored "-Winfinite-recursion"

static int depth(volatile char *prev, int n)
{
	volatile char frame[4096];

	frame[0] = (char)n;
	frame[4095] = prev ? prev[0] : 0;
	return depth(frame, n + 1) + frame[100];
}

int main(void)
{
	printf("stackoverflow: recursing\n");
	fflush(stdout);
	printf("stackoverflow: returned %d\n", depth(0, 0));
	return 0;
}
