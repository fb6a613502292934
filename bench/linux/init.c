/* /init of the Linux guest: run the benchmarked program, then power off. */
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The program under test stays unmodified: this init forks, execs it with
 * the arguments init received from the kernel command line, waits, and
 * powers the machine off (reboot(2), LINUX_REBOOT_CMD_POWER_OFF), which on
 * QEMU's -M pc ends the QEMU process through ACPI. PID 1 must never exit:
 * the kernel would panic ("Attempted to kill init").
 */
#define BENCH_PROGRAM "/bench-program"

/*
 * Options x86 Linux reads from its command line by itself (early CPU
 * set-up) and still hands to init as arguments, because no __setup()
 * claims them; they are not the program's.
 */
static int kernel_option(const char *arg)
{
	return strcmp(arg, "noxsave") == 0;
}

int main(int argc, char **argv)
{
	int status = 0, n = 1;
	pid_t pid;

	for (int i = 1; i < argc; i++)
		if (!kernel_option(argv[i]))
			argv[n++] = argv[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		argv[0] = BENCH_PROGRAM;
		execv(BENCH_PROGRAM, argv);
		perror("init: exec " BENCH_PROGRAM);
		_exit(127);
	}
	if (pid < 0)
		perror("init: fork");
	else
		while (waitpid(pid, &status, 0) < 0)
			;
	sync();
	for (;;)
		reboot(RB_POWER_OFF);
}
