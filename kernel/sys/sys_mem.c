/* Memory system calls: brk, mmap, munmap, mprotect, madvise. */
#include <kernel/errno.h>

#include "fd.h"
#include "syscall.h"
#include "uvm.h"

#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP   0x02000000

long sys_brk(const struct sys_args *a)
{
	uint64_t want = a->arg[0];

	return (long)uvm_brk(want);
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
	if (!(flags & MAP_ANONYMOUS)) {
		/* No files yet: an open fd is the console, which cannot be
		 * mapped. */
		return fd_check(fd) < 0 ? -EBADF : -ENODEV;
	}
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
