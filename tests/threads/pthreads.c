/* pthread basics in the guest: create/join, mutexes, condition variables,
 * barriers, detached threads, thread-local storage. "ok NAME" or "not ok
 * NAME: why" per check; run.sh turns them into PASS/FAIL threads_NAME. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *name, const char *why)
{
	if (ok) {
		printf("ok %s\n", name);
	} else {
		printf("not ok %s: %s\n", name, why);
		failures++;
	}
	fflush(stdout);
}

/* ---- 200 threads created and joined, each returning its argument ---- */
static void *echo_arg(void *arg)
{
	return arg;
}

static void test_create_join(void)
{
	enum { N = 200 };
	pthread_t t[N];
	int bad = 0;

	for (intptr_t i = 0; i < N; i++)
		if (pthread_create(&t[i], NULL, echo_arg, (void *)i)) {
			check(0, "create_join_200", "pthread_create failed");
			return;
		}
	for (intptr_t i = 0; i < N; i++) {
		void *r;
		if (pthread_join(t[i], &r) || r != (void *)i)
			bad++;
	}
	check(!bad, "create_join_200",
	      "a join failed or returned another value");
}

/* ---- a mutex-protected counter, 8 threads x 100,000 ---- */
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *count_up(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100000; i++) {
		pthread_mutex_lock(&count_lock);
		counter++;
		pthread_mutex_unlock(&count_lock);
	}
	return NULL;
}

static void test_mutex(void)
{
	pthread_t t[8];
	char why[64];

	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, count_up, NULL);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	snprintf(why, sizeof why, "counter %ld, expected 800000", counter);
	check(counter == 800000, "mutex_counter_800000", why);
}

/* ---- producer/consumer, 4 + 4 threads over a bounded queue ---- */
enum { QCAP = 16, PER_PRODUCER = 5000, NPROD = 4, NCONS = 4 };
static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t q_not_full = PTHREAD_COND_INITIALIZER;
static long q_buf[QCAP];
static int q_head, q_len, producers_left = NPROD;
static long consumed_sum, consumed_n;

static void *produce(void *arg)
{
	long base = (long)(intptr_t)arg * PER_PRODUCER;

	for (long i = 1; i <= PER_PRODUCER; i++) {
		pthread_mutex_lock(&q_lock);
		while (q_len == QCAP)
			pthread_cond_wait(&q_not_full, &q_lock);
		q_buf[(q_head + q_len++) % QCAP] = base + i;
		pthread_cond_signal(&q_not_empty);
		pthread_mutex_unlock(&q_lock);
	}
	pthread_mutex_lock(&q_lock);
	producers_left--;
	pthread_cond_broadcast(&q_not_empty);
	pthread_mutex_unlock(&q_lock);
	return NULL;
}

static void *consume(void *arg)
{
	(void)arg;
	for (;;) {
		long v;

		pthread_mutex_lock(&q_lock);
		while (q_len == 0 && producers_left)
			pthread_cond_wait(&q_not_empty, &q_lock);
		if (q_len == 0) {
			pthread_mutex_unlock(&q_lock);
			return NULL;
		}
		v = q_buf[q_head];
		q_head = (q_head + 1) % QCAP;
		q_len--;
		consumed_sum += v;
		consumed_n++;
		pthread_cond_signal(&q_not_full);
		pthread_mutex_unlock(&q_lock);
	}
}

static void test_condvar(void)
{
	pthread_t p[NPROD], c[NCONS];
	long n = (long)NPROD * PER_PRODUCER;
	long want = n * (n + 1) / 2;
	char why[96];

	for (int i = 0; i < NCONS; i++)
		pthread_create(&c[i], NULL, consume, NULL);
	for (int i = 0; i < NPROD; i++)
		pthread_create(&p[i], NULL, produce, (void *)(intptr_t)i);
	for (int i = 0; i < NPROD; i++)
		pthread_join(p[i], NULL);
	for (int i = 0; i < NCONS; i++)
		pthread_join(c[i], NULL);
	snprintf(why, sizeof why,
		 "%ld items summing to %ld, expected %ld and %ld", consumed_n,
		 consumed_sum, n, want);
	check(consumed_n == n && consumed_sum == want, "condvar_4x4", why);
}

/* ---- a barrier: nobody passes round r before all arrived ---- */
enum { BN = 6, ROUNDS = 50 };
static pthread_barrier_t barrier;
static int arrived[ROUNDS];
static int barrier_bad;

