/* kcmdline_parse(): split and unquote the kernel command line. */
#include "kcmdline.h"

/* Freestanding: no libc here, the kernel and the host tests share it. */

struct errbuf {
	char *p;
	size_t left; /* bytes left, including room for the NUL */
};

static void err_put(struct errbuf *e, const char *s, size_t max)
{
	while (*s && max-- && e->left > 1) {
		*e->p++ = *s++;
		e->left--;
	}
	if (e->left)
		*e->p = '\0';
}

/* Sets err to "<a>'<quoted>'<b>", quoted cut at 40 bytes. */
static int fail(char *err, size_t errlen, const char *a, const char *quoted,
		const char *b)
{
	struct errbuf e = {err, errlen};

	if (!errlen)
		return -1;
	err[0] = '\0';
	err_put(&e, a, (size_t)-1);
	if (quoted) {
		err_put(&e, "'", 1);
		err_put(&e, quoted, 40);
		err_put(&e, "'", 1);
	}
	err_put(&e, b, (size_t)-1);
	return -1;
}

static int is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

static int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static int has_eq(const char *s)
{
	for (; *s; s++) {
		if (*s == '=')
			return 1;
	}
	return 0;
}

/* "key=" prefix test; returns the value after '=' or NULL. */
static const char *after_key(const char *tok, const char *key)
{
	while (*key) {
		if (*tok++ != *key++)
			return NULL;
	}
	return *tok == '=' ? tok + 1 : NULL;
}

struct lexer {
	const char *s;	 /* next input byte */
	char *out;	 /* next free byte in the token buffer */
	char *end;	 /* one past the token buffer */
	const char *why; /* set on error */
};

/*
 * Reads one token into the buffer, NUL-terminated. Returns 1 with *tok and
 * *quoted set, 0 at the end of the input, -1 on error (lx->why).
 */
static int lex_token(struct lexer *lx, char **tok, int *quoted)
{
	const char *s = lx->s;
	int in_quotes = 0;

	while (is_sep(*s))
		s++;
	if (*s == '\0') {
		lx->s = s;
		return 0;
	}
	*tok = lx->out;
	*quoted = 0;
	for (;;) {
		char c = *s;

		if (c == '\0') {
			if (in_quotes) {
				lx->why = "unterminated quote";
				return -1;
			}
			break;
		}
		if (!in_quotes && is_sep(c))
			break;
		s++;
		if (c == '"') {
			in_quotes = !in_quotes;
			*quoted = 1;
			continue;
		}
		if (in_quotes && c == '\\' && (*s == '"' || *s == '\\'))
			c = *s++;
		if (lx->end - lx->out < 2) {
			lx->why = "command line too long";
			return -1;
		}
		*lx->out++ = c;
	}
	if (lx->out == lx->end) {
		lx->why = "command line too long";
		return -1;
	}
	*lx->out++ = '\0';
	lx->s = s;
	return 1;
}

/* Reads one decimal number 0..255 (1..3 digits) at *s; -1 if none. */
static int octet(const char **s)
{
	int n = 0, digits = 0;

	while (**s >= '0' && **s <= '9' && digits < 4) {
		n = n * 10 + (*(*s)++ - '0');
		digits++;
	}
	return digits && digits <= 3 && n <= 255 ? n : -1;
}

/* A.B.C.D at *s, advancing *s past it. */
static int ipv4_at(const char **s, uint32_t *addr)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		int n;

		if (i && *(*s)++ != '.')
			return -1;
		if ((n = octet(s)) < 0)
			return -1;
		a = a << 8 | (uint32_t)n;
	}
	*addr = a;
	return 0;
}

int kcmdline_ipv4(const char *s, uint32_t *addr)
{
	uint32_t a;

	if (ipv4_at(&s, &a) < 0 || *s != '\0')
		return -1;
	*addr = a;
	return 0;
}

int kcmdline_ipv4_prefix(const char *s, uint32_t *addr, int *prefix)
{
	uint32_t a;
	int len = -1;

	if (ipv4_at(&s, &a) < 0)
		return -1;
	if (*s == '/') {
		s++;
		len = 0;
		for (int d = 0; d < 2 && *s >= '0' && *s <= '9'; d++)
			len = len * 10 + (*s++ - '0');
		if (s[-1] == '/' || len > 32)
			return -1;
	}
	if (*s != '\0')
		return -1;
	*addr = a;
	*prefix = len;
	return 0;
}

int kcmdline_mask_prefix(uint32_t mask)
{
	int len = 0;

	while (len < 32 && (mask & (0x80000000u >> len)))
		len++;
	/* Contiguous: nothing set past the leading ones. */
	if (len < 32 && (mask << len) != 0)
		return -1;
	return len;
}

