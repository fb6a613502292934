/* Stands in for kernel/sys/exec.c in the scheduler test kernel: instead of
 * starting the application, the boot thread runs the scheduler's tests and
 * prints PASS/FAIL lines; "-- overflow" overflows a thread's stack. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/exec.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/power.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/time.h>

#include "arch/x86_64/trap.h"
#include "kcmdline.h"
#include "sched/sched_priv.h"

#define MS 1000000ULL

static int failures;

static void pass(const char *name)
{
	kprintf("PASS sched_%s\n", name);
}

static void __printf(2, 3) fail(const char *name, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	kprintf("FAIL sched_%s: %s\n", name, why);
	failures++;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rand64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* --- 50 threads yield in turn and join through a semaphore --- */

#define NYIELDERS 50
#define NYIELDS	  100

static struct semaphore yield_done = SEMAPHORE_INIT(0);
static int yield_progress[NYIELDERS];
static bool yield_unfair;

static void yielder(void *arg)
{
	int me = (int)(uintptr_t)arg;

	for (int i = 0; i < NYIELDS; i++) {
		/* FIFO round robin: nobody is more than one turn apart. */
		for (int j = 0; j < NYIELDERS; j++) {
			int d = yield_progress[j] - yield_progress[me];
			if (d > 1 || d < -1)
				yield_unfair = true;
		}
		yield_progress[me]++;
		thread_yield();
	}
	sem_up(&yield_done);
}

static void test_yield_50(void)
{
	size_t stacks = kstack_count();

	for (int i = 0; i < NYIELDERS; i++)
		if (!thread_create("yielder", yielder, (void *)(uintptr_t)i)) {
			fail("yield_50_threads", "thread_create failed");
			return;
		}
	for (int i = 0; i < NYIELDERS; i++)
		if (sem_down(&yield_done, clock_monotonic_ns() + 5000 * MS)) {
			fail("yield_50_threads", "thread %d never joined", i);
			return;
		}
	for (int i = 0; i < NYIELDERS; i++)
		if (yield_progress[i] != NYIELDS) {
			fail("yield_50_threads", "thread %d: %d yields", i,
			     yield_progress[i]);
			return;
		}
	if (yield_unfair)
		fail("yield_50_threads", "threads more than a turn apart");
	else if (kstack_count() != stacks)
		fail("yield_50_threads", "%zu stacks left over",
		     kstack_count() - stacks);
	else
		pass("yield_50_threads");
}

/* --- ping-pong over two semaphores --- */

#define NPINGS 10000

static struct semaphore ping = SEMAPHORE_INIT(0), pong = SEMAPHORE_INIT(0);
static struct semaphore pp_done = SEMAPHORE_INIT(0);
static int pings_seen, pongs_seen;

static void pinger(void *arg __unused)
{
	for (int i = 0; i < NPINGS; i++) {
		sem_up(&ping);
		sem_down(&pong, 0);
		pongs_seen++;
	}
	sem_up(&pp_done);
}

static void ponger(void *arg __unused)
{
	for (int i = 0; i < NPINGS; i++) {
		sem_down(&ping, 0);
		pings_seen++;
		sem_up(&pong);
	}
	sem_up(&pp_done);
}

static void test_pingpong(void)
{
	uint64_t sw = sched_stats.switches;
	uint64_t t0 = clock_monotonic_ns();

	if (!thread_create("ping", pinger, NULL) ||
	    !thread_create("pong", ponger, NULL)) {
		fail("pingpong", "thread_create failed");
		return;
	}
	for (int i = 0; i < 2; i++)
		if (sem_down(&pp_done, t0 + 20000 * MS)) {
			fail("pingpong", "%d pings, %d pongs after 20 s",
			     pings_seen, pongs_seen);
			return;
		}
	uint64_t dt = clock_monotonic_ns() - t0;
	kprintf("sched: ping-pong %d round trips in %lu us: %lu ns each, "
		"%lu switches\n",
		NPINGS, dt / 1000, dt / NPINGS, sched_stats.switches - sw);
	if (pings_seen != NPINGS || pongs_seen != NPINGS)
		fail("pingpong", "%d pings, %d pongs", pings_seen, pongs_seen);
	else
		pass("pingpong");
}

/* --- sleeping --- */

static void test_sleep_20ms(void)
{
	uint64_t t0 = clock_monotonic_ns();

	thread_sleep_until(t0 + 20 * MS);
	uint64_t dt = clock_monotonic_ns() - t0;
	kprintf("sched: slept 20 ms in %lu us\n", dt / 1000);
	if (dt < 20 * MS || dt >= 40 * MS)
		fail("sleep_20ms", "took %lu us", dt / 1000);
	else
		pass("sleep_20ms");
}

