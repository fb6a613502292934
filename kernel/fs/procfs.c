/* /proc and /sys: the figures programs size themselves by, and /proc/self. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/time.h>

#include "fs_priv.h"
#include "ramfs.h"

/*
 * Both are ramfs instances holding generated files, whose text is made
 * afresh on each read (st_size 0, as on Linux), plus /proc/1/fd, which
 * lists the open descriptors, and the links /proc/1/exe and /proc/1/fd/N.
 * The application is pid 1; /proc/self points there.
 */

#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC	 0x62656572
#define APP_PID		 "1"

static const struct fs_type procfs_type = {"proc", PROC_SUPER_MAGIC,
					   ramfs_mount, NULL};
static const struct fs_type sysfs_type = {"sysfs", SYSFS_MAGIC, ramfs_mount,
					  NULL};

/* --- generated text --- */

struct seq {
	char *buf;
	size_t size, len; /* len may pass size: the text did not fit */
};

static __printf(2, 3) void seq_printf(struct seq *s, const char *fmt, ...)
{
	size_t room = s->len < s->size ? s->size - s->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? s->buf + s->len : NULL, room, fmt, ap);
	va_end(ap);
	s->len += (size_t)n;
}

typedef void (*show_fn)(struct seq *s);

static ssize_t gen_read(struct vnode *vn, const struct uio *u, uint64_t off)
{
	show_fn show = (show_fn)vn->priv;
	struct seq s = {NULL, PAGE_SIZE, 0};
	ssize_t n;
	int err;

	for (;;) {
		if (!(s.buf = kmalloc(s.size)))
			return -ENOMEM;
		s.len = 0;
		show(&s);
		if (s.len < s.size)
			break;
		kfree(s.buf);
		s.size = ALIGN_UP(s.len + 1, PAGE_SIZE);
	}
	n = off < s.len ? (ssize_t)MIN((uint64_t)u->len, s.len - off) : 0;
	if (n && (err = uio_copy_to(u, 0, s.buf + off, (size_t)n)) < 0)
		n = err;
	kfree(s.buf);
	return n;
}

static const struct vnode_ops gen_ops = {.read = gen_read};

static int add_gen(struct vnode *dir, const char *name, show_fn show)
{
	struct vnode *vn = vnode_alloc(dir->fs, &gen_ops, S_IFREG | 0444);
	int err;

	if (!vn)
		return -ENOMEM;
	vn->priv = (void *)show;
	if ((err = dir->ops->link(dir, name, strlen(name), vn)) < 0)
		kfree(vn);
	return err;
}

static int add_dir(struct vnode *dir, const char *name, struct vnode **out)
{
	return dir->ops->create(dir, name, strlen(name), S_IFDIR | 0555, out);
}

/* --- CPUs --- */

struct cpuid {
	uint32_t a, b, c, d;
};

static struct cpuid cpuid(uint32_t leaf)
{
	struct cpuid r;

	__asm__ volatile("cpuid"
			 : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
			 : "a"(leaf), "c"(0));
	return r;
}

/* Flag names bit by bit, "-" for a bit Linux does not show; in the order
 * of Linux's cpufeatures words 0, 1, 4, 6, 9. */
static const char *const flag_words[] = {
	/* 1:EDX */
	"fpu vme de pse tsc msr pae mce cx8 apic - sep mtrr pge mca cmov pat "
	"pse36 pn clflush - dts acpi mmx fxsr sse sse2 ss ht tm ia64 pbe",
	/* 0x80000001:EDX */
	"- - - - - - - - - - - syscall - - - - - - - - nx - mmxext - - "
	"fxsr_opt pdpe1gb rdtscp - lm 3dnowext 3dnow",
	/* 1:ECX */
	"pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 cid sdbg "
	"fma cx16 xtpr pdcm - pcid dca sse4_1 sse4_2 x2apic movbe popcnt "
	"tsc_deadline_timer aes xsave - avx f16c rdrand hypervisor",
	/* 0x80000001:ECX */
	"lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse "
	"3dnowprefetch osvw ibs xop skinit wdt - lwp fma4 tce - nodeid_msr - "
	"tbm topoext perfctr_core perfctr_nb - bpext ptsc perfctr_llc mwaitx",
	/* 7:EBX */
	"fsgsbase tsc_adjust sgx bmi1 hle avx2 - smep bmi2 erms invpcid rtm "
	"cqm - mpx rdt_a avx512f avx512dq rdseed adx smap avx512ifma - "
	"clflushopt clwb intel_pt avx512pf avx512er avx512cd sha_ni avx512bw "
	"avx512vl",
};

