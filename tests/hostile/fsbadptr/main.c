/* Hostile guest: bad pointers and sizes to every file system call. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../rawsys.h"

/*
 * Raw system calls with pointers that are NULL, in the kernel, wrapping,
 * or read-only where the kernel must write: each gets Linux's -EFAULT (or
 * the error Linux checks first), and nothing is half done. The program
 * passes on a Linux host too (`musl-gcc -static`, run it in an empty
 * scratch directory): the answers are Linux's.
 */

static void expect(const char *what, long got, long want)
{
	expect_named("fsbadptr", what, got, want);
}

#define EBADF_	      9
#define EFAULT_	      14
#define EINVAL_	      22
#define ENAMETOOLONG_ 36
#define AT_FDCWD_     -100

static const long KERNEL = (long)0xffffffff80000000UL;
static const long WRAP = -8L;

int main(void)
{
	static char long_path[5000];
	char buf[512];
	long ro, fd, p[2];

	ro = (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	fd = S(openat, AT_FDCWD_, (long)"fsbad.txt", O_CREAT | O_RDWR, 0600,
	       0, 0);
	expect("create fsbad.txt", fd >= 3, 1);
	expect("write", S(write, fd, (long)"0123456789", 10, 0, 0, 0), 10);

	/* paths */
	expect("open NULL", S(open, 0, O_RDONLY, 0, 0, 0, 0), -EFAULT_);
	expect("open kernel", S(open, KERNEL, O_RDONLY, 0, 0, 0, 0), -EFAULT_);
	expect("stat wrap", S(stat, WRAP, (long)buf, 0, 0, 0, 0), -EFAULT_);
	memset(long_path, 'a', sizeof long_path);
	expect("open no NUL in 4096", S(open, (long)long_path, O_RDONLY, 0, 0,
				       0, 0), -ENAMETOOLONG_);
	expect("mkdir NULL", S(mkdir, 0, 0755, 0, 0, 0, 0), -EFAULT_);
	expect("rename NULL new", S(rename, (long)"fsbad.txt", 0, 0, 0, 0, 0),
	       -EFAULT_);
	expect("symlink NULL target", S(symlink, 0, (long)"l", 0, 0, 0, 0),
	       -EFAULT_);
	expect("chdir kernel", S(chdir, KERNEL, 0, 0, 0, 0, 0), -EFAULT_);

	/* buffers the kernel writes */
	expect("pread into NULL", S(pread64, fd, 0, 10, 0, 0, 0), -EFAULT_);
	expect("pread into read-only", S(pread64, fd, ro, 10, 0, 0, 0),
	       -EFAULT_);
	expect("fstat to kernel", S(fstat, fd, KERNEL, 0, 0, 0, 0), -EFAULT_);
	expect("stat to read-only", S(stat, (long)"fsbad.txt", ro, 0, 0, 0, 0),
	       -EFAULT_);
	expect("statx to NULL", S(statx, AT_FDCWD_, (long)"fsbad.txt", 0,
				  0x7ff, 0, 0), -EFAULT_);
	expect("statfs to NULL", S(statfs, (long)".", 0, 0, 0, 0, 0), -EFAULT_);
	expect("getdents64 to read-only",
	       S(getdents64, S(open, (long)".", O_RDONLY, 0, 0, 0, 0), ro, 512,
		 0, 0, 0), -EFAULT_);
	expect("readlink to NULL", S(symlink, (long)"fsbad.txt", (long)"fsl",
				     0, 0, 0, 0), 0);
	expect("readlink to NULL", S(readlink, (long)"fsl", 0, 100, 0, 0, 0),
	       -EFAULT_);
	expect("readlink size 0", S(readlink, (long)"fsl", (long)buf, 0, 0, 0,
				    0), -EINVAL_);
	expect("getcwd to kernel", S(getcwd, KERNEL, 100, 0, 0, 0, 0),
	       -EFAULT_);
	expect("pipe to NULL", S(pipe, 0, 0, 0, 0, 0, 0), -EFAULT_);
	expect("pipe2 to read-only", S(pipe2, ro, 0, 0, 0, 0, 0), -EFAULT_);
	expect("fcntl F_GETLK to NULL", S(fcntl, fd, F_GETLK, 0, 0, 0, 0),
	       -EFAULT_);
	expect("ioctl FIONREAD to NULL", S(ioctl, fd, 0x541b, 0, 0, 0, 0),
	       -EFAULT_);

	/* buffers the kernel reads */
	expect("write from kernel", S(write, fd, KERNEL, 10, 0, 0, 0),
	       -EFAULT_);
	expect("pwrite from wrap", S(pwrite64, fd, WRAP, 10, 0, 0, 0),
	       -EFAULT_);
	expect("utimensat times NULL page", S(utimensat, AT_FDCWD_,
					      (long)"fsbad.txt", 16, 0, 0, 0),
	       -EFAULT_);
	expect("pipe", S(pipe, (long)p, 0, 0, 0, 0, 0), 0);
	expect("sendfile offset kernel",
	       S(sendfile, (int)p[1], fd, KERNEL, 1, 0, 0), -EFAULT_);

	/* nothing was half done */
	expect("size still 10", S(lseek, fd, 0, SEEK_END, 0, 0, 0), 10);
	expect("read back", S(pread64, fd, (long)buf, 20, 0, 0, 0), 10);
	expect("content", memcmp(buf, "0123456789", 10), 0);
	expect("bad fd", S(read, 999, (long)buf, 1, 0, 0, 0), -EBADF_);
	S(unlink, (long)"fsl", 0, 0, 0, 0, 0);
	S(unlink, (long)"fsbad.txt", 0, 0, 0, 0, 0);
	if (failures) {
		printf("fsbadptr: %d FAILED\n", failures);
		return 1;
	}
	printf("fsbadptr ok\n");
	return 0;
}
