/* Boot test guest: calls a `ret` copied into a data array; NX must stop it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned char code[16];

int main(void)
{
	static const unsigned char ret = 0xc3; /* RET (Intel SDM vol. 2B) */
	void (*fn)(void);

	memcpy(code, &ret, 1);
	fn = (void (*)(void))(uintptr_t)code;
	printf("nxdata: calling code in .bss\n");
	fflush(stdout);
	fn();
	printf("nxdata: executed data\n");
	return 0;
}
