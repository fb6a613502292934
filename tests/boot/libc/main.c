/* Boot test guest: musl start-up and the libc calls most programs make. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static int failures;

#define EXPECT(cond, ...)                                                  \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("libc FAIL %s: ", #cond);                   \
			printf(__VA_ARGS__);                               \
			printf("\n");                                      \
			failures++;                                        \
		}                                                          \
	} while (0)

static int64_t mono_ns(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_MONOTONIC, &t) != 0)
		return -1;
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void check_malloc(void)
{
	size_t n = 1 << 20;
	unsigned char *p = malloc(n);
	void *small[64];
	size_t sum = 0;

	EXPECT(p != NULL, "malloc(1 MiB) failed");
	if (!p)
		return;
	memset(p, 0xa5, n);
	for (size_t i = 0; i < n; i += 4096)
		sum += p[i];
	EXPECT(sum == 256u * 0xa5, "1 MiB buffer reads back wrong");
	free(p);
	for (int i = 0; i < 64; i++) {
		small[i] = malloc(16 + i * 24);
		EXPECT(small[i] != NULL, "small malloc %d failed", i);
	}
	for (int i = 0; i < 64; i++)
		free(small[i]);
}

static void check_float(void)
{
	char buf[64];
	double d = strtod("3.14159", NULL);
	double acc = 0;

	snprintf(buf, sizeof buf, "%.3f %.4f %e", d * 2, d / 4, 1e-300 * 1e10);
	EXPECT(strcmp(buf, "6.283 0.7854 1.000000e-290") == 0, "got '%s'",
	       buf);
	for (int i = 1; i <= 1000; i++)
		acc += 1.0 / ((double)i * i);
	EXPECT(acc > 1.6439 && acc < 1.6450, "sum 1/i^2 = %f", acc);
}

static void check_time(void)
{
	time_t now = time(NULL);
	int64_t a, b, c;

	/* 2020-01-01: the guest reads a real-time clock, not 0. */
	EXPECT(now > 1577836800, "time() = %lld", (long long)now);
	a = mono_ns();
	b = mono_ns();
	EXPECT(a >= 0 && b >= a, "monotonic went back: %lld then %lld",
	       (long long)a, (long long)b);
	struct timespec req = { 0, 10 * 1000 * 1000 };
	EXPECT(nanosleep(&req, NULL) == 0, "nanosleep failed");
	c = mono_ns();
	EXPECT(c - b >= 10 * 1000 * 1000, "nanosleep(10 ms) took %lld ns",
	       (long long)(c - b));
}

static void check_random(void)
{
	unsigned char buf[32];
	int nonzero = 0;
	ssize_t n = getrandom(buf, sizeof buf, 0);

	EXPECT(n == (ssize_t)sizeof buf, "getrandom returned %zd", n);
	for (size_t i = 0; i < sizeof buf; i++)
		nonzero |= buf[i];
	EXPECT(nonzero, "getrandom gave 32 zero bytes");
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void check_misc(void)
{
	struct utsname u;
	int v[1000];
	char buf[64];

	EXPECT(uname(&u) == 0 && u.sysname[0] != '\0', "uname failed");
	printf("libc: uname sysname=%s machine=%s\n", u.sysname, u.machine);
	EXPECT(getpid() > 0, "getpid() = %d", (int)getpid());
	for (int i = 0; i < 1000; i++)
		v[i] = (i * 7919) % 1000;
	qsort(v, 1000, sizeof v[0], cmp_int);
	for (int i = 0; i < 1000; i++) {
		if (v[i] != i) {
			EXPECT(v[i] == i, "qsort: v[%d] = %d", i, v[i]);
			break;
		}
	}
	snprintf(buf, sizeof buf, "%d|%5s|%-3x|%lu", -42, "ab", 255,
		 (unsigned long)UINT32_MAX);
	EXPECT(strcmp(buf, "-42|   ab|ff |4294967295") == 0, "got '%s'", buf);
}

int main(void)
{
	check_malloc();
	check_float();
	check_time();
	check_random();
	check_misc();
	if (failures) {
		printf("libc: %d checks failed\n", failures);
		return 1;
	}
	printf("libc ok\n");
	return 0;
}
