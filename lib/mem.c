/* memcpy and memset for freestanding code: the loader and the kernel. */
#include "mem.h"

/*
 * memcpy and memset move 8 bytes per step with REP MOVSQ/STOSQ, then the
 * tail bytewise: fast on real CPUs, and under TCG, where each REP step
 * costs the same whatever its width (pmm_alloc_page() zeroes every frame
 * through here). Inline assembly also keeps the compiler from turning a
 * byte loop back into a call to the function being defined.
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
	uint64_t v = (uint8_t)c * 0x0101010101010101ULL;
	size_t q = n / 8, r = n % 8;

	__asm__ volatile("rep stosq\n\t"
			 "movq %3, %%rcx\n\t"
			 "rep stosb"
			 : "+D"(d), "+c"(q)
			 : "a"(v), "r"(r)
			 : "memory");
	return dst;
}