/* dns=A.B.C.D[,A.B.C.D...], adding to what earlier dns= gave. */
static int parse_dns(const char *v, struct kcmdline_net *net, char *err,
		     size_t errlen)
{
	const char *s = v;

	for (;;) {
		uint32_t a;

		if (ipv4_at(&s, &a) < 0 || (*s != ',' && *s != '\0'))
			return fail(err, errlen,
				    "dns: not an IPv4 address: ", v, "");
		if (net->ndns == KCMDLINE_MAX_DNS)
			return fail(err, errlen, "dns: more than 3 servers", 0,
				    "");
		net->dns[net->ndns++] = a;
		if (*s++ == '\0')
			return 0;
	}
}

/* ip=, gateway=, mask=, dns=: 1 when tok was one of them (0 or -1 in
 * *rc), 0 when it was not. */
static int parse_net_option(const char *tok, struct kcmdline_net *net, int *rc,
			    char *err, size_t errlen)
{
	const char *v;

	*rc = 0;
	if ((v = after_key(tok, "ip"))) {
		if (kcmdline_ipv4_prefix(v, &net->ip, &net->prefix) < 0)
			*rc = fail(err, errlen,
				   "ip: not an IPv4 address A.B.C.D[/len]: ", v,
				   "");
		net->has_ip = 1;
	} else if ((v = after_key(tok, "gateway"))) {
		if (kcmdline_ipv4(v, &net->gateway) < 0)
			*rc = fail(err, errlen,
				   "gateway: not an IPv4 address: ", v, "");
		net->has_gateway = 1;
	} else if ((v = after_key(tok, "mask"))) {
		if (kcmdline_ipv4(v, &net->mask) < 0 ||
		    kcmdline_mask_prefix(net->mask) < 0)
			*rc = fail(err, errlen, "mask: not a netmask: ", v, "");
		net->has_mask = 1;
	} else if ((v = after_key(tok, "dns"))) {
		*rc = parse_dns(v, net, err, errlen);
	} else {
		return 0;
	}
	return 1;
}

/* One key=value token before "--". */
static int parse_option(char *tok, struct kcmdline *out, char *err,
			size_t errlen)
{
	const char *v;
	int rc;

	if (parse_net_option(tok, &out->net, &rc, err, errlen))
		return rc;
	if ((v = after_key(tok, "verbose"))) {
		if (v[0] < '0' || v[0] > '4' || v[1] != '\0')
			return fail(err, errlen, "verbose: not a number 0..4",
				    0, "");
		out->verbose = v[0] - '0';
		return 0;
	}
	if ((v = after_key(tok, "meminfo"))) {
		long ms = 0;

		if (!*v)
			ms = -1;
		for (const char *d = v; *d && ms >= 0; d++) {
			if (*d < '0' || *d > '9' || ms > KCMDLINE_MEMINFO_MAX)
				ms = -1;
			else
				ms = ms * 10 + (*d - '0');
		}
		if (ms < 0 || ms > KCMDLINE_MEMINFO_MAX)
			return fail(err, errlen,
				    "meminfo: not a number of ms (0..86400000): ",
				    v, "");
		out->meminfo_ms = ms;
		return 0;
	}
	if ((v = after_key(tok, "env"))) {
		if (v[0] == '=' || v[0] == '\0' || !has_eq(v))
			return fail(err, errlen, "env: expected env=K=V, got ",
				    tok, "");
		if (out->envc == KCMDLINE_MAX_ENV)
			return fail(err, errlen, "too many env= entries", 0,
				    "");
		out->envp[out->envc++] = (char *)v;
		return 0;
	}
	if (!has_eq(tok))
		return fail(err, errlen, "expected key=value, got ", tok, "");
	for (char *p = tok; *p; p++) {
		if (*p == '=') {
			*p = '\0';
			break;
		}
	}
	return fail(err, errlen, "unknown key ", tok, "");
}

int kcmdline_parse(const char *s, struct kcmdline *out, char *err,
		   size_t errlen)
{
	struct lexer lx = {s, out->buf, out->buf + sizeof(out->buf), 0};
	int after_dashes = 0;
	char *tok;
	int quoted, r;

	out->verbose = -1;
	out->meminfo_ms = -1;
	out->argc = 0;
	out->envc = 0;
	out->net = (struct kcmdline_net){.prefix = -1};
	if (errlen)
		err[0] = '\0';
	while ((r = lex_token(&lx, &tok, &quoted)) > 0) {
		if (after_dashes) {
			if (out->argc == KCMDLINE_MAX_ARGS)
				return fail(err, errlen, "too many arguments",
					    0, "");
			out->argv[out->argc++] = tok;
		} else if (!quoted && str_eq(tok, "--")) {
			after_dashes = 1;
		} else if (parse_option(tok, out, err, errlen) < 0) {
			return -1;
		}
	}
	if (r < 0)
		return fail(err, errlen, lx.why, 0, "");
	return 0;
}
