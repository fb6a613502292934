/* panic(): report a broken kernel invariant with a backtrace, exit 125. */
#include <kernel/arch.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/power.h>
#include <kiln/abi/exit.h>

#include "arch/x86_64/trap.h"
#include "lib/ksym.h"
#include "lib/log_priv.h"

#define BACKTRACE_MAX 24

static int panic_depth;

/*
 * Every panic path starts here; true for a panic inside the panic (say the
 * backtrace faulted), which the caller reports in one line before exiting.
 * A third level takes the exit port directly, which cannot fault.
 */
static bool panic_begin(void)
{
	irq_disable();
	console_break_lock();
	int depth = __atomic_fetch_add(&panic_depth, 1, __ATOMIC_SEQ_CST);
	if (depth > 1) {
		outl(KILN_EXIT_PORT, KILN_EXIT_PANIC & 0x7f);
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	return depth == 1;
}

/* A frame pointer we may follow: aligned, inside the kernel half and
 * mapped (the stack may be a guard page away from its end). */
static bool frame_readable(uint64_t rbp)
{
	if (rbp & 7 || rbp < DIRECT_MAP_BASE || rbp > UINT64_MAX - 16)
		return false;
	return (vmm_lookup(rbp) & PTE_PRESENT) &&
	       (vmm_lookup(rbp + 8) & PTE_PRESENT);
}

static void print_frame(int i, uint64_t addr, uint64_t lookup)
{
	uint64_t off;
	const char *name = ksym_lookup(lookup, &off);

	if (name)
		panic_line("  #%d %#lx %s+%#lx", i, addr, name,
			   off + (addr - lookup));
	else
		panic_line("  #%d %#lx", i, addr);
}

/* Walks the RBP chain (the kernel keeps frame pointers). Return addresses
 * are looked up one byte back: a call at the end of a function returns
 * past it. */
static void panic_backtrace(uint64_t rip, uint64_t rbp)
{
	int i = 0;

	panic_line("backtrace:");
	if (rip)
		print_frame(i++, rip, rip);
	for (; i < BACKTRACE_MAX && frame_readable(rbp); i++) {
		const uint64_t *frame = (const uint64_t *)rbp;
		uint64_t ret = frame[1];

		if (ret < KERNEL_VIRT_BASE)
			break;
		print_frame(i, ret, ret - 1);
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
}

static const char *thread_name(void)
{
	const char *n = this_cpu()->thread_name;

	return n ? n : "?";
}

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	bool nested = panic_begin();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (nested) {
		panic_line("nested panic: %s", msg);
		machine_exit(KILN_EXIT_PANIC);
	}
	panic_line("kernel panic: %s (cpu %u, thread %s)", msg, this_cpu()->id,
		   thread_name());
	panic_backtrace(0, (uint64_t)__builtin_frame_address(0));
	machine_exit(KILN_EXIT_PANIC);
}

void panic_trap(const struct trapframe *tf, uint64_t cr2)
{
	const char *name = trap_name(tf->vector);

	if (panic_begin()) {
		panic_line("nested panic: %s at rip %#lx, cr2 %#lx",
			   name ? name : "interrupt", tf->rip, cr2);
		machine_exit(KILN_EXIT_PANIC);
	}
	panic_line("kernel panic: %s (vector %lu), error %#lx, rip %#lx, "
		   "cr2 %#lx, cpu %u, thread %s",
		   name ? name : "unexpected interrupt", tf->vector, tf->error,
		   tf->rip, cr2, this_cpu()->id, thread_name());
	panic_line("rax %016lx rbx %016lx rcx %016lx rdx %016lx", tf->rax,
		   tf->rbx, tf->rcx, tf->rdx);
	panic_line("rsi %016lx rdi %016lx rbp %016lx rsp %016lx", tf->rsi,
		   tf->rdi, tf->rbp, tf->rsp);
	panic_line("r8  %016lx r9  %016lx r10 %016lx r11 %016lx", tf->r8,
		   tf->r9, tf->r10, tf->r11);
	panic_line("r12 %016lx r13 %016lx r14 %016lx r15 %016lx", tf->r12,
		   tf->r13, tf->r14, tf->r15);
	panic_line("rip %016lx rflags %08lx cs %04lx ss %04lx", tf->rip,
		   tf->rflags, tf->cs, tf->ss);
	panic_backtrace(tf->rip, tf->rbp);
	machine_exit(KILN_EXIT_PANIC);
}
