/* Boot test guest: prints its argv and some environment variables. */
#include <stdio.h>
#include <stdlib.h>

static void show_env(const char *name)
{
	const char *v = getenv(name);

	if (v)
		printf("env %s=<%s>\n", name, v);
	else
		printf("env %s unset\n", name);
}

int main(int argc, char **argv)
{
	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=<%s>\n", i, argv[i]);
	printf("argv[argc]=%s\n", argv[argc] ? "non-NULL" : "NULL");
	show_env("FOO");
	show_env("EMPTY");
	show_env("SPACED");
	show_env("UNSET");
	return 0;
}
