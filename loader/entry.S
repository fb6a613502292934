/* Loader entry: Multiboot header, 32-bit start, switch to long mode, kernel jump. */
#include "multiboot.h"

#define MB_HEADER_FLAGS (MB_HEADER_PAGE_ALIGN | MB_HEADER_MEMORY_INFO)

/* Intel SDM Vol. 3A, 2.5 (control registers) and 2.2.1 (EFER). */
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
/* Intel SDM Vol. 2A, CPUID leaf 80000001h, EDX. */
#define CPUID_EXT_NX (1 << 20)
#define CPUID_EXT_LM (1 << 29)
/* Intel SDM Vol. 3A, 4.5 (4-level paging), the PML4E, PDPTE and 2 MiB PDE
 * formats: present, writable, page size. */
#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_PS 0x80

#define GDT_CODE64 0x08
#define GDT_DATA 0x10

#define COM1 0x3f8
#define COM2 0x2f8
#define UART_LSR 5 /* line status; bit 5: transmit holding register empty */
#define UART_SCR 7 /* scratch register, used to see whether a UART exists */
#define EXIT_PORT 0xf4
#define EXIT_BADIMAGE 126

#define STACK_SIZE 16384

/*
 * Multiboot spec 3.1.1-3.1.2: the header lies in the first 8192 bytes,
 * 32-bit aligned. Without bit 16 the boot loader takes the load
 * addresses from our ELF program headers.
 */
	.section .multiboot, "a"
	.balign 4
	.long MB_HEADER_MAGIC
	.long MB_HEADER_FLAGS
	.long -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

/*
 * Multiboot spec 3.2: protected mode, paging off, flat CS/DS/SS, EAX =
 * magic, EBX = physical address of the boot information, no usable
 * stack, interrupts off.
 */
	.section .text.entry, "ax"
	.code32
	.globl loader_entry32
loader_entry32:
	movl %eax, %edi			/* rdtsc overwrites EAX and EDX */
	rdtsc
	movl %eax, loader_tsc_at_start
	movl %edx, loader_tsc_at_start + 4
	cli
	cld
	movl %ebx, %ebp			/* Multiboot info; CPUID clobbers EBX */
	movl $loader_stack_top, %esp

	movl $msg_not_multiboot, %esi
	cmpl $MB_BOOTLOADER_MAGIC, %edi
	jne fail32

	/* Long mode and NX support: CPUID 80000001h, after checking that the
	 * extended leaf exists (Intel SDM Vol. 2A, CPUID). */
	movl $msg_no_long_mode, %esi
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb fail32
	movl $0x80000001, %eax
	cpuid
	testl $CPUID_EXT_LM, %edx
	jz fail32
	movl %edx, %esi			/* keep the feature bits for EFER */

	/* The boot loader may or may not have zeroed our .bss: do it. */
	movl $loader_bss_start, %edi
	movl $loader_bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	/*
	 * Identity map 0-4 GiB with 2 MiB pages: PML4[0] -> one PDPT, whose
	 * first four entries point at four page directories. That covers
	 * every address a 32-bit Multiboot memory map can list below 4 GiB,
	 * so any pointer the boot loader hands over is reachable.
	 */
	movl $loader_pdpt_ident + (PTE_P | PTE_W), loader_pml4
	movl $loader_pdpt_ident, %edi
	movl $loader_pd_ident + (PTE_P | PTE_W), %eax
	movl $4, %ecx
1:	movl %eax, (%edi)
	addl $4096, %eax
	addl $8, %edi
	loop 1b
	movl $loader_pd_ident, %edi
	movl $(PTE_P | PTE_W | PTE_PS), %eax
	movl $2048, %ecx
1:	movl %eax, (%edi)
	addl $0x200000, %eax
	addl $8, %edi
	loop 1b

	/* Intel SDM Vol. 3A, "Initializing IA-32e Mode": PAE, CR3, EFER.LME,
	 * then CR0.PG; the far jump below then enters 64-bit code. */
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $loader_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	testl $CPUID_EXT_NX, %esi	/* NXE faults on a CPU without NX */
	jz 1f
	orl $EFER_NXE, %eax
1:	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0

	lgdt gdt_desc
	/* An empty IDT: any exception from here until the kernel loads its
	 * own becomes a triple fault, which stops QEMU (-no-reboot) rather
	 * than running through whatever IDT the firmware left. */
	lidt null_idt
	ljmp $GDT_CODE64, $entry64

/*
 * fail32: print the string at ESI on COM1, report status 126 on COM2
 * and isa-debug-exit, then triple-fault (QEMU -no-reboot stops). For the
 * checks made before long mode; loader_fail() in exit.c is the same
 * path for everything after.
 */
fail32:
	movw $COM1, %dx
	call puts32
	movl $msg_status, %esi
	movw $COM2 + UART_SCR, %dx	/* no UART there reads back 0xff */
	movb $0x5a, %al
	outb %al, %dx
	inb %dx, %al
	cmpb $0x5a, %al
	jne 1f
	movw $COM2, %dx
	call puts32
1:	movl $EXIT_BADIMAGE, %eax
	outl %eax, $EXIT_PORT
	lidt null_idt
	int3

/* puts32: NUL-terminated string at ESI to the UART at DX; bounded waits. */
puts32:
	lodsb
	testb %al, %al
	jz 3f
	movb %al, %bl
	addw $UART_LSR, %dx
	movl $100000, %ecx
1:	inb %dx, %al
	testb $0x20, %al
	loopz 1b
	subw $UART_LSR, %dx
	movb %bl, %al
	outb %al, %dx
	jmp puts32
3:	ret

	.code64
entry64:
	movl $GDT_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movq $loader_stack_top, %rsp
	movl %ebp, %edi			/* Multiboot info, zero-extended */
	call loader_main
	ud2				/* loader_main never returns */

/*
 * void loader_enter_kernel(uint64_t entry, uint64_t boot_info,
 *                          uint64_t stack_top)
 * The entry contract of include/kiln/abi/boot.h: RDI = boot info,
 * RSP 16-byte aligned, interrupts off. RBP = 0 ends backtraces.
 */
	.text
	.globl loader_enter_kernel
loader_enter_kernel:
	cli
	movq %rdx, %rsp
	movq %rdi, %rax
	movq %rsi, %rdi
	xorl %ebp, %ebp
	jmp *%rax

	.section .rodata
msg_not_multiboot:
	.asciz "[LOADER] error: boot: not started by a Multiboot loader\n"
msg_no_long_mode:
	.asciz "[LOADER] error: cpu: no 64-bit long mode support\n"
msg_status:
	.asciz "kiln-exit 126\n"

/* Intel SDM Vol. 3A, "Segment Descriptors" and "Code-Segment Descriptor
 * in 64-bit Mode": a 64-bit code segment (L=1, D=0), a data segment. */
	.balign 8
gdt:
	.quad 0
	.quad 0x00209a0000000000	/* 0x08: code, present, DPL 0, L */
	.quad 0x0000920000000000	/* 0x10: data, present, writable */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt
null_idt:
	.word 0
	.long 0

	.data
	.balign 8
	.globl loader_tsc_at_start
loader_tsc_at_start:
	.quad 0

/* Page tables first in .bss so that their 4 KiB alignment costs nothing. */
	.section .bss.pagetables, "aw", @nobits
	.balign 4096
	.globl loader_pml4
loader_pml4:
	.skip 4096
loader_pdpt_ident:
	.skip 4096
loader_pd_ident:
	.skip 4 * 4096

	.bss
	.balign 16
loader_stack:
	.skip STACK_SIZE
	.globl loader_stack_top
loader_stack_top:
