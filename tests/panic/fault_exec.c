/* Stands in for kernel/sys/exec.c in the panic test kernel: instead of
 * starting the application, the kernel writes to an unmapped kernel
 * address in ring 0, which must end in a panic report and status 125. */
#include <kernel/exec.h>
#include <kernel/types.h>

/* Not static and not inlined, so the backtrace has a frame to name. */
__attribute__((noinline)) void panic_test_write(volatile uint64_t *p)
{
	*p = 0x6b696c6e; /* unmapped: the direct map ends long before this */
}

void exec_start_app(const struct kiln_boot_info *bi __unused,
		    const struct kcmdline *cl __unused)
{
	panic_test_write((volatile uint64_t *)0xffff8fffdead0000ULL);
	for (;;)
		;
}
