/* Console output and leveled logging as "[cpu][LEVEL] message". */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H

#include <kernel/types.h>

/* Levels: a message prints when its level <= the current level.
 * Default LOG_INFO; verbose=N on the command line sets it (0..4). */
enum log_level {
	LOG_ERROR = 0, /* verbose=0 still prints errors and warnings */
	LOG_WARN = 0,
	LOG_INFO = 1,
	LOG_DEBUG = 2,
	LOG_TRACE = 3,
};

void log_set_level(int level);
int log_get_level(void);

/* "[cpu][LEVEL] ..." + newline, under the console lock. */
void klog(int level, const char *lvlname, const char *fmt, ...) __printf(3, 4);
#define log_error(...) klog(LOG_ERROR, "ERROR", __VA_ARGS__)
#define log_warn(...) klog(LOG_WARN, "WARN", __VA_ARGS__)
#define log_info(...) klog(LOG_INFO, "INFO", __VA_ARGS__)
#define log_debug(...) klog(LOG_DEBUG, "DEBUG", __VA_ARGS__)
#define log_trace(...) klog(LOG_TRACE, "TRACE", __VA_ARGS__)

/* Raw console output, no prefix (the application's stdout/stderr go here). */
void console_write(const char *buf, size_t len);
int kprintf(const char *fmt, ...) __printf(1, 2);

/* snprintf family: %d %i %u %x %X %p %s %c %ld %lu %lx %llu %llx %zu %zd,
 * width, '0' and '-' flags. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
