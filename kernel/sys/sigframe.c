/* Signal frames: running a handler and rt_sigreturn, as Linux x86-64 lays them
 * out. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/exec.h>
#include <kernel/irq.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/uaccess.h>

#include "proc.h"
#include "signal.h"
#include "syscall.h"

#define SIGSEGV	    11
#define SA_RESTORER 0x04000000U
#define SA_ONSTACK  0x08000000U
#define SA_RESTART  0x10000000U
#define SI_USER	    0
#define RED_ZONE    128

/* RFLAGS bits a handler may change through the frame (Linux FIX_EFLAGS):
 * CF PF AF ZF SF TF DF OF RF AC. Never IF, IOPL or VM. */
#define RFLAGS_USER_MASK 0x40dd5ULL
#define RFLAGS_TF	 (1ULL << 8)
#define RFLAGS_DF	 (1ULL << 10)
#define RFLAGS_RF	 (1ULL << 16)

/* The kernel's struct sigcontext on x86-64 (asm/sigcontext.h). */
struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate; /* user address of the 512-byte FXSAVE area */
	uint64_t reserved[8];
};

struct k_ucontext {
	uint64_t flags;
	uint64_t link;
	struct k_stack stack;
	struct k_sigcontext mc;
	uint64_t sigmask;
};

struct k_siginfo {
	int32_t signo, errno_, code, pad;
	int32_t pid;
	uint32_t uid;
	uint8_t rest[104];
};

/* What %rsp points at when the handler starts: its return address is
 * the restorer (musl's __restore_rt, which calls rt_sigreturn). */
struct rt_sigframe {
	uint64_t pretcode;
	struct k_ucontext uc;
	struct k_siginfo info;
};

_Static_assert(sizeof(struct k_sigcontext) == 256, "sigcontext");
_Static_assert(sizeof(struct k_ucontext) == 304, "ucontext");
_Static_assert(sizeof(struct k_siginfo) == 128, "siginfo");

#define FXSAVE_SIZE   512
#define FX_MXCSR      24
#define FX_MXCSR_MASK 28

/*
 * The application's x87/SSE registers are untouched while the kernel runs
 * (general registers only), so the frame saves them with FXSAVE and
 * rt_sigreturn reloads them. Enough for x87 and SSE; the upper halves of
 * AVX registers are not saved.
 */
static uint8_t fxbuf[FXSAVE_SIZE] __aligned(16);

static void fx_save(void)
{
	__asm__ volatile("fxsave64 %0" : "=m"(fxbuf));
}

static void fx_restore(void)
{
	__asm__ volatile("fxrstor64 %0" ::"m"(fxbuf));
}

/* FXRSTOR raises #GP on reserved MXCSR bits (SDM Vol. 1, 10.5.1.2): keep
 * only the bits this CPU supports (MXCSR_MASK, 0 meaning 0xffbf). */
static uint32_t mxcsr_mask(void)
{
	uint32_t mask;

	fx_save();
	memcpy(&mask, &fxbuf[FX_MXCSR_MASK], sizeof mask);
	return mask ? mask : 0xffbf;
}

static bool user_canonical(uint64_t va)
{
	return va < 0x0000800000000000ULL;
}

static __noreturn void bad_frame(const char *why)
{
	signal_terminate(SIGSEGV, why, 0);
}

static void save_context(struct k_ucontext *uc, const struct trapframe *tf,
			 uint64_t fp, uint64_t mask)
{
	struct k_sigcontext *mc = &uc->mc;

	uc->stack = signal_get_altstack();
	mc->r8 = tf->r8, mc->r9 = tf->r9, mc->r10 = tf->r10;
	mc->r11 = tf->r11, mc->r12 = tf->r12, mc->r13 = tf->r13;
	mc->r14 = tf->r14, mc->r15 = tf->r15;
	mc->rdi = tf->rdi, mc->rsi = tf->rsi, mc->rbp = tf->rbp;
	mc->rbx = tf->rbx, mc->rdx = tf->rdx, mc->rax = tf->rax;
	mc->rcx = tf->rcx, mc->rsp = tf->rsp, mc->rip = tf->rip;
	mc->eflags = tf->rflags;
	mc->cs = (uint16_t)tf->cs;
	mc->ss = (uint16_t)tf->ss;
	mc->oldmask = mask;
	mc->fpstate = fp;
	uc->sigmask = mask;
}

/* Where the frame goes: below the red zone of the interrupted stack, or
 * at the top of the alternate stack for SA_ONSTACK handlers. */
static uint64_t frame_stack(const struct trapframe *tf, uint32_t flags)
{
	struct k_stack alt = signal_get_altstack();
	uint64_t sp = tf->rsp;
	bool on_alt = sp > alt.sp && sp - alt.sp <= alt.size;

	if ((flags & SA_ONSTACK) && !(alt.flags & 2) && !on_alt)
		return alt.sp + alt.size;
	return sp - RED_ZONE;
}

