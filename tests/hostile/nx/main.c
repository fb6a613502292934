/* Hostile guest: runs code placed in a heap page (or a stack page); NX stops it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	unsigned char on_stack[64];
	unsigned char *code;
	const char *where = argc > 1 ? argv[1] : "heap";

	if (strcmp(where, "stack") == 0) {
		code = on_stack;
	} else {
		code = malloc(4096);
		if (!code)
			return 2;
	}
	memset(code, 0xc3, 64); /* RET (Intel SDM Vol. 2B) */
	printf("nx: calling %s code\n", where);
	fflush(stdout);
	((void (*)(void))(uintptr_t)code)();
	printf("nx: executed %s\n", where);
	return 0;
}
