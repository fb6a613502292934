/* 16550 UARTs: COM1 is the console, COM2 carries the exit-status line. */
#ifndef KERNEL_DEV_SERIAL_H
#define KERNEL_DEV_SERIAL_H

#include <kernel/types.h>

/* Program COM1 and probe COM2. Port I/O only: call first in kmain(). */
void serial_init(void);

/* Polled output; never blocks for long when a port is absent. */
void serial_console_write(const char *buf, size_t len);
/* false when COM2 is absent (the status line then goes nowhere). */
bool serial_status_write(const char *buf, size_t len);

#endif
