/* Unit tests for the kiln tool: numbers, quoting, `run` options, packing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elf_build.h"
#include "kcmdline.h"
#include "kiln.h"
#include "kiln/abi/image.h"
#include "unit.h"

#define MiB (1ULL << 20)

/* ---- sizes and numbers ---- */

TEST(parse_size_takes_suffixes)
{
	uint64_t v;

	CHECK(parse_size("--mem", "4M", &v) == 0 && v == 4 * MiB);
	CHECK(parse_size("--mem", "512K", &v) == 0 && v == 512 * 1024);
	CHECK(parse_size("--mem", "1G", &v) == 0 && v == 1024 * MiB);
	CHECK(parse_size("--mem", "4m", &v) == 0 && v == 4 * MiB);
	CHECK(parse_size("--mem", "3000K", &v) == 0 && v == 3000 * 1024);
}

TEST(parse_size_plain_number_is_mib)
{
	uint64_t v;

	CHECK(parse_size("--mem", "2", &v) == 0 && v == 2 * MiB);
	CHECK(parse_size("--mem", "0", &v) == 0 && v == 0);
}

TEST(parse_size_rejects_bad_suffix)
{
	uint64_t v;

	CHECK(parse_size("--mem", "4X", &v) < 0);
	CHECK(strstr(kiln_errmsg(), "--mem: bad size '4X'") != NULL);
	CHECK(parse_size("--mem", "4MB", &v) < 0);
	CHECK(parse_size("--mem", "4 M", &v) < 0);
	CHECK(parse_size("--mem", "M", &v) < 0);
	CHECK(parse_size("--mem", "", &v) < 0);
	CHECK(parse_size("--mem", "0x10", &v) < 0);
}

TEST(parse_size_rejects_negative)
{
	uint64_t v;

	CHECK(parse_size("--mem", "-1", &v) < 0);
	CHECK(parse_size("--mem", "+1", &v) < 0);
	CHECK(parse_size("--mem", " 1", &v) < 0);
}

TEST(parse_size_rejects_overflow)
{
	uint64_t v;

	CHECK(parse_size("--mem", "18446744073709551616", &v) < 0);
	CHECK(strstr(kiln_errmsg(), "too large") != NULL);
	/* Fits as a number, not once multiplied: 2^34 GiB = 2^64. */
	CHECK(parse_size("--mem", "17179869184G", &v) < 0);
	CHECK(parse_size("--mem", "17179869183G", &v) == 0);
}

TEST(parse_uint_enforces_range)
{
	unsigned long v;

	CHECK(parse_uint("--smp", "1", 1, 255, &v) == 0 && v == 1);
	CHECK(parse_uint("--smp", "255", 1, 255, &v) == 0 && v == 255);
	CHECK(parse_uint("--smp", "0", 1, 255, &v) < 0);
	CHECK(parse_uint("--smp", "256", 1, 255, &v) < 0);
	CHECK(parse_uint("--smp", "-1", 1, 255, &v) < 0);
	CHECK(parse_uint("--smp", "2x", 1, 255, &v) < 0);
	CHECK(parse_uint("--smp", "", 1, 255, &v) < 0);
	CHECK(strcmp(kiln_errmsg(),
		     "--smp: '' is not a number from 1 to 255") == 0);
}

/* ---- quoting ---- */

static int kernel_quoted(const char *tok, const char *want)
{
	struct sbuf sb = { 0 };

	quote_kernel_token(&sb, tok);
	int ok = strcmp(sb.s, want) == 0;
	sbuf_free(&sb);
	return ok;
}

static int shell_quoted(const char *word, const char *want)
{
	struct sbuf sb = { 0 };

	quote_shell_word(&sb, word);
	int ok = strcmp(sb.s, want) == 0;
	sbuf_free(&sb);
	return ok;
}

TEST(kernel_quote_leaves_plain_tokens)
{
	CHECK(kernel_quoted("abc", "abc"));
	CHECK(kernel_quoted("env=K=V", "env=K=V"));
	CHECK(kernel_quoted("--", "--"));
	CHECK(kernel_quoted("'single'", "'single'"));
}

TEST(kernel_quote_quotes_empty_and_blanks)
{
	CHECK(kernel_quoted("", "\"\""));
	CHECK(kernel_quoted("b c", "\"b c\""));
	CHECK(kernel_quoted("a\tb", "\"a\tb\""));
	CHECK(kernel_quoted("a\nb", "\"a\nb\""));
}

TEST(kernel_quote_escapes_quote_and_backslash)
{
	CHECK(kernel_quoted("a\"b", "\"a\\\"b\""));
	CHECK(kernel_quoted("a\\b", "\"a\\\\b\""));
	CHECK(kernel_quoted("\\", "\"\\\\\""));
	CHECK(kernel_quoted("\"", "\"\\\"\""));
}

TEST(shell_quote_round_trips)
{
	CHECK(shell_quoted("qemu-system-x86_64", "qemu-system-x86_64"));
	CHECK(shell_quoted("file:/tmp/x", "file:/tmp/x"));
	CHECK(shell_quoted("", "''"));
	CHECK(shell_quoted("a b", "'a b'"));
	CHECK(shell_quoted("it's", "'it'\\''s'"));
	CHECK(shell_quoted("$HOME", "'$HOME'"));
	CHECK(shell_quoted("-- \"b c\"", "'-- \"b c\"'"));
}

