/* `kiln run IMAGE`: boot an image on QEMU, pass its exit status through. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kiln.h"
#include "kiln/abi/exit.h"

static const char run_usage[] =
	"usage: kiln run [options] IMAGE [-- ARGS...]\n"
	"\n"
	"Boot IMAGE on QEMU through kiln's loader; ARGS reach the\n"
	"application's argv. The exit status is the application's.\n"
	"\n"
	"  --smp N           virtual CPUs, 1..255 (default 1)\n"
	"  --mem SIZE        guest memory: 4M, 512K, 1G; a plain number is\n"
	"                    MiB (default 64M, at least 2M)\n"
	"  --env K=V         set K in the application's environment\n"
	"                    (repeatable)\n"
	"  --verbose         kernel log level 2 ($HERMIT_VERBOSE=N sets N)\n"
	"  --accel tcg|kvm   QEMU accelerator (default tcg)\n"
	"  --qemu-arg ARG    append ARG to QEMU's command line (repeatable)\n"
	"  --qemu PATH       QEMU binary (default $KILN_QEMU or\n"
	"                    qemu-system-x86_64)\n"
	"  --nic TYPE        network card on QEMU user networking\n"
	"                    (restrict=on): virtio, virtio-legacy, rtl8139\n"
	"                    or none (default none, or virtio with -p/--tap)\n"
	"  -p HOST[:GUEST]   forward 127.0.0.1:HOST to the guest's TCP port\n"
	"                    GUEST (default HOST); repeatable\n"
	"  --tap IFACE       the NIC on host tap device IFACE instead\n"
	"  --ip A.B.C.D/LEN  static address, no DHCP ($HERMIT_IP)\n"
	"  --gateway A.B.C.D default gateway ($HERMIT_GATEWAY)\n"
	"  --mask A.B.C.D    netmask ($HERMIT_MASK)\n"
	"  --dns A.B.C.D     DNS server for /etc/resolv.conf (repeatable,\n"
	"                    or a comma list)\n"
	"  --timeout SECS    stop the guest after SECS seconds, exit 124\n"
	"  --meminfo MS      print the guest's memory in use MS ms after\n"
	"                    the application starts (kiln-meminfo: line)\n"
	"  --dry-run         print the QEMU command line and exit\n"
	"\n"
	"Exit status: the application's exit(n); 128+signal if it faulted;\n"
	"125 kernel panic; 126 image refused; 124 timeout; 2 bad input.\n";

#define EXIT_TIMEOUT 124     /* as timeout(1) */
#define TIMEOUT_GRACE 2	     /* seconds between SIGTERM and SIGKILL */

static volatile sig_atomic_t qemu_pid;
static volatile sig_atomic_t forwarded_sig;
static volatile sig_atomic_t timed_out;

/* Ctrl-C, kill, hang-up: pass it to QEMU, then follow it out. */
static void forward_signal(int sig)
{
	forwarded_sig = sig;
	if (qemu_pid > 0)
		kill(qemu_pid, sig);
}

/* SIGTERM first so QEMU restores the terminal; SIGKILL if it lingers. */
static void on_alarm(int sig)
{
	(void)sig;
	if (qemu_pid <= 0)
		return;
	kill(qemu_pid, timed_out ? SIGKILL : SIGTERM);
	timed_out = 1;
	alarm(TIMEOUT_GRACE);
}

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP };

static void install_handlers(sigset_t *blocked)
{
	struct sigaction sa = { 0 };

	sigemptyset(blocked);
	sa.sa_handler = forward_signal;
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		sigaction(forwarded[i], &sa, NULL);
		sigaddset(blocked, forwarded[i]);
	}
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	sigaddset(blocked, SIGALRM);
}

/* QEMU's -serial stdio fails on a closed fd 0 (../shared/notes/qemu-tcg.md). */
static void ensure_stdin(void)
{
	if (fcntl(0, F_GETFD) >= 0 || errno != EBADF)
		return;
	int fd = open("/dev/null", O_RDONLY);
	if (fd > 0) {
		dup2(fd, 0);
		close(fd);
	}
}

