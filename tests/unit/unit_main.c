/* Runs every registered test; prints "PASS name" / "FAIL name: why". */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define MAX_TESTS 512

static struct {
	const char *name;
	unit_fn fn;
} tests[MAX_TESTS];
static int ntests;
static int cur_failed;
static char cur_why[512];

jmp_buf unit_panic_jmp;
int unit_panic_armed;
char unit_panic_msg[256];

void unit_register(const char *name, unit_fn fn)
{
	if (ntests == MAX_TESTS) {
		fprintf(stderr, "unit: too many tests\n");
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

void unit_fail(const char *file, int line, const char *what)
{
	if (!cur_failed)
		snprintf(cur_why, sizeof cur_why, "%s:%d: CHECK(%s)", file,
			 line, what);
	cur_failed = 1;
}

/* The kernel's panic() for sources compiled into unit tests. */
__attribute__((noreturn)) void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(unit_panic_msg, sizeof unit_panic_msg, fmt, ap);
	va_end(ap);
	if (unit_panic_armed)
		longjmp(unit_panic_jmp, 1);
	fprintf(stderr, "unexpected panic: %s\n", unit_panic_msg);
	abort();
}

int main(int argc, char **argv)
{
	int failed = 0;

	for (int i = 0; i < ntests; i++) {
		if (argc > 1 && strcmp(argv[1], tests[i].name) != 0)
			continue;
		cur_failed = 0;
		tests[i].fn();
		if (cur_failed) {
			printf("FAIL %s: %s\n", tests[i].name, cur_why);
			failed++;
		} else {
			printf("PASS %s\n", tests[i].name);
		}
	}
	return failed ? 1 : 0;
}
