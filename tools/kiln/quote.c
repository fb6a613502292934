/* Quoting for the kernel command line and for shell-readable output. */
#include <string.h>

#include "kiln.h"

/*
 * The kernel's parser (lib/kcmdline.c) splits on space, tab and newline;
 * inside double quotes, \" and \\ stand for " and \. A token that is
 * empty or holds any of those characters is written whole inside quotes.
 */
void quote_kernel_token(struct sbuf *sb, const char *tok)
{
	if (tok[0] && !strpbrk(tok, " \t\n\"\\")) {
		sbuf_adds(sb, tok);
		return;
	}
	sbuf_addc(sb, '"');
	for (const char *p = tok; *p; p++) {
		if (*p == '"' || *p == '\\')
			sbuf_addc(sb, '\\');
		sbuf_addc(sb, *p);
	}
	sbuf_addc(sb, '"');
}

static int shell_safe(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("_-./,:=+%@", c);
}

/* Plain when every byte is safe; else single quotes, with ' as '\''. */
void quote_shell_word(struct sbuf *sb, const char *word)
{
	const char *p;

	for (p = word; *p && shell_safe(*p); p++)
		;
	if (word[0] && !*p) {
		sbuf_adds(sb, word);
		return;
	}
	sbuf_addc(sb, '\'');
	for (p = word; *p; p++) {
		if (*p == '\'')
			sbuf_adds(sb, "'\\''");
		else
			sbuf_addc(sb, *p);
	}
	sbuf_addc(sb, '\'');
}