/* ---- `kiln run` options ---- */

static int parse(struct run_opts *o, const char *hv, const char *kq, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;

	argv[argc++] = "run";
	va_start(ap, kq);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	/* o->image and o->args point into argv: it must outlive o. */
	static char *keep[64];
	memcpy(keep, argv, sizeof(argv));
	return run_opts_parse(o, argc, keep, hv, kq);
}

TEST(run_opts_defaults)
{
	struct run_opts o;

	CHECK(parse(&o, NULL, NULL, "x.img", NULL) == 0);
	CHECK(o.smp == 1 && o.mem == 64 * MiB && o.verbose == -1);
	CHECK(strcmp(o.accel, "tcg") == 0 && strcmp(o.nic, "none") == 0);
	CHECK(strcmp(o.qemu, "qemu-system-x86_64") == 0);
	CHECK(strcmp(o.image, "x.img") == 0);
	CHECK(o.timeout == 0 && !o.dry_run && !o.help);
	CHECK(o.nenv == 0 && o.nqemu_args == 0 && o.nargs == 0);
	run_opts_free(&o);
}

TEST(run_opts_parses_every_option)
{
	struct run_opts o;

	CHECK(parse(&o, NULL, NULL, "--smp", "4", "--mem=32M", "--env",
		    "A=1", "--env=B=x y", "--verbose", "--accel", "kvm",
		    "--qemu-arg", "-s", "--dry-run", "--timeout", "30",
		    "--qemu", "/opt/qemu", "x.img", NULL) == 0);
	CHECK(o.smp == 4 && o.mem == 32 * MiB && o.verbose == 2);
	CHECK(o.nenv == 2 && strcmp(o.env[1], "B=x y") == 0);
	CHECK(strcmp(o.accel, "kvm") == 0);
	CHECK(o.nqemu_args == 1 && strcmp(o.qemu_args[0], "-s") == 0);
	CHECK(o.dry_run && o.timeout == 30);
	CHECK(strcmp(o.qemu, "/opt/qemu") == 0);
	run_opts_free(&o);
}

TEST(run_opts_allows_options_after_image)
{
	struct run_opts o;

	CHECK(parse(&o, NULL, NULL, "x.img", "--smp", "2", "--", "--verbose",
		    "a", NULL) == 0);
	CHECK(o.smp == 2 && o.verbose == -1);
	CHECK(o.nargs == 2 && strcmp(o.args[0], "--verbose") == 0);
	run_opts_free(&o);
}

TEST(run_opts_reads_environment)
{
	struct run_opts o;

	CHECK(parse(&o, "3", "/usr/bin/qemu-x", "x.img", NULL) == 0);
	CHECK(o.verbose == 3 && strcmp(o.qemu, "/usr/bin/qemu-x") == 0);
	run_opts_free(&o);
	/* The option wins over the variable. */
	CHECK(parse(&o, "4", NULL, "--verbose", "x.img", NULL) == 0);
	CHECK(o.verbose == 2);
	run_opts_free(&o);
	CHECK(parse(&o, "5", NULL, "x.img", NULL) < 0);
	CHECK(strstr(kiln_errmsg(), "HERMIT_VERBOSE") != NULL);
	run_opts_free(&o);
}

/* Each call must fail with a message starting with want. */
#define PARSE_FAILS(want, ...)                                             \
	do {                                                               \
		struct run_opts o_;                                        \
		int r_ = parse(&o_, NULL, NULL, __VA_ARGS__, NULL);        \
		run_opts_free(&o_);                                        \
		CHECK(r_ < 0);                                             \
		CHECK(strncmp(kiln_errmsg(), want, strlen(want)) == 0);    \
	} while (0)

