/* Interrupt and exception entry: 256 stubs, the common path, trap_return. */

#include "trapframe_asm.h"

#define MSR_GS_BASE 0xc0000101
#define HW_CS 24	/* cs above the stub's vector and error words */

/*
 * One 16-byte stub per vector (idt.c computes trap_stubs + 16 * vector):
 * push a zero error code where the CPU pushes none (Intel SDM Vol. 3A,
 * 6.13, table 6-1: 8, 10-14, 17, 21, 29, 30 push one), push the vector.
 * NMI, #DF and #MC arrive on their own IST stacks and take the paranoid
 * path.
 */
	.section .text
	.balign 16
	.globl trap_stubs
trap_stubs:
	.set vec, 0
	.rept 256
	.org	trap_stubs + vec * 16, 0xcc	/* fails if a stub outgrew 16 */
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushq	$0
	.endif
	pushq	$vec
	.if vec == 2 || vec == 8 || vec == 18
	jmp	trap_paranoid
	.else
	jmp	trap_common
	.endif
	.set vec, vec + 1
	.endr


/*
 * From ring 3 the GS base is the application's: SWAPGS brings the
 * kernel's (kept in KERNEL_GS_BASE while user code runs). The frame is
 * 22 quadwords over a 16-byte aligned hardware frame, so %rsp is 16-byte
 * aligned at the call as the ABI wants.
 */
trap_common:
	testb	$3, HW_CS(%rsp)
	jz	1f
	swapgs
1:	PUSH_REGS
	cld
	movq	%rsp, %rdi
	call	trap_dispatch
	/* fall through */

/*
 * Restore a struct trapframe at %rsp and IRETQ; SWAPGS first when going
 * back to ring 3. arch_enter_user and the syscall layer jump here too.
 */
	.globl trap_return
	.type trap_return, @function
trap_return:
	POP_REGS
	addq	$16, %rsp		/* vector, error */
	testb	$3, 8(%rsp)
	jz	2f
	swapgs
2:	iretq
	.size trap_return, . - trap_return

/*
 * NMI, #DF and #MC can strike anywhere, including the instructions of the
 * syscall path that run in ring 0 with the application's GS base, which
 * the application may have set to anything (WRGSBASE). So no SWAPGS
 * guessing: save the GS base, load the owning struct cpu that gdt.c put
 * just above this IST stack's frame, and put the old base back on return.
 */
trap_paranoid:
	PUSH_REGS
	cld
	movl	$MSR_GS_BASE, %ecx
	rdmsr
	movl	%eax, %r12d		/* callee-saved across the call */
	movl	%edx, %r13d
	movq	TF_SIZE(%rsp), %rax
	movq	%rax, %rdx
	shrq	$32, %rdx
	wrmsr
	movq	%rsp, %rdi
	call	trap_dispatch
	movl	$MSR_GS_BASE, %ecx
	movl	%r12d, %eax
	movl	%r13d, %edx
	wrmsr
	POP_REGS
	addq	$16, %rsp
	iretq

	.section .note.GNU-stack, "", @progbits