/* While everything sleeps the idle thread halts, and with one-shot timers
 * nothing interrupts it but the sleeper's own deadline (a 100 Hz tick
 * would take 20 interrupts). */
static void test_idle_halts(void)
{
	uint64_t irqs = this_cpu()->irq_count[VEC_TIMER];
	uint64_t halts = sched_stats.idle_halts;

	thread_sleep_until(clock_monotonic_ns() + 200 * MS);
	irqs = this_cpu()->irq_count[VEC_TIMER] - irqs;
	halts = sched_stats.idle_halts - halts;
	kprintf("sched: 200 ms asleep: %lu timer interrupts, %lu halts\n", irqs,
		halts);
	if (halts < 1)
		fail("idle_halts", "the idle thread never halted");
	else if (irqs > 3 || halts > irqs + 2)
		fail("idle_halts", "%lu timer interrupts, %lu halts", irqs,
		     halts);
	else
		pass("idle_halts");
}

/* --- 100 timers at random deadlines fire in order, never early --- */

#define NTIMERS 100

static struct timer timers[NTIMERS];
static int fired_order[NTIMERS];
static uint64_t fired_at[NTIMERS];
static int nfired;
static struct semaphore timers_done = SEMAPHORE_INIT(0);

static void timer_fired(void *arg)
{
	int i = (int)(uintptr_t)arg;

	fired_at[i] = clock_monotonic_ns();
	fired_order[nfired++] = i;
	if (nfired == NTIMERS)
		sem_up(&timers_done); /* from interrupt context */
}

static void test_timers_in_order(void)
{
	uint64_t base = clock_monotonic_ns() + 2 * MS;

	/* Deadlines on a 1 ms grid so that some are equal: those must
	 * fire in the order they were armed. */
	for (int i = 0; i < NTIMERS; i++)
		timer_arm(&timers[i], base + (rand64() % 30) * MS, timer_fired,
			  (void *)(uintptr_t)i);
	if (sem_down(&timers_done, base + 2000 * MS)) {
		fail("timers_in_order", "%d of %d fired", nfired, NTIMERS);
		return;
	}
	for (int k = 0; k < NTIMERS; k++) {
		int i = fired_order[k];
		if (fired_at[i] < timers[i].deadline_ns) {
			fail("timers_in_order", "timer %d fired %lu ns early",
			     i, timers[i].deadline_ns - fired_at[i]);
			return;
		}
		if (k == 0)
			continue;
		int p = fired_order[k - 1];
		if (timers[p].deadline_ns > timers[i].deadline_ns ||
		    (timers[p].deadline_ns == timers[i].deadline_ns && p > i)) {
			fail("timers_in_order", "timer %d fired before %d", p,
			     i);
			return;
		}
	}
	uint64_t late = 0, worst = 0;
	for (int i = 0; i < NTIMERS; i++) {
		uint64_t l = fired_at[i] - timers[i].deadline_ns;
		late += l;
		worst = MAX(worst, l);
	}
	kprintf("sched: timers fired %lu us late on average, %lu us at "
		"worst\n",
		late / NTIMERS / 1000, worst / 1000);
	pass("timers_in_order");
}

static int cancel_hits;

static void cancel_fn(void *arg __unused)
{
	cancel_hits++;
}

static void test_timer_cancel(void)
{
	struct timer a = {0}, b = {0};
	uint64_t now = clock_monotonic_ns();

	timer_arm(&a, now + 5 * MS, cancel_fn, NULL);
	timer_arm(&b, now + 1 * MS, cancel_fn, NULL);
	timer_arm(&b, now + 3 * MS, cancel_fn, NULL); /* moved, not twice */
	bool stopped = timer_cancel(&a);
	bool again = timer_cancel(&a);
	thread_sleep_until(now + 10 * MS);
	if (!stopped || again)
		fail("timer_cancel", "cancel returned %d, then %d", stopped,
		     again);
	else if (cancel_hits != 1 || b.pending)
		fail("timer_cancel", "%d callbacks, expected 1", cancel_hits);
	else
		pass("timer_cancel");
}

/* --- wait queues --- */

static struct waitq fifo_wq = WAITQ_INIT;
static int fifo_order[5], fifo_n;
static struct semaphore fifo_done = SEMAPHORE_INIT(0);

static void fifo_waiter(void *arg)
{
	waitq_prepare(&fifo_wq);
	if (waitq_wait(&fifo_wq, 0) == 0)
		fifo_order[fifo_n++] = (int)(uintptr_t)arg;
	sem_up(&fifo_done);
}

