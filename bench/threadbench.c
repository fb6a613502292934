/* threadbench: thread create/join, futex wake, switch and scaling times. */
/*
 * Usage: threadbench lat [N]
 *        threadbench scale [MITER] [REPS]
 *
 * lat: the process is first pinned to one CPU where the system allows it
 * (sched_setaffinity; the guests run this on -smp 1, the host on one of
 * its cores, so that "switch" means two threads sharing a CPU), then
 *   threadbench create_join_ns MEDIAN P10 P90
 *     pthread_create + pthread_join of a thread that returns at once, each
 *     pair timed alone, N pairs (default 1000);
 *   threadbench wake_ns MEDIAN P10 P90
 *     from just before FUTEX_WAKE until the woken thread, blocked in
 *     FUTEX_WAIT, runs; N wake-ups (the waker then blocks itself, which on
 *     one CPU is what lets the woken thread run);
 *   threadbench switch_ns MEDIAN P10 P90
 *     the same two threads passing the turn on, per switch: N / 10 batches
 *     of 100 round trips (200 switches) each.
 * The partner thread of the last two is created once, before either.
 * scale: the same CPU-bound integer job (MITER million xorshift steps,
 * default 200) split evenly over 1, 2 and 4 threads, REPS times each
 * (default 3, the counts taking turns); wall time from the first
 * pthread_create to the last join:
 *   threadbench cpus ONLINE
 *   threadbench scale_ns THREADS MEDIAN MIN MAX
 *
 * Every time is CLOCK_MONOTONIC, in nanoseconds. Exits 0, or prints
 * "threadbench error: WHAT: REASON" and exits 1 (pthread_create's error on
 * a system without threads, for instance). The same static musl binary runs
 * on the host, in the Linux guest and on kiln (bench/threads.sh).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BATCH 100

/* futex(2): musl-gcc has no kernel headers; the ABI values. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, long long *t, int n)
{
	qsort(t, n, sizeof(*t), cmp_ll);
	printf("threadbench %s %lld %lld %lld\n", what, t[n / 2], t[n / 10],
	       t[n * 9 / 10]);
}

static int fail(const char *what, int err)
{
	printf("threadbench error: %s: %s\n", what, strerror(err));
	return 1;
}

static void futex_wait(atomic_int *word, int val)
{
	syscall(SYS_futex, word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, val, NULL,
		NULL, 0);
}

static void futex_wake(atomic_int *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL,
		NULL, 0);
}

static void *empty(void *arg)
{
	return arg;
}

/*
 * The ping-pong: turn is 1 when the partner may run, 0 when the main
 * thread may. At most one of the two ever waits on the word, so waking one
 * waiter wakes the right one.
 */
static atomic_int turn;
static _Atomic long long woken_at_send;
static long long *wake_t;
static int rounds, timed_rounds;

/* The partner: rounds round trips, the first timed_rounds timed. */
static void *partner(void *arg)
{
	(void)arg;
	for (int i = 0; i < rounds; i++) {
		while (atomic_load(&turn) != 1)
			futex_wait(&turn, 0);
		if (i < timed_rounds)
			wake_t[i] = now_ns() - atomic_load(&woken_at_send);
		atomic_store(&turn, 0);
		futex_wake(&turn);
	}
	return NULL;
}

/* pass_turn: one round trip, the main thread's side. */
static void pass_turn(void)
{
	atomic_store(&woken_at_send, now_ns());
	atomic_store(&turn, 1);
	futex_wake(&turn);
	while (atomic_load(&turn) != 0)
		futex_wait(&turn, 1);
}

static int lat(int n)
{
	long long *t = malloc(sizeof(*t) * n);
	int batches = n / 10, err;
	cpu_set_t one;

	if (!t)
		return fail("malloc", ENOMEM);
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	printf("threadbench pinned %d\n",
	       sched_setaffinity(0, sizeof(one), &one) == 0);

	for (int i = 0; i < n; i++) {
		pthread_t th;
		long long t0 = now_ns();

		err = pthread_create(&th, NULL, empty, NULL);
		if (err)
			return fail("pthread_create", err);
		err = pthread_join(th, NULL);
		t[i] = now_ns() - t0;
		if (err)
			return fail("pthread_join", err);
	}
	report("create_join_ns", t, n);

	pthread_t th;

	wake_t = t;
	timed_rounds = n;
	rounds = n + batches * BATCH;
	err = pthread_create(&th, NULL, partner, NULL);
	if (err)
		return fail("pthread_create", err);
	for (int i = 0; i < n; i++)
		pass_turn();
	report("wake_ns", t, n);

	for (int i = 0; i < batches; i++) {
		long long t0 = now_ns();

		for (int j = 0; j < BATCH; j++)
			pass_turn();
		t[i] = (now_ns() - t0) / (2 * BATCH);
	}
	pthread_join(th, NULL);
	report("switch_ns", t, batches);
	return 0;
}

struct job {
	uint64_t steps, result;
	char pad[48]; /* one cache line per thread's result */
};

static void *crunch(void *arg)
{
	struct job *j = arg;
	uint64_t x = 88172645463325252ULL + j->steps;

	/* xorshift64 (Marsaglia 2003): integer work only, no memory. */
	for (uint64_t i = 0; i < j->steps; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	j->result = x;
	return NULL;
}

/* run_split K MITER: the job over K threads; wall ns, or -errno. */
static long long run_split(int k, long miter)
{
	struct job jobs[4];
	pthread_t th[4];
	long long t0 = now_ns();
	int err;

	for (int i = 0; i < k; i++) {
		jobs[i].steps = miter * 1000000ULL / k;
		err = pthread_create(&th[i], NULL, crunch, &jobs[i]);
		if (err)
			return -err;
	}
	for (int i = 0; i < k; i++)
		pthread_join(th[i], NULL);
	return now_ns() - t0;
}

/*
 * The thread counts take turns (1, 2, 4, 1, 2, 4, ...) so that a change in
 * the host's load touches all three alike.
 */
static int scale(long miter, int reps)
{
	static const int counts[] = { 1, 2, 4 };
	enum { NC = sizeof(counts) / sizeof(counts[0]) };
	long long t[NC][16];

	printf("threadbench cpus %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	for (int r = 0; r < reps; r++) {
		for (int c = 0; c < NC; c++) {
			t[c][r] = run_split(counts[c], miter);
			if (t[c][r] < 0)
				return fail("pthread_create", (int)-t[c][r]);
		}
	}
	for (int c = 0; c < NC; c++) {
		qsort(t[c], reps, sizeof(t[c][0]), cmp_ll);
		printf("threadbench scale_ns %d %lld %lld %lld\n", counts[c],
		       t[c][reps / 2], t[c][0], t[c][reps - 1]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "lat") == 0) {
		int n = argc > 2 ? atoi(argv[2]) : 1000;

		if (n >= 10)
			rc = lat(n);
	} else if (argc >= 2 && strcmp(argv[1], "scale") == 0) {
		long miter = argc > 2 ? atol(argv[2]) : 200;
		int reps = argc > 3 ? atoi(argv[3]) : 3;

		if (miter > 0 && reps > 0 && reps <= 16)
			rc = scale(miter, reps);
	}
	if (rc == 2)
		fprintf(stderr, "usage: threadbench lat [N >= 10] | "
				"scale [MITER] [REPS <= 16]\n");
	return rc;
}
