/* Signals and threads: pthread_kill runs the handler on the named thread
 * and ends its futex wait with EINTR; masks are per thread. Prints "ok
 * NAME" or "not ok NAME: why"; runs on Linux too (run.sh runs it on the
 * host first). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE 128

static int failures;
static volatile long handled_on, handled_count;

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

static long gettid_(void)
{
	return syscall(SYS_gettid);
}

static void on_signal(int sig)
{
	(void)sig;
	handled_on = gettid_();
	handled_count++;
}

/* ---- pthread_kill interrupts a futex wait on the named thread ---- */
static uint32_t word;
static volatile long waiter_tid, waiter_result;

static void *futex_waiter(void *arg)
{
	(void)arg;
	waiter_tid = gettid_();
	waiter_result = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL,
				NULL, 0) < 0
				? -errno
				: 0;
	return NULL;
}

static void test_kill_interrupts_wait(void)
{
	pthread_t t;
	char why[96];

	handled_on = handled_count = 0;
	pthread_create(&t, NULL, futex_waiter, NULL);
	usleep(100000); /* it waits */
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	snprintf(why, sizeof why, "handler on %ld (waiter %ld), wait gave %ld",
		 handled_on, waiter_tid, waiter_result);
	check(handled_count == 1 && handled_on == waiter_tid &&
		      waiter_result == -EINTR,
	      "pthread_kill_runs_handler_on_thread_eintr", why);
}

/* ---- pthread_kill interrupts a nanosleep, which reports the rest ---- */
static volatile long sleeper_tid, sleeper_result;
static struct timespec sleeper_rem;

static void *sleeper(void *arg)
{
	struct timespec req = {5, 0};

	(void)arg;
	sleeper_tid = gettid_();
	sleeper_result = nanosleep(&req, &sleeper_rem) < 0 ? -errno : 0;
	return NULL;
}

static void test_kill_interrupts_sleep(void)
{
	pthread_t t;
	char why[128];

	handled_on = handled_count = 0;
	pthread_create(&t, NULL, sleeper, NULL);
	usleep(100000);
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	snprintf(why, sizeof why,
		 "handler on %ld (sleeper %ld), sleep gave %ld, rem %ld.%09ld",
		 handled_on, sleeper_tid, sleeper_result,
		 (long)sleeper_rem.tv_sec, sleeper_rem.tv_nsec);
	check(handled_count == 1 && handled_on == sleeper_tid &&
		      sleeper_result == -EINTR && sleeper_rem.tv_sec >= 4 &&
		      sleeper_rem.tv_sec < 5,
	      "pthread_kill_interrupts_nanosleep", why);
}

/* ---- masks are per thread ---- */
static volatile int unblocked;
static volatile long blocker_tid, seen_before_unblock;

static void *blocker(void *arg)
{
	sigset_t s;

	(void)arg;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	blocker_tid = gettid_();
	while (!unblocked)
		usleep(1000);
	seen_before_unblock = handled_count;
	pthread_sigmask(SIG_UNBLOCK, &s, NULL); /* runs the handler */
	return NULL;
}

static void test_per_thread_mask(void)
{
	pthread_t t;
	sigset_t mine;
	char why[128];

	handled_on = handled_count = 0;
	pthread_create(&t, NULL, blocker, NULL);
	while (!blocker_tid)
		usleep(1000);
	pthread_kill(t, SIGUSR2);
	usleep(20000);
	pthread_sigmask(SIG_BLOCK, NULL, &mine);
	unblocked = 1;
	pthread_join(t, NULL);
	snprintf(why, sizeof why,
		 "before unblock %ld handled, after %ld on %ld (thread %ld), "
		 "main blocks it: %d",
		 seen_before_unblock, handled_count, handled_on, blocker_tid,
		 sigismember(&mine, SIGUSR2));
	check(seen_before_unblock == 0 && handled_count == 1 &&
		      handled_on == blocker_tid && !sigismember(&mine, SIGUSR2),
	      "mask_per_thread", why);
}

/* ---- raise() in a thread runs the handler there ---- */
static void *raiser(void *arg)
{
	(void)arg;
	raise(SIGUSR1);
	return (void *)gettid_();
}

static void test_raise_in_thread(void)
{
	pthread_t t;
	void *tid;

	handled_on = handled_count = 0;
	pthread_create(&t, NULL, raiser, NULL);
	pthread_join(t, &tid);
	check(handled_count == 1 && handled_on == (long)(intptr_t)tid,
	      "raise_in_thread", "the handler ran elsewhere or not at all");
}

int main(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	test_kill_interrupts_wait();
	test_kill_interrupts_sleep();
	test_per_thread_mask();
	test_raise_in_thread();
	printf("signals done: %d failures\n", failures);
	return failures != 0;
}
