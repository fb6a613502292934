/* `kiln run`: its options, the kernel command line, the QEMU command line. */
#include <stdlib.h>
#include <string.h>

#include "kcmdline.h"
#include "kiln.h"
#include "kiln/abi/boot.h"
#include "kiln/abi/exit.h"

#define MEM_MIN (2ULL << 20) /* smaller never reaches the kernel */
#define MEM_DEFAULT (64ULL << 20)
#define SMP_MAX 255
#define VERBOSE_MAX 4
#define TIMEOUT_MAX 1000000 /* seconds; keeps alarm() in range */

enum {
	RO_SMP,
	RO_MEM,
	RO_ENV,
	RO_VERBOSE,
	RO_ACCEL,
	RO_QEMU_ARG,
	RO_DRY_RUN,
	RO_TIMEOUT,
	RO_MEMINFO,
	RO_QEMU,
	RO_NIC,
	RO_IP,
	RO_GATEWAY,
	RO_MASK,
	RO_DNS,
	RO_PORT,
	RO_TAP,
	RO_HELP,
	RO_HELP_SHORT,
	RO__COUNT
};

static const struct opt_spec run_specs[] = {
	[RO_SMP] = { "--smp", 1 },
	[RO_MEM] = { "--mem", 1 },
	[RO_ENV] = { "--env", 1 },
	[RO_VERBOSE] = { "--verbose", 0 },
	[RO_ACCEL] = { "--accel", 1 },
	[RO_QEMU_ARG] = { "--qemu-arg", 1 },
	[RO_DRY_RUN] = { "--dry-run", 0 },
	[RO_TIMEOUT] = { "--timeout", 1 },
	[RO_MEMINFO] = { "--meminfo", 1 },
	[RO_QEMU] = { "--qemu", 1 },
	[RO_NIC] = { "--nic", 1 },
	[RO_IP] = { "--ip", 1 },
	[RO_GATEWAY] = { "--gateway", 1 },
	[RO_MASK] = { "--mask", 1 },
	[RO_DNS] = { "--dns", 1 },
	[RO_PORT] = { "-p", 1 },
	[RO_TAP] = { "--tap", 1 },
	[RO_HELP] = { "--help", 0 },
	[RO_HELP_SHORT] = { "-h", 0 },
	[RO__COUNT] = { NULL, 0 },
};

/*
 * The NICs QEMU can give the guest, each on user-mode networking with
 * restrict=on (the guest reaches nothing beyond QEMU's own DHCP, DNS and
 * ARP responder). romfile= skips the PXE option ROM: nothing boots from
 * the network, and SeaBIOS would spend time running it.
 */
static const struct {
	const char *name;
	const char *device; /* -device, NULL for none */
} nics[] = {
	{ "none", NULL },
	{ "virtio", "virtio-net-pci,netdev=n0,disable-legacy=on,romfile=" },
	{ "virtio-legacy",
	  "virtio-net-pci,netdev=n0,disable-modern=on,romfile=" },
	{ "rtl8139", "rtl8139,netdev=n0,romfile=" },
};

static int check_env(const char *kv)
{
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv)
		return kiln_fail("--env: '%s' is not KEY=VALUE", kv);
	for (const char *p = kv; p < eq; p++)
		if (*p == ' ' || *p == '\t' || *p == '\n')
			return kiln_fail("--env: key '%.*s' contains a space",
					 (int)(eq - kv), kv);
	return 0;
}

/*
 * Addresses are checked with the kernel's own parser (lib/kcmdline.c), so
 * a bad one is one line and status 2 before QEMU starts, not a failed
 * boot.
 */
static int check_ip(const char *what, const char *val)
{
	uint32_t a;
	int len;

	if (kcmdline_ipv4_prefix(val, &a, &len) < 0)
		return kiln_fail("%s: '%s' is not an IPv4 address "
				 "A.B.C.D[/len]", what, val);
	return 0;
}

static int check_addr(const char *what, const char *val)
{
	uint32_t a;

	if (kcmdline_ipv4(val, &a) < 0)
		return kiln_fail("%s: '%s' is not an IPv4 address A.B.C.D",
				 what, val);
	return 0;
}

static int check_mask(const char *what, const char *val)
{
	uint32_t a;

	if (kcmdline_ipv4(val, &a) < 0 || kcmdline_mask_prefix(a) < 0)
		return kiln_fail("%s: '%s' is not a netmask such as "
				 "255.255.255.0", what, val);
	return 0;
}

/* --dns A.B.C.D[,A.B.C.D...]; the kernel takes three servers in all
 * (musl reads no more). */