static void show_flags(struct seq *s, const uint32_t regs[5])
{
	for (size_t w = 0; w < ARRAY_SIZE(flag_words); w++) {
		const char *p = flag_words[w];

		for (int bit = 0; bit < 32 && *p; bit++) {
			const char *end = strchr(p, ' ');
			size_t len = end ? (size_t)(end - p) : strlen(p);

			if ((regs[w] >> bit & 1) && !(len == 1 && *p == '-'))
				seq_printf(s, " %.*s", (int)len, p);
			p += len + (end ? 1 : 0);
		}
	}
}

static void show_cpuinfo(struct seq *s)
{
	struct cpuid v = cpuid(0), f = cpuid(1), ext = cpuid(0x80000000);
	uint32_t fam = (f.a >> 8) & 0xf, model = (f.a >> 4) & 0xf;
	uint32_t regs[5] = {f.d, 0, f.c, 0, 0};
	char vendor[13], brand[49] = "";
	uint64_t khz = tsc_hz() / 1000;
	uint32_t phys = 36, virt = 48, l2 = 0;
	const char *name = brand;

	memcpy(vendor, &v.b, 4);
	memcpy(vendor + 4, &v.d, 4);
	memcpy(vendor + 8, &v.c, 4);
	vendor[12] = '\0';
	if (fam == 0xf)
		fam += (f.a >> 20) & 0xff;
	if (fam >= 6)
		model += ((f.a >> 16) & 0xf) << 4;
	if (v.a >= 7)
		regs[4] = cpuid(7).b;
	if (ext.a >= 0x80000001) {
		regs[1] = cpuid(0x80000001).d;
		regs[3] = cpuid(0x80000001).c;
	}
	if (ext.a >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			struct cpuid b = cpuid(0x80000002 + i);

			memcpy(brand + 16 * i, &b, 16);
		}
		brand[48] = '\0';
		while (*name == ' ')
			name++;
	}
	if (ext.a >= 0x80000006)
		l2 = cpuid(0x80000006).c >> 16;
	if (ext.a >= 0x80000008) {
		phys = cpuid(0x80000008).a & 0xff;
		virt = (cpuid(0x80000008).a >> 8) & 0xff;
	}
	for (unsigned int cpu = 0; cpu < MAX(ncpus, 1U); cpu++) {
		seq_printf(
			s,
			"processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\n"
			"model\t\t: %u\nmodel name\t: %s\nstepping\t: %u\n"
			"cpu MHz\t\t: %lu.%03lu\ncache size\t: %u KB\n"
			"physical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\n"
			"cpu cores\t: %u\napicid\t\t: %u\n"
			"initial apicid\t: %u\nfpu\t\t: yes\n"
			"fpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\n"
			"flags\t\t:",
			cpu, vendor, fam, model, *name ? name : "unknown",
			f.a & 0xf, khz / 1000, khz % 1000, l2, ncpus, cpu,
			ncpus, cpu, cpu, v.a);
		show_flags(s, regs);
		seq_printf(
			s,
			"\nbogomips\t: %lu.%02lu\nclflush size\t: 64\n"
			"cache_alignment\t: 64\n"
			"address sizes\t: %u bits physical, %u bits virtual\n"
			"power management:\n\n",
			khz * 2 / 1000, (khz * 2 % 1000) / 10, phys, virt);
	}
}

/* "0" or "0-N": the CPUs the kernel runs on. */
static void show_cpus(struct seq *s)
{
	if (ncpus > 1)
		seq_printf(s, "0-%u\n", ncpus - 1);
	else
		seq_printf(s, "0\n");
}

/* --- memory --- */

static void show_kb(struct seq *s, const char *label, size_t pages)
{
	seq_printf(s, "%-16s%8lu kB\n", label,
		   (unsigned long)(pages * (PAGE_SIZE / 1024)));
}

/* Files in memory are tmpfs data, which Linux counts as Cached and
 * Shmem and never as available. */
static void show_meminfo(struct seq *s)
{
	size_t files = ramfs_pages_used();

	show_kb(s, "MemTotal:", pmm_total_count());
	show_kb(s, "MemFree:", pmm_free_count());
	show_kb(s, "MemAvailable:", pmm_free_count());
	show_kb(s, "Buffers:", 0);
	show_kb(s, "Cached:", files);
	show_kb(s, "SwapCached:", 0);
	show_kb(s, "SwapTotal:", 0);
	show_kb(s, "SwapFree:", 0);
	show_kb(s, "Shmem:", files);
}

/* --- the application: /proc/1 --- */

static char exe_name[65] = "app";
static struct vnode *exe_vn;

static void show_status(struct seq *s)
{
	seq_printf(s,
		   "Name:\t%.15s\nState:\tR (running)\nTgid:\t1\nNgid:\t0\n"
		   "Pid:\t1\nPPid:\t0\nTracerPid:\t0\nUid:\t0\t0\t0\t0\n"
		   "Gid:\t0\t0\t0\t0\nFDSize:\t%u\nGroups:\t\nThreads:\t%u\n"
		   "Cpus_allowed_list:\t",
		   exe_name, fd_limit(), MAX(thread_user_count(), 1U));
	show_cpus(s);
}

static int exe_readlink(struct vnode *vn, char *buf, size_t size)
{
	size_t n = strlen(exe_name) + 1;
	char path[sizeof exe_name + 1] = "/";

	(void)vn;
	strlcpy(path + 1, exe_name, sizeof path - 1);
	memcpy(buf, path, MIN(n, size));
	return (int)n;
}

static int exe_follow(struct vnode *vn, struct vnode **out)
{
	(void)vn;
	if (!exe_vn)
		return -ENOENT;
	*out = exe_vn;
	return 0;
}

static const struct vnode_ops exe_link_ops = {.readlink = exe_readlink,
					      .follow = exe_follow};

/* The running program's file cannot be opened for writing. */
static struct vnode_ops exe_file_ops;

static int exe_open(struct vnode *vn, struct file *f)
{
	(void)vn;
	return (f->flags & O_ACCMODE) != O_RDONLY || (f->flags & O_TRUNC)
		       ? -ETXTBSY
		       : 0;
}

static int exe_truncate(struct vnode *vn, uint64_t size)
{
	(void)vn;
	(void)size;
	return -ETXTBSY;
}

int procfs_set_exe(const void *elf, size_t size, const char *name)
{
	struct vnode *proc = vfs_root(), *vn;
	int err;

	strlcpy(exe_name, name, sizeof exe_name);
	if (exe_vn)
		return 0;
	if ((err = vfs_lookup(proc, "/proc", WALK_FOLLOW, &proc)) < 0)
		return err;
	if (!(vn = ramfs_file_alloc(proc->fs, 0755)))
		return -ENOMEM;
	exe_file_ops = ramfs_file_ops;
	exe_file_ops.open = exe_open;
	exe_file_ops.truncate = exe_truncate;
	vn->ops = &exe_file_ops;
	ramfs_set_data(vn, elf, size);
	vnode_get(vn); /* no name anywhere: this reference keeps it */
	exe_vn = vn;
	return 0;
}

/* /proc/1/fd: a directory listing the open descriptors, each a link. */
static struct vnode **fd_links; /* made on first lookup, kept */

static int fd_readlink(struct vnode *vn, char *buf, size_t size)
{
	struct file *f = fd_get((int)(uintptr_t)vn->priv);
	char *path;
	int n;

	if (!f)
		return -ENOENT;
	if (!(path = kmalloc(VFS_PATH_MAX))) {
		file_put(f);
		return -ENOMEM;
	}
	n = file_link_name(f, path, VFS_PATH_MAX);
	if (n >= 0)
		memcpy(buf, path, MIN((size_t)n, size));
	kfree(path);
	file_put(f);
	return n;
}

/* Opening /proc/self/fd/N opens what N has open (if it has a node). */
static int fd_follow(struct vnode *vn, struct vnode **out)
{
	struct file *f = fd_get((int)(uintptr_t)vn->priv);
	int err = -ENOENT;

	if (f && f->vn) {
		*out = f->vn;
		err = 0;
	}
	if (f)
		file_put(f);
	return err;
}

static const struct vnode_ops fd_link_ops = {.readlink = fd_readlink,
					     .follow = fd_follow};

/* /proc/self/fd lists descriptors below this (its link vnodes are cached
 * in one array; a server's thousands of sockets are not listed). */
#define PROC_FD_MAX 1024

static int parse_fd(const char *name, size_t len)
{
	int fd = 0;

	if (len == 0 || len > 4 || (len > 1 && name[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		fd = fd * 10 + (name[i] - '0');
	}
	return fd < PROC_FD_MAX ? fd : -1;
}

static bool fd_open(int fd)
{
	struct file *f = fd_get(fd);

	if (f)
		file_put(f);
	return f != NULL;
}

static int fddir_lookup(struct vnode *dir, const char *name, size_t len,
			struct vnode **out)
{
	int fd = parse_fd(name, len);
	struct vnode *vn;

	if (fd < 0 || !fd_open(fd))
		return -ENOENT;
	if (!fd_links && !(fd_links = kzalloc(PROC_FD_MAX * sizeof *fd_links)))
		return -ENOMEM;
	if (!(vn = fd_links[fd])) {
		if (!(vn = vnode_alloc(dir->fs, &fd_link_ops, S_IFLNK | 0700)))
			return -ENOMEM;
		vn->priv = (void *)(uintptr_t)fd;
		vn->nlink = 1;
		fd_links[fd] = vn;
	}
	*out = vn;
	return 0;
}

static int fddir_readdir(struct vnode *dir, uint64_t *cookie,
			 vfs_filldir_fn fill, void *ctx)
{
	char name[8];

	(void)dir;
	for (uint64_t fd = *cookie - 2; fd < PROC_FD_MAX; fd++) {
		if (!fd_open((int)fd))
			continue;
		int n = snprintf(name, sizeof name, "%lu", fd);
		if (fill(ctx, name, (size_t)n, 0x10000 + fd, DT_LNK, fd + 3))
			return 0;
		*cookie = fd + 3;
	}
	return 0;
}

static bool fddir_empty(struct vnode *dir)
{
	(void)dir;
	return false;
}

static const struct vnode_ops fd_dir_ops = {
	.lookup = fddir_lookup, .readdir = fddir_readdir, .empty = fddir_empty};

static int add_node(struct vnode *dir, const char *name,
		    const struct vnode_ops *ops, uint32_t mode)
{
	struct vnode *vn = vnode_alloc(dir->fs, ops, mode);
	int err;

	if (!vn)
		return -ENOMEM;
	if ((err = dir->ops->link(dir, name, strlen(name), vn)) < 0) {
		kfree(vn);
		return err;
	}
	if (s_isdir(mode)) {
		vn->nlink = 2;
		dir->nlink++;
	}
	return 0;
}

int procfs_mount(struct vnode *dir)
{
	uint32_t mode = 0555;
	struct vnode *root, *self, *vn;
	struct fs *fs;
	int err;

	if ((err = vfs_mount(dir, &procfs_type, &mode, &fs)) < 0)
		return err;
	root = fs->root;
	if ((err = add_dir(root, APP_PID, &self)) < 0 ||
	    (err = root->ops->symlink(root, "self", 4, APP_PID, 1, &vn)) < 0 ||
	    (err = add_gen(root, "cpuinfo", show_cpuinfo)) < 0 ||
	    (err = add_gen(root, "meminfo", show_meminfo)) < 0 ||
	    (err = add_gen(self, "status", show_status)) < 0 ||
	    (err = add_node(self, "exe", &exe_link_ops, S_IFLNK | 0777)) < 0 ||
	    (err = add_node(self, "fd", &fd_dir_ops, S_IFDIR | 0500)) < 0)
		return err;
	return 0;
}

int sysfs_mount(struct vnode *dir)
{
	uint32_t mode = 0555;
	struct vnode *d;
	struct fs *fs;
	int err;

	if ((err = vfs_mount(dir, &sysfs_type, &mode, &fs)) < 0)
		return err;
	d = fs->root;
	if ((err = add_dir(d, "devices", &d)) < 0 ||
	    (err = add_dir(d, "system", &d)) < 0 ||
	    (err = add_dir(d, "cpu", &d)) < 0 ||
	    (err = add_gen(d, "online", show_cpus)) < 0 ||
	    (err = add_gen(d, "possible", show_cpus)) < 0 ||
	    (err = add_gen(d, "present", show_cpus)) < 0)
		return err;
	return 0;
}
