/* Signals for the one process: recorded, per-thread masks, fatal by default. */
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/power.h>
#include <kiln/abi/exit.h>

#include "proc.h"
#include "signal.h"

/*
 * Signals come from the application itself (kill, tkill, tgkill, raise),
 * decided in its system calls, and from its interval timer (SIGALRM,
 * itimer.c, signal_send_process() in interrupt context): a handled one is run by
 * signal_deliver() (sigframe.c) when a system call of the thread it is
 * for returns, a default one ignores or terminates at once. Each thread
 * has its own mask (struct uthread; `boot_blocked` before exec) and its
 * own pending set for signals sent to it (tkill, tgkill); kill() to the
 * process leaves them in the process's `pending`, taken by whichever
 * thread next returns from a call without blocking them (Linux picks any
 * such thread too). Blocked signals wait, so musl's raise() -- block,
 * tkill, restore the mask -- acts when the mask comes back, as on Linux.
 * A signal for a thread blocked in a futex wait, a nanosleep, pause,
 * sigsuspend, poll, select or epoll_wait ends it with EINTR
 * (proc_interrupt_locked()); blocking reads, writes, accepts and
 * connects end with -ERESTARTSYS, restarted after an SA_RESTART handler
 * (sigframe.c). Faults are not
 * turned into handled signals: they end the application (fault.c).
 */
#define SIG_IGN_HANDLER 1
#define SS_ONSTACK	1
#define SS_DISABLE	2
#define SS_AUTODISARM	(1U << 31)
#define MINSIGSTKSZ	2048

static struct k_sigaction actions[NSIG_LINUX + 1];
static uint64_t boot_blocked, pending;

/* The calling thread's mask, and where signals sent to it wait. */
static uint64_t *my_blocked(void)
{
	struct uthread *u = uthread_self();

	return u ? &u->blocked : &boot_blocked;
}

static uint64_t *my_pending(void)
{
	struct uthread *u = uthread_self();

	return u ? &u->pending : &pending;
}
static struct k_stack altstack = {0, SS_DISABLE, 0, 0};

static uint64_t sigbit(int sig)
{
	return 1ULL << (sig - 1);
}

static const char *const names[32] = {
	[1] = "SIGHUP",	    [2] = "SIGINT",	[3] = "SIGQUIT",
	[4] = "SIGILL",	    [5] = "SIGTRAP",	[6] = "SIGABRT",
	[7] = "SIGBUS",	    [8] = "SIGFPE",	[9] = "SIGKILL",
	[10] = "SIGUSR1",   [11] = "SIGSEGV",	[12] = "SIGUSR2",
	[13] = "SIGPIPE",   [14] = "SIGALRM",	[15] = "SIGTERM",
	[16] = "SIGSTKFLT", [17] = "SIGCHLD",	[18] = "SIGCONT",
	[19] = "SIGSTOP",   [20] = "SIGTSTP",	[21] = "SIGTTIN",
	[22] = "SIGTTOU",   [23] = "SIGURG",	[24] = "SIGXCPU",
	[25] = "SIGXFSZ",   [26] = "SIGVTALRM", [27] = "SIGPROF",
	[28] = "SIGWINCH",  [29] = "SIGIO",	[30] = "SIGPWR",
	[31] = "SIGSYS",
};

const char *signal_name(int sig)
{
	if (sig > 0 && sig < 32)
		return names[sig];
	return "a real-time signal";
}

void signal_terminate(int sig, const char *what, uint64_t rip)
{
	if (what && rip)
		log_error("application killed by %s (%s) at rip 0x%lx",
			  signal_name(sig), what, rip);
	else if (what)
		log_error("application killed by %s (%s)", signal_name(sig),
			  what);
	else
		log_error("application killed by %s", signal_name(sig));
	machine_exit(KILN_EXIT_SIGNAL_BASE + sig);
}

/* Linux's default action is to ignore these (signal(7)); the stop
 * signals are ignored too: nothing could ever continue the process. */
static bool default_ignores(int sig)
{
	return sig == 17 || sig == 18 || sig == 23 || sig == 28 ||
	       (sig >= 19 && sig <= 22);
}

