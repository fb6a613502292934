/* A thread that overflows its stack: musl's PROT_NONE guard page under
 * the stack must turn it into the usual fault report and exit 139. */
#include <pthread.h>
#include <stdio.h>

static volatile int sink;

/* 64 bytes a frame or so: well under the guard page, so the recursion
 * must hit it instead of jumping past. */
static int recurse(int n)
{
	volatile char pad[32];

	pad[0] = (char)n;
	sink = pad[0];
	if (sink == 1000 && n < 0) /* never: but the compiler cannot know */
		return 0;
	return recurse(n + 1) + pad[0];
}

static void *run(void *arg)
{
	(void)arg;
	printf("overflowing a thread stack\n");
	fflush(stdout);
	return (void *)(long)recurse(0);
}

int main(void)
{
	pthread_t t;

	pthread_create(&t, NULL, run, NULL);
	pthread_join(t, NULL);
	printf("not reached: the overflow went unnoticed\n");
	return 0;
}
