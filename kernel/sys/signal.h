/* Signals: recorded dispositions and mask, and termination by a signal. */
#ifndef KERNEL_SYS_SIGNAL_H
#define KERNEL_SYS_SIGNAL_H

#include <kernel/types.h>

#define SIGKILL	   9
#define SIGSTOP	   19
#define NSIG_LINUX 64 /* signals 1..64 */

#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* The kernel's struct sigaction on x86-64 (rt_sigaction(2)). */
struct k_sigaction {
	uint64_t handler; /* SIG_DFL 0, SIG_IGN 1, or a function */
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* The kernel's stack_t (sigaltstack(2)). */
struct k_stack {
	uint64_t sp;
	int32_t flags;
	int32_t pad;
	uint64_t size;
};

/* "SIGSEGV", ..., or "a real-time signal" past 31. */
const char *signal_name(int sig);

/* One "[0][ERROR] application killed by SIG... (what) at rip ..." line
 * (what and rip optional: NULL and 0), then machine_exit(128 + sig). */
__noreturn void signal_terminate(int sig, const char *what, uint64_t rip);

/* kill to the application itself (decided with the caller's mask).
 * 0 or -EINVAL. */
int signal_send_self(int sig);
/* sig for the process from no thread of it (an interval timer, in
 * interrupt context): ignored, fatal, or pending for a handler with one
 * thread that does not block it woken (proc_signal_wake()). */
void signal_send_process(int sig);
/* rt_sigsuspend: mask in force until a handler has run, then the
 * caller's mask again (restored when that handler's frame is built). */
void signal_suspend_mask(uint64_t mask);
/* tkill/tgkill: sig for thread u of the process (its mask; a handled one
 * runs on u, ending a futex wait of u with EINTR). 0 or -EINVAL. Call
 * with u kept alive (proc_signal_tid()). */
struct uthread;
int signal_send_thread(struct uthread *u, int sig);
/* Whether u has a pending signal it does not block. */
bool signal_pending_for(const struct uthread *u);
/* The calling thread's mask (a new thread starts with its creator's). */
uint64_t signal_blocked(void);

int signal_action(int sig, const struct k_sigaction *act,
		  struct k_sigaction *old);
int signal_procmask(int how, const uint64_t *set, uint64_t *old);
int signal_altstack(const struct k_stack *ss, struct k_stack *old,
		    uint64_t user_sp);

/* For sigframe.c: the lowest pending, unblocked signal that has a
 * handler (0 if none); it leaves `pending`, its mask is applied and the
 * mask before that returned in *old_blocked. */
int signal_next_handled(struct k_sigaction *act, uint64_t *old_blocked);
/* rt_sigreturn: put back the mask saved in the frame. */
void signal_restore_blocked(uint64_t mask);
struct k_stack signal_get_altstack(void);

/* Run the handler of a pending signal, if any, when system call nr in tf
 * returns: builds the rt_sigframe on the user stack and points tf at the
 * handler. tf->rax must hold the call's result; -ERESTARTSYS becomes
 * -EINTR or a restart of call nr. */
struct trapframe;
#define SIGNAL_NO_SYSCALL UINT64_MAX /* nr: an interrupt, not a call */
void signal_deliver(struct trapframe *tf, uint64_t nr);

#endif
