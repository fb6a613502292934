/* Stands in for kernel/sys/exec.c in the SMP test kernel: the boot thread
 * runs kernel threads on every CPU and prints PASS/FAIL lines. */
#include <kernel/arch.h>
#include <kernel/exec.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/power.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/time.h>

#include "kcmdline.h"
#include "sched/sched_priv.h"

#define MS 1000000UL
#define NTHREADS 16	/* workers per test: several per CPU */
#define NINCS 20000	/* increments per worker */

static int failures;

static int popcount(uint32_t v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static void pass(const char *name)
{
	kprintf("PASS smp_%s\n", name);
}

static void __printf(2, 3) fail(const char *name, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	kprintf("FAIL smp_%s: %s\n", name, why);
	failures++;
}

static struct semaphore done = SEMAPHORE_INIT(0);

/* Start n workers running fn (under the kernel lock: it allocates), then
 * wait for all (bounded) without it, as a thread in ring 3 would. */
static bool run_workers(const char *test, int n, thread_fn fn)
{
	bool ok = true;

	for (int i = 0; i < n; i++)
		if (!thread_create("worker", fn, (void *)(uintptr_t)i)) {
			fail(test, "thread_create failed");
			return false;
		}
	bkl_unlock();
	for (int i = 0; i < n; i++)
		if (sem_down(&done, clock_monotonic_ns() + 20000 * MS)) {
			fail(test, "worker %d of %d never finished", i, n);
			ok = false;
			break;
		}
	bkl_lock();
	return ok;
}

/* --- every CPU runs threads; counters stay exact --- */

static volatile uint32_t cpus_seen; /* bit per CPU id */
static struct spinlock count_lock = SPINLOCK_INIT;
static struct mutex count_mutex = MUTEX_INIT;
static uint64_t spin_count, mutex_count;
static volatile uint32_t active[MAX_CPUS]; /* a worker busy there now */
static volatile bool parallel;		    /* two CPUs busy at once */

static void note_cpu(void)
{
	__atomic_fetch_or(&cpus_seen, 1U << this_cpu()->id, __ATOMIC_RELAXED);
}

/* Busy with this CPU's flag up until another CPU's flag shows (two
 * workers really running at the same time) or 100 ms pass: vCPUs are
 * host threads, which a loaded host may not run at once for a while. (A
 * kernel thread is not preempted, so the flag is this worker's alone.) */
static void busy_window(void)
{
	unsigned me = this_cpu()->id;
	uint64_t end = clock_monotonic_ns() + 100 * MS;

	active[me] = 1;
	while (!parallel && clock_monotonic_ns() < end)
		for (unsigned c = 0; c < ncpus; c++)
			if (c != me && active[c])
				parallel = true;
	active[me] = 0;
}

/*
 * Workers drop the kernel lock (as a ring-3 thread runs without it), so
 * that they truly run at once: the spinlock and the mutex are then what
 * keeps the counts exact.
 */
static void counter_worker(void *arg __unused)
{
	bkl_unlock();
	note_cpu();
	for (int i = 0; i < NINCS; i++) {
		spin_lock(&count_lock);
		spin_count++;
		spin_unlock(&count_lock);
		if (i % 16 == 0) {
			mutex_lock(&count_mutex);
			mutex_count++;
			mutex_unlock(&count_mutex);
		}
		if (i == NINCS / 2)
			busy_window();
		if (i % 1000 == 0)
			note_cpu(); /* a thread may move between CPUs */
	}
	bkl_lock();
	sem_up(&done);
}

static void test_counters(void)
{
	uint32_t all = ncpus >= 32 ? ~0U : (1U << ncpus) - 1;
	uint64_t want_mutex = (uint64_t)NTHREADS * ((NINCS + 15) / 16);

	if (!run_workers("counters", NTHREADS, counter_worker))
		return;
	if (cpus_seen != all)
		fail("all_cpus_ran_threads", "CPUs seen %#x, want %#x",
		     cpus_seen, all);
	else
		pass("all_cpus_ran_threads");
	if (ncpus > 1 && !parallel)
		fail("threads_in_parallel", "never two CPUs busy at once");
	else
		pass("threads_in_parallel");
	if (spin_count != (uint64_t)NTHREADS * NINCS)
		fail("spinlock_counter", "%lu, want %lu", spin_count,
		     (uint64_t)NTHREADS * NINCS);
	else
		pass("spinlock_counter");
	if (mutex_count != want_mutex)
		fail("mutex_counter", "%lu, want %lu", mutex_count, want_mutex);
	else
		pass("mutex_counter");
}

/* --- the kernel lock serialises kernel threads that hold it --- */

static volatile uint32_t bkl_inside;
static volatile bool bkl_overlap;

static void bkl_worker(void *arg __unused)
{
	note_cpu();
	for (int i = 0; i < 200; i++) {
		if (__atomic_add_fetch(&bkl_inside, 1, __ATOMIC_RELAXED) != 1)
			bkl_overlap = true;
		for (volatile int j = 0; j < 200; j++)
			;
		__atomic_sub_fetch(&bkl_inside, 1, __ATOMIC_RELAXED);
		if (i % 50 == 0)
			thread_yield(); /* gives the lock up, takes it back */
	}
	sem_up(&done);
}

static void test_kernel_lock(void)
{
	if (!run_workers("kernel_lock", NTHREADS, bkl_worker))
		return;
	if (bkl_overlap)
		fail("kernel_lock_serialises", "two holders at once");
	else
		pass("kernel_lock_serialises");
}

/* --- sleeps wake on time, whatever the CPU --- */

static volatile uint32_t sleep_cpus;
static volatile uint64_t worst_late_ns;
static volatile bool woke_early;

/* The sleepers first spread out: each spins (kernel lock dropped, not
 * preemptible) until every CPU has one or 200 ms pass, so idle CPUs take
 * the others from the queues; a woken sleeper then goes back to its CPU
 * while that CPU idles. */
static void spread_out(void)
{
	uint32_t all = ncpus >= 32 ? ~0U : (1U << ncpus) - 1;
	uint64_t end = clock_monotonic_ns() + 200 * MS;

	bkl_unlock();
	__atomic_fetch_or(&sleep_cpus, 1U << this_cpu()->id, __ATOMIC_RELAXED);
	while (__atomic_load_n(&sleep_cpus, __ATOMIC_RELAXED) != all &&
	       clock_monotonic_ns() < end)
		cpu_relax();
	bkl_lock();
}

static void sleeper(void *arg)
{
	uint64_t ms = 5 + (uintptr_t)arg % 4 * 5;

	spread_out();
	for (int i = 0; i < 5; i++) {
		uint64_t t0 = clock_monotonic_ns(), late;

		__atomic_fetch_or(&sleep_cpus, 1U << this_cpu()->id,
				  __ATOMIC_RELAXED);
		thread_sleep_until(t0 + ms * MS);
		late = clock_monotonic_ns() - t0 - ms * MS;
		if ((int64_t)late < 0)
			woke_early = true;
		else if (late > worst_late_ns)
			worst_late_ns = late;
	}
	sem_up(&done);
}

static void test_sleeps(void)
{
	uint32_t all = ncpus >= 32 ? ~0U : (1U << ncpus) - 1;

	if (!run_workers("sleeps", NTHREADS, sleeper))
		return;
	kprintf("smp: worst sleep overshoot %lu us\n", worst_late_ns / 1000);
	if (woke_early)
		fail("sleeps_on_time", "a sleep ended early");
	else if (worst_late_ns > 1000 * MS) /* loose: vCPUs share host CPUs */
		fail("sleeps_on_time", "a sleep overshot by %lu ms",
		     worst_late_ns / MS);
	else if (sleep_cpus != all)
		fail("sleeps_on_time", "slept on CPUs %#x, want %#x",
		     sleep_cpus, all);
	else
		pass("sleeps_on_time");
}

/*
 * --- TLB shootdown: a remapped page is seen fresh on every CPU ---
 * Readers on the other CPUs keep reading a page, so their TLBs hold its
 * translation; the page is then remapped to another frame with
 * tlb_shootdown(), and the first read every reader makes afterwards must
 * see the new frame's contents, not the old one's.
 */
#define TLB_VA 0x40000000ULL /* in the (empty) application half */
#define OLD_VALUE 0x01d01d01d01d01dULL
#define NEW_VALUE 0x2e02e02e02e02eULL

static volatile uint32_t tlb_gen, tlb_ready, tlb_checked;
static volatile uint32_t tlb_stale; /* bit per CPU that read the old */
static volatile uint32_t tlb_cpus;

static void tlb_reader(void *arg __unused)
{
	volatile uint64_t *p = (volatile uint64_t *)TLB_VA;
	uint32_t me = 1U << this_cpu()->id;
	bool checked = false;

	bkl_unlock();
	/* Pinned by spinning: kernel code is never preempted. */
	__atomic_fetch_or(&tlb_cpus, me, __ATOMIC_RELAXED);
	while (*p == OLD_VALUE && !checked) {
		if (__atomic_load_n(&tlb_gen, __ATOMIC_ACQUIRE) == 0) {
			__atomic_fetch_or(&tlb_ready, me, __ATOMIC_RELAXED);
			cpu_relax();
			continue;
		}
		checked = true;
	}
	/* After the shootdown: one read, which must be fresh. */
	if (*p != NEW_VALUE)
		__atomic_fetch_or(&tlb_stale, me, __ATOMIC_RELAXED);
	__atomic_fetch_add(&tlb_checked, 1, __ATOMIC_RELEASE);
	bkl_lock();
	sem_up(&done);
}

static void test_tlb_shootdown(void)
{
	paddr_t a = pmm_alloc_page(), b = pmm_alloc_page();
	unsigned n = ncpus - 1;
	uint64_t end;

	if (n == 0) {
		pass("tlb_shootdown"); /* nothing to shoot down */
		return;
	}
	if (!a || !b || vmm_map_page(TLB_VA, a, PTE_WRITE | PTE_NX) < 0) {
		fail("tlb_shootdown", "out of memory");
		return;
	}
	*(uint64_t *)phys_to_virt(a) = OLD_VALUE;
	*(uint64_t *)phys_to_virt(b) = NEW_VALUE;
	for (unsigned i = 0; i < n; i++)
		thread_create("tlb", tlb_reader, NULL);
	/* Wait (without the kernel lock, which the readers start with)
	 * until n readers on n distinct CPUs read the old frame. */
	bkl_unlock();
	end = clock_monotonic_ns() + 10000 * MS;
	while (popcount(tlb_ready) < (int)n &&
	       clock_monotonic_ns() < end)
		thread_sleep_until(clock_monotonic_ns() + MS);
	bkl_lock();
	kprintf("smp: TLB readers on CPUs %#x\n", tlb_ready);
	/* The remap: the new frame in the PTE, every CPU's TLB flushed. */
	vmm_map_page(TLB_VA, b, PTE_WRITE | PTE_NX);
	tlb_shootdown(TLB_VA, TLB_VA + PAGE_SIZE);
	__atomic_store_n(&tlb_gen, 1, __ATOMIC_RELEASE);
	bkl_unlock();
	for (unsigned i = 0; i < n; i++)
		sem_down(&done, clock_monotonic_ns() + 10000 * MS);
	bkl_lock();
	if (popcount(tlb_ready) < (int)n)
		fail("tlb_shootdown", "readers on only %#x", tlb_ready);
	else if (tlb_checked != n)
		fail("tlb_shootdown", "%u of %u readers finished", tlb_checked,
		     n);
	else if (tlb_stale)
		fail("tlb_shootdown", "CPUs %#x read the old frame",
		     tlb_stale);
	else
		pass("tlb_shootdown");
	vmm_unmap_page(TLB_VA, NULL);
	tlb_shootdown(TLB_VA, TLB_VA + PAGE_SIZE);
}

/* --- idle CPUs halt --- */

static void test_idle_halts(void)
{
	uint64_t h0 = sched_stats.idle_halts;

	/* At least this CPU halts while the boot thread sleeps (a CPU
	 * halted all along adds none; the host's CPU time is the check that
	 * they all halt, in run.sh). */
	thread_sleep_until(clock_monotonic_ns() + 50 * MS);
	if (sched_stats.idle_halts == h0)
		fail("idle_halts", "no halt in 50 ms on %u CPUs", ncpus);
	else
		pass("idle_halts");
}

void exec_start_app(const struct kiln_boot_info *bi __unused,
		    const struct kcmdline *cl __unused)
{
	kprintf("smp: %u CPUs running\n", ncpus);
	test_counters();
	test_kernel_lock();
	test_sleeps();
	test_tlb_shootdown();
	test_idle_halts();
	machine_exit(failures ? 1 : 0);
}