void signal_deliver(struct trapframe *tf, uint64_t nr)
{
	struct k_sigaction act;
	struct rt_sigframe frame;
	uint64_t old_mask, sp, fp;
	int sig = signal_next_handled(&act, &old_mask);

	/* A wait a signal ended: EINTR after a handler without SA_RESTART,
	 * else the same call again (syscall is 2 bytes; its arguments are
	 * still in the frame), before the frame is saved for sigreturn. */
	if (nr != SIGNAL_NO_SYSCALL && (int64_t)tf->rax == -ERESTARTSYS) {
		if (sig && !(act.flags & SA_RESTART)) {
			tf->rax = (uint64_t)-EINTR;
		} else {
			tf->rax = nr;
			tf->rip -= 2;
		}
	}
	if (!sig)
		return;
	if (!(act.flags & SA_RESTORER))
		bad_frame("signal handler without a restorer");
	sp = frame_stack(tf, (uint32_t)act.flags);
	fp = ALIGN_DOWN(sp - FXSAVE_SIZE, 64);
	sp = ALIGN_DOWN(fp - sizeof frame, 16) - 8; /* as after a call */

	memset(&frame, 0, sizeof frame);
	frame.pretcode = act.restorer;
	save_context(&frame.uc, tf, fp, old_mask);
	frame.info.signo = sig;
	frame.info.code = SI_USER;
	frame.info.pid = 1;
	fx_save();
	if (copy_to_user((void __user *)fp, fxbuf, sizeof fxbuf) < 0 ||
	    copy_to_user((void __user *)sp, &frame, sizeof frame) < 0)
		bad_frame("cannot write the signal frame");

	tf->rip = act.handler;
	tf->rsp = sp;
	tf->rdi = (uint64_t)sig;
	tf->rsi = sp + __builtin_offsetof(struct rt_sigframe, info);
	tf->rdx = sp + __builtin_offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	tf->rflags &= ~(RFLAGS_DF | RFLAGS_RF | RFLAGS_TF);
}

void signal_interrupt_return(struct trapframe *tf)
{
	struct uthread *u = uthread_self();

	if (!u || !signal_pending_for(u))
		return;
	/* Kernel code runs under the kernel lock, waited for with
	 * interrupts on (a TLB shootdown may need this CPU's answer), as a
	 * fault from ring 3 does. */
	irq_enable();
	bkl_lock();
	signal_deliver(tf, SIGNAL_NO_SYSCALL);
	bkl_unlock();
	irq_disable();
}

/* The frame is the application's memory: everything in it is checked or
 * masked before it reaches the CPU. */
long sys_rt_sigreturn(const struct sys_args *a)
{
	struct trapframe *tf = a->tf;
	uint64_t frame = tf->rsp - 8; /* the handler's ret popped pretcode */
	struct k_ucontext uc;
	const struct k_sigcontext *mc = &uc.mc;

	if (copy_from_user(&uc, (void __user *)(frame + 8), sizeof uc) < 0)
		bad_frame("bad signal frame");
	if (!user_canonical(mc->rip) || !user_canonical(mc->rsp))
		bad_frame("signal frame returns outside user space");
	if (mc->fpstate) {
		uint32_t mask = mxcsr_mask(), mxcsr;

		if (copy_from_user(fxbuf, (void __user *)mc->fpstate,
				   sizeof fxbuf) < 0)
			bad_frame("bad FPU state in the signal frame");
		memcpy(&mxcsr, &fxbuf[FX_MXCSR], sizeof mxcsr);
		mxcsr &= mask;
		memcpy(&fxbuf[FX_MXCSR], &mxcsr, sizeof mxcsr);
		fx_restore();
	}
	tf->r8 = mc->r8, tf->r9 = mc->r9, tf->r10 = mc->r10;
	tf->r11 = mc->r11, tf->r12 = mc->r12, tf->r13 = mc->r13;
	tf->r14 = mc->r14, tf->r15 = mc->r15;
	tf->rdi = mc->rdi, tf->rsi = mc->rsi, tf->rbp = mc->rbp;
	tf->rbx = mc->rbx, tf->rdx = mc->rdx, tf->rax = mc->rax;
	tf->rcx = mc->rcx, tf->rsp = mc->rsp, tf->rip = mc->rip;
	tf->rflags = (tf->rflags & ~RFLAGS_USER_MASK) |
		     (mc->eflags & RFLAGS_USER_MASK);
	/* cs and ss stay the user selectors the entry put in tf. */
	signal_restore_blocked(uc.sigmask);
	return (long)tf->rax;
}
