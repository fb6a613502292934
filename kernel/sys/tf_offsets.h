/* Constants shared by entry.S and C (checked in syscall.c against arch.h). */
#ifndef KERNEL_SYS_TF_OFFSETS_H
#define KERNEL_SYS_TF_OFFSETS_H

/* struct trapframe, from its start (kernel/include/kernel/arch.h). */
#define TF_RAX	  112
#define TF_R11	  32
#define TF_RCX	  96
#define TF_RFLAGS 152
#define TF_RIP	  136
#define TF_SIZE	  176

/* The same fields once the 15 general registers are popped. */
#define TFH_RIP	   16
#define TFH_RFLAGS 32
#define TFH_RSP	   40

/* struct cpu fields read through %gs. */
#define ASM_CPU_KSTACK_TOP 0x08
#define ASM_CPU_USER_RSP   0x10

#define ASM_SEL_UDATA	 0x1b
#define ASM_SEL_UCODE	 0x23
#define ASM_TRAP_SYSCALL 0x100

#endif
