/* Console internals shared by log.c and panic.c. */
#ifndef KERNEL_LIB_LOG_PRIV_H
#define KERNEL_LIB_LOG_PRIV_H

/* From now on console output ignores the console lock: the panicking CPU
 * may have been holding it. */
void console_break_lock(void);

/* One "[cpu][PANIC] ..." line, printed whatever the log level. */
void panic_line(const char *fmt, ...) __printf(1, 2);

#endif
