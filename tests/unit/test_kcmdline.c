/* Unit tests for lib/kcmdline.c: the kernel command-line parser. */
#include <stdlib.h>
#include <string.h>

#include "kcmdline.h"
#include "unit.h"

static struct kcmdline cl;
static char err[128];

static int parse(const char *s)
{
	memset(&cl, 0x5a, sizeof cl);
	return kcmdline_parse(s, &cl, err, sizeof err);
}

TEST(kcmdline_empty_line_gives_defaults)
{
	CHECK(parse("") == 0);
	CHECK(cl.verbose == -1);
	CHECK(cl.argc == 0);
	CHECK(cl.envc == 0);
	CHECK(err[0] == '\0');
}

TEST(kcmdline_only_separators_is_empty)
{
	CHECK(parse(" \t\n  ") == 0);
	CHECK(cl.argc == 0 && cl.envc == 0 && cl.verbose == -1);
}

TEST(kcmdline_no_dashes_means_no_arguments)
{
	CHECK(parse("verbose=2 env=A=b") == 0);
	CHECK(cl.verbose == 2);
	CHECK(cl.envc == 1);
	CHECK(strcmp(cl.envp[0], "A=b") == 0);
	CHECK(cl.argc == 0);
}

TEST(kcmdline_meminfo)
{
	CHECK(parse("") == 0 && cl.meminfo_ms == -1);
	CHECK(parse("meminfo=0") == 0 && cl.meminfo_ms == 0);
	CHECK(parse("meminfo=2500 -- x") == 0 && cl.meminfo_ms == 2500);
	CHECK(parse("meminfo=86400000") == 0 && cl.meminfo_ms == 86400000);
	CHECK(parse("meminfo=86400001") < 0);
	CHECK(parse("meminfo=99999999999999999999999") < 0);
	CHECK(parse("meminfo=") < 0);
	CHECK(parse("meminfo=-1") < 0);
	CHECK(parse("meminfo=1s") < 0);
	CHECK(strstr(err, "meminfo") != NULL);
}

TEST(kcmdline_arguments_after_dashes)
{
	CHECK(parse("-- a bb ccc") == 0);
	CHECK(cl.argc == 3);
	CHECK(strcmp(cl.argv[0], "a") == 0);
	CHECK(strcmp(cl.argv[1], "bb") == 0);
	CHECK(strcmp(cl.argv[2], "ccc") == 0);
}

TEST(kcmdline_keys_before_dashes_are_arguments_after)
{
	CHECK(parse("verbose=1 -- verbose=3 env=X=y -- bogus") == 0);
	CHECK(cl.verbose == 1);
	CHECK(cl.envc == 0);
	CHECK(cl.argc == 4);
	CHECK(strcmp(cl.argv[0], "verbose=3") == 0);
	CHECK(strcmp(cl.argv[2], "--") == 0);
	CHECK(strcmp(cl.argv[3], "bogus") == 0);
}

TEST(kcmdline_tabs_and_newlines_separate)
{
	CHECK(parse("--\ta\n\nb \t c") == 0);
	CHECK(cl.argc == 3);
	CHECK(strcmp(cl.argv[2], "c") == 0);
}

TEST(kcmdline_quoted_spaces_stay_in_one_argument)
{
	CHECK(parse("-- \"b c\" \"  lead\" x\" y \"z") == 0);
	CHECK(cl.argc == 3);
	CHECK(strcmp(cl.argv[0], "b c") == 0);
	CHECK(strcmp(cl.argv[1], "  lead") == 0);
	CHECK(strcmp(cl.argv[2], "x y z") == 0);
}

TEST(kcmdline_empty_quoted_argument_is_kept)
{
	CHECK(parse("-- a \"\" b \"\"") == 0);
	CHECK(cl.argc == 4);
	CHECK(strcmp(cl.argv[1], "") == 0);
	CHECK(strcmp(cl.argv[3], "") == 0);
}

TEST(kcmdline_escapes_inside_quotes)
{
	CHECK(parse("-- \"say \\\"hi\\\"\" \"back\\\\slash\" \"a\\nb\"") == 0);
	CHECK(cl.argc == 3);
	CHECK(strcmp(cl.argv[0], "say \"hi\"") == 0);
	CHECK(strcmp(cl.argv[1], "back\\slash") == 0);
	/* Any other backslash is literal, inside quotes too. */
	CHECK(strcmp(cl.argv[2], "a\\nb") == 0);
}

TEST(kcmdline_backslash_outside_quotes_is_literal)
{
	CHECK(parse("-- a\\b c\\\\ d\\") == 0);
	CHECK(cl.argc == 3);
	CHECK(strcmp(cl.argv[0], "a\\b") == 0);
	CHECK(strcmp(cl.argv[1], "c\\\\") == 0);
	CHECK(strcmp(cl.argv[2], "d\\") == 0);
}

