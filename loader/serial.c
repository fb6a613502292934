/* COM1 console for the loader: a polled 16550 and a small printf. */
#include "io.h"
#include "loader.h"

/* Register offsets from the PC16550D datasheet, "Register Addressing". */
#define COM1		 0x3f8
#define UART_THR	 0    /* transmit holding (DLAB = 0) */
#define UART_DLL	 0    /* divisor latch low (DLAB = 1) */
#define UART_IER	 1    /* interrupt enable (DLAB = 0) */
#define UART_DLM	 1    /* divisor latch high (DLAB = 1) */
#define UART_IIR	 2    /* interrupt identification (read) */
#define UART_IIR_FIFOS	 0xc0 /* both set: FIFOs enabled */
#define UART_FCR	 2    /* FIFO control (write) */
#define UART_FCR_ENABLE	 0x01
#define UART_FCR_CLEAR	 0x06 /* reset both FIFOs */
#define UART_LCR	 3
#define UART_LCR_8N1	 0x03
#define UART_LCR_DLAB	 0x80
#define UART_MCR	 4
#define UART_MCR_DTR_RTS 0x03
#define UART_LSR	 5
#define UART_LSR_THRE	 0x20 /* transmit holding register (FIFO) empty */

/* Bounded, so a UART that never gets ready cannot hang the boot. */
#define TX_SPINS     100000
#define TX_FIFO_SIZE 16 /* 16550A transmit FIFO */

/* Bytes the UART takes before LSR must be read again: THRE means the
 * whole transmit FIFO is empty (PC16550D, "Line Status Register"). Each
 * port access is slow under QEMU's TCG, so this saves one per byte. */
static unsigned tx_depth = 1, tx_room;

void serial_init(void)
{
	outb(COM1 + UART_IER, 0); /* polled: no interrupts */
	outb(COM1 + UART_LCR, UART_LCR_DLAB);
	outb(COM1 + UART_DLL, 1); /* 115200 baud: 1.8432 MHz / 16 / 1 */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, UART_LCR_8N1);
	outb(COM1 + UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR);
	outb(COM1 + UART_MCR, UART_MCR_DTR_RTS);
	if ((inb(COM1 + UART_IIR) & UART_IIR_FIFOS) == UART_IIR_FIFOS)
		tx_depth = TX_FIFO_SIZE; /* an 8250/16450 has no FIFO */
}

static void putc(char c)
{
	if (tx_room == 0) {
		for (int i = 0; i < TX_SPINS; i++)
			if (inb(COM1 + UART_LSR) & UART_LSR_THRE)
				break;
		tx_room = tx_depth;
	}
	tx_room--;
	outb(COM1 + UART_THR, (uint8_t)c);
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void put_num(uint64_t v, unsigned base)
{
	char buf[24];
	int i = 0;

	do {
		buf[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (i)
		putc(buf[--i]);
}

void serial_vprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putc(*fmt);
			continue;
		}
		int is_long = 0;
		if (*++fmt == 'l') {
			is_long = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			puts(va_arg(ap, const char *));
			break;
		case 'c':
			putc((char)va_arg(ap, int));
			break;
		case 'u':
		case 'x':
			put_num(is_long ? va_arg(ap, unsigned long)
					: va_arg(ap, unsigned int),
				*fmt == 'u' ? 10 : 16);
			break;
		case '%':
			putc('%');
			break;
		default: /* unknown conversion: show it rather than guess */
			putc('%');
			if (*fmt == '\0')
				return;
			putc(*fmt);
		}
	}
}

void serial_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	serial_vprintf(fmt, ap);
	va_end(ap);
}

void log_line(const char *fmt, ...)
{
	va_list ap;

	puts("[LOADER] ");
	va_start(ap, fmt);
	serial_vprintf(fmt, ap);
	va_end(ap);
	putc('\n');
}
