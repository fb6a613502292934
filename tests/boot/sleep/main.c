/* Boot test guest: ten 50 ms nanosleeps take 500 to 600 ms in all, each
 * one woken by its own one-shot timer, never early. Also an absolute
 * clock_nanosleep and sched_yield with nothing else to run. */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static int64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int main(void)
{
	const struct timespec fifty = {0, 50 * 1000 * 1000};
	int failures = 0;
	int64_t t0 = mono_ns(), shortest = INT64_MAX;

	for (int i = 0; i < 10; i++) {
		int64_t s = mono_ns();

		if (nanosleep(&fifty, NULL) != 0) {
			printf("sleep FAIL: nanosleep failed\n");
			failures++;
		}
		if (mono_ns() - s < shortest)
			shortest = mono_ns() - s;
	}
	int64_t ms = (mono_ns() - t0) / 1000000;
	printf("sleep: 10 x 50 ms took %lld ms\n", (long long)ms);
	if (ms < 500 || ms >= 600) {
		printf("sleep FAIL: 10 x 50 ms took %lld ms\n", (long long)ms);
		failures++;
	}
	if (shortest < 50 * 1000 * 1000) {
		printf("sleep FAIL: one sleep ended after %lld ns\n",
		       (long long)shortest);
		failures++;
	}

	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += 20 * 1000 * 1000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) !=
	    0) {
		printf("sleep FAIL: clock_nanosleep failed\n");
		failures++;
	}
	struct timespec after;
	clock_gettime(CLOCK_MONOTONIC, &after);
	if (after.tv_sec < until.tv_sec ||
	    (after.tv_sec == until.tv_sec && after.tv_nsec < until.tv_nsec)) {
		printf("sleep FAIL: clock_nanosleep woke early\n");
		failures++;
	}
	if (sched_yield() != 0) {
		printf("sleep FAIL: sched_yield\n");
		failures++;
	}
	if (!failures)
		printf("sleep ok\n");
	return failures ? 1 : 0;
}
