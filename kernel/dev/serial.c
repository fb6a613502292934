/* 16550 UART driver, polled: COM1 console, COM2 status line. */
#include <kernel/arch.h>
#include <kiln/abi/exit.h>

#include "dev/serial.h"

/* Register offsets from the port base (PC16550D datasheet, table 2). */
#define UART_THR	 0 /* transmit holding (DLAB=0) */
#define UART_DLL	 0 /* divisor latch low (DLAB=1) */
#define UART_IER	 1 /* interrupt enable (DLAB=0) */
#define UART_DLM	 1 /* divisor latch high (DLAB=1) */
#define UART_IIR	 2    /* interrupt identification (read) */
#define UART_IIR_FIFOS	 0xc0 /* both set: FIFOs enabled */
#define UART_FCR	 2 /* FIFO control (write) */
#define UART_LCR	 3 /* line control */
#define UART_LCR_8N1	 0x03
#define UART_LCR_DLAB	 0x80
#define UART_MCR	 4 /* modem control */
#define UART_MCR_DTR_RTS 0x03
#define UART_LSR	 5    /* line status */
#define UART_LSR_THRE	 0x20 /* transmit holding register empty */
#define UART_SCR	 7    /* scratch */

#define COM1_PORT 0x3f8
#define COM2_PORT KILN_CTL_COM_PORT

/* 115200 baud: the 1.8432 MHz clock / 16 / divisor 1. */
#define UART_DIVISOR 1

/* Bounded wait for THRE: a wedged UART must not hang the kernel. */
#define UART_SPIN_MAX 100000
#define UART_FIFO_SIZE 16 /* 16550A transmit FIFO */

/*
 * THRE in FIFO mode means the whole transmit FIFO is empty (PC16550D,
 * "Line Status Register"), so after seeing it we may write FIFO-size
 * bytes without reading LSR again. Each port access is slow under TCG
 * (about 1 us); this halves the console's cost per byte.
 */
struct uart {
	uint16_t port;
	uint8_t depth; /* bytes per THRE: 16 with FIFOs, else 1 */
	uint8_t room;  /* bytes still free in the FIFO */
};

static struct uart com1 = {COM1_PORT, 1, 0}, com2 = {COM2_PORT, 1, 0};
static bool com2_present;

static void uart_setup(struct uart *u)
{
	uint16_t port = u->port;

	outb(port + UART_IER, 0);
	outb(port + UART_LCR, UART_LCR_DLAB);
	outb(port + UART_DLL, UART_DIVISOR & 0xff);
	outb(port + UART_DLM, UART_DIVISOR >> 8);
	outb(port + UART_LCR, UART_LCR_8N1);
	outb(port + UART_FCR, 0x07); /* enable and clear both FIFOs */
	outb(port + UART_MCR, UART_MCR_DTR_RTS);
	/* An 8250/16450 has no FIFO: IIR's top bits stay clear. */
	u->depth = (inb(port + UART_IIR) & UART_IIR_FIFOS) == UART_IIR_FIFOS
			   ? UART_FIFO_SIZE
			   : 1;
	u->room = 0;
}

/* A UART is there when its scratch register keeps what we wrote; an empty
 * ISA port reads back 0xff. */
static bool uart_probe(uint16_t port)
{
	outb(port + UART_SCR, 0x5a);
	if (inb(port + UART_SCR) != 0x5a)
		return false;
	outb(port + UART_SCR, 0xa5);
	return inb(port + UART_SCR) == 0xa5;
}

static void uart_write(struct uart *u, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!u->room) {
			for (int n = 0; n < UART_SPIN_MAX; n++) {
				if (inb(u->port + UART_LSR) & UART_LSR_THRE)
					break;
				cpu_relax();
			}
			u->room = u->depth;
		}
		u->room--;
		outb(u->port + UART_THR, (uint8_t)buf[i]);
	}
}

void serial_init(void)
{
	uart_setup(&com1);
	com2_present = uart_probe(COM2_PORT);
	if (com2_present)
		uart_setup(&com2);
}

void serial_console_write(const char *buf, size_t len)
{
	uart_write(&com1, buf, len);
}

bool serial_status_write(const char *buf, size_t len)
{
	if (!com2_present)
		return false;
	uart_write(&com2, buf, len);
	return true;
}