TEST(kcmdline_quoted_dashes_are_not_the_separator)
{
	CHECK(parse("\"--\" a") < 0);
	CHECK(parse("-- \"--\"") == 0);
	CHECK(cl.argc == 1 && strcmp(cl.argv[0], "--") == 0);
}

TEST(kcmdline_env_values_with_spaces_and_equals)
{
	CHECK(parse("env=FOO=bar \"env=MSG=hello world\" env=EMPTY= "
		    "env=E=a=b --") == 0);
	CHECK(cl.envc == 4);
	CHECK(strcmp(cl.envp[0], "FOO=bar") == 0);
	CHECK(strcmp(cl.envp[1], "MSG=hello world") == 0);
	CHECK(strcmp(cl.envp[2], "EMPTY=") == 0);
	CHECK(strcmp(cl.envp[3], "E=a=b") == 0);
	CHECK(cl.argc == 0);
}

TEST(kcmdline_env_needs_nonempty_key)
{
	CHECK(parse("env==x --") < 0);
	CHECK(strstr(err, "env") != NULL);
	CHECK(parse("env=NOEQUALS --") < 0);
	CHECK(parse("env= --") < 0);
}

TEST(kcmdline_verbose_range)
{
	for (int v = 0; v <= 4; v++) {
		char line[32];

		snprintf(line, sizeof line, "verbose=%d --", v);
		CHECK(parse(line) == 0);
		CHECK(cl.verbose == v);
	}
	CHECK(parse("verbose=5") < 0);
	CHECK(strcmp(err, "verbose: not a number 0..4") == 0);
	CHECK(parse("verbose=") < 0);
	CHECK(parse("verbose=x") < 0);
	CHECK(parse("verbose=12") < 0);
	CHECK(parse("verbose=-1") < 0);
}

TEST(kcmdline_unknown_key_is_named)
{
	CHECK(parse("foo=1 -- a") < 0);
	CHECK(strcmp(err, "unknown key 'foo'") == 0);
}

TEST(kcmdline_word_without_equals_is_an_error)
{
	CHECK(parse("hello --") < 0);
	CHECK(strstr(err, "'hello'") != NULL);
}

TEST(kcmdline_unterminated_quote)
{
	CHECK(parse("-- \"abc") < 0);
	CHECK(strcmp(err, "unterminated quote") == 0);
	CHECK(parse("-- \"abc\\\"") < 0);
	CHECK(strcmp(err, "unterminated quote") == 0);
}

TEST(kcmdline_too_many_arguments)
{
	char *line = malloc(4 + 2 * (KCMDLINE_MAX_ARGS + 1) + 1);
	char *p = line;

	CHECK(line != NULL);
	p += sprintf(p, "--");
	for (int i = 0; i < KCMDLINE_MAX_ARGS; i++)
		p += sprintf(p, " x");
	CHECK(parse(line) == 0);
	CHECK(cl.argc == KCMDLINE_MAX_ARGS);
	sprintf(p, " y");
	int r = parse(line);
	free(line);
	CHECK(r < 0);
	CHECK(strcmp(err, "too many arguments") == 0);
}

TEST(kcmdline_too_many_env_entries)
{
	char line[4096];
	char *p = line;

	for (int i = 0; i <= KCMDLINE_MAX_ENV; i++)
		p += sprintf(p, "env=A=%d ", i % 10);
	CHECK(parse(line) < 0);
	CHECK(strstr(err, "too many") != NULL);
}

TEST(kcmdline_too_long_is_refused)
{
	size_t n = sizeof(cl.buf) + 16;
	char *line = malloc(n + 4);

	CHECK(line != NULL);
	memcpy(line, "-- ", 3);
	memset(line + 3, 'a', n);
	line[n + 3] = '\0';
	int r = parse(line);
	free(line);
	CHECK(r < 0);
	CHECK(strcmp(err, "command line too long") == 0);
}

TEST(kcmdline_exactly_full_buffer_fits)
{
	/* "--" and its NUL, then one token filling the rest of the buffer. */
	size_t n = sizeof(cl.buf) - 3 - 1;
	char *line = malloc(n + 4);

	CHECK(line != NULL);
	memcpy(line, "-- ", 3);
	memset(line + 3, 'b', n);
	line[n + 3] = '\0';
	int r = parse(line);
	size_t len = r == 0 ? strlen(cl.argv[0]) : 0;
	free(line);
	CHECK(r == 0);
	CHECK(len == n);
}

