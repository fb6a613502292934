/* /init of the Linux guest: run the benchmarked program, then power off. */
#include <stdio.h>
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

int main(int argc, char **argv)
{
	int status = 0;
	pid_t pid;

	(void)argc;
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