static void test_waitq_fifo(void)
{
	for (int i = 0; i < 5; i++)
		thread_create("waiter", fifo_waiter, (void *)(uintptr_t)i);
	thread_yield(); /* all five queue up, in creation order */
	for (int i = 0; i < 4; i++) {
		waitq_wake_one(&fifo_wq);
		sem_down(&fifo_done, 0);
	}
	waitq_wake_all(&fifo_wq);
	sem_down(&fifo_done, 0);
	for (int i = 0; i < 5; i++)
		if (fifo_order[i] != i) {
			fail("waitq_fifo", "waiter %d woke as number %d",
			     fifo_order[i], i);
			return;
		}
	if (fifo_wq.head)
		fail("waitq_fifo", "queue not empty");
	else
		pass("waitq_fifo");
}

static struct waitq tmo_wq = WAITQ_INIT;

static void wake_tmo_wq(void *arg __unused)
{
	waitq_wake_one(&tmo_wq); /* from interrupt context */
}

static void test_waitq_timeout_and_irq_wake(void)
{
	uint64_t t0 = clock_monotonic_ns();
	struct timer t = {0};
	int err;

	waitq_prepare(&tmo_wq);
	err = waitq_wait(&tmo_wq, t0 + 5 * MS);
	uint64_t dt = clock_monotonic_ns() - t0;
	if (err != -ETIMEDOUT || dt < 5 * MS || tmo_wq.head) {
		fail("waitq_timeout", "err %d after %lu us", err, dt / 1000);
		return;
	}
	pass("waitq_timeout");

	/* A wake from a timer's callback (interrupt context) beats the
	 * waiter's own, later deadline. */
	t0 = clock_monotonic_ns();
	timer_arm(&t, t0 + 2 * MS, wake_tmo_wq, NULL);
	waitq_prepare(&tmo_wq);
	err = waitq_wait(&tmo_wq, t0 + 500 * MS);
	dt = clock_monotonic_ns() - t0;
	if (err || dt < 2 * MS || dt > 100 * MS)
		fail("waitq_irq_wake", "err %d after %lu us", err, dt / 1000);
	else
		pass("waitq_irq_wake");

	/* A wake between prepare and wait is not lost. */
	waitq_prepare(&tmo_wq);
	waitq_wake_one(&tmo_wq);
	err = waitq_wait(&tmo_wq, clock_monotonic_ns() + 100 * MS);
	if (err)
		fail("waitq_early_wake", "lost: err %d", err);
	else
		pass("waitq_early_wake");
}

static void test_sem_timeout(void)
{
	struct semaphore s;
	uint64_t t0 = clock_monotonic_ns();

	sem_init(&s, 0);
	int err = sem_down(&s, t0 + 3 * MS);
	uint64_t dt = clock_monotonic_ns() - t0;
	sem_up(&s);
	int err2 = sem_down(&s, t0 + 1); /* a unit is there: no wait */
	if (err != -ETIMEDOUT || dt < 3 * MS || err2 || s.count ||
	    s.waiters.head)
		fail("sem_timeout", "err %d after %lu us, then %d", err,
		     dt / 1000, err2);
	else
		pass("sem_timeout");
}

/* --- mutex under contention (yields inside the critical section) --- */

#define NLOCKERS 4
#define NLOCKS	 500

static struct mutex mtx = MUTEX_INIT;
static int counter, inside;
static bool overlap;
static struct semaphore lock_done = SEMAPHORE_INIT(0);

static void locker(void *arg __unused)
{
	for (int i = 0; i < NLOCKS; i++) {
		mutex_lock(&mtx);
		if (inside++)
			overlap = true;
		int c = counter;
		thread_yield();
		counter = c + 1;
		inside--;
		mutex_unlock(&mtx);
	}
	sem_up(&lock_done);
}

static void test_mutex(void)
{
	for (int i = 0; i < NLOCKERS; i++)
		thread_create("locker", locker, NULL);
	for (int i = 0; i < NLOCKERS; i++)
		sem_down(&lock_done, 0);
	if (overlap || counter != NLOCKERS * NLOCKS)
		fail("mutex", "counter %d of %d%s", counter, NLOCKERS * NLOCKS,
		     overlap ? ", overlapping holders" : "");
	else
		pass("mutex");
}

/* --- user threads keep their own FS base --- */

static struct semaphore fs_done = SEMAPHORE_INIT(0);
static bool fs_wrong;

static void fs_user(void *arg)
{
	uint64_t mine = (uint64_t)(uintptr_t)arg;

	thread_mark_user();
	if (rdmsr(MSR_FS_BASE) != 0)
		fs_wrong = true;
	wrmsr(MSR_FS_BASE, mine); /* as arch_prctl(ARCH_SET_FS) does */
	for (int i = 0; i < 100; i++) {
		thread_yield();
		if (rdmsr(MSR_FS_BASE) != mine)
			fs_wrong = true;
	}
	sem_up(&fs_done);
}

