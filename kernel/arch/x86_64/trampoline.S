/* The AP start-up code: real mode -> protected mode -> long mode -> C. */

/*
 * Not run where it is linked: smp.c copies trampoline_start..end to a
 * free page below 1 MiB, maps that page at its own physical address
 * (paging goes on while executing here), fills the parameter block and
 * the three absolute addresses below with that base, and sends STARTUP
 * IPIs naming the page. The AP starts at CS = page << 8, IP = 0, in real
 * mode (Intel SDM Vol. 3A, 9.4.4.1 and 11.6.1). Mode switches as in SDM
 * Vol. 3A, 9.9.1 (protected mode) and 10.8.5 (IA-32e mode).
 */
#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)
#define EFER_NXE	(1 << 11)	/* the kernel's PTEs use NX */
#define MSR_GS_BASE	0xc0000101
#define CR0_PE		(1 << 0)
#define CR0_WP		(1 << 16)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define SEL_CODE32	0x08
#define SEL_DATA	0x10
#define SEL_CODE64	0x18

#define OFF(x)		((x) - trampoline_start)

	.section .rodata
	.balign	16
	.globl	trampoline_start
trampoline_start:
	.code16
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	movzwl	%ax, %esi
	shll	$4, %esi		/* the page's physical address */
	lgdtl	OFF(tr_gdtr)
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	*OFF(tr_pm32_ptr)

	.code32
tr_pm32:
	movw	$SEL_DATA, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	OFF(tr_cr3)(%esi), %eax	/* below 4 GiB */
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(CR0_PG | CR0_WP), %eax
	movl	%eax, %cr0
	ljmpl	*OFF(tr_lm64_ptr)(%esi)

	.code64
tr_lm64:
	movl	%esi, %esi		/* upper half undefined */
	movq	OFF(tr_stack)(%rsi), %rsp
	movq	OFF(tr_cpu)(%rsi), %rdi
	movq	%rdi, %rax
	movq	%rdi, %rdx
	shrq	$32, %rdx
	movl	$MSR_GS_BASE, %ecx
	wrmsr				/* this_cpu() from C line 1 */
	movq	OFF(tr_entry)(%rsi), %rax
	xorl	%ebp, %ebp		/* ends panic backtraces */
	call	*%rax			/* smp_ap_main(cpu) */
1:	cli
	hlt
	jmp	1b

	.balign	8
tr_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 32-bit code, flat */
	.quad	0x00cf92000000ffff	/* data, flat */
	.quad	0x00af9a000000ffff	/* 64-bit code */
tr_gdt_end:
	.balign	8
	.globl	trampoline_gdtr
trampoline_gdtr:
tr_gdtr:
	.word	tr_gdt_end - tr_gdt - 1
	.long	0			/* base + OFF(tr_gdt): smp.c */
	.balign	8
	.globl	trampoline_pm32_ptr
trampoline_pm32_ptr:
tr_pm32_ptr:
	.long	0			/* base + OFF(tr_pm32): smp.c */
	.word	SEL_CODE32
	.balign	8
	.globl	trampoline_lm64_ptr
trampoline_lm64_ptr:
tr_lm64_ptr:
	.long	0			/* base + OFF(tr_lm64): smp.c */
	.word	SEL_CODE64

/* The parameter block, filled by smp.c for each AP in turn. */
	.balign	8
	.globl	trampoline_params
trampoline_params:
tr_cr3:
	.quad	0
tr_stack:
	.quad	0
tr_cpu:
	.quad	0
tr_entry:
	.quad	0
	.globl	trampoline_end
trampoline_end:
	.globl	trampoline_gdt
	.set	trampoline_gdt, tr_gdt
	.globl	trampoline_pm32
	.set	trampoline_pm32, tr_pm32
	.globl	trampoline_lm64
	.set	trampoline_lm64, tr_lm64

	.section .note.GNU-stack, "", @progbits