static void *barrier_worker(void *arg)
{
	(void)arg;
	for (int r = 0; r < ROUNDS; r++) {
		__atomic_add_fetch(&arrived[r], 1, __ATOMIC_SEQ_CST);
		pthread_barrier_wait(&barrier);
		if (__atomic_load_n(&arrived[r], __ATOMIC_SEQ_CST) != BN)
			__atomic_store_n(&barrier_bad, 1, __ATOMIC_SEQ_CST);
		pthread_barrier_wait(&barrier);
	}
	return NULL;
}

static void test_barrier(void)
{
	pthread_t t[BN];

	pthread_barrier_init(&barrier, NULL, BN);
	for (int i = 0; i < BN; i++)
		pthread_create(&t[i], NULL, barrier_worker, NULL);
	for (int i = 0; i < BN; i++)
		pthread_join(t[i], NULL);
	check(!barrier_bad, "barrier", "a thread passed before all arrived");
}

/* ---- detached threads run and end on their own ---- */
static int detached_done;

static void *detached_worker(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&detached_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void test_detached(void)
{
	pthread_attr_t attr;
	int n = 0;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < 20; i++) {
		pthread_t t;
		if (pthread_create(&t, &attr, detached_worker, NULL) == 0)
			n++;
	}
	for (int i = 0;
	     i < 2000 && __atomic_load_n(&detached_done, __ATOMIC_SEQ_CST) < n;
	     i++)
		usleep(1000);
	check(n == 20 && detached_done == 20, "detached",
	      "not every detached thread ran");
}

/* ---- joining a thread that has long exited ---- */
static void *exit_early(void *arg)
{
	pthread_exit(arg);
}

static void test_join_exited(void)
{
	pthread_t t;
	void *r = NULL;

	pthread_create(&t, NULL, exit_early, (void *)0x1234);
	usleep(20000); /* it has exited by now */
	check(pthread_join(t, &r) == 0 && r == (void *)0x1234, "join_exited",
	      "join of an exited thread failed");
}

/* ---- __thread variables are per thread; tids differ ---- */
static __thread long tls_value = 7;
static __thread char tls_buf[64];

static void *tls_worker(void *arg)
{
	long me = (long)(intptr_t)arg;

	if (tls_value != 7 || tls_buf[0] != 0)
		return (void *)1;
	tls_value = me;
	snprintf(tls_buf, sizeof tls_buf, "thread %ld", me);
	for (int i = 0; i < 1000; i++) {
		sched_yield();
		if (tls_value != me)
			return (void *)1;
	}
	return (void *)(intptr_t)syscall(SYS_gettid);
}

static void test_tls(void)
{
	pthread_t t[8];
	long tids[8];
	int bad = 0;

	tls_value = 99;
	for (intptr_t i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, tls_worker, (void *)(i + 100));
	for (int i = 0; i < 8; i++) {
		void *r;
		pthread_join(t[i], &r);
		tids[i] = (long)(intptr_t)r;
		if (tids[i] <= 1)
			bad++;
		for (int j = 0; j < i; j++)
			if (tids[j] == tids[i])
				bad++;
	}
	check(!bad && tls_value == 99, "tls_per_thread",
	      "a __thread variable was shared, or tids collide");
	check(syscall(SYS_gettid) == getpid(), "main_tid_is_pid",
	      "gettid() != getpid() in the first thread");
}

/* ---- a pipe between two threads: both ends block for the other ---- */
enum { PIPE_BYTES = 300000 }; /* over four times the pipe's capacity */

static void *pipe_writer(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[7000];
	long sent = 0;

	usleep(20000); /* the reader finds the pipe empty and waits */
	while (sent < PIPE_BYTES) {
		int n = PIPE_BYTES - sent < (long)sizeof buf
				? (int)(PIPE_BYTES - sent)
				: (int)sizeof buf;
		for (int i = 0; i < n; i++)
			buf[i] = (char)((sent + i) % 251);
		ssize_t w = write(fd, buf, (size_t)n);
		if (w <= 0)
			return (void *)1;
		sent += w;
	}
	close(fd);
	return NULL;
}

static void test_pipe(void)
{
	int p[2];
	pthread_t t;
	char buf[4096];
	long got = 0, bad = 0;
	ssize_t r;
	void *wr;

	if (pipe(p) < 0) {
		check(0, "pipe_between_threads", "pipe() failed");
		return;
	}
	pthread_create(&t, NULL, pipe_writer, (void *)(intptr_t)p[1]);
	usleep(50000); /* the writer fills the pipe and waits */
	while ((r = read(p[0], buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < r; i++)
			bad += buf[i] != (char)((got + i) % 251);
		got += r;
	}
	pthread_join(t, &wr);
	close(p[0]);
	check(r == 0 && got == PIPE_BYTES && !bad && !wr,
	      "pipe_between_threads", "bytes lost, changed or an error");
}

/* ---- /proc/self/status counts the threads ---- */
static pthread_barrier_t status_barrier;

static void *status_worker(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&status_barrier); /* all alive */
	pthread_barrier_wait(&status_barrier); /* main has looked */
	return NULL;
}

