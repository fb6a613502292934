/* Kernel entry: from the booter's contract (kiln/abi/boot.h) to kmain(). */

#define MSR_GS_BASE 0xc0000101
#define KSTACK_SIZE 16384

	.section .text
	.globl _start
	.type _start, @function
/*
 * In: long mode, CPL 0, interrupts off, %rdi = boot-info block (identity
 * mapped). The booter's stack is left at once: its memory is released
 * later. The GS base points at the boot CPU's struct cpu from the first C
 * line on, so this_cpu() and logging work everywhere.
 */
_start:
	cld
	leaq	boot_stack_top(%rip), %rsp
	leaq	cpu0(%rip), %rax
	movq	%rax, (%rax)		/* cpu0.self, read as %gs:0 */
	movq	%rax, %rdx
	shrq	$32, %rdx
	movl	$MSR_GS_BASE, %ecx
	wrmsr
	xorl	%ebp, %ebp		/* ends panic backtraces */
	call	kmain
1:	cli
	hlt
	jmp	1b
	.size _start, . - _start

/*
 * The boot stack is also the boot CPU's kernel stack once the application
 * runs (TSS.RSP0, syscall entry). The page below it is left unmapped by
 * vmm_init(): an overflow faults (#DF on its own stack) instead of
 * overwriting .bss.
 */
	.section .bss.stack, "aw", @nobits
	.balign 4096
	.globl boot_stack_guard
boot_stack_guard:
	.skip	4096
	.globl boot_stack_bottom
boot_stack_bottom:
	.skip	KSTACK_SIZE
	.globl boot_stack_top
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