TEST(run_opts_rejects_bad_input)
{
	PARSE_FAILS("--frob: unknown option", "--frob", "x.img");
	PARSE_FAILS("--frob: unknown option", "--frob=1", "x.img");
	PARSE_FAILS("-p: '0' is not", "-p", "0", "x.img");
	PARSE_FAILS("-p: '70000' is not", "-p", "80:70000", "x.img");
	PARSE_FAILS("-p: 'a' is not", "-p", "a:80", "x.img");
	PARSE_FAILS("-p: port forwarding is for user networking", "-p",
		    "80", "--tap", "tap0", "x.img");
	PARSE_FAILS("-p needs a NIC", "--nic", "none", "-p", "80", "x.img");
	PARSE_FAILS("--ip: '10.0.2.256/24' is not an IPv4 address", "--ip",
		    "10.0.2.256/24", "x.img");
	PARSE_FAILS("--ip: '10.0.2.1/33' is not", "--ip", "10.0.2.1/33",
		    "x.img");
	PARSE_FAILS("--gateway: '10.0.2' is not", "--gateway", "10.0.2",
		    "x.img");
	PARSE_FAILS("--mask: '255.0.255.0' is not a netmask", "--mask",
		    "255.0.255.0", "x.img");
	PARSE_FAILS("--dns: '1.2.3.4,' is not", "--dns", "1.2.3.4,",
		    "x.img");
	PARSE_FAILS("--dns: more than 3 servers", "--dns", "1.1.1.1,2.2.2.2",
		    "--dns", "3.3.3.3,4.4.4.4", "x.img");
	PARSE_FAILS("--tap: 'a,b' is not", "--tap", "a,b", "x.img");
	PARSE_FAILS("--mem: bad size '4X'", "--mem", "4X", "x.img");
	PARSE_FAILS("--mem: 1M is below", "--mem", "1M", "x.img");
	PARSE_FAILS("--mem: 512K is below", "--mem", "512K", "x.img");
	PARSE_FAILS("--mem: needs a value", "x.img", "--mem");
	PARSE_FAILS("--smp: '0' is not", "--smp", "0", "x.img");
	PARSE_FAILS("--smp: '256' is not", "--smp", "256", "x.img");
	PARSE_FAILS("--env: 'A' is not KEY=VALUE", "--env", "A", "x.img");
	PARSE_FAILS("--env: '=1' is not", "--env", "=1", "x.img");
	PARSE_FAILS("--env: key 'A B' contains", "--env", "A B=1", "x.img");
	PARSE_FAILS("--accel: 'hvf' is not", "--accel", "hvf", "x.img");
	PARSE_FAILS("--verbose: takes no value", "--verbose=3", "x.img");
	PARSE_FAILS("y.img: unexpected argument", "x.img", "y.img");
	PARSE_FAILS("run: no image given", "--smp", "2");
	PARSE_FAILS("--timeout: '-1' is not", "--timeout", "-1", "x.img");
	PARSE_FAILS("--meminfo: ", "--meminfo", "2s", "x.img");
	PARSE_FAILS("--meminfo: ", "--meminfo", "86400001", "x.img");
	PARSE_FAILS("--nic: 'e1000' is not", "--nic", "e1000", "x.img");
	PARSE_FAILS("--nic: needs a value", "x.img", "--nic");
}

TEST(run_opts_help)
{
	struct run_opts o;

	CHECK(parse(&o, NULL, NULL, "--help", NULL) == 0 && o.help);
	run_opts_free(&o);
	CHECK(parse(&o, NULL, NULL, "x.img", "-h", NULL) == 0 && o.help);
	run_opts_free(&o);
}

/* ---- the kernel command line ---- */

static int cmdline_is(const char *want, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;
	struct run_opts o;
	struct sbuf sb = { 0 };
	int ok;

	argv[argc++] = "run";
	va_start(ap, want);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	ok = run_opts_parse(&o, argc, argv, NULL, NULL) == 0 &&
	     run_kernel_cmdline(&o, &sb) == 0 && strcmp(sb.s, want) == 0;
	if (!ok && sb.s)
		fprintf(stderr, "cmdline: got [%s] want [%s]\n", sb.s, want);
	sbuf_free(&sb);
	run_opts_free(&o);
	return ok;
}

TEST(cmdline_always_has_separator)
{
	CHECK(cmdline_is("--", "x.img", NULL));
}

TEST(cmdline_orders_verbose_env_args)
{
	CHECK(cmdline_is("verbose=2 env=A=1 \"env=B=x y\" -- a \"b c\" \"\"",
			 "--env", "A=1", "x.img", "--env", "B=x y",
			 "--verbose", "--", "a", "b c", "", NULL));
}

TEST(cmdline_meminfo)
{
	CHECK(cmdline_is("meminfo=2000 -- a", "--meminfo", "2000", "x.img",
			 "--", "a", NULL));
	CHECK(cmdline_is("meminfo=0 --", "--meminfo", "0", "x.img", NULL));
}

TEST(cmdline_escapes_quotes_in_args)
{
	CHECK(cmdline_is("\"env=Q=\\\"\" -- \"d\\\"e\\\\f\"", "--env",
			 "Q=\"", "x.img", "--", "d\"e\\f", NULL));
}

TEST(cmdline_rejects_over_4095_bytes)
{
	char *argv[5] = { "run", "x.img", "--", NULL, NULL };
	char big[4096];
	struct run_opts o;
	struct sbuf sb = { 0 };

	/* "-- " + 4092 bytes = 4095: fits exactly. */
	memset(big, 'a', 4092);
	big[4092] = '\0';
	argv[3] = big;
	CHECK(run_opts_parse(&o, 4, argv, NULL, NULL) == 0);
	CHECK(run_kernel_cmdline(&o, &sb) == 0 && sb.len == 4095);
	sbuf_free(&sb);
	big[4092] = 'a';
	big[4093] = '\0';
	CHECK(run_kernel_cmdline(&o, &sb) < 0);
	CHECK(strstr(kiln_errmsg(), "kernel command line") != NULL);
	sbuf_free(&sb);
	run_opts_free(&o);
}

/* ---- the QEMU command line ---- */

static char *qemu_line(const char *image, int extra, ...)
{
	char *argv[32] = { "run" };
	int argc = 1;
	va_list ap;
	struct run_opts o;
	struct strvec av = { 0 };
	struct sbuf sb = { 0 };

	va_start(ap, extra);
	for (int i = 0; i < extra; i++)
		argv[argc++] = va_arg(ap, char *);
	va_end(ap);
	argv[argc++] = (char *)image;
	if (run_opts_parse(&o, argc, argv, NULL, NULL) == 0 &&
	    run_qemu_argv(&o, "/lib/kiln/loader.elf", "/tmp/st", "--",
			  &av) == 0) {
		for (size_t i = 0; i < av.n; i++) {
			if (i)
				sbuf_addc(&sb, ' ');
			quote_shell_word(&sb, av.v[i]);
		}
	}
	strvec_free(&av);
	run_opts_free(&o);
	return sb.s; /* NULL on failure */
}

