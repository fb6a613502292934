/* futex(2) directly: timeouts, EAGAIN, requeue, bitsets. Prints "ok NAME"
 * or "not ok NAME: why" per check. Runs on Linux too (run.sh runs it on
 * the host first, so the checks themselves are known to be right). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Linux's futex operations (include/uapi/linux/futex.h): musl-gcc has no
 * kernel headers. */
#define FUTEX_WAIT_PRIVATE	  128
#define FUTEX_WAKE		  1
#define FUTEX_WAKE_PRIVATE	  129
#define FUTEX_REQUEUE_PRIVATE	  131
#define FUTEX_CMP_REQUEUE_PRIVATE 132
#define FUTEX_WAIT_BITSET_PRIVATE 137
#define FUTEX_WAKE_BITSET_PRIVATE 138
#define FUTEX_CLOCK_REALTIME	  256
#define FUTEX_BITSET_MATCH_ANY	  0xffffffffU

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

static long futex(uint32_t *uaddr, int op, uint32_t val,
		  const struct timespec *ts, uint32_t *uaddr2, uint32_t val3)
{
	long r = syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);

	return r < 0 ? -errno : r;
}

static double now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct timespec abs_in(clockid_t c, long ms)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	ts.tv_nsec += ms * 1000000;
	ts.tv_sec += ts.tv_nsec / 1000000000;
	ts.tv_nsec %= 1000000000;
	return ts;
}

static void test_timeouts(void)
{
	uint32_t word = 5;
	struct timespec rel = {0, 100000000}, abs;
	double t0, dt;
	long r;
	char why[96];

	t0 = now(CLOCK_MONOTONIC);
	r = futex(&word, FUTEX_WAIT_PRIVATE, 5, &rel, NULL, 0);
	dt = now(CLOCK_MONOTONIC) - t0;
	snprintf(why, sizeof why, "returned %ld after %.3f s", r, dt);
	check(r == -ETIMEDOUT && dt >= 0.1 && dt < 0.2, "wait_relative_timeout",
	      why);

	abs = abs_in(CLOCK_MONOTONIC, 100);
	t0 = now(CLOCK_MONOTONIC);
	r = futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &abs, NULL,
		  FUTEX_BITSET_MATCH_ANY);
	dt = now(CLOCK_MONOTONIC) - t0;
	snprintf(why, sizeof why, "returned %ld after %.3f s", r, dt);
	check(r == -ETIMEDOUT && dt >= 0.09 && dt < 0.2,
	      "wait_bitset_absolute_monotonic", why);

	abs = abs_in(CLOCK_REALTIME, 100);
	t0 = now(CLOCK_MONOTONIC);
	r = futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 5,
		  &abs, NULL, FUTEX_BITSET_MATCH_ANY);
	dt = now(CLOCK_MONOTONIC) - t0;
	snprintf(why, sizeof why, "returned %ld after %.3f s", r, dt);
	check(r == -ETIMEDOUT && dt >= 0.09 && dt < 0.2,
	      "wait_bitset_absolute_realtime", why);

	r = futex(&word, FUTEX_WAIT_PRIVATE, 6, &rel, NULL, 0);
	check(r == -EAGAIN, "wait_wrong_value_eagain", "not EAGAIN");
	r = futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &rel, NULL, 0);
	check(r == -EINVAL, "wait_bitset_zero_einval", "not EINVAL");
	r = futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	check(r == 0, "wake_nobody", "woke someone");
	r = futex((uint32_t *)((char *)&word + 1), FUTEX_WAKE, 1, NULL, NULL,
		  0);
	check(r == -EINVAL, "unaligned_einval", "not EINVAL");
}

/* Waiters: each waits on its word with its bitset, then counts itself. */
struct waiter {
	uint32_t *word;
	uint32_t bitset;
	long result;
	int done;
};

