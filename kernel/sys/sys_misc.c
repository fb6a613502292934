/* System calls about the system: uname, limits, randomness, sysinfo. */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/random.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>

#include "syscall.h"
#include "uvm.h"

/* Programs test sysname and machine; "Linux" keeps them on their Linux
 * paths, which is the ABI they get. */
struct k_utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};

static const struct k_utsname uts = {
    .sysname = "Linux",
    .nodename = "kiln",
    .release = "6.1.0-kiln",
    .version = "#1 kiln unikernel",
    .machine = "x86_64",
    .domainname = "(none)",
};

long sys_uname(const struct sys_args *a)
{
	struct k_utsname __user *buf = (void __user *)a->arg[0];

	return copy_to_user(buf, &uts, sizeof uts);
}

#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4
#define RANDOM_MAX    0x1ffffffUL /* Linux returns at most 32 MiB - 1 */

long sys_getrandom(const struct sys_args *a)
{
	char __user *buf = (char __user *)a->arg[0];
	size_t len = a->arg[1];
	unsigned int flags = (unsigned int)a->arg[2];
	uint8_t chunk[256];
	size_t done = 0;
	int err;

	if (flags &
	    ~(unsigned int)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_RANDOM) && (flags & GRND_INSECURE))
		return -EINVAL;
	len = MIN(len, RANDOM_MAX);
	if ((err = user_range_ok(buf, len, true)) < 0)
		return err;
	while (done < len) {
		size_t c = MIN(len - done, sizeof chunk);

		random_fill(chunk, c);
		if ((err = copy_to_user(buf + done, chunk, c)) < 0)
			return done ? (long)done : err;
		done += c;
	}
	memset(chunk, 0, sizeof chunk);
	return (long)done;
}

/* The kernel's struct sysinfo on x86-64 (112 bytes). */
struct k_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram;
	uint64_t totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	uint32_t pad3;
};
_Static_assert(sizeof(struct k_sysinfo) == 112, "struct sysinfo");

long sys_sysinfo(const struct sys_args *a)
{
	struct k_sysinfo __user *info = (void __user *)a->arg[0];
	struct k_sysinfo si = {
	    .uptime = (int64_t)(clock_monotonic_ns() / NSEC_PER_SEC),
	    .totalram = pmm_total_count() * PAGE_SIZE,
	    .freeram = pmm_free_count() * PAGE_SIZE,
	    .procs = 1,
	    .mem_unit = 1,
	};

	return copy_to_user(info, &si, sizeof si);
}

/* --- resource limits --- */

#define RLIMIT_NOFILE  7
#define RLIMIT_NLIMITS 16
#define RLIM_INFINITY  (~0ULL)
#define UNLIMITED                                                              \
	{                                                                      \
		RLIM_INFINITY, RLIM_INFINITY                                   \
	}

struct k_rlimit {
	uint64_t cur, max;
};

/* Indexed by RLIMIT_* (CPU, FSIZE, DATA, STACK, CORE, RSS, NPROC, NOFILE,
 * MEMLOCK, AS, LOCKS, SIGPENDING, MSGQUEUE, NICE, RTPRIO, RTTIME). */
static struct k_rlimit limits[RLIMIT_NLIMITS] = {
    UNLIMITED,
    UNLIMITED,
    UNLIMITED,
    {UVM_STACK_SIZE, UVM_STACK_SIZE}, /* the stack is reserved whole */
    {0, 0},			      /* no core dumps */
    UNLIMITED,
    {1, 1},
    {FD_SOFT_DEFAULT, FD_MAX}, /* the table grows up to FD_MAX */
    UNLIMITED,
    UNLIMITED,
    UNLIMITED,
    UNLIMITED,
    UNLIMITED,
    {0, 0},
    {0, 0},
    UNLIMITED,
};

/* Limits are recorded; only RLIMIT_NOFILE is enforced (the stack is
 * reserved whole). */
static int rlimit_swap(unsigned int res, const struct k_rlimit __user *new,
		       struct k_rlimit __user *old)
{
	struct k_rlimit n;
	int err;

	if (res >= RLIMIT_NLIMITS)
		return -EINVAL;
	if (new) {
		if ((err = copy_from_user(&n, new, sizeof n)) < 0)
			return err;
		if (n.cur > n.max)
			return -EINVAL;
	}
	if (old && (err = copy_to_user(old, &limits[res], sizeof limits[res])))
		return err;
	if (new) {
		if (res == RLIMIT_NOFILE && n.max > FD_MAX)
			return -EPERM; /* above the table: as above nr_open */
		limits[res] = n;
		if (res == RLIMIT_NOFILE)
			fd_set_limit(n.cur);
	}
	return 0;
}

long sys_getrlimit(const struct sys_args *a)
{
	unsigned int res = (unsigned int)a->arg[0];
	struct k_rlimit __user *rlim = (void __user *)a->arg[1];

	if (!rlim)
		return -EFAULT;
	return rlimit_swap(res, NULL, rlim);
}

long sys_setrlimit(const struct sys_args *a)
{
	unsigned int res = (unsigned int)a->arg[0];
	const struct k_rlimit __user *rlim = (const void __user *)a->arg[1];

	if (!rlim)
		return -EFAULT;
	return rlimit_swap(res, rlim, NULL);
}

long sys_prlimit64(const struct sys_args *a)
{
	int pid = (int)a->arg[0];
	unsigned int res = (unsigned int)a->arg[1];
	const struct k_rlimit __user *new = (const void __user *)a->arg[2];
	struct k_rlimit __user *old = (void __user *)a->arg[3];

	if (pid != 0 && pid != 1)
		return -ESRCH;
	return rlimit_swap(res, new, old);
}