TEST(qemu_argv_has_reference_shape)
{
	char *line = qemu_line("x.img", 0);

	CHECK(line != NULL);
	int ok = strcmp(line,
			"qemu-system-x86_64 -kernel /lib/kiln/loader.elf "
			"-initrd x.img -serial stdio -display none -smp 1 "
			"-m 64M -cpu qemu64,apic,fsgsbase,rdtscp,xsave,fxsr "
			"-accel tcg -M pc -nodefaults -no-reboot -device "
			"isa-debug-exit,iobase=0xf4,iosize=0x04 -serial "
			"file:/tmp/st -append --") == 0;
	if (!ok)
		fprintf(stderr, "got: %s\n", line);
	free(line);
	CHECK(ok);
}

TEST(qemu_argv_passes_smp_mem_and_extra_args)
{
	char *line = qemu_line("x.img", 6, "--smp", "2", "--mem", "3000K",
			       "--qemu-arg", "-S");

	CHECK(line != NULL);
	int ok = strstr(line, " -smp 2 -m 3000K ") &&
		 strstr(line, " -accel tcg,thread=multi ") &&
		 strcmp(line + strlen(line) - 3, " -S") == 0;
	free(line);
	CHECK(ok);
}

/* Each --nic TYPE adds user networking (restrict=on) and its device
 * before COM2; none adds nothing. */
static int nic_line_has(const char *type, const char *want)
{
	char *line = qemu_line("x.img", 2, "--nic", type);
	int ok = line && (want ? strstr(line, want) != NULL :
				 strstr(line, "-netdev") == NULL);

	if (!ok)
		fprintf(stderr, "--nic %s: got %s\n", type, line);
	free(line);
	return ok;
}

TEST(qemu_argv_adds_the_nic_asked_for)
{
	CHECK(nic_line_has("none", NULL));
	CHECK(nic_line_has("virtio",
			   " -netdev user,id=n0,restrict=on -device "
			   "virtio-net-pci,netdev=n0,disable-legacy=on,"
			   "romfile= -serial file:"));
	CHECK(nic_line_has("virtio-legacy",
			   " -device virtio-net-pci,netdev=n0,"
			   "disable-modern=on,romfile= "));
	CHECK(nic_line_has("rtl8139",
			   " -netdev user,id=n0,restrict=on -device "
			   "rtl8139,netdev=n0,romfile= "));
}

TEST(network_options_reach_the_kernel_command_line)
{
	CHECK(cmdline_is("ip=10.0.2.20/24 gateway=10.0.2.2 mask=255.255.255.0 "
			 "dns=10.0.2.3 dns=1.1.1.1,8.8.8.8 -- a",
			 "--ip", "10.0.2.20/24", "--gateway", "10.0.2.2",
			 "--mask", "255.255.255.0", "--dns", "10.0.2.3",
			 "--dns", "1.1.1.1,8.8.8.8", "x.img", "--", "a",
			 NULL));
}

TEST(hermit_variables_fill_what_options_left)
{
	struct run_opts o;

	CHECK(parse(&o, NULL, NULL, "--ip", "10.0.5.3/24", "x.img",
		    NULL) == 0);
	CHECK(run_opts_net_env(&o, "10.0.9.9", "10.0.5.1",
			       "255.255.255.0") == 0);
	CHECK(strcmp(o.ip, "10.0.5.3/24") == 0);
	CHECK(strcmp(o.gateway, "10.0.5.1") == 0);
	CHECK(strcmp(o.mask, "255.255.255.0") == 0);
	run_opts_free(&o);
	CHECK(parse(&o, NULL, NULL, "x.img", NULL) == 0);
	CHECK(run_opts_net_env(&o, "", NULL, NULL) == 0 && !o.ip);
	CHECK(run_opts_net_env(&o, "10.0.5", NULL, NULL) < 0);
	CHECK(strcmp(kiln_errmsg(), "HERMIT_IP: '10.0.5' is not an IPv4 "
				    "address A.B.C.D[/len]") == 0);
	CHECK(run_opts_net_env(&o, NULL, "x", NULL) < 0);
	CHECK(run_opts_net_env(&o, NULL, NULL, "255.255.0.255") < 0);
	run_opts_free(&o);
}

/* -p implies virtio; ports listen on 127.0.0.1 only. */
TEST(qemu_argv_forwards_ports_on_loopback_only)
{
	char *line = qemu_line("x.img", 4, "-p", "8080", "-p", "9000:80");
	int ok = line && strstr(line, " -netdev user,id=n0,restrict=on,"
				      "hostfwd=tcp:127.0.0.1:8080-:8080,"
				      "hostfwd=tcp:127.0.0.1:9000-:80 "
				      "-device virtio-net-pci,netdev=n0,"
				      "disable-legacy=on,");

	if (!ok)
		fprintf(stderr, "got: %s\n", line);
	free(line);
	CHECK(ok);
	line = qemu_line("x.img", 4, "--nic", "rtl8139", "-p", "80");
	ok = line && strstr(line, "hostfwd=tcp:127.0.0.1:80-:80 -device "
				  "rtl8139,");
	free(line);
	CHECK(ok);
}

