/* memcpy and memset for the loader (GCC may also emit calls to them). */
#include "loader.h"

/*
 * 8 bytes per iteration, then the tail: under QEMU's TCG every
 * iteration of a rep string instruction costs about the same whatever
 * its width, and the loader copies and clears whole kernels.
 */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t q = n / 8, r = n % 8;

	__asm__ volatile("rep movsq\n\t"
			 "movq %3, %%rcx\n\t"
			 "rep movsb"
			 : "+D"(d), "+S"(src), "+c"(q)
			 : "r"(r)
			 : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t q = n / 8, r = n % 8;
	uint64_t v = (uint8_t)c * 0x0101010101010101ULL;

	__asm__ volatile("rep stosq\n\t"
			 "movq %3, %%rcx\n\t"
			 "rep stosb"
			 : "+D"(d), "+c"(q)
			 : "a"(v), "r"(r)
			 : "memory");
	return dst;
}
