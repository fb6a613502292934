/* meminfo=MS: the guest's memory in use, reported MS ms into the run. */
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/sched.h>
#include <kernel/time.h>

/*
 * For sizing -m and for the bench's "guest memory in use" row: frames in
 * use (kernel image, page tables, heap, stacks, the application and its
 * files, network buffers) out of the frames the kernel manages, the
 * figure Linux gives as MemTotal - MemAvailable. Written straight to the
 * console, whatever verbose= says, as one line a script can match:
 *   kiln-meminfo: used N kB, free N kB, total N kB
 */
static void meminfo_thread(void *arg)
{
	uint64_t deadline = (uint64_t)(uintptr_t)arg;
	size_t kb = PAGE_SIZE / 1024, total, free;
	char line[96];
	int n;

	thread_sleep_until(deadline);
	total = pmm_total_count();
	free = pmm_free_count();
	n = snprintf(line, sizeof line,
		     "kiln-meminfo: used %zu kB, free %zu kB, total %zu kB\n",
		     (total - free) * kb, free * kb, total * kb);
	console_write(line, (size_t)n);
}

void meminfo_report_after(long ms)
{
	uint64_t deadline = clock_monotonic_ns() + (uint64_t)ms * 1000000ULL;

	if (ms >= 0 && !thread_create("meminfo", meminfo_thread,
				      (void *)(uintptr_t)deadline))
		log_warn("meminfo=: out of memory for its thread");
}
