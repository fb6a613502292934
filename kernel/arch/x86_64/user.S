/* arch_enter_user(rip, rsp): the first entry into ring 3. */

#define CPU_OFF_KSTACK_TOP 0x08
#define SEL_UDATA (0x18 | 3)
#define SEL_UCODE (0x20 | 3)
#define RFLAGS_IF 0x200
#define RFLAGS_RESERVED 0x2	/* bit 1 always reads as 1 */

	.section .text
	.globl arch_enter_user
	.type arch_enter_user, @function
/*
 * Gives up the kernel lock, then builds a struct trapframe on this CPU's kernel stack, reset to its top
 * (nothing below it is needed again), and leaves through trap_return:
 * every general register zero, interrupts on, and SWAPGS there makes the
 * user GS base the 0 that cpu_init() left in KERNEL_GS_BASE.
 */
arch_enter_user:
	/* Ring 3 runs without the kernel lock (kernel/sched.h); rdi and
	 * rsi survive the call, the stack is about to be reset anyway. */
	pushq	%rdi
	pushq	%rsi
	subq	$8, %rsp		/* 16-byte aligned at the call */
	call	bkl_unlock_all
	addq	$8, %rsp
	popq	%rsi
	popq	%rdi
	cli
	movq	%gs:CPU_OFF_KSTACK_TOP, %rsp
	pushq	$SEL_UDATA		/* ss */
	pushq	%rsi			/* rsp */
	pushq	$(RFLAGS_IF | RFLAGS_RESERVED)
	pushq	$SEL_UCODE		/* cs */
	pushq	%rdi			/* rip */
	pushq	$0			/* error */
	pushq	$0			/* vector */
	.rept 15
	pushq	$0			/* rax .. r15 */
	.endr
	jmp	trap_return
	.size arch_enter_user, . - arch_enter_user

	.section .note.GNU-stack, "", @progbits
