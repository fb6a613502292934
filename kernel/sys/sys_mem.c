/* Memory system calls: brk, mmap, munmap, mprotect, madvise, msync. */
#include <kernel/errno.h>
#include <kernel/file.h>

#include "fs/vfs.h"
#include "syscall.h"
#include "uvm.h"

#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP   0x02000000

long sys_brk(const struct sys_args *a)
{
	uint64_t want = a->arg[0];

	return (long)uvm_brk(want);
}

/* mmap of an open file: regular files, and /dev/zero (anonymous memory).
 * The checks are Linux's (mm/mmap.c do_mmap). */
static long mmap_file(uint64_t addr, uint64_t len, uint32_t prot,
		      uint32_t flags, int fd, uint64_t off)
{
	struct file *f = fd_get(fd);
	bool shared = (flags & MAP_TYPE) != MAP_PRIVATE;
	uint64_t end;
	long r;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		r = -EBADF;
	else if (!f->vn || !((s_isreg(f->vn->mode) && f->vn->ops->getpage) ||
			     (f->vn->flags & VN_MMAP_ANON)))
		r = -ENODEV; /* pipes, terminals, directories, /proc text */
	else if (!file_readable(f) ||
		 (shared && (prot & PROT_WRITE) && !file_writable(f)))
		r = -EACCES;
	else if (__builtin_add_overflow(off, ALIGN_UP(len, PAGE_SIZE), &end) ||
		 end > (uint64_t)INT64_MAX)
		r = -EOVERFLOW;
	else if (f->vn->flags & VN_MMAP_ANON)
		r = uvm_mmap(addr, len, prot, flags);
	else
		r = uvm_mmap_file(addr, len, prot, flags, f->vn, off,
				  file_writable(f));
	file_put(f);
	return r;
}

long sys_mmap(const struct sys_args *a)
{
	uint64_t addr = a->arg[0];
	uint64_t len = a->arg[1];
	uint32_t prot = (uint32_t)a->arg[2];
	uint32_t flags = (uint32_t)a->arg[3];
	int fd = (int)a->arg[4];
	uint64_t off = a->arg[5];
	uint32_t type = flags & MAP_TYPE;

	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE &&
	    type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (prot & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return mmap_file(addr, len, prot, flags, fd, off);
	return uvm_mmap(addr, len, prot, flags);
}

long sys_munmap(const struct sys_args *a)
{
	uint64_t addr = a->arg[0];
	uint64_t len = a->arg[1];

	return uvm_munmap(addr, len);
}

long sys_mprotect(const struct sys_args *a)
{
	uint64_t addr = a->arg[0];
	uint64_t len = a->arg[1];
	uint32_t prot = (uint32_t)a->arg[2];

	/* Regions do not grow, so the grow flags change nothing. */
	prot &= ~(uint32_t)(PROT_GROWSDOWN | PROT_GROWSUP);
	return uvm_mprotect(addr, len, prot);
}

long sys_madvise(const struct sys_args *a)
{
	uint64_t addr = a->arg[0];
	uint64_t len = a->arg[1];
	int advice = (int)a->arg[2];

	return uvm_madvise(addr, len, advice);
}

long sys_mremap(const struct sys_args *a)
{
	uint64_t old = a->arg[0];
	uint64_t old_len = a->arg[1];
	uint64_t new_len = a->arg[2];
	uint32_t flags = (uint32_t)a->arg[3];
	uint64_t new_addr = a->arg[4];

	return uvm_mremap(old, old_len, new_len, flags, new_addr);
}

#define MS_ASYNC      1
#define MS_INVALIDATE 2
#define MS_SYNC	      4

/* A shared mapping is the file's own memory: nothing to write back. */
long sys_msync(const struct sys_args *a)
{
	uint64_t addr = a->arg[0];
	uint64_t len = a->arg[1];
	int flags = (int)a->arg[2];
	uint64_t end;

	if ((addr & (PAGE_SIZE - 1)) ||
	    (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if (__builtin_add_overflow(addr, ALIGN_UP(len, PAGE_SIZE), &end) ||
	    end > USER_TOP)
		return -ENOMEM;
	return len == 0 || uvm_covered(addr, end) ? 0 : -ENOMEM;
}
