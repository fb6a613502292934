/* Sleep accuracy: 1,000 sleeps of 1 ms, timed with CLOCK_MONOTONIC; also
 * absolute sleeps on both clocks. Prints the figures for run.sh to check. */
#include <stdio.h>
#include <time.h>

static double now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An absolute sleep 50 ms ahead on clock c: how late it woke, in ms
 * (negative: early). */
static double abs_late_ms(clockid_t c)
{
	struct timespec ts;
	double want;

	clock_gettime(c, &ts);
	ts.tv_nsec += 50000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	want = ts.tv_sec + ts.tv_nsec / 1e9;
	if (clock_nanosleep(c, TIMER_ABSTIME, &ts, NULL) != 0)
		return -1e9;
	return (now(c) - want) * 1e3;
}

int main(void)
{
	struct timespec ms = {0, 1000000};
	double t0 = now(CLOCK_MONOTONIC), t1;

	for (int i = 0; i < 1000; i++)
		nanosleep(&ms, NULL);
	t1 = now(CLOCK_MONOTONIC);
	printf("sleep_1000x1ms %.3f s\n", t1 - t0);
	printf("abstime_monotonic_late %.3f ms\n",
	       abs_late_ms(CLOCK_MONOTONIC));
	printf("abstime_realtime_late %.3f ms\n", abs_late_ms(CLOCK_REALTIME));
	return 0;
}