TEST(kcmdline_never_reads_past_the_nul)
{
	/* An exact-size heap copy: ASan flags any read beyond it. */
	const char *cases[] = {
	    "-- \"abc", "-- a\\", "verbose=", "env=", "-- \"\\", "\"", "--"};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = strdup(cases[i]);

		CHECK(s != NULL);
		parse(s);
		free(s);
	}
}

TEST(kcmdline_error_fits_small_buffer)
{
	char small[8];

	memset(small, 'x', sizeof small);
	CHECK(kcmdline_parse("foo=1", &cl, small, sizeof small) < 0);
	CHECK(memchr(small, '\0', sizeof small) != NULL);
	CHECK(kcmdline_parse("foo=1", &cl, NULL, 0) < 0);
}

TEST(kcmdline_no_network_keys_means_dhcp)
{
	CHECK(parse("verbose=1 -- ip=1.2.3.4") == 0);
	CHECK(!cl.net.has_ip && !cl.net.has_gateway && !cl.net.has_mask);
	CHECK(cl.net.ndns == 0 && cl.net.prefix == -1);
	CHECK(cl.argc == 1 && strcmp(cl.argv[0], "ip=1.2.3.4") == 0);
}

TEST(kcmdline_static_address_gateway_mask_dns)
{
	CHECK(parse("ip=10.0.2.20/24 gateway=10.0.2.2 mask=255.255.255.0 "
		    "dns=10.0.2.3 --") == 0);
	CHECK(cl.net.has_ip && cl.net.ip == 0x0a000214);
	CHECK(cl.net.prefix == 24);
	CHECK(cl.net.has_gateway && cl.net.gateway == 0x0a000202);
	CHECK(cl.net.has_mask && cl.net.mask == 0xffffff00);
	CHECK(cl.net.ndns == 1 && cl.net.dns[0] == 0x0a000203);
}

TEST(kcmdline_ip_without_prefix)
{
	CHECK(parse("ip=192.168.1.255") == 0);
	CHECK(cl.net.ip == 0xc0a801ff && cl.net.prefix == -1);
	CHECK(parse("ip=0.0.0.0/0") == 0);
	CHECK(cl.net.ip == 0 && cl.net.prefix == 0);
	CHECK(parse("ip=1.2.3.4/32") == 0 && cl.net.prefix == 32);
}

TEST(kcmdline_dns_list_and_repeats)
{
	CHECK(parse("dns=1.1.1.1,8.8.8.8 dns=9.9.9.9") == 0);
	CHECK(cl.net.ndns == 3);
	CHECK(cl.net.dns[0] == 0x01010101 && cl.net.dns[1] == 0x08080808 &&
	      cl.net.dns[2] == 0x09090909);
	CHECK(parse("dns=1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4") < 0);
	CHECK(strcmp(err, "dns: more than 3 servers") == 0);
	CHECK(parse("dns=1.1.1.1,") < 0);
	CHECK(parse("dns=1.1.1.1,,2.2.2.2") < 0);
	CHECK(parse("dns=") < 0);
}

TEST(kcmdline_malformed_addresses_are_one_line)
{
	static const char *const bad[] = {
		"ip=",
		"ip=10.0.2",
		"ip=10.0.2.256",
		"ip=10.0.2.1.5",
		"ip=10.0.2.1/",
		"ip=10.0.2.1/33",
		"ip=10.0.2.1/240",
		"ip=10.0.2.1/a",
		"ip=a.b.c.d",
		"ip=10..2.1",
		"ip=010.0.2.0001",
		"ip= 10.0.2.1",
		"ip=10.0.2.1x",
		"ip=-1.0.0.0",
		"ip=10.0.2.1 /24",
		"gateway=10.0.2",
		"gateway=10.0.2.2/24",
		"mask=255.0.255.0",
		"mask=255.255.255.1",
		"mask=24",
		"dns=10.0.2.300",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(parse(bad[i]) < 0);
		CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
	}
	CHECK(parse("ip=10.0.2.256 --") < 0);
	CHECK(strcmp(err, "ip: not an IPv4 address A.B.C.D[/len]: "
			  "'10.0.2.256'") == 0);
}

TEST(kcmdline_mask_prefix_lengths)
{
	CHECK(kcmdline_mask_prefix(0) == 0);
	CHECK(kcmdline_mask_prefix(0xffffffff) == 32);
	CHECK(kcmdline_mask_prefix(0xffffff00) == 24);
	CHECK(kcmdline_mask_prefix(0x80000000) == 1);
	CHECK(kcmdline_mask_prefix(0xffff00ff) == -1);
	CHECK(kcmdline_mask_prefix(1) == -1);
}
