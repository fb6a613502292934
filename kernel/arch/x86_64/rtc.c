/* The CMOS real-time clock, read once at boot for CLOCK_REALTIME. */
#include <kernel/arch.h>
#include <kernel/log.h>
#include <kernel/time.h>

#include "arch/x86_64/acpi.h"

/* MC146818 registers (datasheet; the same on every PC chipset). */
#define CMOS_INDEX   0x70
#define CMOS_DATA    0x71
#define RTC_SECONDS  0x00
#define RTC_MINUTES  0x02
#define RTC_HOURS    0x04
#define RTC_HOURS_PM 0x80 /* 12-hour mode */
#define RTC_DAY	     0x07
#define RTC_MONTH    0x08
#define RTC_YEAR     0x09
#define RTC_STATUS_A 0x0a
#define RTC_UIP	     0x80 /* update in progress: fields are changing */
#define RTC_STATUS_B 0x0b
#define RTC_24H	     0x02
#define RTC_BINARY   0x04

struct rtc_time {
	unsigned sec, min, hour, day, mon, year, century;
};

/* Unix time at monotonic 0; read from the CMOS on first use. */
static uint64_t boot_unix_ns;
static bool rtc_read_done;

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

/*
 * Once UIP reads clear, no update starts for at least 244 us (MC146818
 * datasheet, "update cycle"): time enough to read every field. The
 * seconds are read again at the end in case this was slower than that.
 */
static bool rtc_read_raw(struct rtc_time *t)
{
	for (int i = 0; i < 100000 && (cmos_read(RTC_STATUS_A) & RTC_UIP); i++)
		cpu_relax();
	t->sec = cmos_read(RTC_SECONDS);
	t->min = cmos_read(RTC_MINUTES);
	t->hour = cmos_read(RTC_HOURS);
	t->day = cmos_read(RTC_DAY);
	t->mon = cmos_read(RTC_MONTH);
	t->year = cmos_read(RTC_YEAR);
	t->century = acpi.century ? cmos_read(acpi.century) : 0;
	return cmos_read(RTC_SECONDS) == t->sec;
}

static unsigned bcd(unsigned v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Seconds since 1970-01-01 00:00 UTC; the RTC keeps UTC on a VM. */
static uint64_t unix_time(const struct rtc_time *t)
{
	static const uint16_t days_before[12] = {0,   31,  59,	90,  120, 151,
						 181, 212, 243, 273, 304, 334};
	uint64_t days = 0;

	for (unsigned y = 1970; y < t->year; y++)
		days += leap(y) ? 366 : 365;
	days += days_before[t->mon - 1] + (t->mon > 2 && leap(t->year));
	days += t->day - 1;
	return ((days * 24 + t->hour) * 60 + t->min) * 60 + t->sec;
}

void rtc_init(void)
{
	struct rtc_time t;

	for (int i = 0; i < 5 && !rtc_read_raw(&t); i++)
		;
	uint64_t mono = clock_monotonic_ns();
	rtc_read_done = true;

	uint8_t status = cmos_read(RTC_STATUS_B);
	bool pm = !(status & RTC_24H) && (t.hour & RTC_HOURS_PM);
	t.hour &= ~RTC_HOURS_PM;
	if (!(status & RTC_BINARY)) {
		t.sec = bcd(t.sec);
		t.min = bcd(t.min);
		t.hour = bcd(t.hour);
		t.day = bcd(t.day);
		t.mon = bcd(t.mon);
		t.year = bcd(t.year);
		t.century = bcd(t.century);
	}
	if (!(status & RTC_24H))
		t.hour = t.hour % 12 + (pm ? 12 : 0);
	t.year += (t.century >= 19 && t.century <= 99 ? t.century : 20) * 100;

	if (t.sec > 59 || t.min > 59 || t.hour > 23 || t.day < 1 ||
	    t.day > 31 || t.mon < 1 || t.mon > 12 || t.year < 1970) {
		log_warn("RTC: invalid date; the wall clock starts at 1970");
		return;
	}
	boot_unix_ns = unix_time(&t) * NSEC_PER_SEC - mono;
	log_debug("RTC: %04u-%02u-%02u %02u:%02u:%02u UTC", t.year, t.mon,
		  t.day, t.hour, t.min, t.sec);
}

/*
 * The RTC is read when the wall clock is first asked for, not during
 * boot: a dozen CMOS accesses and the date arithmetic cost a quarter of a
 * millisecond under TCG, which most programs never need. The RTC only
 * counts seconds, so reading it later loses nothing.
 */
uint64_t clock_realtime_ns(void)
{
	if (!rtc_read_done)
		rtc_init();
	return boot_unix_ns + clock_monotonic_ns();
}