/* A signal arrives unblocked: ignored, left in *pend for its handler
 * (run by signal_deliver() on the way out of a system call), or fatal.
 * Returns whether it was left for a handler. */
static bool deliver(int sig, uint64_t *pend)
{
	uint64_t h = actions[sig].handler;

	if (sig != SIGKILL && h == SIG_IGN_HANDLER)
		return false;
	if (sig != SIGKILL && h > SIG_IGN_HANDLER) {
		__atomic_or_fetch(pend, sigbit(sig), __ATOMIC_SEQ_CST);
		return true;
	}
	if (default_ignores(sig))
		return false;
	signal_terminate(sig, NULL, 0);
}

/* Unblocked pending signals without a handler act now (after a mask
 * change, or a handler set to SIG_DFL or SIG_IGN). */
static void deliver_pending_in(uint64_t *pend, uint64_t blocked)
{
	uint64_t ready = *pend & ~blocked;

	for (int sig = 1; ready && sig <= NSIG_LINUX; sig++) {
		if ((ready & sigbit(sig)) &&
		    actions[sig].handler <= SIG_IGN_HANDLER) {
			__atomic_and_fetch(pend, ~sigbit(sig),
					   __ATOMIC_SEQ_CST);
			ready &= ~sigbit(sig);
			deliver(sig, pend);
		}
	}
}

static void deliver_pending(void)
{
	deliver_pending_in(my_pending(), *my_blocked());
	deliver_pending_in(&pending, *my_blocked());
}

/* sig to the process (kill) or to the calling thread (tkill of itself),
 * decided with the caller's mask. */
static int send_with_my_mask(int sig, uint64_t *pend)
{
	if (sig < 0 || sig > NSIG_LINUX)
		return -EINVAL;
	if (sig == 0)
		return 0;
	if (*my_blocked() & sigbit(sig)) {
		__atomic_or_fetch(pend, sigbit(sig), __ATOMIC_SEQ_CST);
		return 0;
	}
	deliver(sig, pend);
	return 0;
}

int signal_send_self(int sig)
{
	return send_with_my_mask(sig, &pending);
}

void signal_send_process(int sig)
{
	uint64_t h = actions[sig].handler;

	if (h == SIG_IGN_HANDLER || (h == 0 && default_ignores(sig)))
		return;
	__atomic_or_fetch(&pending, sigbit(sig), __ATOMIC_SEQ_CST);
	/* Fatal once a thread takes it; with every thread blocking it, it
	 * waits in `pending` like any other. */
	if (proc_signal_wake(sig) && h == 0)
		signal_terminate(sig, NULL, 0);
}

void signal_suspend_mask(uint64_t mask)
{
	struct uthread *u = uthread_self();

	if (!u)
		return;
	u->suspend_saved = u->blocked;
	u->suspend_restore = true;
	u->blocked = mask & ~(sigbit(SIGKILL) | sigbit(SIGSTOP));
	deliver_pending();
}

int signal_send_thread(struct uthread *u, int sig)
{
	if (u == uthread_self())
		return send_with_my_mask(sig, my_pending());
	if (sig < 0 || sig > NSIG_LINUX)
		return -EINVAL;
	if (sig == 0)
		return 0;
	if (u->blocked & sigbit(sig)) {
		__atomic_or_fetch(&u->pending, sigbit(sig), __ATOMIC_SEQ_CST);
		return 0;
	}
	/* Pending first, then the look at its wait (a full barrier each
	 * side, futex.c): it either sees the signal or is woken. */
	if (deliver(sig, &u->pending))
		proc_interrupt_locked(u);
	return 0;
}

bool signal_pending_for(const struct uthread *u)
{
	uint64_t p = __atomic_load_n(&u->pending, __ATOMIC_SEQ_CST) |
		     __atomic_load_n(&pending, __ATOMIC_SEQ_CST);

	return p & ~u->blocked;
}

uint64_t signal_blocked(void)
{
	return *my_blocked();
}

