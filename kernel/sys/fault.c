/* Faults from the application: demand paging, and the one-line fatal report. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/log.h>

#include "signal.h"
#include "uvm.h"

/* #PF error code bits (Intel SDM Vol. 3A, 4.7). */
#define PF_PRESENT (1U << 0)
#define PF_WRITE   (1U << 1)
#define PF_USER	   (1U << 2)
#define PF_RSVD	   (1U << 3)
#define PF_INSTR   (1U << 4)

#define VEC_PF 14

static uint64_t last_addr;

int user_page_fault(uint64_t addr, uint64_t error)
{
	uint32_t access = UVM_READ;

	last_addr = addr;
	/* The kernel copies user memory through the direct map only
	 * (uaccess.c), so a kernel-mode fault here is a kernel bug: the
	 * trap code panics on the error. */
	if (!(error & PF_USER) || (error & PF_RSVD))
		return -EFAULT;
	if (error & PF_WRITE)
		access |= UVM_WRITE;
	if (error & PF_INSTR)
		access |= UVM_EXEC;
	return uvm_fault(addr, access);
}

/* Exception names for the report (Intel SDM Vol. 3A, table 6-1). */
static const char *const vector_names[32] = {
    [0] = "divide error",
    [1] = "debug exception",
    [3] = "breakpoint",
    [4] = "overflow",
    [5] = "bound range exceeded",
    [6] = "invalid opcode",
    [7] = "device not available",
    [10] = "invalid TSS",
    [11] = "segment not present",
    [12] = "stack-segment fault",
    [13] = "general protection fault",
    [16] = "x87 floating-point error",
    [17] = "alignment check",
    [19] = "SIMD floating-point exception",
};

void user_fatal_fault(struct trapframe *tf, int signo, uint64_t addr)
{
	char what[80];

	if (tf->vector == VEC_PF) {
		const char *kind = (tf->error & PF_INSTR)   ? "execute"
				   : (tf->error & PF_WRITE) ? "write"
							    : "read";

		if (addr == last_addr && uvm_last_fault_oom())
			snprintf(what, sizeof what, "out of memory at 0x%lx",
				 addr);
		else
			snprintf(what, sizeof what, "invalid %s at 0x%lx", kind,
				 addr);
	} else if (tf->vector < 32 && vector_names[tf->vector]) {
		snprintf(what, sizeof what, "%s", vector_names[tf->vector]);
	} else {
		snprintf(what, sizeof what, "exception %lu", tf->vector);
	}
	signal_terminate(signo, what, tf->rip);
}