static int add_dns(struct run_opts *o, const char *val)
{
	const char *p = val;

	o->dns[o->ndns++] = val;
	for (;;) {
		size_t n = strcspn(p, ",");
		char buf[16];
		uint32_t a;

		if (n >= sizeof buf)
			n = sizeof buf - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (kcmdline_ipv4(buf, &a) < 0 || (p[n] && p[n] != ','))
			return kiln_fail("--dns: '%s' is not an IPv4 address "
					 "A.B.C.D or a comma list of them",
					 val);
		if (++o->ndns_servers > KCMDLINE_MAX_DNS)
			return kiln_fail("--dns: more than %d servers",
					 KCMDLINE_MAX_DNS);
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* -p HOST[:GUEST], ports 1..65535; GUEST defaults to HOST. */
static int add_port(struct run_opts *o, const char *val)
{
	const char *colon = strchr(val, ':');
	char *host = colon ? xasprintf("%.*s", (int)(colon - val), val) :
			     xasprintf("%s", val);
	unsigned long h, g;
	int rc = parse_uint("-p", host, 1, 65535, &h);

	free(host);
	if (rc < 0)
		return -1;
	g = h;
	if (colon && parse_uint("-p", colon + 1, 1, 65535, &g) < 0)
		return -1;
	o->ports[o->nports][0] = (unsigned)h;
	o->ports[o->nports++][1] = (unsigned)g;
	return 0;
}

static int set_option(struct run_opts *o, int id, const char *val)
{
	unsigned long n;

	switch (id) {
	case RO_SMP:
		if (parse_uint("--smp", val, 1, SMP_MAX, &n) < 0)
			return -1;
		o->smp = (unsigned)n;
		return 0;
	case RO_MEM:
		if (parse_size("--mem", val, &o->mem) < 0)
			return -1;
		if (o->mem < MEM_MIN)
			return kiln_fail("--mem: %s is below the minimum, 2M",
					 val);
		return 0;
	case RO_ENV:
		if (check_env(val) < 0)
			return -1;
		o->env[o->nenv++] = val;
		return 0;
	case RO_VERBOSE:
		o->verbose = 2;
		return 0;
	case RO_ACCEL:
		if (strcmp(val, "tcg") != 0 && strcmp(val, "kvm") != 0)
			return kiln_fail("--accel: '%s' is not tcg or kvm",
					 val);
		o->accel = val;
		return 0;
	case RO_QEMU_ARG:
		o->qemu_args[o->nqemu_args++] = val;
		return 0;
	case RO_DRY_RUN:
		o->dry_run = 1;
		return 0;
	case RO_TIMEOUT:
		if (parse_uint("--timeout", val, 0, TIMEOUT_MAX, &n) < 0)
			return -1;
		o->timeout = (unsigned)n;
		return 0;
	case RO_MEMINFO:
		if (parse_uint("--meminfo", val, 0, KCMDLINE_MEMINFO_MAX, &n) <
		    0)
			return -1;
		o->meminfo_ms = (long)n;
		return 0;
	case RO_QEMU:
		if (!val[0])
			return kiln_fail("--qemu: empty path");
		o->qemu = val;
		return 0;
	case RO_IP:
		o->ip = val;
		return check_ip("--ip", val);
	case RO_GATEWAY:
		o->gateway = val;
		return check_addr("--gateway", val);
	case RO_MASK:
		o->mask = val;
		return check_mask("--mask", val);
	case RO_DNS:
		return add_dns(o, val);
	case RO_PORT:
		return add_port(o, val);
	case RO_TAP:
		if (!val[0] || strpbrk(val, ", \t\n="))
			return kiln_fail("--tap: '%s' is not an interface "
					 "name", val);
		o->tap = val;
		return 0;
	case RO_NIC:
		for (size_t i = 0; i < sizeof(nics) / sizeof(nics[0]); i++) {
			if (strcmp(val, nics[i].name) == 0) {
				o->nic = nics[i].name;
				o->nic_given = 1;
				return 0;
			}
		}
		return kiln_fail("--nic: '%s' is not virtio, virtio-legacy, "
				 "rtl8139 or none",
				 val);
	default:
		o->help = 1;
		return 0;
	}
}

int run_opts_parse(struct run_opts *o, int argc, char **argv,
		   const char *hermit_verbose, const char *kiln_qemu)
{
	struct opt_iter it = { argc, argv, 1, run_specs };
	const char *val = NULL;
	unsigned long n;
	int id;

	*o = (struct run_opts){
		.smp = 1,
		.mem = MEM_DEFAULT,
		.verbose = -1,
		.meminfo_ms = -1,
		.accel = "tcg",
		.nic = "none",
		.qemu = kiln_qemu && kiln_qemu[0] ? kiln_qemu :
						    "qemu-system-x86_64",
		/* No option can repeat more often than there are words. */
		.env = xcalloc((size_t)argc, sizeof(char *)),
		.qemu_args = xcalloc((size_t)argc, sizeof(char *)),
		.dns = xcalloc((size_t)argc, sizeof(char *)),
		.ports = xcalloc((size_t)argc, sizeof(unsigned[2])),
	};
	/* The reference's variable; the option below overrides it. */
	if (hermit_verbose && hermit_verbose[0]) {
		if (parse_uint("HERMIT_VERBOSE", hermit_verbose, 0,
			       VERBOSE_MAX, &n) < 0)
			return -1;
		o->verbose = (int)n;
	}
	while ((id = opt_next(&it, &val)) != OPT_END) {
		if (id == -1)
			return -1;
		if (id == OPT_POSITIONAL) {
			if (o->image)
				return kiln_fail("%s: unexpected argument "
						 "(arguments for the "
						 "application go after --)",
						 val);
			o->image = val;
			continue;
		}
		if (set_option(o, id, val) < 0)
			return -1;
		if (o->help)
			return 0;
	}
	o->args = argv + it.i;
	o->nargs = argc - it.i;
	if (!o->image)
		return kiln_fail("run: no image given (kiln run IMAGE)");
	if (o->nports && o->tap)
		return kiln_fail("-p: port forwarding is for user networking, "
				 "not --tap");
	/* Forwarded ports and a tap device need a NIC: virtio unless one
	 * was named. */
	if ((o->nports || o->tap) && !o->nic_given)
		o->nic = "virtio";
	if ((o->nports || o->tap) && strcmp(o->nic, "none") == 0)
		return kiln_fail("%s needs a NIC, not --nic none",
				 o->tap ? "--tap" : "-p");
	return 0;
}

int run_opts_net_env(struct run_opts *o, const char *ip, const char *gateway,
		     const char *mask)
{
	if (ip && ip[0] && !o->ip) {
		if (check_ip("HERMIT_IP", ip) < 0)
			return -1;
		o->ip = ip;
	}
	if (gateway && gateway[0] && !o->gateway) {
		if (check_addr("HERMIT_GATEWAY", gateway) < 0)
			return -1;
		o->gateway = gateway;
	}
	if (mask && mask[0] && !o->mask) {
		if (check_mask("HERMIT_MASK", mask) < 0)
			return -1;
		o->mask = mask;
	}
	return 0;
}

void run_opts_free(struct run_opts *o)
{
	free(o->env);
	free(o->qemu_args);
	free(o->dns);
	free(o->ports);
	o->env = NULL;
	o->qemu_args = NULL;
	o->dns = NULL;
	o->ports = NULL;
}

/* "key=value " */
static void add_key(struct sbuf *sb, const char *key, const char *val)
{
	sbuf_adds(sb, key);
	sbuf_addc(sb, '=');
	sbuf_adds(sb, val);
	sbuf_addc(sb, ' ');
}

int run_kernel_cmdline(const struct run_opts *o, struct sbuf *sb)
{
	if (o->verbose >= 0) {
		char *tok = xasprintf("verbose=%d ", o->verbose);

		sbuf_adds(sb, tok);
		free(tok);
	}
	if (o->meminfo_ms >= 0) {
		char *tok = xasprintf("meminfo=%ld ", o->meminfo_ms);

		sbuf_adds(sb, tok);
		free(tok);
	}
	for (int i = 0; i < o->nenv; i++) {
		char *tok = xasprintf("env=%s", o->env[i]);

		quote_kernel_token(sb, tok);
		sbuf_addc(sb, ' ');
		free(tok);
	}
	/* Checked already: nothing to quote. */
	if (o->ip)
		add_key(sb, "ip", o->ip);
	if (o->gateway)
		add_key(sb, "gateway", o->gateway);
	if (o->mask)
		add_key(sb, "mask", o->mask);
	for (int i = 0; i < o->ndns; i++)
		add_key(sb, "dns", o->dns[i]);
	sbuf_adds(sb, "--");
	for (int i = 0; i < o->nargs; i++) {
		sbuf_addc(sb, ' ');
		quote_kernel_token(sb, o->args[i]);
	}
	if (sb->len > KILN_BOOT_CMDLINE_MAX - 1)
		return kiln_fail("kernel command line: %zu bytes, more than "
				 "the %d the kernel takes",
				 sb->len, KILN_BOOT_CMDLINE_MAX - 1);
	return 0;
}

/*
 * QEMU reads -initrd as a comma-separated module list, each module a
 * file name and, after a space, its own command line: a comma is
 * doubled to escape it, a space cannot be carried at all.
 */
static int initrd_arg(const char *image, struct sbuf *sb)
{
	if (strpbrk(image, " \t\n"))
		return kiln_fail("%s: QEMU cannot load an image whose path "
				 "contains a space; rename it",
				 image);
	for (const char *p = image; *p; p++) {
		if (*p == ',')
			sbuf_addc(sb, ',');
		sbuf_addc(sb, *p);
	}
	return 0;
}

/* User networking; forwarded ports listen on the host's loopback only,
 * so nothing beyond this machine reaches the guest. */
static void user_netdev(const struct run_opts *o, struct strvec *av)
{
	struct sbuf nd = { 0 };

	sbuf_adds(&nd, "user,id=n0,restrict=on");
	for (int i = 0; i < o->nports; i++) {
		char *fwd = xasprintf(",hostfwd=tcp:127.0.0.1:%u-:%u",
				      o->ports[i][0], o->ports[i][1]);

		sbuf_adds(&nd, fwd);
		free(fwd);
	}
	strvec_push(av, nd.s);
	sbuf_free(&nd);
}

/* The reference system's command line shape; see BRIEF.md. */
int run_qemu_argv(const struct run_opts *o, const char *loader,
		  const char *status_path, const char *cmdline,
		  struct strvec *av)
{
	struct sbuf initrd = { 0 };

	/* QEMU hands the loader "<its file name> <-append>"; the loader
	 * drops the first word, so the name must be one word. */
	if (strpbrk(loader, " \t\n"))
		return kiln_fail("%s: the loader's path contains a space, "
				 "which the Multiboot command line cannot "
				 "carry; set KILN_LIBDIR", loader);
	if (initrd_arg(o->image, &initrd) < 0) {
		sbuf_free(&initrd);
		return -1;
	}
	strvec_push(av, o->qemu);
	strvec_push(av, "-kernel");
	strvec_push(av, loader);
	strvec_push(av, "-initrd");
	strvec_push(av, initrd.s);
	strvec_push(av, "-serial");
	strvec_push(av, "stdio");
	strvec_push(av, "-display");
	strvec_push(av, "none");
	strvec_push(av, "-smp");
	strvec_pushf(av, "%u", o->smp);
	strvec_push(av, "-m");
	if (o->mem % (1ULL << 20) == 0)
		strvec_pushf(av, "%lluM", (unsigned long long)(o->mem >> 20));
	else
		strvec_pushf(av, "%lluK", (unsigned long long)(o->mem >> 10));
	strvec_push(av, "-cpu");
	strvec_push(av, "qemu64,apic,fsgsbase,rdtscp,xsave,fxsr");
	strvec_push(av, "-accel");
	/* TCG runs all vCPUs on one host thread unless told otherwise
	 * (../shared/notes/qemu-tcg.md). */
	if (strcmp(o->accel, "tcg") == 0 && o->smp > 1)
		strvec_push(av, "tcg,thread=multi");
	else
		strvec_push(av, o->accel);
	strvec_push(av, "-M");
	strvec_push(av, "pc");
	strvec_push(av, "-nodefaults");
	strvec_push(av, "-no-reboot");
	strvec_push(av, "-device");
	strvec_pushf(av, "isa-debug-exit,iobase=%#x,iosize=0x04",
		     KILN_EXIT_PORT);
	for (size_t i = 0; i < sizeof(nics) / sizeof(nics[0]); i++) {
		if (strcmp(o->nic, nics[i].name) != 0 || !nics[i].device)
			continue;
		strvec_push(av, "-netdev");
		if (o->tap)
			strvec_pushf(av, "tap,id=n0,ifname=%s,script=no,"
					 "downscript=no", o->tap);
		else
			user_netdev(o, av);
		strvec_push(av, "-device");
		strvec_push(av, nics[i].device);
	}
	strvec_push(av, "-serial");
	strvec_pushf(av, "file:%s", status_path);
	strvec_push(av, "-append");
	strvec_push(av, cmdline);
	for (int i = 0; i < o->nqemu_args; i++)
		strvec_push(av, o->qemu_args[i]);
	sbuf_free(&initrd);
	return 0;
}
