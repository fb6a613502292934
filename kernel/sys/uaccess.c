/* copy_from_user, copy_to_user, strncpy_from_user: checked user memory access.
 */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/string.h>

#include <kernel/uaccess.h>
#include "uvm.h"

/*
 * The copies go page by page through the direct map, never through the
 * user address itself: no user page fault can happen in the kernel, and
 * SMAP would not matter. Each page is checked against its region first.
 */
static int check_span(uint64_t addr, size_t n)
{
	uint64_t end;

	if (__builtin_add_overflow(addr, (uint64_t)n, &end) || end > USER_TOP)
		return -EFAULT;
	return 0;
}

static size_t chunk_len(uint64_t addr, size_t left)
{
	size_t in_page = PAGE_SIZE - (addr & (PAGE_SIZE - 1));

	return MIN(in_page, left);
}

int copy_from_user(void *dst, const void __user *src, size_t n)
{
	uint64_t addr = (uint64_t)(uintptr_t)src;
	char *d = dst;
	void *kva;
	int err;

	if (n == 0)
		return 0;
	if ((err = check_span(addr, n)) < 0)
		return err;
	while (n) {
		size_t c = chunk_len(addr, n);

		if ((err = uvm_kernel_ptr(addr, UVM_READ, &kva)) < 0)
			return err;
		memcpy(d, kva, c);
		d += c;
		addr += c;
		n -= c;
	}
	return 0;
}

int copy_to_user(void __user *dst, const void *src, size_t n)
{
	uint64_t addr = (uint64_t)(uintptr_t)dst;
	const char *s = src;
	void *kva;
	int err;

	if (n == 0)
		return 0;
	if ((err = check_span(addr, n)) < 0)
		return err;
	/* Refuse before writing anything when the range is plainly bad. */
	if ((err = uvm_check(addr, n, UVM_WRITE)) < 0)
		return err;
	while (n) {
		size_t c = chunk_len(addr, n);

		if ((err = uvm_kernel_ptr(addr, UVM_WRITE, &kva)) < 0)
			return err;
		memcpy(kva, s, c);
		s += c;
		addr += c;
		n -= c;
	}
	return 0;
}

long strncpy_from_user(char *dst, const char __user *src, size_t size)
{
	uint64_t addr = (uint64_t)(uintptr_t)src;
	size_t done = 0;
	void *kva;
	int err;

	while (done < size) {
		size_t c = chunk_len(addr, size - done);
		const char *p;
		size_t len;

		if (addr >= USER_TOP)
			return -EFAULT;
		if ((err = uvm_kernel_ptr(addr, UVM_READ, &kva)) < 0)
			return err;
		p = kva;
		len = strnlen(p, c);
		if (len < c) {
			memcpy(dst + done, p, len + 1);
			return (long)(done + len);
		}
		memcpy(dst + done, p, c);
		done += c;
		addr += c;
	}
	return -ENAMETOOLONG;
}

long strnlen_user(const char __user *s, size_t max)
{
	uint64_t addr = (uint64_t)(uintptr_t)s;
	size_t done = 0;
	void *kva;
	int err;

	while (done < max) {
		size_t c = chunk_len(addr, max - done);
		size_t len;

		if (addr >= USER_TOP)
			return -EFAULT;
		if ((err = uvm_kernel_ptr(addr, UVM_READ, &kva)) < 0)
			return err;
		len = strnlen(kva, c);
		if (len < c)
			return (long)(done + len);
		done += c;
		addr += c;
	}
	return -ENAMETOOLONG;
}

int user_range_ok(const void __user *p, size_t n, bool write)
{
	return uvm_check((uint64_t)(uintptr_t)p, n,
			 write ? UVM_WRITE : UVM_READ);
}