TEST(qemu_argv_tap)
{
	char *line = qemu_line("x.img", 2, "--tap", "tap10");
	int ok = line && strstr(line, " -netdev tap,id=n0,ifname=tap10,"
				      "script=no,downscript=no -device "
				      "virtio-net-pci,");

	free(line);
	CHECK(ok);
}

TEST(qemu_argv_escapes_comma_in_image)
{
	char *line = qemu_line("a,b.img", 0);

	CHECK(line != NULL);
	int ok = strstr(line, " -initrd a,,b.img ") != NULL;
	free(line);
	CHECK(ok);
}

TEST(qemu_argv_refuses_space_in_image)
{
	CHECK(qemu_line("a b.img", 0) == NULL);
	CHECK(strstr(kiln_errmsg(), "a b.img: QEMU cannot load") != NULL);
}

/* ---- exit status ---- */

static int exited(int code)
{
	return (code & 0xff) << 8; /* a wait status, as waitpid gives */
}

TEST(run_status_prefers_status_line)
{
	const char *log = "boot\nkiln-exit 200\n";

	CHECK(run_guest_status((const void *)log, strlen(log), exited(0)) ==
	      200);
	/* isa-debug-exit carries only 7 bits: the line wins. */
	CHECK(run_guest_status((const void *)log, strlen(log),
			       exited(((200 & 0x7f) << 1) | 1)) == 200);
	log = "kiln-exit 0\r\n";
	CHECK(run_guest_status((const void *)log, strlen(log), exited(0)) ==
	      0);
	log = "kiln-exit 255";
	CHECK(run_guest_status((const void *)log, strlen(log), exited(0)) ==
	      255);
}

TEST(run_status_ignores_bad_lines)
{
	const char *log = "kiln-exit 256\nkiln-exit -1\nkiln-exit\n"
			  "kiln-exit 1x\n xkiln-exit 3\nkiln-exit 0042\n";

	CHECK(run_guest_status((const void *)log, strlen(log), exited(0)) ==
	      -1);
}

TEST(run_status_decodes_debug_exit)
{
	CHECK(run_guest_status(NULL, 0, exited((42 << 1) | 1)) == 42);
	CHECK(run_guest_status(NULL, 0, exited(3)) == 1);
	/* 0 (ACPI off or triple fault), 1 (QEMU's error), even: no status. */
	CHECK(run_guest_status(NULL, 0, exited(0)) == -1);
	CHECK(run_guest_status(NULL, 0, exited(1)) == -1);
	CHECK(run_guest_status(NULL, 0, exited(2)) == -1);
	CHECK(run_guest_status(NULL, 0, 9 /* killed by SIGKILL */) == -1);
}

/* ---- packing ---- */

struct packed {
	unsigned char *kernel, *app, *img;
	size_t kernel_size, app_size, img_size;
};

static int pack(struct packed *p, int pie, const char *name)
{
	p->kernel = eb_kernel(&p->kernel_size);
	p->app = eb_app(&p->app_size, pie);
	p->img = NULL;
	return image_pack(p->kernel, p->kernel_size, "kernel.elf", p->app,
			  p->app_size, "app", name, NULL, 0, &p->img,
			  &p->img_size);
}

static void packed_free(struct packed *p)
{
	free(p->kernel);
	free(p->app);
	free(p->img);
}

static const char *section_name(unsigned char *img, int i)
{
	struct elf64_shdr *str = eb_shdr(img, eb_ehdr(img)->e_shstrndx);

	return (const char *)img + str->sh_offset + eb_shdr(img, i)->sh_name;
}

TEST(pack_adds_app_section)
{
	struct packed p;

	CHECK(pack(&p, 0, "hello") == 0);
	struct elf64_ehdr *eh = eb_ehdr(p.img);
	int n = eh->e_shnum;
	struct elf64_shdr *app = eb_shdr(p.img, n - 1);
	int ok = n == EB_KERNEL_SHNUM + 1 && eh->e_shstrndx == EB_SEC_SHSTRTAB &&
		 eh->e_shoff % 8 == 0 &&
		 eh->e_shoff + n * sizeof(struct elf64_shdr) == p.img_size &&
		 strcmp(section_name(p.img, n - 1), ".kiln.app") == 0 &&
		 app->sh_type == ELF_SHT_PROGBITS && app->sh_flags == 0 &&
		 app->sh_addr == 0 && app->sh_offset % 4096 == 0 &&
		 app->sh_size == p.app_size &&
		 memcmp(p.img + app->sh_offset, p.app, p.app_size) == 0;
	/* Every old section keeps its name. */
	ok = ok && strcmp(section_name(p.img, EB_SEC_DESC), ".kiln.desc") == 0 &&
	     strcmp(section_name(p.img, EB_SEC_SHSTRTAB), ".shstrtab") == 0;
	packed_free(&p);
	CHECK(ok);
}

