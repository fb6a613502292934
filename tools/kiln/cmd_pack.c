/* `kiln pack PROG`: a static x86-64 ELF into a bootable image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf64.h"
#include "kiln.h"

static const char pack_usage[] =
	"usage: kiln pack PROG [-o OUT] [--name NAME] [--net|--no-net]\n"
	"                 [--rootfs DIR|FILE.cpio] [--file SRC:DEST]...\n"
	"\n"
	"Pack PROG, a static x86-64 Linux executable (ET_EXEC or static-PIE),\n"
	"with the kiln kernel into one bootable image.\n"
	"\n"
	"  -o OUT           write the image to OUT (default: PROG.img)\n"
	"  --name NAME      the application's argv[0] (default: PROG's name)\n"
	ROOTFS_USAGE;

enum {
	PO_OUT,
	PO_NAME,
	PO_ROOTFS,
	PO_FILE,
	PO_NET,
	PO_NO_NET,
	PO_HELP,
	PO_HELP_SHORT,
	PO__COUNT
};

static const struct opt_spec pack_specs[] = {
	[PO_OUT] = { "-o", 1 },
	[PO_NAME] = { "--name", 1 },
	[PO_ROOTFS] = { "--rootfs", 1 },
	[PO_FILE] = { "--file", 1 },
	[PO_NET] = { "--net", 0 },
	[PO_NO_NET] = { "--no-net", 0 },
	[PO_HELP] = { "--help", 0 },
	[PO_HELP_SHORT] = { "-h", 0 },
	[PO__COUNT] = { NULL, 0 },
};

int pack_net_option(int *net, int want)
{
	if (*net != PACK_NET_AUTO && *net != want)
		return kiln_fail("--net and --no-net: choose one");
	*net = want;
	return 0;
}

/* The application is read first: a bad PROG is reported before any
 * trouble with the kernel. */
int pack_rootfs_option(struct rootfs_spec *spec, const char *opt,
		       const char *val)
{
	if (strcmp(opt, "--file") == 0) {
		spec->files[spec->nfiles++] = val;
		return 0;
	}
	if (spec->rootfs)
		return kiln_fail("--rootfs: given twice (add more with "
				 "--file SRC:DEST)");
	if (!val[0])
		return kiln_fail("--rootfs: empty path");
	spec->rootfs = val;
	return 0;
}

/*
 * Which kernel: the one without networking (smaller, and nothing of TCP/IP
 * or the NIC drivers in the guest) for a program whose symbol table shows
 * it never calls socket(); the full one when it does, when its symbols are
 * stripped (no way to tell), or when the library directory has no
 * kernel-min.elf (a test kernel, an older install).
 */
static int choose_kernel(const unsigned char *app, size_t app_size, int net,
			 char **path)
{
	int asked = net == PACK_NO_NET;
	char *min;

	if (find_lib_file("kernel.elf", path) < 0)
		return -1;
	if (net == PACK_NET_AUTO &&
	    elf_defines_symbol(app, app_size, "socket") == 0)
		net = PACK_NO_NET;
	if (net != PACK_NO_NET)
		return 0;
	/* Beside kernel.elf, never from another install. */
	min = xasprintf("%.*s/kernel-min.elf",
			(int)(path_basename(*path) - *path - 1), *path);
	if (access(min, R_OK) == 0) {
		free(*path);
		*path = min;
		return 0;
	}
	free(min);
	return asked ? kiln_fail("--no-net: no kernel-min.elf beside %s",
				 *path)
		     : 0;
}

/* The user's inputs first (program, then files), then the kernel. */
int pack_file(const char *prog, const char *label, const char *out,
	      const char *name, const struct rootfs_spec *rootfs, int net)
{
	unsigned char *app = NULL, *kernel = NULL, *img = NULL, *fs = NULL;
	size_t app_size, kernel_size, img_size, fs_size = 0;
	char *kernel_path = NULL;
	int rc = -1;

	if (read_file(prog, &app, &app_size) < 0)
		return -1;
	if (image_check_app(app, app_size, label) < 0 ||
	    (rootfs && rootfs_build(rootfs, &fs, &fs_size) < 0) ||
	    choose_kernel(app, app_size, net, &kernel_path) < 0 ||
	    read_file(kernel_path, &kernel, &kernel_size) < 0)
		goto out;
	if (image_pack(kernel, kernel_size, kernel_path, app, app_size, label,
		       name, fs, fs_size, &img, &img_size) < 0)
		goto out;
	if (strcmp(path_basename(kernel_path), "kernel-min.elf") == 0)
		image_set_flags(img, img_size, KILN_IMAGE_NO_NET);
	rc = write_file_atomic(out, img, img_size);
out:
	free(fs);
	free(img);
	free(kernel);
	free(kernel_path);
	free(app);
	return rc;
}

static int pack(int argc, char **argv, struct rootfs_spec *fs)
{
	struct opt_iter it = { argc, argv, 1, pack_specs };
	const char *prog = NULL, *out = NULL, *name = NULL, *val = NULL;
	int id, net = PACK_NET_AUTO;

	while ((id = opt_next(&it, &val)) != OPT_END) {
		switch (id) {
		case -1:
			return -1;
		case PO_ROOTFS:
		case PO_FILE:
			if (pack_rootfs_option(fs, pack_specs[id].name, val))
				return -1;
			break;
		case OPT_POSITIONAL:
			if (prog)
				return kiln_fail("%s: unexpected argument "
						 "(pack takes one program)",
						 val);
			prog = val;
			break;
		case PO_OUT:
			out = val;
			break;
		case PO_NET:
		case PO_NO_NET:
			if (pack_net_option(&net, id == PO_NET) < 0)
				return -1;
			break;
		case PO_NAME:
			if (!val[0])
				return kiln_fail("--name: must not be empty");
			name = val;
			break;
		default:
			fputs(pack_usage, stdout);
			return 0;
		}
	}
	/* After "--", one more word may still be the program. */
	if (!prog && it.i < argc)
		prog = argv[it.i++];
	if (it.i < argc)
		return kiln_fail("%s: unexpected argument (pack takes one "
				 "program)", argv[it.i]);
	if (!prog)
		return kiln_fail("pack: no program given (kiln pack PROG)");
	if (!name)
		name = path_basename(prog);
	if (!name[0])
		return kiln_fail("%s: not a file name", prog);

	char *def_out = out ? NULL : xasprintf("%s.img", prog);
	int rc = pack_file(prog, prog, out ? out : def_out, name, fs, net);
	free(def_out);
	return rc;
}

int cmd_pack(int argc, char **argv)
{
	struct rootfs_spec fs = {
		.files = xcalloc((size_t)argc, sizeof(char *)),
		.mtime_env = getenv("SOURCE_DATE_EPOCH"),
	};
	int rc = pack(argc, argv, &fs);

	free(fs.files);
	return rc;
}
