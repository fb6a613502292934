/* The firmware floor: a Multiboot kernel that prints one line and leaves
 * through isa-debug-exit. Booting it measures what QEMU and its firmware
 * cost on a given command line, so the kernel's own share is visible. */
	.code32
	.text
	.globl _start
	.align 4
mb_header:			/* Multiboot v1 header, spec section 3.1.1 */
	.long 0x1BADB002	/* magic */
	.long 0			/* flags: nothing asked of the booter */
	.long -0x1BADB002	/* checksum: magic + flags + checksum == 0 */
_start:
	mov $msg, %esi
	mov $0x3f8, %dx		/* COM1 data register */
1:	lodsb
	test %al, %al
	jz 2f
	outb %al, %dx
	jmp 1b
2:	mov $0xf4, %dx		/* isa-debug-exit: QEMU exits with (0 << 1) | 1 */
	xor %eax, %eax
	outl %eax, %dx
3:	hlt
	jmp 3b
msg:	.asciz "floor: hello from a do-nothing kernel\n"
