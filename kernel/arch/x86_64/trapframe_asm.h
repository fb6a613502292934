/* struct trapframe for assembly: offsets and the register save/restore
 * macros both entry paths use (checked against arch.h in syscall.c). */
#ifndef KERNEL_ARCH_TRAPFRAME_ASM_H
#define KERNEL_ARCH_TRAPFRAME_ASM_H

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

#ifdef __ASSEMBLER__
/* The general-register half of struct trapframe, lowest field (r15) last
 * pushed. */
.macro PUSH_REGS
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
.endm

.macro POP_REGS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
.endm
#endif

#endif
