/* The console and leveled logging: "[cpu][LEVEL] message". */
#include <kernel/arch.h>
#include <kernel/log.h>

#include "arch/x86_64/x86.h"
#include "dev/serial.h"
#include "lib/log_priv.h"

#define LOG_LINE_MAX 512

static int log_level = LOG_INFO;

/* One lock serialises whole lines. Interrupts are off while it is held so
 * that a handler on the same CPU that logs cannot deadlock against it. */
static volatile int console_lock;
static volatile bool console_broken;

static uint64_t console_acquire(void)
{
	uint64_t flags = read_rflags();

	irq_disable();
	if (!console_broken)
		while (__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE))
			cpu_relax();
	return flags;
}

static void console_release(uint64_t flags)
{
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
	if (flags & RFLAGS_IF)
		irq_enable();
}

void console_break_lock(void)
{
	console_broken = true;
}

void console_write(const char *buf, size_t len)
{
	uint64_t flags = console_acquire();

	serial_console_write(buf, len);
	console_release(flags);
}

int kprintf(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	console_write(line, MIN((size_t)n, sizeof line - 1));
	return n;
}

void log_set_level(int level)
{
	log_level = level;
}

int log_get_level(void)
{
	return log_level;
}

static void vlog(const char *lvlname, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int n =
	    snprintf(line, sizeof line, "[%u][%s] ", this_cpu()->id, lvlname);
	size_t len = MIN((size_t)n, sizeof line - 1);

	n = vsnprintf(line + len, sizeof line - len, fmt, ap);
	len = MIN(len + (size_t)n, sizeof line - 2);
	line[len++] = '\n';
	console_write(line, len);
}

void klog(int level, const char *lvlname, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vlog(lvlname, fmt, ap);
	va_end(ap);
}

void panic_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("PANIC", fmt, ap);
	va_end(ap);
}
