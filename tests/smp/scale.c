/* Four CPU-bound threads: the time from the first pthread_create to the
 * last join, in ms ("elapsed_ms N"), for tests/smp/run.sh to compare
 * between --smp 1 and --smp 4. argv[1]: iterations per thread. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NTHREADS 4

static long iters = 100000000;

static void *work(void *arg)
{
	volatile unsigned long x = (unsigned long)arg;

	for (long i = 0; i < iters; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	return (void *)x;
}

int main(int argc, char **argv)
{
	pthread_t t[NTHREADS];
	struct timespec a, b;

	if (argc > 1)
		iters = atol(argv[1]);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, work, (void *)(long)i)) {
			puts("pthread_create failed");
			return 1;
		}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("elapsed_ms %ld\n", (long)((b.tv_sec - a.tv_sec) * 1000 +
					  (b.tv_nsec - a.tv_nsec) / 1000000));
	return 0;
}
