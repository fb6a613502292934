/* syscall_entry: the LSTAR target, where `syscall` from ring 3 arrives. */
#include "arch/x86_64/trapframe_asm.h"

/*
 * On entry (Intel SDM Vol. 2B, SYSCALL): RCX = user RIP, R11 = user
 * RFLAGS, CS/SS from STAR, RSP still the user's, RFLAGS masked by SFMASK
 * (IF, DF, TF, AC clear). Arguments: RAX = number, RDI RSI RDX R10 R8 R9.
 *
 * The entry builds a full struct trapframe on the CPU's kernel stack, as
 * an interrupt from ring 3 would, so the C side sees one shape. It never
 * touches the user stack: the 128 bytes below the user RSP are the
 * application's red zone.
 */
	.text
	.globl	syscall_entry
	.type	syscall_entry, @function
	.balign	16
syscall_entry:
	swapgs
	movq	%rsp, %gs:ASM_CPU_USER_RSP
	movq	%gs:ASM_CPU_KSTACK_TOP, %rsp

	/* Hardware-frame half, as an interrupt from ring 3 pushes it. */
	pushq	$ASM_SEL_UDATA		/* ss */
	pushq	%gs:ASM_CPU_USER_RSP	/* rsp */
	pushq	%r11			/* rflags */
	pushq	$ASM_SEL_UCODE		/* cs */
	pushq	%rcx			/* rip */
	pushq	$0			/* error */
	pushq	$ASM_TRAP_SYSCALL	/* vector */

	PUSH_REGS

	xorl	%ebp, %ebp		/* ends the panic backtrace here */
	movq	%rsp, %rdi
	sti
	call	syscall_dispatch
	cli
	movq	%rax, TF_RAX(%rsp)

	/*
	 * sysretq can only give back RCX = RIP and R11 = RFLAGS: a frame
	 * changed otherwise (a signal handler starting, rt_sigreturn) leaves
	 * through iretq, which restores every register.
	 *
	 * SYSRET with a non-canonical RCX raises #GP in ring 0 on Intel CPUs
	 * after RSP is already the user's (SDM Vol. 2B, SYSRET, and the
	 * "SYSRET privilege escalation" erratum, CVE-2012-0217). Only user
	 * addresses below 2^47 go back through sysretq; anything else takes
	 * iretq, which checks the frame before leaving ring 0.
	 */
	movq	TF_RIP(%rsp), %rcx
	cmpq	TF_RCX(%rsp), %rcx
	jne	.Liret
	movq	TF_RFLAGS(%rsp), %r11
	cmpq	TF_R11(%rsp), %r11
	jne	.Liret
	shrq	$47, %rcx
	jnz	.Liret

	POP_REGS
	/* As Linux leaves them: RCX = return RIP, R11 = RFLAGS. */
	movq	TFH_RIP(%rsp), %rcx
	movq	TFH_RFLAGS(%rsp), %r11
	movq	TFH_RSP(%rsp), %rsp
	swapgs
	sysretq

.Liret:
	jmp	trap_return		/* iretq, swapgs back to ring 3 */
	.size	syscall_entry, . - syscall_entry

	.section .note.GNU-stack, "", @progbits
