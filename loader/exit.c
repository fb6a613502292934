/* The loader's one way out on bad input: an error line, status 126, stop. */
#include <kiln/abi/exit.h>

#include "io.h"
#include "loader.h"

#define UART_LSR      5
#define UART_LSR_THRE 0x20
#define UART_SCR      7 /* PC16550D scratch register */

/* COM2 may be absent (QEMU -nodefaults with one -serial): an absent port
 * reads 0xff, so a value that reads back proves a UART is there. */
static int uart_present(uint16_t base)
{
	outb(base + UART_SCR, 0x5a);
	if (inb(base + UART_SCR) != 0x5a)
		return 0;
	outb(base + UART_SCR, 0xa5);
	return inb(base + UART_SCR) == 0xa5;
}

static void uart_puts(uint16_t base, const char *s)
{
	for (; *s; s++) {
		for (int i = 0; i < 100000; i++)
			if (inb(base + UART_LSR) & UART_LSR_THRE)
				break;
		outb(base, (uint8_t)*s);
	}
}

/* A zero-limit IDT turns the next exception into a triple fault, which
 * QEMU with -no-reboot ends the run on (a real machine resets). */
static __attribute__((noreturn)) void triple_fault(void)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) null_idt = {0, 0};

	__asm__ volatile("lidt %0\n\tint3" : : "m"(null_idt));
	__builtin_unreachable();
}

void loader_fail(const char *what, const char *fmt, ...)
{
	va_list ap;

	serial_printf("[LOADER] error: %s: ", what);
	va_start(ap, fmt);
	serial_vprintf(fmt, ap);
	va_end(ap);
	serial_printf("\n");
	if (uart_present(KILN_CTL_COM_PORT))
		uart_puts(KILN_CTL_COM_PORT, "kiln-exit 126\n");
	outl(KILN_EXIT_PORT, KILN_EXIT_BADIMAGE);
	triple_fault();
}