TEST(pack_fills_descriptor)
{
	struct packed p;
	struct kiln_image_desc d;

	CHECK(pack(&p, 0, "hello") == 0);
	memcpy(&d, p.img + eb_shdr(p.img, EB_SEC_DESC)->sh_offset, sizeof(d));
	struct elf64_shdr *app = eb_shdr(p.img, eb_ehdr(p.img)->e_shnum - 1);
	int ok = d.magic == KILN_IMAGE_MAGIC &&
		 d.version == KILN_IMAGE_VERSION &&
		 d.app_offset == app->sh_offset &&
		 d.app_size == p.app_size && d.rootfs_offset == 0 &&
		 d.rootfs_size == 0 && strcmp(d.app_name, "hello") == 0;
	packed_free(&p);
	CHECK(ok);
}

TEST(pack_truncates_long_name)
{
	struct packed p;
	struct kiln_image_desc d;
	char name[100];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	CHECK(pack(&p, 0, name) == 0);
	memcpy(&d, p.img + eb_shdr(p.img, EB_SEC_DESC)->sh_offset, sizeof(d));
	packed_free(&p);
	CHECK(strlen(d.app_name) == 63 && d.app_name[63] == '\0');
}

TEST(pack_output_is_a_valid_kernel)
{
	struct packed p;
	struct elf_image img;

	CHECK(pack(&p, 1, "pie") == 0);
	int err = elf_check(p.img, p.img_size, 0xffffffff80000000ULL,
			    0xfffffffffffff000ULL, ELF_CHECK_NO_PIE, &img);
	/* Loaded bytes are the kernel's, but for the descriptor. */
	int same_text = memcmp(p.img + 0x1000, p.kernel + 0x1000, 0x100) == 0;
	packed_free(&p);
	CHECK(err == ELF_OK);
	CHECK(same_text);
}

TEST(pack_keeps_symbols)
{
	struct packed p;

	CHECK(pack(&p, 0, "x") == 0);
	int ok = 1;
	for (int s = EB_SEC_SYMTAB; s <= EB_SEC_STRTAB; s++) {
		struct elf64_shdr *a = eb_shdr(p.kernel, s);
		struct elf64_shdr *b = eb_shdr(p.img, s);

		ok = ok && memcmp(a, b, sizeof(*a)) == 0 &&
		     memcmp(p.kernel + a->sh_offset, p.img + b->sh_offset,
			    a->sh_size) == 0;
	}
	packed_free(&p);
	CHECK(ok);
}

TEST(pack_is_reproducible_and_zero_padded)
{
	struct packed a, b;

	CHECK(pack(&a, 0, "same") == 0);
	CHECK(pack(&b, 0, "same") == 0);
	int same = a.img_size == b.img_size &&
		   memcmp(a.img, b.img, a.img_size) == 0;
	/* Between the kernel's last byte and the application: zeros. */
	struct elf64_shdr *str = eb_shdr(a.kernel, EB_SEC_SHSTRTAB);
	size_t end = str->sh_offset + str->sh_size;
	size_t app_off = eb_shdr(a.img, EB_KERNEL_SHNUM)->sh_offset;
	int zeros = app_off >= end;
	for (size_t i = end; i < app_off; i++)
		zeros = zeros && a.img[i] == 0;
	packed_free(&a);
	packed_free(&b);
	CHECK(same);
	CHECK(zeros);
}

TEST(pack_adds_rootfs_section_and_describes_it)
{
	static const unsigned char fs[] = "070701 stands in for an archive";
	size_t ks, as, is;
	unsigned char *k = eb_kernel(&ks), *a = eb_app(&as, 0), *img = NULL;
	struct kiln_image_desc d;

	int r = image_pack(k, ks, "k", a, as, "a", "n", fs, sizeof(fs), &img,
			   &is);
	CHECK(r == 0);
	struct elf64_ehdr *eh = eb_ehdr(img);
	struct elf64_shdr *app = eb_shdr(img, eh->e_shnum - 2);
	struct elf64_shdr *root = eb_shdr(img, eh->e_shnum - 1);
	memcpy(&d, img + eb_shdr(img, EB_SEC_DESC)->sh_offset, sizeof(d));
	int ok = eh->e_shnum == EB_KERNEL_SHNUM + 2 &&
		 strcmp(section_name(img, eh->e_shnum - 2), ".kiln.app") == 0 &&
		 strcmp(section_name(img, eh->e_shnum - 1), ".kiln.rootfs") ==
			 0 &&
		 root->sh_type == ELF_SHT_PROGBITS && root->sh_flags == 0 &&
		 root->sh_offset % 4096 == 0 &&
		 root->sh_offset >= app->sh_offset + app->sh_size &&
		 root->sh_size == sizeof(fs) &&
		 memcmp(img + root->sh_offset, fs, sizeof(fs)) == 0 &&
		 d.rootfs_offset == root->sh_offset &&
		 d.rootfs_size == sizeof(fs) && d.app_size == as &&
		 eh->e_shoff + eh->e_shnum * sizeof(struct elf64_shdr) == is;
	/* The kernel finds it as it finds the application. */
	uint64_t off = 0, len = 0;
	ok = ok && elf_find_section(img, is, ".kiln.rootfs", &off, &len) == 0 &&
	     off == root->sh_offset && len == sizeof(fs);
	free(k);
	free(a);
	free(img);
	CHECK(ok);
}

