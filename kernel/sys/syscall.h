/* The syscall layer's own declarations: handler signature and the table. */
#ifndef KERNEL_SYS_SYSCALL_H
#define KERNEL_SYS_SYSCALL_H

#include <kernel/arch.h>
#include <kernel/types.h>

/* The six argument registers (RDI RSI RDX R10 R8 R9) and the full frame. */
struct sys_args {
	uint64_t arg[6];
	struct trapframe *tf;
};

/* Every handler: unpack a->arg[] into typed locals, check, call a plain
 * function. Returns a result, or a negative errno in [-4095, -1]. */
typedef long (*sys_fn)(const struct sys_args *a);

#define SYSCALL(nr, name) long sys_##name(const struct sys_args *a);
#include "systab.h"
#undef SYSCALL

/* Linux's name for syscall nr (sysnames.c), or NULL for an unused or
 * unknown number. */
#define SYSCALL_NAMES_MAX 451
const char *syscall_name(uint64_t nr);

#endif