int signal_action(int sig, const struct k_sigaction *act,
		  struct k_sigaction *old)
{
	if (sig < 1 || sig > NSIG_LINUX)
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (old)
		*old = actions[sig];
	if (act) {
		actions[sig] = *act;
		actions[sig].mask &= ~(sigbit(SIGKILL) | sigbit(SIGSTOP));
		/* Ignoring a signal discards it if pending (signal(7)); only
		 * the caller's own pending set is dropped here. */
		if (act->handler == SIG_IGN_HANDLER) {
			pending &= ~sigbit(sig);
			*my_pending() &= ~sigbit(sig);
		}
	}
	return 0;
}

int signal_procmask(int how, const uint64_t *set, uint64_t *old)
{
	uint64_t *blocked_p = my_blocked();
	uint64_t blocked = *blocked_p;

	if (old)
		*old = blocked;
	if (!set)
		return 0;
	switch (how) {
	case SIG_BLOCK:
		blocked |= *set;
		break;
	case SIG_UNBLOCK:
		blocked &= ~*set;
		break;
	case SIG_SETMASK:
		blocked = *set;
		break;
	default:
		return -EINVAL;
	}
	blocked &= ~(sigbit(SIGKILL) | sigbit(SIGSTOP));
	*blocked_p = blocked;
	deliver_pending();
	return 0;
}

int signal_altstack(const struct k_stack *ss, struct k_stack *old,
		    uint64_t user_sp)
{
	bool on = !(altstack.flags & SS_DISABLE) && user_sp > altstack.sp &&
		  user_sp - altstack.sp <= altstack.size;

	if (old) {
		*old = altstack;
		if (on)
			old->flags |= SS_ONSTACK;
	}
	if (!ss)
		return 0;
	if (on)
		return -EPERM;
	if ((uint32_t)ss->flags & ~(uint32_t)(SS_DISABLE | SS_AUTODISARM))
		return -EINVAL;
	if (ss->flags & SS_DISABLE) {
		altstack = (struct k_stack){0, SS_DISABLE, 0, 0};
		return 0;
	}
	if (ss->size < MINSIGSTKSZ)
		return -ENOMEM;
	altstack = *ss;
	return 0;
}

#define SA_NODEFER   0x40000000U
#define SA_RESETHAND 0x80000000U

int signal_next_handled(struct k_sigaction *act, uint64_t *old_blocked)
{
	uint64_t *blocked = my_blocked(), *mine = my_pending();
	uint64_t ready = (*mine | pending) & ~*blocked;
	struct uthread *u = uthread_self();
	/* After rt_sigsuspend the handler's frame carries the mask from
	 * before it, and so does the thread when no handler runs. */
	bool suspended = u && u->suspend_restore;

	if (suspended)
		u->suspend_restore = false;

	for (int sig = 1; ready && sig <= NSIG_LINUX; sig++) {
		if (!(ready & sigbit(sig)) ||
		    actions[sig].handler <= SIG_IGN_HANDLER)
			continue;
		/* The thread's own first, as Linux dequeues. */
		if (*mine & sigbit(sig))
			__atomic_and_fetch(mine, ~sigbit(sig),
					   __ATOMIC_SEQ_CST);
		else
			__atomic_and_fetch(&pending, ~sigbit(sig),
					   __ATOMIC_SEQ_CST);
		*act = actions[sig];
		*old_blocked = suspended ? u->suspend_saved : *blocked;
		*blocked |= act->mask;
		if (!(act->flags & SA_NODEFER))
			*blocked |= sigbit(sig);
		*blocked &= ~(sigbit(SIGKILL) | sigbit(SIGSTOP));
		if (act->flags & SA_RESETHAND)
			actions[sig].handler = 0;
		return sig;
	}
	if (suspended)
		*blocked = u->suspend_saved;
	return 0;
}

void signal_restore_blocked(uint64_t mask)
{
	*my_blocked() = mask & ~(sigbit(SIGKILL) | sigbit(SIGSTOP));
	deliver_pending();
}

struct k_stack signal_get_altstack(void)
{
	return altstack;
}
