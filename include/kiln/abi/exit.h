/* How a kiln guest reports its exit status to the host. */
#ifndef KILN_ABI_EXIT_H
#define KILN_ABI_EXIT_H

/*
 * Two channels, both written just before the guest stops:
 *
 *  1. The status line on the second serial port (COM2, I/O 0x2f8):
 *     "kiln-exit <status>\n", status in 0..255 as a decimal number.
 *     `kiln run` attaches COM2 to a file and takes the status from it,
 *     since isa-debug-exit can carry only 7 bits.
 *  2. isa-debug-exit at I/O 0xf4: a 32-bit write of (status & 0x7f);
 *     QEMU exits with ((status & 0x7f) << 1) | 1. Without that device
 *     the kernel powers off through ACPI S5 (QEMU exits with 0).
 *
 * A QEMU that stops without a status line (triple fault with -no-reboot,
 * killed) is reported by `kiln run` as a kernel panic.
 */

#define KILN_EXIT_PORT 0xf4
#define KILN_CTL_COM_PORT 0x2f8

#define KILN_EXIT_PANIC 125	/* kernel panic */
#define KILN_EXIT_BADIMAGE 126	/* loader/monitor refused the image */
#define KILN_EXIT_SIGNAL_BASE 128 /* application killed by signal n: 128+n */

/* kiln's own status for bad command-line input */
#define KILN_EXIT_USAGE 2

#endif
