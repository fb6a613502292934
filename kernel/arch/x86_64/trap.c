/* Trap dispatch: count, route exceptions to the app's signals or a panic. */
#include <kernel/arch.h>
#include <kernel/exec.h>
#include <kernel/irq.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/sched.h>

#include "arch/x86_64/apic.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/x86.h"

/* entry.S and user.S hard-code these. */
_Static_assert(sizeof(struct trapframe) == 0xb0, "TF_SIZE in entry.S");
_Static_assert(__builtin_offsetof(struct trapframe, cs) -
			       __builtin_offsetof(struct trapframe, vector) ==
		       24,
	       "HW_CS in entry.S");
_Static_assert(__builtin_offsetof(struct cpu, kstack_top) == CPU_OFF_KSTACK_TOP,
	       "struct cpu layout");
_Static_assert(__builtin_offsetof(struct cpu, user_rsp) == CPU_OFF_USER_RSP,
	       "struct cpu layout");

/* #PF error code bits (Intel SDM Vol. 3A, 4.7). */
#define PF_RSVD	 (1ULL << 3)
#define PF_INSTR (1ULL << 4)

/* Linux signal numbers (asm-generic/signal.h). */
#define SIGILL	4
#define SIGTRAP 5
#define SIGBUS	7
#define SIGFPE	8
#define SIGSEGV 11

static const char *const exception_names[32] = {
	[VEC_DE] = "#DE divide error",
	[VEC_DB] = "#DB debug",
	[VEC_NMI] = "NMI",
	[VEC_BP] = "#BP breakpoint",
	[VEC_OF] = "#OF overflow",
	[VEC_BR] = "#BR bound range exceeded",
	[VEC_UD] = "#UD invalid opcode",
	[VEC_NM] = "#NM device not available",
	[VEC_DF] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[VEC_TS] = "#TS invalid TSS",
	[VEC_NP] = "#NP segment not present",
	[VEC_SS] = "#SS stack-segment fault",
	[VEC_GP] = "#GP general protection",
	[VEC_PF] = "#PF page fault",
	[VEC_MF] = "#MF x87 floating-point error",
	[VEC_AC] = "#AC alignment check",
	[VEC_MC] = "#MC machine check",
	[VEC_XM] = "#XM SIMD floating-point error",
	[20] = "#VE virtualization exception",
	[21] = "#CP control protection",
};

const char *trap_name(unsigned vector)
{
	if (vector < 32)
		return exception_names[vector];
	switch (vector) {
	case VEC_TIMER:
		return "timer";
	case VEC_IPI_WAKE:
		return "wake-up IPI";
	case VEC_IPI_TLB:
		return "TLB shootdown IPI";
	case VEC_APIC_ERROR:
		return "APIC error";
	case VEC_SPURIOUS:
		return "spurious";
	}
	return NULL;
}

/* The signal Linux delivers for an exception in user code. */
static int user_signal(unsigned vector)
{
	switch (vector) {
	case VEC_UD:
		return SIGILL;
	case VEC_DE:
	case VEC_MF:
	case VEC_XM:
		return SIGFPE;
	case VEC_BP:
	case VEC_DB:
		return SIGTRAP;
	case VEC_AC:
		return SIGBUS;
	case VEC_NMI:
	case VEC_DF:
	case VEC_MC:
		return 0; /* the machine's problem, not the application's */
	default:
		return SIGSEGV; /* #PF, #GP, #SS, #NP, #OF, #BR, ... */
	}
}

/* The address a fault report names: the data address for #PF, the
 * instruction for arithmetic and decode faults, none for #GP and kin. */
static uint64_t fault_addr(const struct trapframe *tf, uint64_t cr2)
{
	switch (tf->vector) {
	case VEC_PF:
		return cr2;
	case VEC_GP:
	case VEC_SS:
	case VEC_NP:
		return 0;
	default:
		return tf->rip;
	}
}

static void exception(struct trapframe *tf)
{
	uint64_t cr2 = 0;

	/* Counted and ignored: an NMI may interrupt a holder of the console
	 * lock, so it must not log. */
	if (tf->vector == VEC_NMI)
		return;
	if (tf->vector == VEC_PF) {
		cr2 = read_cr2();
		/* Demand paging for the application, also while the kernel
		 * copies its memory. The kernel never executes user pages
		 * (SMEP where offered), and reserved bits are a kernel bug. */
		bool kernel_exec =
			!trap_from_user(tf) && (tf->error & PF_INSTR);
		if (cr2 < USER_TOP && !kernel_exec && !(tf->error & PF_RSVD) &&
		    user_page_fault(cr2, tf->error) == 0)
			return;
	} else if (tf->vector == VEC_DF) {
		/* Most often a #PF the CPU could not push because the stack
		 * ran into its guard page: CR2 names the address. */
		cr2 = read_cr2();
	}
	if (trap_from_user(tf)) {
		int sig = user_signal(tf->vector);
		if (sig)
			user_fatal_fault(tf, sig, fault_addr(tf, cr2));
	}
	panic_trap(tf, cr2);
}

void trap_dispatch(struct trapframe *tf)
{
	unsigned vec = tf->vector & 0xff;

	this_cpu()->irq_count[vec]++;
	if (vec < 32) {
		/* A fault from ring 3 runs kernel C code (demand paging, the
		 * fault report): under the kernel lock, as a system call,
		 * and with interrupts on as there (waiting for the lock with
		 * them off could leave its holder waiting for a TLB
		 * shootdown's answer). Only a fault can change CR2 meanwhile,
		 * and interrupt handlers do not fault. */
		bool user = trap_from_user(tf) && vec != VEC_NMI &&
			    vec != VEC_MC && vec != VEC_DF;
		if (user) {
			irq_enable();
			bkl_lock();
		}
		exception(tf);
		if (user) {
			bkl_unlock();
			irq_disable();
		}
		return;
	}
	switch (vec) {
	case VEC_TIMER:
		apic_eoi();
		timer_interrupt(); /* due timers run, the next is programmed */
		break;
	case VEC_IPI_WAKE:
		/* The HLT returned, or sched_preempt_user() below runs:
		 * either was the point. */
		apic_eoi();
		break;
	case VEC_IPI_TLB:
		tlb_ipi();
		apic_eoi();
		break;
	case VEC_SPURIOUS:
		break; /* no EOI for a spurious interrupt (SDM Vol. 3A, 11.9) */
	case VEC_APIC_ERROR:
		log_warn("APIC error %#x", apic_read_error());
		apic_eoi();
		break;
	default:
		if (vec >= IRQ_VECTOR_FIRST && vec <= IRQ_VECTOR_LAST)
			irq_dispatch(vec); /* a device's, then its EOI */
		/* The 8259s are masked: their vectors are only spurious. */
		if (vec < VEC_PIC_BASE || vec >= VEC_PIC_BASE + 16)
			apic_eoi();
		break;
	}
	/* Threads this interrupt woke run before the application resumes
	 * (after the EOI: the APIC must not wait on another thread). */
	if (trap_from_user(tf)) {
		sched_preempt_user();
		signal_interrupt_return(tf);
	}
}
