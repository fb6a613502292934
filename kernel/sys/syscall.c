/* syscall_dispatch(): from the trap frame to a sys_<name> handler. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/sched.h>

#include "signal.h"
#include "syscall.h"
#include "arch/x86_64/trapframe_asm.h"

/* entry.S reads these at fixed offsets. */
_Static_assert(__builtin_offsetof(struct trapframe, rax) == TF_RAX, "rax");
_Static_assert(__builtin_offsetof(struct trapframe, rip) == TF_RIP, "rip");
_Static_assert(__builtin_offsetof(struct trapframe, rcx) == TF_RCX, "rcx");
_Static_assert(__builtin_offsetof(struct trapframe, r11) == TF_R11, "r11");
_Static_assert(__builtin_offsetof(struct trapframe, rflags) == TF_RFLAGS,
	       "rflags");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trapframe size");
_Static_assert(__builtin_offsetof(struct trapframe, rflags) -
			       __builtin_offsetof(struct trapframe, vector) ==
		       TFH_RFLAGS,
	       "rflags");
_Static_assert(__builtin_offsetof(struct trapframe, rsp) -
			       __builtin_offsetof(struct trapframe, vector) ==
		       TFH_RSP,
	       "rsp");
_Static_assert(__builtin_offsetof(struct trapframe, rip) -
			       __builtin_offsetof(struct trapframe, vector) ==
		       TFH_RIP,
	       "rip");
_Static_assert(CPU_OFF_KSTACK_TOP == ASM_CPU_KSTACK_TOP, "kstack_top");
_Static_assert(CPU_OFF_USER_RSP == ASM_CPU_USER_RSP, "user_rsp");
_Static_assert(SEL_UDATA == ASM_SEL_UDATA && SEL_UCODE == ASM_SEL_UCODE,
	       "selectors");
_Static_assert(TRAP_SYSCALL == ASM_TRAP_SYSCALL, "vector");

static const sys_fn systab[] = {
#define SYSCALL(nr, name) [nr] = sys_##name,
#include "systab.h"
#undef SYSCALL
};

/* One warning per number; numbers past the table share one. */
static uint64_t warned[(SYSCALL_NAMES_MAX + 63) / 64];
static bool warned_big;

static long unsupported(uint64_t nr)
{
	if (nr < SYSCALL_NAMES_MAX) {
		uint64_t bit = 1ULL << (nr % 64);

		if (!(warned[nr / 64] & bit)) {
			const char *name = syscall_name(nr);

			warned[nr / 64] |= bit;
			log_warn("unsupported syscall %lu (%s)", nr,
				 name ? name : "unused number");
		}
	} else if (!warned_big) {
		warned_big = true;
		log_warn("unsupported syscall %lu (not a Linux x86-64 number)",
			 nr);
	}
	return -ENOSYS;
}

uint64_t syscall_dispatch(struct trapframe *tf)
{
	struct sys_args a = {
		{tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9},
		tf,
	};
	uint64_t nr = tf->rax;
	long ret;

	bkl_lock(); /* SMP: kernel code runs under the kernel lock (sched.h) */
	if (nr < ARRAY_SIZE(systab) && systab[nr])
		ret = systab[nr](&a);
	else
		ret = unsupported(nr);
	/* A handler for a signal this call raised or unblocked runs as the
	 * call returns; the frame keeps the call's result. */
	tf->rax = (uint64_t)ret;
	signal_deliver(tf, nr);
	ret = (long)tf->rax;
	bkl_unlock(); /* SMP: ring 3 runs without the kernel lock */
	/* Threads the call woke (lwIP's, a driver's) run before the
	 * application does again. */
	sched_preempt_user();
	if (log_get_level() >= LOG_TRACE) {
		const char *name = syscall_name(nr);

		log_trace("syscall %s(0x%lx, 0x%lx, 0x%lx) = %ld",
			  name ? name : "?", a.arg[0], a.arg[1], a.arg[2], ret);
	}
	return (uint64_t)ret;
}
