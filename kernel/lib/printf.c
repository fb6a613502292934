/* vsnprintf and friends: the small printf the kernel formats with. */
#include <kernel/log.h>
#include <kernel/string.h>

struct out {
	char *buf;
	size_t size; /* capacity including the NUL */
	size_t len;  /* characters produced so far (may exceed size) */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero, alt, plus, space;
	int width, prec; /* prec -1: none */
};

/* Writes s[0..n) padded to the field width. */
static void emit_str(struct out *o, const struct spec *sp, const char *s,
		     size_t n)
{
	int fill = sp->width > (int)n ? sp->width - (int)n : 0;

	if (!sp->left)
		pad(o, ' ', fill);
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', fill);
}

static void emit_num(struct out *o, const struct spec *sp, uint64_t v, bool neg,
		     unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	while (v) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	if (n == 0 && sp->prec != 0)
		tmp[n++] = '0';

	const char *prefix = "";
	if (neg)
		prefix = "-";
	else if (sp->plus)
		prefix = "+";
	else if (sp->space)
		prefix = " ";
	else if (sp->alt && base == 16)
		prefix = upper ? "0X" : "0x";
	else if (sp->alt && base == 8 && n > 0 && tmp[n - 1] != '0')
		prefix = "0";

	int plen = (int)strlen(prefix);
	int zeros = sp->prec > n ? sp->prec - n : 0;
	int fill = sp->width - plen - zeros - n;
	if (fill < 0)
		fill = 0;
	if (sp->zero && !sp->left && sp->prec < 0) {
		zeros += fill;
		fill = 0;
	}
	if (!sp->left)
		pad(o, ' ', fill);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, ' ', fill);
}

/* Parses flags, width and precision; returns the first unparsed char. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){.prec = -1};
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '#')
			sp->alt = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	} else {
		while (*f >= '0' && *f <= '9')
			sp->width = sp->width * 10 + (*f++ - '0');
	}
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0)
				sp->prec = -1;
			f++;
		} else {
			while (*f >= '0' && *f <= '9')
				sp->prec = sp->prec * 10 + (*f++ - '0');
		}
	}
	return f;
}

/* Length modifiers, counted in 'l's: h/hh are promoted to int anyway. */
static const char *parse_length(const char *f, int *lmod)
{
	*lmod = 0;
	while (*f == 'h')
		f++;
	if (*f == 'z' || *f == 't' || *f == 'j') {
		*lmod = 2;
		return f + 1;
	}
	while (*f == 'l') {
		(*lmod)++;
		f++;
	}
	return f;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};
	va_list args;

	va_copy(args, ap);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		struct spec sp;
		int lmod;
		f = parse_spec(f + 1, &sp, &args);
		f = parse_length(f, &lmod);

		uint64_t u;
		int64_t s;
		switch (*f) {
		case 'd':
		case 'i':
			s = lmod ? va_arg(args, int64_t) : va_arg(args, int);
			u = s < 0 ? -(uint64_t)s : (uint64_t)s;
			emit_num(&o, &sp, u, s < 0, 10, false);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			u = lmod ? va_arg(args, uint64_t)
				 : va_arg(args, unsigned int);
			emit_num(&o, &sp, u, false,
				 *f == 'u'   ? 10
				 : *f == 'o' ? 8
					     : 16,
				 *f == 'X');
			break;
		case 'p':
			sp.alt = true;
			emit_num(&o, &sp, (uintptr_t)va_arg(args, void *),
				 false, 16, false);
			break;
		case 's': {
			const char *str = va_arg(args, const char *);
			if (!str)
				str = "(null)";
			size_t n = sp.prec >= 0 ? strnlen(str, (size_t)sp.prec)
						: strlen(str);
			emit_str(&o, &sp, str, n);
			break;
		}
		case 'c': {
			char c = (char)va_arg(args, int);
			emit_str(&o, &sp, &c, 1);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			f--; /* a lone '%' at the end: stop at the NUL */
			break;
		default:
			put(&o, '%');
			put(&o, *f);
			break;
		}
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
