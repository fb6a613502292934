/* Internal interface of the kiln command-line tool, shared by its files. */
#ifndef KILN_TOOL_H
#define KILN_TOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kiln/abi/image.h"

/*
 * Errors. A function that can fail returns 0 (or a result >= 0) on
 * success and -1 after recording one message with kiln_fail(); main()
 * prints it as "kiln: <message>" and exits with KILN_EXIT_USAGE.
 * Messages read "<what>: <why>", e.g. "x.img: No such file or directory".
 */
int kiln_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *kiln_errmsg(void);

/* Allocation that cannot fail: out of memory ends the program. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable NULL-terminated vector of owned strings (an argv). */
struct strvec {
	char **v;
	size_t n, cap;
};
void strvec_push(struct strvec *sv, const char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strvec_free(struct strvec *sv);

/* A growable byte string, always NUL-terminated. */
struct sbuf {
	char *s;
	size_t len, cap;
};
void sbuf_add(struct sbuf *sb, const char *s, size_t n);
void sbuf_addc(struct sbuf *sb, char c);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_free(struct sbuf *sb);

/* file.c: whole-file I/O. read_file's buffer is 16-byte aligned and must
 * be freed by the caller. write_file_atomic writes path.tmp, then renames
 * it over path, so a reader never sees half an image. */
int read_file(const char *path, unsigned char **buf, size_t *size);
int write_file_atomic(const char *path, const void *buf, size_t size);
const char *path_basename(const char *path);
const char *tmp_dir(void);

/* opts.c: numbers. parse_size: "4M", "512K", "1G", or a plain number of
 * MiB (as QEMU's -m); result in bytes. parse_uint: decimal in [min, max].
 * Both return 0, or -1 with a message naming `what`. */
int parse_size(const char *what, const char *s, uint64_t *bytes);
int parse_uint(const char *what, const char *s, unsigned long min,
	       unsigned long max, unsigned long *val);

/* opts.c: one verb's options, in a table ended by a NULL name. */
struct opt_spec {
	const char *name; /* "--mem", "-o" */
	int has_arg;
};
struct opt_iter {
	int argc;
	char **argv;
	int i; /* next argv index to read */
	const struct opt_spec *specs;
};
#define OPT_POSITIONAL (-2) /* *val is a non-option argument */
#define OPT_END (-3)	    /* no more options; "--" has been consumed */
/* Next option: its index in specs (with *val set when it takes a value),
 * OPT_POSITIONAL, OPT_END, or -1 after kiln_fail(). After OPT_END the
 * remaining arguments are argv[i..argc). */
int opt_next(struct opt_iter *it, const char **val);

/* quote.c. quote_kernel_token appends one kernel command-line token,
 * quoted as lib/kcmdline.c expects; quote_shell_word appends a word a
 * POSIX shell reads back unchanged. */
void quote_kernel_token(struct sbuf *sb, const char *tok);
void quote_shell_word(struct sbuf *sb, const char *word);

/* image.c: build an image in memory from the kernel ELF and the
 * application's static ELF. Validates both; on success *out (malloc'd)
 * holds the image. name is the application's argv[0] (truncated to fit
 * the descriptor). rootfs (a newc archive from rootfs_build(), or NULL
 * for none) becomes the section .kiln.rootfs. The labels name the files
 * in error messages. image_check_app is the application half of the
 * checks on its own. */
int image_check_app(const unsigned char *app, size_t app_size,
		    const char *label);
int image_pack(const unsigned char *kernel, size_t kernel_size,
	       const char *kernel_label, const unsigned char *app,
	       size_t app_size, const char *app_label, const char *name,
	       const unsigned char *rootfs, size_t rootfs_size,
	       unsigned char **out, size_t *out_size);

/* rootfs.c: the root file system `kiln pack` carries, as a newc cpio
 * archive (include/kiln/abi/image.h). rootfs is --rootfs (a directory,
 * or a newc archive taken as is when it is already in the kernel's
 * order), files are the --file SRC:DEST values in order; later ones
 * override earlier ones and the tree. mtime_env is $SOURCE_DATE_EPOCH
 * (or NULL: every mtime is 0). On success *out (malloc'd) holds the
 * archive, or is NULL with *out_size 0 when neither option was given. */
struct rootfs_spec {
	const char *rootfs;
	const char **files;
	int nfiles;
	const char *mtime_env;
};
int rootfs_build(const struct rootfs_spec *spec, unsigned char **out,
		 size_t *out_size);

/* rootfs_write.c: the entries rootfs.c gathers, merged and encoded. */
struct rootfs_entry {
	char *path;   /* in the guest, relative, canonical ("etc/a.conf") */
	uint32_t mode; /* S_IF* | permissions */
	const unsigned char *data; /* file bytes or symlink target */
	size_t size;
	unsigned char *owned; /* data, when this entry owns it */
	char *origin; /* where it came from, for messages */
	int rank;     /* -1 implied parent, 0 --rootfs, i + 1 the i-th --file */
	size_t seq;   /* order of arrival, for a stable sort */
};
struct rootfs_list {
	struct rootfs_entry *v;
	size_t n, cap;
};
/* Appends an entry (path and origin are copied; owned is taken). */
void rootfs_add(struct rootfs_list *l, const char *path, uint32_t mode,
		const unsigned char *data, size_t size, unsigned char *owned,
		const char *origin, int rank);
void rootfs_list_free(struct rootfs_list *l);
/* Adds the missing parents of every entry, sorts by path, keeps the
 * highest-ranked entry of each path, then writes the archive: parents
 * before children, uid/gid 0, nlink 1 (2 for directories), inodes
 * numbered from 1 in order, every mtime = mtime. 0, or -1 when a file
 * would replace a directory or sit under a non-directory. */
int rootfs_write(struct rootfs_list *l, uint32_t mtime, unsigned char **out,
		 size_t *out_size);

/* paths.c: where the loader and kernel live (see find_lib_file()). */
int find_lib_file(const char *name, char **path);

/* spawn.c: run a program. spawn_start forks and execs argv (PATH
 * search); the child is killed if kiln dies. Returns 0, or -errno when
 * the fork or the exec failed (nothing left to wait for then).
 * spawn_wait waits for it, retrying on EINTR: 0 or -errno. */
int spawn_start(char *const argv[], pid_t *pid);
int spawn_wait(pid_t pid, int *wstatus);

/* run_opts.c: what `kiln run` was asked to do. Strings point into argv. */
struct run_opts {
	unsigned smp;	 /* 1..255 */
	uint64_t mem;	 /* bytes, at least 2 MiB */
	int verbose;	 /* kernel log level 0..4, -1 when not given */
	const char *accel; /* "tcg" or "kvm" */
	const char *qemu;  /* QEMU binary, run through PATH */
	const char *nic;   /* "none", "virtio", "virtio-legacy", "rtl8139" */
	int nic_given;	   /* --nic was on the command line */
	const char *tap;   /* --tap IFACE instead of user networking */
	const char *ip;	   /* A.B.C.D[/len], checked; NULL: DHCP */
	const char *gateway, *mask; /* A.B.C.D, checked */
	const char **dns;	    /* --dns values, checked */
	int ndns, ndns_servers;
	unsigned (*ports)[2]; /* -p HOST[:GUEST]: {host, guest} */
	int nports;
	const char *image;
	unsigned timeout; /* seconds, 0 for none */
	long meminfo_ms;  /* --meminfo MS, -1 when not given */
	int dry_run;
	int help;
	const char **env; /* "K=V" */
	int nenv;
	const char **qemu_args; /* appended verbatim */
	int nqemu_args;
	char **args; /* for the application, after "--" */
	int nargs;
};

/* Parses argv[1..argc) (argv[0] is "run"). hermit_verbose and kiln_qemu
 * are $HERMIT_VERBOSE and $KILN_QEMU (or NULL). 0 or -1; call
 * run_opts_free() either way. */
int run_opts_parse(struct run_opts *o, int argc, char **argv,
		   const char *hermit_verbose, const char *kiln_qemu);
/* The reference's HERMIT_IP, HERMIT_GATEWAY and HERMIT_MASK (each NULL or
 * the variable's value), for what the options did not set. 0 or -1. */
int run_opts_net_env(struct run_opts *o, const char *ip, const char *gateway,
		     const char *mask);
void run_opts_free(struct run_opts *o);
/* Appends the kernel command line: [verbose=N] [env=K=V]... [ip=A/len]
 * [gateway=G] [mask=M] [dns=D]... -- [ARG]...
 * 0, or -1 when it is longer than the kernel takes. */
int run_kernel_cmdline(const struct run_opts *o, struct sbuf *sb);
/* Appends the whole QEMU command line to av. 0, or -1 for an image
 * path QEMU cannot carry. */
int run_qemu_argv(const struct run_opts *o, const char *loader,
		  const char *status_path, const char *cmdline,
		  struct strvec *av);

/* cmd_run.c: kiln run's exit status from what the guest wrote to COM2
 * and QEMU's wait status: 0..255, or -1 when the guest did not say. */
int run_guest_status(const unsigned char *com2, size_t len, int wstatus);

/* cmd_pack.c: pack the program at path prog, and the root file system
 * rootfs asks for (NULL: none), into the image out, with the kernel found
 * by find_lib_file(). label names the program in error messages. net:
 * PACK_NET_AUTO (the kernel without networking, kernel-min.elf, when the
 * program's symbol table shows it never calls socket() and that kernel is
 * there; else kernel.elf), PACK_NET (kernel.elf) or PACK_NO_NET
 * (kernel-min.elf). 0 or -1. Shared by `pack` and `build`. */
enum { PACK_NET_AUTO = -1, PACK_NO_NET = 0, PACK_NET = 1 };
int pack_file(const char *prog, const char *label, const char *out,
	      const char *name, const struct rootfs_spec *rootfs, int net);

/* image.c: the descriptor of a packed image in memory, read or its flags
 * set; 0, or -1 (no message) when img is not an image. */
int image_read_desc(const unsigned char *img, size_t size,
		    struct kiln_image_desc *desc);
int image_set_flags(unsigned char *img, size_t size, uint64_t flags);

/* cmd_pack.c: --net (want 1) or --no-net (want 0) into *net
 * (PACK_NET_AUTO until one is given); both is an error. 0 or -1. */
int pack_net_option(int *net, int want);

/* cmd_pack.c: record an option `pack` and `build` share, opt being
 * "--rootfs" or "--file", in spec (whose files must have room for every
 * argument). 0, or -1 after kiln_fail(). */
int pack_rootfs_option(struct rootfs_spec *spec, const char *opt,
		       const char *val);
#define ROOTFS_USAGE                                                          \
	"  --net, --no-net  with or without the network stack (default: with\n" \
	"                   it when the program calls socket(), or when its\n"  \
	"                   symbols are stripped)\n"                              \
	"  --rootfs DIR     DIR becomes / in the guest (or FILE.cpio, a newc\n" \
	"                   archive)\n"                                          \
	"  --file SRC:DEST  put the file or tree SRC at DEST, an absolute\n"    \
	"                   guest path (repeatable; overrides --rootfs)\n"       \
	"\nFiles keep their permissions, owner root, mtime $SOURCE_DATE_EPOCH\n" \
	"or 0: same inputs, same image.\n"

/* Verbs. Each returns kiln's exit status, or -1 after kiln_fail(). */
int cmd_build(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_run(int argc, char **argv);

#endif
