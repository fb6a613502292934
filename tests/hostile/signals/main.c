/* Hostile guest: signal handlers run and return; tampered frames are contained.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int ran, got_sig, got_info;
static int failures;

static void check(const char *what, int ok)
{
	if (!ok) {
		printf("signals: FAILED %s\n", what);
		failures++;
	}
}

static void on_usr1(int sig, siginfo_t *info, void *uc)
{
	(void)uc;
	ran++;
	got_sig = sig;
	got_info = info->si_signo;
	/* Clobber an SSE register the interrupted code is using. */
	__asm__ volatile("pxor %%xmm5, %%xmm5" ::: "xmm5");
}

/* Raise SIGUSR1 with a pattern in %xmm5 and give back what %xmm5 holds
 * afterwards: the frame must restore SSE state. */
static uint64_t raise_keeping_xmm5(uint64_t pattern)
{
	uint64_t out;
	long pid = getpid(), tid = gettid();

	__asm__ volatile("movq %[p], %%xmm5\n\t"
			 "syscall\n\t"
			 "movq %%xmm5, %[o]"
			 : [o] "=r"(out)
			 : [p] "r"(pattern), "a"(234L /* tgkill */), "D"(pid),
			   "S"(tid), "d"((long)SIGUSR1)
			 : "rcx", "r11", "memory", "xmm5");
	return out;
}

/* Tampering handlers: the kernel must keep what matters to it. */
static void raise_iopl(int sig, siginfo_t *info, void *p)
{
	ucontext_t *uc = p;

	(void)sig;
	(void)info;
	uc->uc_mcontext.gregs[REG_EFL] |= 0x3000; /* IOPL 3 */
}

static void jump_noncanonical(int sig, siginfo_t *info, void *p)
{
	ucontext_t *uc = p;

	(void)sig;
	(void)info;
	uc->uc_mcontext.gregs[REG_RIP] = 0x0000800000000000LL;
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO;
	sigaction(sig, &sa, NULL);
}

int main(void)
{
	sigset_t set;
	uint64_t rflags;

	install(SIGUSR1, on_usr1);
	check("raise returns 0", raise(SIGUSR1) == 0);
	check("handler ran once", ran == 1);
	check("handler got the signal", got_sig == SIGUSR1);
	check("siginfo names the signal", got_info == SIGUSR1);
	check("SSE state survives the handler",
	      raise_keeping_xmm5(0x1122334455667788ULL) ==
		      0x1122334455667788ULL);
	check("handler ran again", ran == 2);

	/* Blocked: pending until unblocked, then run in sigprocmask. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	check("blocked signal waits", ran == 2);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	check("unblocked signal runs", ran == 3);

	/* Ignored signals do nothing. */
	signal(SIGUSR2, SIG_IGN);
	check("ignored signal", raise(SIGUSR2) == 0);

	install(SIGUSR2, raise_iopl);
	raise(SIGUSR2);
	__asm__ volatile("pushfq; popq %0" : "=r"(rflags));
	check("IOPL stays 0 after a tampered frame", (rflags & 0x3000) == 0);

	if (failures) {
		printf("signals: %d FAILED\n", failures);
		return 1;
	}
	printf("signals ok\n");
	fflush(stdout);

	/* Last: a frame returning to a non-canonical address must end the
	 * application, not fault in the kernel. */
	install(SIGUSR2, jump_noncanonical);
	raise(SIGUSR2);
	printf("signals: survived a non-canonical return\n");
	return 1;
}