static void *wait_on(void *arg)
{
	struct waiter *w = arg;

	w->result = futex(w->word, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL,
			  w->bitset);
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void start(pthread_t *t, struct waiter *w, uint32_t *word,
		  uint32_t bitset)
{
	w->word = word;
	w->bitset = bitset;
	w->done = 0;
	pthread_create(t, NULL, wait_on, w);
}

static int count_done(struct waiter *w, int n)
{
	int c = 0;

	for (int i = 0; i < n; i++)
		c += __atomic_load_n(&w[i].done, __ATOMIC_SEQ_CST);
	return c;
}

static void test_requeue(void)
{
	static uint32_t a, b;
	pthread_t t[3];
	struct waiter w[3];
	long r, ra, rb;
	char why[96];

	for (int i = 0; i < 3; i++)
		start(&t[i], &w[i], &a, FUTEX_BITSET_MATCH_ANY);
	usleep(100000); /* all three are waiting on a */
	r = futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)2L, &b, 7);
	check(r == -EAGAIN, "cmp_requeue_wrong_value_eagain", "not EAGAIN");
	r = futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1L, &b, 0);
	usleep(50000);
	snprintf(why, sizeof why, "returned %ld, %d woke", r, count_done(w, 3));
	check(r == 2 && count_done(w, 3) == 1, "cmp_requeue_wakes_1_moves_1",
	      why);
	r = futex(&a, FUTEX_REQUEUE_PRIVATE, 0, (void *)5L, &b, 0);
	ra = futex(&a, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
	usleep(50000);
	snprintf(why, sizeof why, "requeue %ld, then wake a %ld, %d woke", r,
		 ra, count_done(w, 3));
	check(r == 1 && ra == 0 && count_done(w, 3) == 1,
	      "requeue_moves_the_rest", why);
	rb = futex(&b, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	snprintf(why, sizeof why, "wake b woke %ld", rb);
	check(rb == 2 && w[0].result == 0 && w[1].result == 0 &&
		      w[2].result == 0,
	      "requeued_waiters_woken_on_target", why);
}

static void test_bitset(void)
{
	static uint32_t word;
	pthread_t t[2];
	struct waiter w[2];
	long r1, r2;
	char why[96];

	start(&t[0], &w[0], &word, 0x1);
	start(&t[1], &w[1], &word, 0x2);
	usleep(100000);
	r1 = futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 0x4);
	r2 = futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 0x2);
	usleep(50000);
	snprintf(why, sizeof why, "bits 0x4 woke %ld, 0x2 woke %ld, done %d %d",
		 r1, r2, w[0].done, w[1].done);
	check(r1 == 0 && r2 == 1 && !w[0].done && w[1].done,
	      "wake_bitset_matches_bits", why);
	r1 = futex(&word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	check(r1 == 1 && w[0].done, "wake_wakes_any_bitset",
	      "plain FUTEX_WAKE missed a bitset waiter");
}

/* FUTEX_WAKE wakes at most val waiters, oldest first. */
static void test_wake_count(void)
{
	static uint32_t word;
	pthread_t t[4];
	struct waiter w[4];
	long r;
	char why[64];

	for (int i = 0; i < 4; i++)
		start(&t[i], &w[i], &word, FUTEX_BITSET_MATCH_ANY);
	usleep(100000);
	r = futex(&word, FUTEX_WAKE_PRIVATE, 3, NULL, NULL, 0);
	usleep(50000);
	snprintf(why, sizeof why, "woke %ld, %d done", r, count_done(w, 4));
	check(r == 3 && count_done(w, 4) == 3, "wake_n_of_4", why);
	futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
}

/* ---- bad arguments are errors, never a crash ---- */
#define CLONE_THREAD_SET 0x7d0f00 /* musl's pthread_create flags */
#define CLONE_SIGHAND	 0x800
#define CLONE_SETTLS	 0x80000

static void test_bad_args(void)
{
	static uint32_t word;
	long r;

	r = futex(NULL, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	check(r == -EFAULT, "wait_null_efault", "not EFAULT");
	r = futex((uint32_t *)0xffff800000000000UL, FUTEX_WAIT_PRIVATE, 0, NULL,
		  NULL, 0);
	check(r == -EFAULT, "wait_kernel_address_efault", "not EFAULT");
	r = futex(&word, FUTEX_WAIT_PRIVATE, 0,
		  (struct timespec *)0xffff800000000000UL, NULL, 0);
	check(r == -EFAULT, "wait_bad_timeout_efault", "not EFAULT");
	r = futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)1L,
		  (uint32_t *)((char *)&word + 2), 0);
	check(r == -EINVAL, "requeue_unaligned_target_einval", "not EINVAL");
	r = syscall(SYS_clone, CLONE_THREAD_SET & ~CLONE_SIGHAND, NULL, NULL,
		    NULL, 0) < 0
		    ? -errno
		    : 0;
	check(r == -EINVAL, "clone_thread_without_sighand_einval",
	      "not EINVAL");
	r = syscall(SYS_clone, CLONE_THREAD_SET | CLONE_SETTLS, NULL, NULL,
		    NULL, 0xffff800000000000UL) < 0
		    ? -errno
		    : 0;
	check(r == -EPERM, "clone_kernel_tls_eperm", "not EPERM");
	r = syscall(SYS_tkill, 0x7ffffff0, 0) < 0 ? -errno : 0;
	check(r == -ESRCH, "tkill_no_such_thread_esrch", "not ESRCH");
	r = syscall(SYS_tgkill, getpid() + 1000000, getpid(), 0) < 0 ? -errno
								     : 0;
	check(r == -ESRCH, "tgkill_other_process_esrch", "not ESRCH");
	r = syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), 0) < 0 ? -errno
								      : 0;
	check(r == 0, "tgkill_self_signal_0", "not 0");
}

int main(void)
{
	test_timeouts();
	test_requeue();
	test_bitset();
	test_wake_count();
	test_bad_args();
	printf("futex done: %d failures\n", failures);
	return failures != 0;
}
