/* Boot test guest: the 128-byte red zone below %rsp survives the kernel. */
#include <stdio.h>
#include <time.h>

/*
 * The x86-64 System V ABI (section 3.2.2) lets a function use the 128
 * bytes below %rsp without moving %rsp; signal and interrupt handlers must
 * not touch them. So the kernel must never write there: not on a system
 * call (the syscall instruction does not switch stacks), not on an
 * interrupt taken in ring 3. The whole sequence below is one asm block
 * with raw syscall instructions, so the compiler cannot use the area in
 * between. It first steps %rsp down past the compiler's own red zone and
 * then tests the 128 bytes below the new %rsp:
 *   fill them with 16 distinct words; write(); getpid(); spin ~300 ms
 *   (busy loops in user mode between clock_gettime calls, so timer
 *   interrupts land both in ring 3 and in the kernel); count the words
 *   that changed.
 */

static struct timespec spin_ts;
static const char msg[] = "redzone: pattern written, making system calls\n";

static long ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

int main(void)
{
	register long r12 asm("r12") = (long)msg;
	register long r13 asm("r13") = (long)&spin_ts;
	register long bad asm("r14");
	register long loops asm("r15");
	long t0 = ms_now();

	asm volatile(
		"lea -128(%%rsp), %%rsp\n\t"
		/* fill [%rsp - 128, %rsp) */
		"lea -128(%%rsp), %%r8\n\t"
		"xor %%ecx, %%ecx\n"
		"1:\n\t"
		"movabs $0x5a17c0de00000000, %%rax\n\t"
		"or %%rcx, %%rax\n\t"
		"mov %%rax, (%%r8,%%rcx,8)\n\t"
		"inc %%ecx\n\t"
		"cmp $16, %%ecx\n\t"
		"jne 1b\n\t"
		/* write(1, msg, len) */
		"mov $1, %%eax\n\t"
		"mov $1, %%edi\n\t"
		"mov %%r12, %%rsi\n\t"
		"mov %[len], %%edx\n\t"
		"syscall\n\t"
		/* getpid() */
		"mov $39, %%eax\n\t"
		"syscall\n\t"
		/* %r14 = clock_gettime(CLOCK_MONOTONIC) in ns */
		"mov $228, %%eax\n\t"
		"mov $1, %%edi\n\t"
		"mov %%r13, %%rsi\n\t"
		"syscall\n\t"
		"imul $1000000000, (%%r13), %%r14\n\t"
		"add 8(%%r13), %%r14\n\t"
		"xor %%r15d, %%r15d\n"
		/* spin until 300 ms have passed, the clock fails, or 10^6 rounds */
		"2:\n\t"
		"mov $20000, %%ecx\n"
		"3:\n\t"
		"dec %%ecx\n\t"
		"jnz 3b\n\t"
		"inc %%r15\n\t"
		"mov $228, %%eax\n\t"
		"mov $1, %%edi\n\t"
		"mov %%r13, %%rsi\n\t"
		"syscall\n\t"
		"test %%rax, %%rax\n\t"
		"jnz 4f\n\t"
		"imul $1000000000, (%%r13), %%rax\n\t"
		"add 8(%%r13), %%rax\n\t"
		"sub %%r14, %%rax\n\t"
		"cmp $300000000, %%rax\n\t"
		"jae 4f\n\t"
		"cmp $1000000, %%r15\n\t"
		"jb 2b\n"
		"4:\n\t"
		/* %r14 = number of words that changed */
		"lea -128(%%rsp), %%r8\n\t"
		"xor %%ecx, %%ecx\n\t"
		"xor %%r14d, %%r14d\n"
		"5:\n\t"
		"movabs $0x5a17c0de00000000, %%rax\n\t"
		"or %%rcx, %%rax\n\t"
		"cmp %%rax, (%%r8,%%rcx,8)\n\t"
		"je 6f\n\t"
		"inc %%r14\n"
		"6:\n\t"
		"inc %%ecx\n\t"
		"cmp $16, %%ecx\n\t"
		"jne 5b\n\t"
		"lea 128(%%rsp), %%rsp"
		: "+r"(r12), "+r"(r13), "=r"(bad), "=r"(loops)
		: [len] "i"(sizeof msg - 1)
		: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
		  "cc", "memory");

	printf("redzone: %ld spin rounds in %ld ms\n", loops, ms_now() - t0);
	if (bad) {
		printf("redzone CORRUPTED: %ld of 16 words changed\n", bad);
		return 1;
	}
	printf("redzone intact\n");
	return 0;
}
