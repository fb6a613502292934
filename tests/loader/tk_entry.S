/* Test kernel entry: record RSP as the loader left it, then run the checks. */
	.section .text.entry, "ax"
	.globl tk_entry
tk_entry:
	movq %rsp, tk_entry_rsp(%rip)
	call tk_main			/* RDI: the boot-info block */
	ud2
