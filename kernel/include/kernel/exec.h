/* Starting the application packed in the image (kernel/sys/exec.c). */
#ifndef KERNEL_EXEC_H
#define KERNEL_EXEC_H

#include <kernel/types.h>

struct kiln_boot_info;
struct kcmdline;

/*
 * Find the application ELF through the image descriptor (.kiln.desc) inside
 * modules[0], check it, map its segments into the low half with their
 * permissions, build the System V initial stack (argv from the command line
 * after "--", envp from env=K=V, auxv) and enter ring 3. Never returns.
 * A missing or invalid application is one "[0][ERROR] ..." line and
 * machine_exit(KILN_EXIT_BADIMAGE). Call after vmm_init(), heap_init(),
 * cpu_init() and the timer are up.
 */
__noreturn void exec_start_app(const struct kiln_boot_info *bi,
			       const struct kcmdline *cl);

/*
 * On the way back to ring 3 from an interrupt (kernel/sys/sigframe.c): if
 * the interrupted thread has a signal to handle, its handler runs now, so
 * a thread that computes in ring 3 without system calls still gets its
 * signals (an interval timer's, or a tkill from another CPU, which sends
 * an IPI for it). Interrupts off on entry and on return.
 */
struct trapframe;
void signal_interrupt_return(struct trapframe *tf);

#endif