/* Packs a damaged kernel; the error must contain want. */
#define PACK_KERNEL_FAILS(want, stmt)                                      \
	do {                                                               \
		size_t ks_, as_, is_;                                      \
		unsigned char *k = eb_kernel(&ks_), *a_ = eb_app(&as_, 0); \
		unsigned char *img_ = NULL;                                \
		stmt;                                                      \
		int r_ = image_pack(k, ks_, "k", a_, as_, "a", "n", NULL, 0, \
				    &img_, &is_);                          \
		free(k);                                                   \
		free(a_);                                                  \
		free(img_);                                                \
		CHECK(r_ < 0);                                             \
		if (!strstr(kiln_errmsg(), want))                          \
			fprintf(stderr, "got: %s\n", kiln_errmsg());       \
		CHECK(strstr(kiln_errmsg(), want) != NULL);                \
	} while (0)

TEST(pack_rejects_kernel_without_desc)
{
	/* ".kiln.desc" -> ".Kiln.desc" in the section name table. */
	PACK_KERNEL_FAILS("no .kiln.desc section",
			  k[eb_shdr(k, EB_SEC_SHSTRTAB)->sh_offset + 8] = 'K');
}

TEST(pack_rejects_desc_of_wrong_size)
{
	PACK_KERNEL_FAILS(".kiln.desc is 64 bytes",
			  eb_shdr(k, EB_SEC_DESC)->sh_size = 64);
}

TEST(pack_rejects_desc_outside_load)
{
	PACK_KERNEL_FAILS("not in a loaded segment",
			  eb_phdr(k, 1)->p_filesz = 0x40);
}

TEST(pack_rejects_desc_with_bad_magic)
{
	PACK_KERNEL_FAILS("bad magic", k[0x2000] = 0);
}

TEST(pack_rejects_other_format_version)
{
	PACK_KERNEL_FAILS("image format version 2", k[0x2004] = 2);
}

TEST(pack_rejects_truncated_section_table)
{
	PACK_KERNEL_FAILS("section headers outside", ks_ -= 8);
}

TEST(pack_rejects_bad_shstrndx)
{
	PACK_KERNEL_FAILS("no section name table",
			  eb_ehdr(k)->e_shstrndx = EB_KERNEL_SHNUM);
	PACK_KERNEL_FAILS("bad section name table",
			  eb_ehdr(k)->e_shstrndx = EB_SEC_TEXT);
}

TEST(pack_rejects_pie_kernel)
{
	PACK_KERNEL_FAILS("position-independent",
			  eb_ehdr(k)->e_type = ELF_ET_DYN);
}

TEST(pack_rejects_packed_image_as_kernel)
{
	struct packed p;
	unsigned char *again = NULL;
	size_t again_size;

	CHECK(pack(&p, 0, "x") == 0);
	int r = image_pack(p.img, p.img_size, "x.img", p.app, p.app_size, "a",
			   "x", NULL, 0, &again, &again_size);
	packed_free(&p);
	free(again);
	CHECK(r < 0);
	CHECK(strstr(kiln_errmsg(), "already holds an application") != NULL);
}

TEST(pack_rejects_dynamic_app)
{
	size_t ks, as, is;
	unsigned char *k = eb_kernel(&ks), *a = eb_app(&as, 0), *img = NULL;

	eb_phdr(a, 3)->p_type = ELF_PT_INTERP;
	int r = image_pack(k, ks, "k", a, as, "prog", "n", NULL, 0, &img,
			   &is);
	free(k);
	free(a);
	free(img);
	CHECK(r < 0);
	CHECK(strcmp(kiln_errmsg(), "prog: dynamically linked (has an "
				    "interpreter); link it with -static") == 0);
}

TEST(pack_rejects_app_needing_shared_libs)
{
	size_t ks, as, is;
	unsigned char *k = eb_kernel(&ks), *a = eb_app(&as, 1), *img = NULL;
	int64_t needed[4] = { 1 /* DT_NEEDED */, 1, 0, 0 };

	/* A PT_DYNAMIC in the RW segment naming a library. */
	memcpy(a + EB_APP_RW_OFF, needed, sizeof(needed));
	*eb_phdr(a, 3) = (struct elf64_phdr){
		.p_type = ELF_PT_DYNAMIC, .p_flags = ELF_PF_R | ELF_PF_W,
		.p_offset = EB_APP_RW_OFF, .p_vaddr = 0x1000,
		.p_filesz = sizeof(needed), .p_memsz = sizeof(needed),
	};
	int r = image_pack(k, ks, "k", a, as, "prog", "n", NULL, 0, &img,
			   &is);
	free(k);
	free(a);
	free(img);
	CHECK(r < 0);
	CHECK(strstr(kiln_errmsg(), "needs shared libraries") != NULL);
}

/* ---- pack_file: the files on disk ---- */

static int write_bytes(const char *path, const void *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(b, 1, n, f) == n;

	if (f)
		fclose(f);
	return ok;
}