static long status_threads(void)
{
	char line[128];
	long n = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Threads: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

static void test_status_threads(void)
{
	pthread_t t[3];
	long before, during;
	char why[64];

	before = status_threads();
	pthread_barrier_init(&status_barrier, NULL, 4);
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, status_worker, NULL);
	pthread_barrier_wait(&status_barrier);
	during = status_threads();
	pthread_barrier_wait(&status_barrier);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	snprintf(why, sizeof why, "Threads: %ld alone, %ld with 3 more", before,
		 during);
	check(during == before + 3, "proc_status_threads", why);
}

/* ---- a thread's CPU affinity is the machine's CPUs ---- */
static void *affinity_worker(void *arg)
{
	cpu_set_t set;

	(void)arg;
	if (pthread_getaffinity_np(pthread_self(), sizeof set, &set))
		return (void *)-1L;
	return (void *)(long)CPU_COUNT(&set);
}

static void test_affinity(void)
{
	pthread_t t;
	void *n;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char why[80];

	pthread_create(&t, NULL, affinity_worker, NULL);
	pthread_join(t, &n);
	snprintf(why, sizeof why, "thread sees %ld CPUs, sysconf %ld", (long)n,
		 cpus);
	check((long)n == cpus && cpus >= 1, "thread_affinity_all_cpus", why);
}

/* ---- clone for a new process fails cleanly ---- */
static void test_no_fork(void)
{
	errno = 0;
	check(fork() < 0 && errno == ENOSYS, "fork_fails_enosys",
	      "fork() did not fail with ENOSYS");
}

/* ---- figures (printed, never thresholds) ---- */
static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void *nothing(void *arg)
{
	return arg;
}

enum { ROUNDS_FIG = 2000 };
static volatile int turn;

/* Two threads hand a turn back and forth: through sched_yield (a context
 * switch each way), or through futex waits and wakes (wake to run). */
static void *yield_partner(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS_FIG; i++) {
		while (turn != 1)
			sched_yield();
		turn = 0;
	}
	return NULL;
}

static uint32_t fword;

static void *futex_partner(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS_FIG; i++) {
		while (__atomic_load_n(&fword, __ATOMIC_SEQ_CST) != 1)
			syscall(SYS_futex, &fword, 128, 0, NULL, NULL, 0);
		__atomic_store_n(&fword, 0, __ATOMIC_SEQ_CST);
		syscall(SYS_futex, &fword, 129, 1, NULL, NULL, 0);
	}
	return NULL;
}

static void figures(void)
{
	pthread_t t;
	double t0 = now_us();

	for (int i = 0; i < 100; i++) {
		pthread_create(&t, NULL, nothing, NULL);
		pthread_join(t, NULL);
	}
	printf("figure create_join %.1f us\n", (now_us() - t0) / 100);

	turn = 0;
	pthread_create(&t, NULL, yield_partner, NULL);
	t0 = now_us();
	for (int i = 0; i < ROUNDS_FIG; i++) {
		turn = 1;
		while (turn != 0)
			sched_yield();
	}
	printf("figure yield_switch %.2f us\n",
	       (now_us() - t0) / (2.0 * ROUNDS_FIG));
	pthread_join(t, NULL);

	fword = 0;
	pthread_create(&t, NULL, futex_partner, NULL);
	t0 = now_us();
	for (int i = 0; i < ROUNDS_FIG; i++) {
		__atomic_store_n(&fword, 1, __ATOMIC_SEQ_CST);
		syscall(SYS_futex, &fword, 129, 1, NULL, NULL, 0);
		while (__atomic_load_n(&fword, __ATOMIC_SEQ_CST) != 0)
			syscall(SYS_futex, &fword, 128, 1, NULL, NULL, 0);
	}
	printf("figure futex_wake_to_run %.2f us\n",
	       (now_us() - t0) / (2.0 * ROUNDS_FIG));
	pthread_join(t, NULL);
}

int main(void)
{
	test_create_join();
	test_mutex();
	test_condvar();
	test_barrier();
	test_detached();
	test_join_exited();
	test_tls();
	test_pipe();
	test_affinity();
	test_status_threads();
	test_no_fork();
	figures();
	printf("threads done: %d failures\n", failures);
	return failures ? 1 : 0;
}
