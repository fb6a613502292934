/* Hostile guest: writes into its own code; W^X must stop it. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	volatile unsigned char *text = (volatile unsigned char *)(uintptr_t)&main;

	printf("wx: writing to main at %p\n", (void *)text);
	fflush(stdout);
	text[0] = 0xc3; /* RET */
	printf("wx: text is writable\n");
	return 0;
}
