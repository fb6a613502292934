/* Boot test guest: _exit(42), skipping stdio, so the line goes out by write. */
#include <string.h>
#include <unistd.h>

int main(void)
{
	static const char msg[] = "exit_42: calling _exit(42)\n";

	if (write(1, msg, strlen(msg)) != (ssize_t)strlen(msg))
		return 3;
	_exit(42);
}
