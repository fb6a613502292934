/* Hostile guest: invalid system call arguments get Linux's errors; valid ones work. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include "../rawsys.h"

/*
 * Each check compares a raw system call result with what Linux returns,
 * so this program passes on a Linux host too (`musl-gcc -static` and run
 * it there): the kernel's answers are Linux's.
 */

static void expect(const char *what, long got, long want)
{
	expect_named("badargs", what, got, want);
}

#define EPERM_ 1
#define ESRCH_ 3
#define EAGAIN_ 11
#define EBADF_ 9
#define ENOMEM_ 12
#define EFAULT_ 14
#define EEXIST_ 17
#define EINVAL_ 22
#define ERANGE_ 34
#define EOPNOTSUPP_ 95
#define ETIMEDOUT_ 110
#define MAP_FIXED_NOREPLACE_ 0x100000

static void memory(void)
{
	long pg = 4096, a, b;

	expect("mmap len 0", S(mmap, 0, 0, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), -EINVAL_);
	expect("mmap odd offset", S(mmap, 0, pg, PROT_READ,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 1),
	       -EINVAL_);
	expect("mmap no type", S(mmap, 0, pg, PROT_READ, MAP_ANONYMOUS, -1, 0),
	       -EINVAL_);
	expect("mmap file on bad fd", S(mmap, 0, pg, PROT_READ, MAP_PRIVATE,
					-1, 0), -EBADF_);
	a = S(mmap, 0, 4 * pg, PROT_READ | PROT_WRITE,
	      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a < 0 && a > -4096) {
		expect("mmap 4 pages", a, 0);
		return;
	}
	expect("mmap fixed odd", S(mmap, a + 1, pg, PROT_READ,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				   0), -EINVAL_);
	expect("mmap fixed_noreplace over a mapping",
	       S(mmap, a + pg, pg, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE_, -1, 0),
	       -EEXIST_);
	memset((void *)a, 0x5a, 4 * pg);
	expect("munmap odd", S(munmap, a + 1, pg, 0, 0, 0, 0), -EINVAL_);
	expect("munmap len 0", S(munmap, a, 0, 0, 0, 0, 0), -EINVAL_);
	expect("munmap middle", S(munmap, a + pg, pg, 0, 0, 0, 0), 0);
	expect("page after the hole kept",
	       ((volatile char *)a)[2 * pg] == 0x5a, 1);
	expect("mprotect odd", S(mprotect, a + 1, pg, PROT_READ, 0, 0, 0),
	       -EINVAL_);
	expect("mprotect bad prot", S(mprotect, a, pg, 0x80, 0, 0, 0),
	       -EINVAL_);
	expect("mprotect over the hole", S(mprotect, a, 3 * pg, PROT_READ, 0,
					   0, 0), -ENOMEM_);
	expect("mprotect read-only", S(mprotect, a + 2 * pg, pg, PROT_READ, 0,
				       0, 0), 0);
	expect("kernel write to a read-only page",
	       S(clock_gettime, CLOCK_MONOTONIC, a + 2 * pg, 0, 0, 0, 0),
	       -EFAULT_);
	/* PROT_NONE keeps the data for a later mprotect back. */
	expect("mprotect none", S(mprotect, a, pg, PROT_NONE, 0, 0, 0), 0);
	expect("kernel read of a PROT_NONE page",
	       S(write, 1, a, 1, 0, 0, 0), -EFAULT_);
	expect("mprotect back", S(mprotect, a, pg, PROT_READ | PROT_WRITE, 0,
				  0, 0), 0);
	expect("data kept under PROT_NONE", ((volatile char *)a)[9] == 0x5a,
	       1);
	expect("madvise bad advice", S(madvise, a, pg, 9999, 0, 0, 0),
	       -EINVAL_);
	expect("madvise dontneed", S(madvise, a + 3 * pg, pg, MADV_DONTNEED,
				     0, 0, 0), 0);
	expect("dontneed page reads zero",
	       ((volatile char *)a)[3 * pg + 7] == 0, 1);
	expect("munmap all", S(munmap, a, 4 * pg, 0, 0, 0, 0), 0);

	/* mremap: grow by moving keeps the data; bad flags refused. */
	a = S(mmap, 0, 2 * pg, PROT_READ | PROT_WRITE,
	      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	((volatile char *)a)[pg + 3] = 0x77;
	expect("mremap odd", S(mremap, a + 1, pg, 2 * pg, 1, 0, 0), -EINVAL_);
	expect("mremap bad flags", S(mremap, a, pg, 2 * pg, 0x80, 0, 0),
	       -EINVAL_);
	long m = S(mremap, a, 2 * pg, 64 * pg, 1 /* MREMAP_MAYMOVE */, 0, 0);
	expect("mremap grow", m > 0 || m < -4095, 1);
	if (m > 0 || m < -4095) {
		expect("mremap kept the data",
		       ((volatile char *)m)[pg + 3] == 0x77, 1);
		((volatile char *)m)[63 * pg] = 1;
		expect("munmap the moved mapping",
		       S(munmap, m, 64 * pg, 0, 0, 0, 0), 0);
	}

	b = S(brk, 0, 0, 0, 0, 0, 0);
	expect("brk grows", S(brk, b + pg, 0, 0, 0, 0, 0), b + pg);
	((volatile char *)b)[pg - 1] = 1;
	expect("brk shrinks", S(brk, b, 0, 0, 0, 0, 0), b);
}

static void process(void)
{
	uint64_t fs = 0;
	struct {
		uint64_t handler, flags, restorer, mask;
	} act = { 0, 0, 0, 0 };
	uint64_t set = 0;
	char buf[400];

	expect("arch_prctl set fs non-canonical",
	       S(arch_prctl, 0x1002, 0x0000800000000000L, 0, 0, 0, 0), -EPERM_);
	expect("arch_prctl bad code", S(arch_prctl, 0x9999, 0, 0, 0, 0, 0),
	       -EINVAL_);
	expect("arch_prctl get fs", S(arch_prctl, 0x1003, (long)&fs, 0, 0, 0,
				      0), 0);
	expect("fs base is musl's thread pointer", fs != 0, 1);
	expect("rt_sigaction SIGKILL", S(rt_sigaction, SIGKILL, (long)&act, 0,
					 8, 0, 0), -EINVAL_);
	expect("rt_sigaction signal 0", S(rt_sigaction, 0, (long)&act, 0, 8,
					  0, 0), -EINVAL_);
	expect("rt_sigaction signal 65", S(rt_sigaction, 65, (long)&act, 0, 8,
					   0, 0), -EINVAL_);
	expect("rt_sigaction setsize 4", S(rt_sigaction, SIGUSR1, (long)&act,
					   0, 4, 0, 0), -EINVAL_);
	expect("rt_sigprocmask bad how", S(rt_sigprocmask, 99, (long)&set, 0,
					   8, 0, 0), -EINVAL_);
	expect("rt_sigprocmask setsize 4", S(rt_sigprocmask, SIG_BLOCK,
					     (long)&set, 0, 4, 0, 0), -EINVAL_);
	expect("kill nobody", S(kill, 12345, 0, 0, 0, 0, 0), -ESRCH_);
	expect("kill self 0", S(kill, S(getpid, 0, 0, 0, 0, 0, 0), 0, 0, 0, 0,
				0), 0);
	expect("tgkill self 0", S(tgkill, S(getpid, 0, 0, 0, 0, 0, 0),
				  S(gettid, 0, 0, 0, 0, 0, 0), 0, 0, 0, 0), 0);
	expect("tgkill bad signal", S(tgkill, S(getpid, 0, 0, 0, 0, 0, 0),
				      S(gettid, 0, 0, 0, 0, 0, 0), 999, 0, 0,
				      0), -EINVAL_);
	expect("prlimit64 of nobody", S(prlimit64, 12345, 3, 0, (long)buf, 0,
					0), -ESRCH_);
	expect("getrlimit bad resource", S(getrlimit, 99, (long)buf, 0, 0, 0,
					   0), -EINVAL_);
	expect("sched_getaffinity len 4", S(sched_getaffinity, 0, 4,
					    (long)buf, 0, 0, 0), -EINVAL_);
	expect("set_robust_list len 0", S(set_robust_list, (long)buf, 0, 0, 0,
					  0, 0), -EINVAL_);
	expect("getcwd size 1", S(getcwd, (long)buf, 1, 0, 0, 0, 0), -ERANGE_);
	expect("uname", S(uname, (long)buf, 0, 0, 0, 0, 0), 0);
	expect("uname sysname Linux", strcmp(buf, "Linux"), 0);
}

static void descriptors(void)
{
	char c = 'x';
	long iov[2] = { (long)&c, 1 };

	expect("write bad fd", S(write, 1000, (long)&c, 1, 0, 0, 0), -EBADF_);
	expect("write negative fd", S(write, -1, (long)&c, 1, 0, 0, 0),
	       -EBADF_);
	expect("close bad fd", S(close, 1000, 0, 0, 0, 0, 0), -EBADF_);
	expect("dup bad fd", S(dup, -1, 0, 0, 0, 0, 0), -EBADF_);
	expect("fcntl bad cmd", S(fcntl, 1, 99999, 0, 0, 0, 0), -EINVAL_);
	expect("ioctl bad fd", S(ioctl, 1000, 0x5401, (long)&c, 0, 0, 0),
	       -EBADF_);
	expect("writev count -1", S(writev, 1, (long)iov, -1, 0, 0, 0),
	       -EINVAL_);
	expect("writev count 1025", S(writev, 1, (long)iov, 1025, 0, 0, 0),
	       -EINVAL_);
	long fd = S(dup, 1, 0, 0, 0, 0, 0);
	expect("dup of stdout", fd >= 3, 1);
	expect("write through the dup", S(write, fd, (long)"badargs: dup\n", 13,
					  0, 0, 0), 13);
	expect("close the dup", S(close, fd, 0, 0, 0, 0, 0), 0);
	expect("write to the closed dup", S(write, fd, (long)&c, 1, 0, 0, 0),
	       -EBADF_);
}

static void time_and_random(void)
{
	struct timespec ts = { 0, 1000000000 };
	uint32_t word = 7;
	char buf[16];

	expect("clock_gettime bad clock", S(clock_gettime, 999, (long)&ts, 0,
					    0, 0, 0), -EINVAL_);
	expect("nanosleep nsec 1e9", S(nanosleep, (long)&ts, 0, 0, 0, 0, 0),
	       -EINVAL_);
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	expect("nanosleep sec -1", S(nanosleep, (long)&ts, 0, 0, 0, 0, 0),
	       -EINVAL_);
	ts.tv_sec = 0;
	ts.tv_nsec = 1000;
	expect("clock_nanosleep thread cputime",
	       S(clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, (long)&ts, 0, 0,
		 0), -EOPNOTSUPP_);
	expect("getrandom bad flags", S(getrandom, (long)buf, 16, 0x100, 0, 0,
					0), -EINVAL_);
	expect("getrandom 16", S(getrandom, (long)buf, 16, 0, 0, 0, 0), 16);
	expect("futex unaligned", S(futex, (long)buf + 1, 0, 0, 0, 0, 0),
	       -EINVAL_);
	expect("futex wait, value differs", S(futex, (long)&word, 128, 8, 0, 0,
					      0), -EAGAIN_);
	ts.tv_nsec = 1000000;
	expect("futex wait, timeout", S(futex, (long)&word, 128, 7, (long)&ts,
					0, 0), -ETIMEDOUT_);
	expect("futex wake", S(futex, (long)&word, 129, 1, 0, 0, 0), 0);
}

int main(void)
{
	memory();
	process();
	descriptors();
	time_and_random();
	if (failures) {
		printf("badargs: %d FAILED\n", failures);
		return 1;
	}
	printf("badargs ok\n");
	return 0;
}
