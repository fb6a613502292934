/* Hostile guest: touches memory until the machine has none left. */
#include <stdio.h>
#include <sys/mman.h>

int main(void)
{
	/* Reserving is free (demand paging); touching takes frames. */
	size_t size = 1UL << 30;
	char *p = mmap(0, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		printf("oom: mmap failed\n");
		return 1;
	}
	printf("oom: touching 1 GiB\n");
	fflush(stdout);
	for (size_t off = 0; off < size; off += 4096)
		p[off] = 1;
	printf("oom: survived\n");
	return 0;
}
