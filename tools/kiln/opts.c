/* Command-line options; sizes with K/M/G suffixes; bounded integers. */
#include <stdint.h>
#include <string.h>

#include "kiln.h"

/* Decimal digits only: no sign, no spaces, no 0x, so "-1" is refused. */
static int parse_digits(const char *s, const char **end, uint64_t *val)
{
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
			return -1;
	}
	*end = s;
	*val = v;
	return 0;
}

int parse_size(const char *what, const char *s, uint64_t *bytes)
{
	const char *end;
	uint64_t v, unit;

	if (parse_digits(s, &end, &v) < 0) {
		if (*s >= '0' && *s <= '9')
			return kiln_fail("%s: size '%s' is too large", what, s);
		return kiln_fail("%s: bad size '%s' (a number with K, M or G)",
				 what, s);
	}
	/* Like QEMU's -m: a plain number counts MiB. */
	switch (*end) {
	case 'K':
	case 'k':
		unit = 1ULL << 10;
		break;
	case '\0':
	case 'M':
	case 'm':
		unit = 1ULL << 20;
		break;
	case 'G':
	case 'g':
		unit = 1ULL << 30;
		break;
	default:
		unit = 0;
		break;
	}
	if (unit == 0 || (*end && end[1]))
		return kiln_fail("%s: bad size '%s' (a number with K, M or G)",
				 what, s);
	if (__builtin_mul_overflow(v, unit, bytes))
		return kiln_fail("%s: size '%s' is too large", what, s);
	return 0;
}

int parse_uint(const char *what, const char *s, unsigned long min,
	       unsigned long max, unsigned long *val)
{
	const char *end;
	uint64_t v;

	if (parse_digits(s, &end, &v) < 0 || *end || v < min || v > max)
		return kiln_fail("%s: '%s' is not a number from %lu to %lu",
				 what, s, min, max);
	*val = (unsigned long)v;
	return 0;
}

/*
 * Options: "--name VALUE", "--name=VALUE", "-o VALUE"; flags take no
 * value. Anything else starting with '-' is an unknown option; "-" alone
 * is a positional argument; "--" ends the options.
 */
int opt_next(struct opt_iter *it, const char **val)
{
	if (it->i >= it->argc)
		return OPT_END;

	const char *arg = it->argv[it->i++];
	if (strcmp(arg, "--") == 0)
		return OPT_END;
	if (arg[0] != '-' || arg[1] == '\0') {
		*val = arg;
		return OPT_POSITIONAL;
	}

	const char *eq = arg[1] == '-' ? strchr(arg, '=') : NULL;
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	for (int k = 0; it->specs[k].name; k++) {
		const struct opt_spec *sp = &it->specs[k];

		if (strlen(sp->name) != len || strncmp(sp->name, arg, len) != 0)
			continue;
		if (!sp->has_arg) {
			if (eq)
				return kiln_fail("%s: takes no value",
						 sp->name);
			return k;
		}
		if (eq) {
			*val = eq + 1;
		} else {
			if (it->i >= it->argc)
				return kiln_fail("%s: needs a value", sp->name);
			*val = it->argv[it->i++];
		}
		return k;
	}
	return kiln_fail("%.*s: unknown option", (int)len, arg);
}
