/* A tiny host test harness: TEST() registers, CHECK() records, main runs. */
#ifndef KILN_TESTS_UNIT_H
#define KILN_TESTS_UNIT_H

#include <setjmp.h>
#include <stdio.h>

typedef void (*unit_fn)(void);
void unit_register(const char *name, unit_fn fn);
void unit_fail(const char *file, int line, const char *what);

/* Name tests by behaviour: TEST(pmm_alloc_returns_page_aligned). */
#define TEST(name)                                                         \
	static void name(void);                                            \
	__attribute__((constructor)) static void unit_reg_##name(void)     \
	{                                                                  \
		unit_register(#name, name);                                \
	}                                                                  \
	static void name(void)

/* Records a failure and returns from the test. */
#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			unit_fail(__FILE__, __LINE__, #cond);              \
			return;                                            \
		}                                                          \
	} while (0)

/* For code under test that calls panic(): the shim's panic() longjmps to
 * unit_panic_jmp when unit_panic_armed is set. */
extern jmp_buf unit_panic_jmp;
extern int unit_panic_armed;
extern char unit_panic_msg[256];

/* Runs stmt; true when it panicked. */
#define EXPECT_PANIC(stmt)                                                 \
	({                                                                 \
		int unit_p_ = 0;                                           \
		unit_panic_armed = 1;                                      \
		if (setjmp(unit_panic_jmp) == 0) {                         \
			stmt;                                              \
		} else {                                                   \
			unit_p_ = 1;                                       \
		}                                                          \
		unit_panic_armed = 0;                                      \
		unit_p_;                                                   \
	})

#endif