/* "kiln-exit N", N in 0..255, as include/kiln/abi/exit.h defines it. */
static int parse_status_line(const char *line, size_t len, int *status)
{
	static const char prefix[] = "kiln-exit ";
	const size_t plen = sizeof(prefix) - 1;
	int v = 0;

	if (len && line[len - 1] == '\r')
		len--;
	if (len <= plen || len > plen + 3 || memcmp(line, prefix, plen) != 0)
		return 0;
	for (size_t k = plen; k < len; k++) {
		if (line[k] < '0' || line[k] > '9')
			return 0;
		v = v * 10 + (line[k] - '0');
	}
	if (v > 255)
		return 0;
	*status = v;
	return 1;
}

/* The table in BRIEF.md, "Exit status": the last status line the guest
 * wrote to COM2, else isa-debug-exit's (v << 1) | 1 as QEMU's status. */
int run_guest_status(const unsigned char *com2, size_t len, int wstatus)
{
	int status = -1, v;
	size_t i, j;

	for (i = 0; i < len; i = j + 1) {
		for (j = i; j < len && com2[j] != '\n'; j++)
			;
		if (parse_status_line((const char *)com2 + i, j - i, &v))
			status = v;
	}
	if (status < 0 && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) > 1 &&
	    (WEXITSTATUS(wstatus) & 1))
		status = (WEXITSTATUS(wstatus) - 1) >> 1;
	return status;
}

static int exit_status(const struct run_opts *o, const char *status_path,
		       int wstatus)
{
	unsigned char *com2 = NULL;
	size_t len = 0;
	int status;

	if (timed_out) {
		fprintf(stderr, "kiln: %s: timed out after %u seconds\n",
			o->image, o->timeout);
		return EXIT_TIMEOUT;
	}
	/* QEMU may have died before creating any output: then it is empty. */
	if (read_file(status_path, &com2, &len) < 0)
		len = 0;
	status = run_guest_status(com2, len, wstatus);
	free(com2);
	if (status >= 0)
		return status;
	if (WIFSIGNALED(wstatus))
		fprintf(stderr, "kiln: guest stopped without reporting an exit "
				"status (QEMU killed by signal %d)\n",
			WTERMSIG(wstatus));
	else
		fprintf(stderr, "kiln: guest stopped without reporting an exit "
				"status (QEMU exited with status %d)\n",
			WEXITSTATUS(wstatus));
	return KILN_EXIT_PANIC;
}

