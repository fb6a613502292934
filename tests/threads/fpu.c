/* Floating point in 4 threads at once, each in its own rounding mode:
 * the results, printed exactly (%a), must match a host run of the same
 * binary bit for bit, however often the threads were preempted. Each
 * thread also counts the times it saw the TSC jump by over 1 ms between
 * two looks (it was switched out), printed on stderr as "preempted N". */
#include <fenv.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long iters = 1000000;
static uint64_t tsc_per_ms;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

struct job {
	const char *name;
	int round;
	long double result;
	long preempted;
};

/* Every 256 steps: a gap in the TSC means the thread did not run. */
static void watch(struct job *j, uint64_t *last)
{
	uint64_t now = rdtsc();

	if (now - *last > tsc_per_ms)
		j->preempted++;
	*last = now;
}

/* Four different computations; the rounding mode of each thread changes
 * every result, so a thread running with another's MXCSR or x87 control
 * word, or another's registers, prints different bits. */
static long double compute(struct job *j, int kind)
{
	uint64_t last = rdtsc();
	double d = 0, x = 0.3;
	float f = 1.0f;
	long double l = 0;

	for (long i = 1; i <= iters; i++) {
		switch (kind) {
		case 0: /* a series in double */
			d += 1.0 / ((double)i * (double)i);
			break;
		case 1: /* a sqrt chain in float */
			f = sqrtf(f + (float)i) * 0.5f + 1.0f / (float)i;
			break;
		case 2: /* Leibniz's series in x87 long double */
			l += ((i & 1) ? 4.0L : -4.0L) / (2.0L * i - 1.0L);
			break;
		default: /* the logistic map: chaotic, so any error grows */
			x = 3.9 * x * (1.0 - x);
			break;
		}
		if (!(i & 255))
			watch(j, &last);
	}
	switch (kind) {
	case 0:
		return d;
	case 1:
		return f;
	case 2:
		return l;
	default:
		return x;
	}
}

static struct job jobs[4] = {
	{"series_double", FE_TONEAREST, 0, 0},
	{"sqrt_float", FE_UPWARD, 0, 0},
	{"leibniz_x87", FE_DOWNWARD, 0, 0},
	{"logistic_double", FE_TOWARDZERO, 0, 0},
};

static void *run(void *arg)
{
	struct job *j = arg;

	fesetround(j->round);
	j->result = compute(j, (int)(j - jobs));
	if (fegetround() != j->round)
		j->result = -1; /* the mode did not survive */
	return NULL;
}

static void calibrate(void)
{
	struct timespec a, b;
	uint64_t t0, t1;
	double ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = rdtsc();
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec) < 2e7);
	t1 = rdtsc();
	ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	tsc_per_ms = (uint64_t)((t1 - t0) / (ns / 1e6));
}

int main(int argc, char **argv)
{
	pthread_t t[4];
	long total = 0;

	if (argc > 1)
		iters = atol(argv[1]);
	calibrate();
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, run, &jobs[i]);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 4; i++) {
		printf("%s %La\n", jobs[i].name, jobs[i].result);
		total += jobs[i].preempted;
	}
	printf("fegetround %d\n", fegetround());
	fprintf(stderr, "preempted %ld\n", total);
	return 0;
}
