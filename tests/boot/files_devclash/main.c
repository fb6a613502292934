/* Boot test guest: /dev/null and /dev/zero are devices even if the tree had files there. */
#include <stdio.h>
#include <sys/stat.h>

int main(void)
{
	struct stat a, b;

	if (stat("/dev/null", &a) == 0 && S_ISCHR(a.st_mode) &&
	    stat("/dev/zero", &b) == 0 && S_ISCHR(b.st_mode))
		printf("devclash: devices in place\n");
	return 0;
}