static int run_qemu(const struct run_opts *o, struct strvec *av,
		    const char *status_path)
{
	sigset_t blocked, old;
	int wstatus, err;
	pid_t pid;

	/* Signals wait until qemu_pid is known, so none is lost. */
	install_handlers(&blocked);
	sigprocmask(SIG_BLOCK, &blocked, &old);
	err = spawn_start(av->v, &pid);
	if (err == 0) {
		qemu_pid = pid;
		if (o->timeout)
			alarm(o->timeout);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (err == -ENOENT)
		return kiln_fail("%s: not found (apt-get install "
				 "qemu-system-x86, or use --qemu)",
				 av->v[0]);
	if (err < 0)
		return kiln_fail("%s: %s", av->v[0], strerror(-err));

	err = spawn_wait(pid, &wstatus);
	alarm(0);
	qemu_pid = 0;
	if (err < 0)
		return kiln_fail("%s: %s", av->v[0], strerror(-err));
	if (forwarded_sig) {
		/* Leave the way the signal meant us to, like a shell job. */
		unlink(status_path);
		signal(forwarded_sig, SIG_DFL);
		raise(forwarded_sig);
		return 128 + forwarded_sig;
	}
	return exit_status(o, status_path, wstatus);
}

/* The loader holds the whole image in guest memory while it boots it, so
 * a larger image could only fail inside the guest: refuse it here. */
static int check_image_fits(const char *path, uint64_t size, uint64_t mem)
{
	const uint64_t mib = 1ULL << 20;

	if (size <= mem)
		return 0;
	return kiln_fail("%s: image is %llu MiB, guest memory %llu MiB", path,
			 (unsigned long long)((size + mib - 1) / mib),
			 (unsigned long long)(mem / mib));
}

/* A NIC asked for (-p, --tap, --nic) that the image's kernel has no driver
 * or TCP/IP for would only fail inside the guest, in silence. (--ip alone
 * adds no NIC: that kernel logs a warning, as the full one does.) */
static int check_image_net(const struct run_opts *o)
{
	struct kiln_image_desc desc;
	unsigned char *img;
	size_t size;
	int no_net;

	if (strcmp(o->nic, "none") == 0)
		return 0;
	if (read_file(o->image, &img, &size) < 0)
		return -1;
	no_net = image_read_desc(img, size, &desc) == 0 &&
		 (desc.flags & KILN_IMAGE_NO_NET);
	free(img);
	if (no_net)
		return kiln_fail("%s: packed without the network stack (its "
				 "program does not call socket()); pack it "
				 "with kiln pack --net to use a NIC",
				 o->image);
	return 0;
}

static int check_image(const char *path, uint64_t mem)
{
	unsigned char magic[4];
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kiln_fail("%s: %s", path, strerror(errno));
	n = fstat(fd, &st) < 0 ? -1 : read(fd, magic, sizeof magic);
	if (n < 0) {
		int err = errno;

		close(fd);
		return kiln_fail("%s: %s", path, strerror(err));
	}
	close(fd);
	/* Only the magic: a truncated or foreign ELF is the loader's to
	 * refuse (status 126), as it would be on any other booter. */
	if (n != sizeof magic || memcmp(magic, "\177ELF", 4) != 0)
		return kiln_fail("%s: not an ELF file (make one with kiln "
				 "pack)", path);
	return check_image_fits(path, (uint64_t)st.st_size, mem);
}

static void print_command(const struct strvec *av)
{
	struct sbuf line = { 0 };

	for (size_t i = 0; i < av->n; i++) {
		if (i)
			sbuf_addc(&line, ' ');
		quote_shell_word(&line, av->v[i]);
	}
	printf("%s\n", line.s);
	sbuf_free(&line);
}

static int run(const struct run_opts *o)
{
	struct sbuf cmdline = { 0 };
	struct strvec av = { 0 };
	char *loader = NULL, *status_path = NULL;
	int rc = -1, fd;

	/* The user's input first, then what kiln brings. */
	if (check_image(o->image, o->mem) < 0 || check_image_net(o) < 0 ||
	    run_kernel_cmdline(o, &cmdline) < 0 ||
	    find_lib_file("loader.elf", &loader) < 0)
		goto out;
	status_path = xasprintf("%s/kiln-status.XXXXXX", tmp_dir());
	if (o->dry_run) {
		rc = run_qemu_argv(o, loader, status_path, cmdline.s, &av);
		if (rc == 0)
			print_command(&av);
		goto out;
	}
	ensure_stdin();
	fd = mkstemp(status_path);
	if (fd < 0) {
		kiln_fail("%s: %s", status_path, strerror(errno));
		goto out;
	}
	close(fd);
	if (run_qemu_argv(o, loader, status_path, cmdline.s, &av) == 0)
		rc = run_qemu(o, &av, status_path);
	unlink(status_path);
out:
	strvec_free(&av);
	sbuf_free(&cmdline);
	free(status_path);
	free(loader);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	int rc;

	rc = run_opts_parse(&o, argc, argv, getenv("HERMIT_VERBOSE"),
			    getenv("KILN_QEMU"));
	if (rc == 0 && !o.help)
		rc = run_opts_net_env(&o, getenv("HERMIT_IP"),
				      getenv("HERMIT_GATEWAY"),
				      getenv("HERMIT_MASK"));
	if (rc == 0 && o.help) {
		fputs(run_usage, stdout);
	} else if (rc == 0) {
		rc = run(&o);
	}
	run_opts_free(&o);
	return rc;
}
