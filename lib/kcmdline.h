/* The kernel command line: verbose=, meminfo=, env=K=V, ip=, gateway=,
 * mask=, dns=, then "--" and the app's argv. */
#ifndef KILN_LIB_KCMDLINE_H
#define KILN_LIB_KCMDLINE_H

#include <stddef.h>
#include <stdint.h>

#define KCMDLINE_MAX_ARGS 128
#define KCMDLINE_MAX_ENV  128
#define KCMDLINE_MAX_DNS  3 /* musl's resolver reads three (MAXNS) */
#define KCMDLINE_MEMINFO_MAX 86400000L /* ms: a day */

/* Static network settings; addresses in host order (10.0.2.15 is
 * 0x0a00020f). Without ip= the kernel asks DHCP. */
struct kcmdline_net {
	int has_ip, has_gateway, has_mask;
	uint32_t ip, gateway, mask;
	int prefix; /* from ip=A/len, or -1 */
	int ndns;
	uint32_t dns[KCMDLINE_MAX_DNS];
};

struct kcmdline {
	int verbose; /* -1 when not given, else 0..4 */
	long meminfo_ms; /* -1 when not given, else 0..KCMDLINE_MEMINFO_MAX */
	int argc;    /* arguments after "--" (argv[0] is added by exec) */
	char *argv[KCMDLINE_MAX_ARGS];
	int envc;
	char *envp[KCMDLINE_MAX_ENV]; /* "K=V" strings */
	struct kcmdline_net net;
	char buf[4096]; /* unquoted token storage; the pointers point here */
};

/*
 * Parse the NUL-terminated command line s into *out.
 *
 * Grammar (the inverse of the quoting `kiln run` writes): tokens are
 * separated by spaces, tabs or newlines; inside a token, double-quoted
 * parts may hold separators, and within quotes \" and \\ stand for " and \
 * (outside quotes a backslash is literal). Before a "--" token every token
 * is key=value: verbose=0..4, meminfo=MS (0..a day: report the memory
 * in use MS ms after the application starts), env=K=V with K non-empty, ip=A.B.C.D[/len],
 * gateway=A.B.C.D, mask=A.B.C.D (contiguous), dns=A.B.C.D[,A.B.C.D...]
 * (repeatable, three servers at most). After "--" every
 * token is an argument for the application. "--" may be absent.
 *
 * Returns 0, or -1 with a one-line reason in err (errlen bytes, always
 * NUL-terminated when errlen > 0). Never reads past the NUL of s; on error
 * *out is left in an unspecified but safe state.
 */
int kcmdline_parse(const char *s, struct kcmdline *out, char *err,
		   size_t errlen);

/*
 * Dotted-quad IPv4 addresses, as kiln checks HERMIT_IP and --ip before
 * QEMU starts: four decimal numbers 0..255 (one to three digits each)
 * and nothing else. kcmdline_ipv4_prefix() also takes "/len", len 0..32
 * (*prefix -1 without it). kcmdline_mask_prefix() is the length of a
 * contiguous netmask, or -1. Each returns 0 or -1.
 */
int kcmdline_ipv4(const char *s, uint32_t *addr);
int kcmdline_ipv4_prefix(const char *s, uint32_t *addr, int *prefix);
int kcmdline_mask_prefix(uint32_t mask);

#endif