TEST(pack_file_writes_image_atomically)
{
	char dir[] = "/tmp/kiln-unit.XXXXXX";
	struct packed p;

	CHECK(mkdtemp(dir) != NULL);
	CHECK(pack(&p, 0, "app") == 0);
	char *kpath = xasprintf("%s/kernel.elf", dir);
	char *apath = xasprintf("%s/app", dir);
	char *out = xasprintf("%s/app.img", dir);
	char *tmp = xasprintf("%s/app.img.tmp", dir);
	int wrote = write_bytes(kpath, p.kernel, p.kernel_size) &&
		    write_bytes(apath, p.app, p.app_size);
	setenv("KILN_LIBDIR", dir, 1);
	int r = pack_file(apath, apath, out, "app", NULL, PACK_NET_AUTO);
	unsetenv("KILN_LIBDIR");

	unsigned char *img = NULL;
	size_t img_size = 0;
	int read_back = read_file(out, &img, &img_size) == 0;
	int same = read_back && img_size == p.img_size &&
		   memcmp(img, p.img, img_size) == 0;
	int no_tmp = access(tmp, F_OK) != 0;
	unlink(kpath);
	unlink(apath);
	unlink(out);
	rmdir(dir);
	free(img);
	free(kpath);
	free(apath);
	free(out);
	free(tmp);
	packed_free(&p);
	CHECK(wrote);
	CHECK(r == 0);
	CHECK(same);
	CHECK(no_tmp);
}

/* --no-net takes kernel-min.elf from beside kernel.elf and marks the
 * image; with no such file it is an error, and auto falls back to
 * kernel.elf for a program without symbols (it cannot tell). */
TEST(pack_file_no_net_kernel)
{
	char dir[] = "/tmp/kiln-unit.XXXXXX";
	struct packed p;
	struct kiln_image_desc d = { 0 };

	CHECK(mkdtemp(dir) != NULL);
	CHECK(pack(&p, 0, "app") == 0);
	char *kpath = xasprintf("%s/kernel.elf", dir);
	char *mpath = xasprintf("%s/kernel-min.elf", dir);
	char *apath = xasprintf("%s/app", dir);
	char *out = xasprintf("%s/app.img", dir);
	int wrote = write_bytes(kpath, p.kernel, p.kernel_size) &&
		    write_bytes(apath, p.app, p.app_size);
	setenv("KILN_LIBDIR", dir, 1);
	int missing = pack_file(apath, apath, out, "app", NULL, PACK_NO_NET);
	int missing_msg = strstr(kiln_errmsg(), "no kernel-min.elf") != NULL;
	wrote = wrote && write_bytes(mpath, p.kernel, p.kernel_size);
	int r = pack_file(apath, apath, out, "app", NULL, PACK_NO_NET);
	unsigned char *img = NULL;
	size_t img_size = 0;
	int marked = r == 0 && read_file(out, &img, &img_size) == 0 &&
		     image_read_desc(img, img_size, &d) == 0 &&
		     d.flags == KILN_IMAGE_NO_NET;
	free(img);
	img = NULL;
	int r_auto = pack_file(apath, apath, out, "app", NULL, PACK_NET_AUTO);
	int full = r_auto == 0 && read_file(out, &img, &img_size) == 0 &&
		   image_read_desc(img, img_size, &d) == 0 && d.flags == 0;
	unsetenv("KILN_LIBDIR");
	unlink(kpath);
	unlink(mpath);
	unlink(apath);
	unlink(out);
	rmdir(dir);
	free(img);
	free(kpath);
	free(mpath);
	free(apath);
	free(out);
	packed_free(&p);
	CHECK(wrote);
	CHECK(missing < 0 && missing_msg);
	CHECK(marked);
	CHECK(full);
}

TEST(pack_net_option_refuses_both)
{
	int net = PACK_NET_AUTO;

	CHECK(pack_net_option(&net, PACK_NO_NET) == 0 && net == PACK_NO_NET);
	CHECK(pack_net_option(&net, PACK_NO_NET) == 0);
	CHECK(pack_net_option(&net, PACK_NET) < 0);
	CHECK(strstr(kiln_errmsg(), "choose one") != NULL);
}

TEST(pack_file_reports_missing_program)
{
	CHECK(pack_file("/nonexistent/prog", "/nonexistent/prog", "/tmp/x",
			"x", NULL, PACK_NET_AUTO) < 0);
	CHECK(strcmp(kiln_errmsg(),
		     "/nonexistent/prog: No such file or directory") == 0);
}

/* ---- round trip through the kernel's parser (lib/kcmdline.c) ---- */

TEST(cmdline_round_trips_through_kernel_parser)
{
	char *argv[] = { "run", "--env", "A=1", "--env", "Q=\"x\\y\" z",
			 "--env", "E=", "--verbose", "x.img", "--", "",
			 "b c", "\"", "\\", "a\\\"b", "tab\there",
			 "new\nline", "--", "env=not-an-env", "verbose=9",
			 "\xc3\xa9t\xc3\xa9", NULL };
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	static struct kcmdline k;
	struct run_opts o;
	struct sbuf sb = { 0 };
	char err[128] = "";

	CHECK(run_opts_parse(&o, argc, argv, NULL, NULL) == 0);
	CHECK(run_kernel_cmdline(&o, &sb) == 0);
	int parsed = kcmdline_parse(sb.s, &k, err, sizeof err);
	if (parsed != 0)
		fprintf(stderr, "kcmdline: %s\n", err);
	int ok = parsed == 0 && k.verbose == 2 && k.envc == o.nenv &&
		 k.argc == o.nargs;
	for (int i = 0; ok && i < o.nenv; i++)
		ok = strcmp(k.envp[i], o.env[i]) == 0;
	for (int i = 0; ok && i < o.nargs; i++)
		ok = strcmp(k.argv[i], o.args[i]) == 0;
	sbuf_free(&sb);
	run_opts_free(&o);
	CHECK(ok);
}
