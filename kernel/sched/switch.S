/* switch_to(): the context switch between two kernel stacks. */

#define THREAD_OFF_RSP 0	/* struct thread, sched/sched_priv.h */

	.text
/*
 * struct thread *switch_to(struct thread *prev, struct thread *next)
 *
 * Called from C with sched_lock held and interrupts off, so only what the
 * System V ABI makes callee-saved needs keeping: RBX, RBP, R12-R15 and
 * RSP (RFLAGS.DF is clear at every call; IF is the same on both sides).
 * The caller-saved registers are dead across the call by the ABI. No FPU
 * or SSE state: the kernel is built general-registers-only, and the
 * scheduler saves and loads a user thread's around the switch (fpu.c).
 * Returns prev in RAX, on next's stack: the thread
 * that comes out of the switch learns whom it replaced (to free it if it
 * died).
 */
	.globl	switch_to
	.type	switch_to, @function
switch_to:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, THREAD_OFF_RSP(%rdi)
	movq	THREAD_OFF_RSP(%rsi), %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	movq	%rdi, %rax
	ret
	.size	switch_to, . - switch_to

/*
 * A new thread's first switch_to() returns here (thread.c builds the
 * frame): RAX = prev, R12 = fn, R13 = arg, RBP = 0 (ends backtraces),
 * RSP 16-byte aligned.
 */
	.globl	thread_trampoline
	.type	thread_trampoline, @function
thread_trampoline:
	movq	%rax, %rdi
	movq	%r12, %rsi
	movq	%r13, %rdx
	call	thread_start
	ud2				/* thread_start never returns */
	.size	thread_trampoline, . - thread_trampoline

	.section .note.GNU-stack, "", @progbits