static void test_fs_base(void)
{
	thread_create("user1", fs_user, (void *)0x7000100000ULL);
	thread_create("user2", fs_user, (void *)0x7000200000ULL);
	sem_down(&fs_done, 0);
	sem_down(&fs_done, 0);
	if (fs_wrong)
		fail("fs_base_per_user_thread", "a thread saw another's FS");
	else
		pass("fs_base_per_user_thread");
}

/* --- the way back to ring 3 gives way to woken threads --- */

static struct semaphore preempt_sem = SEMAPHORE_INIT(0);
static volatile bool preempt_ran;

static void woken_by_interrupt(void *arg __unused)
{
	sem_down(&preempt_sem, 0);
	preempt_ran = true;
}

static void test_preempt_user(void)
{
	thread_create("woken", woken_by_interrupt, NULL);
	thread_yield();	      /* it blocks */
	sem_up(&preempt_sem); /* as an interrupt handler would */
	bool before = preempt_ran;
	sched_preempt_user(); /* what trap and syscall exits call */
	if (before || !preempt_ran)
		fail("preempt_user", "woken thread %s",
		     before ? "ran too early" : "did not run first");
	else
		pass("preempt_user");
}

/* --- stacks: guard page, no leak --- */

static struct semaphore quick_done = SEMAPHORE_INIT(0);
static struct semaphore hold = SEMAPHORE_INIT(0);

static void quick(void *arg __unused)
{
	sem_up(&quick_done);
}

/* Alive (blocked) until the test has looked at its stack. */
static void held(void *arg __unused)
{
	sem_down(&hold, 0);
}

static void test_stacks(void)
{
	size_t stacks = kstack_count(), frames;
	struct thread *t = thread_create("held", held, NULL);

	thread_yield(); /* it runs and blocks */
	uintptr_t b = t->kstack_bottom, top = t->kstack_top;
	bool guard_mapped = vmm_lookup(b - PAGE_SIZE) & PTE_PRESENT;
	bool stack_mapped = true;
	for (uintptr_t p = b; p < top; p += PAGE_SIZE)
		stack_mapped &= !!(vmm_lookup(p) & PTE_PRESENT);
	sem_up(&hold);
	thread_yield(); /* it exits */
	if (guard_mapped || !stack_mapped ||
	    top - b != KSTACK_PAGES * PAGE_SIZE) {
		fail("stack_guard", "stack %#lx-%#lx: guard %s, stack %s", b,
		     top, guard_mapped ? "mapped" : "absent",
		     stack_mapped ? "mapped" : "not all mapped");
		return;
	}
	pass("stack_guard");

	frames = pmm_free_count();
	for (int round = 0; round < 10; round++) {
		for (int i = 0; i < 20; i++)
			thread_create("quick", quick, NULL);
		for (int i = 0; i < 20; i++)
			sem_down(&quick_done, 0);
	}
	thread_yield(); /* the last one is freed once we run again */
	if (kstack_count() != stacks || pmm_free_count() < frames)
		fail("stacks_freed", "%zu stacks, %zu frames lost",
		     kstack_count() - stacks, frames - pmm_free_count());
	else
		pass("stacks_freed");
}

/* --- "-- overflow": a thread runs off its stack --- */

static struct semaphore never = SEMAPHORE_INIT(0);

/* Deep enough to run off any stack; the bound only keeps the compiler
 * from calling it infinite. */
static __attribute__((noinline)) int recurse(int depth)
{
	volatile char pad[256];

	pad[0] = (char)depth;
	if (depth > 1000000)
		return 0;
	return recurse(depth + 1) + pad[0];
}

static void overflower(void *arg __unused)
{
	kprintf("sched: overflow guard page 0x%lx\n",
		thread_current()->kstack_bottom - PAGE_SIZE);
	recurse(0);
}

void exec_start_app(const struct kiln_boot_info *bi __unused,
		    const struct kcmdline *cl)
{
	if (cl->argc > 0 && !strcmp(cl->argv[0], "overflow")) {
		thread_create("overflow", overflower, NULL);
		sem_down(&never, 0);
	}
	test_yield_50();
	test_pingpong();
	test_sleep_20ms();
	test_idle_halts();
	test_timers_in_order();
	test_timer_cancel();
	test_waitq_fifo();
	test_waitq_timeout_and_irq_wake();
	test_sem_timeout();
	test_mutex();
	test_fs_base();
	test_preempt_user();
	test_stacks();
	machine_exit(failures ? 1 : 0);
}
