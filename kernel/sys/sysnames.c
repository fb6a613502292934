/* Linux x86-64 system call names by number, for warnings and traces. */
#include <kernel/string.h>

#include "syscall.h"

/*
 * Numbers are the x86-64 Linux ABI (arch/x86/entry/syscalls/syscall_64.tbl).
 * One string, the names in number order separated by NULs (an empty name
 * for an unused number): no pointer table, as the lookup is rare.
 */
static const char names[] =
    "read\0write\0open\0close\0stat\0fstat\0lstat\0poll\0lseek\0mmap\0"
    "mprotect\0munmap\0brk\0rt_sigaction\0rt_sigprocmask\0rt_sigreturn\0"
    "ioctl\0pread64\0pwrite64\0readv\0writev\0access\0pipe\0select\0"
    "sched_yield\0mremap\0msync\0mincore\0madvise\0shmget\0shmat\0shmctl\0"
    "dup\0dup2\0pause\0nanosleep\0getitimer\0alarm\0setitimer\0getpid\0"
    "sendfile\0socket\0connect\0accept\0sendto\0recvfrom\0sendmsg\0"
    "recvmsg\0shutdown\0bind\0listen\0getsockname\0getpeername\0"
    "socketpair\0setsockopt\0getsockopt\0clone\0fork\0vfork\0execve\0"
    "exit\0wait4\0kill\0uname\0semget\0semop\0semctl\0shmdt\0msgget\0"
    "msgsnd\0msgrcv\0msgctl\0fcntl\0flock\0fsync\0fdatasync\0truncate\0"
    "ftruncate\0getdents\0getcwd\0chdir\0fchdir\0rename\0mkdir\0rmdir\0"
    "creat\0link\0unlink\0symlink\0readlink\0chmod\0fchmod\0chown\0"
    "fchown\0lchown\0umask\0gettimeofday\0getrlimit\0getrusage\0sysinfo\0"
    "times\0ptrace\0getuid\0syslog\0getgid\0setuid\0setgid\0geteuid\0"
    "getegid\0setpgid\0getppid\0getpgrp\0setsid\0setreuid\0setregid\0"
    "getgroups\0setgroups\0setresuid\0getresuid\0setresgid\0getresgid\0"
    "getpgid\0setfsuid\0setfsgid\0getsid\0capget\0capset\0rt_sigpending\0"
    "rt_sigtimedwait\0rt_sigqueueinfo\0rt_sigsuspend\0sigaltstack\0utime\0"
    "mknod\0uselib\0personality\0ustat\0statfs\0fstatfs\0sysfs\0"
    "getpriority\0setpriority\0sched_setparam\0sched_getparam\0"
    "sched_setscheduler\0sched_getscheduler\0sched_get_priority_max\0"
    "sched_get_priority_min\0sched_rr_get_interval\0mlock\0munlock\0"
    "mlockall\0munlockall\0vhangup\0modify_ldt\0pivot_root\0_sysctl\0"
    "prctl\0arch_prctl\0adjtimex\0setrlimit\0chroot\0sync\0acct\0"
    "settimeofday\0mount\0umount2\0swapon\0swapoff\0reboot\0sethostname\0"
    "setdomainname\0iopl\0ioperm\0create_module\0init_module\0"
    "delete_module\0get_kernel_syms\0query_module\0quotactl\0nfsservctl\0"
    "getpmsg\0putpmsg\0afs_syscall\0tuxcall\0security\0gettid\0readahead\0"
    "setxattr\0lsetxattr\0fsetxattr\0getxattr\0lgetxattr\0fgetxattr\0"
    "listxattr\0llistxattr\0flistxattr\0removexattr\0lremovexattr\0"
    "fremovexattr\0tkill\0time\0futex\0sched_setaffinity\0"
    "sched_getaffinity\0set_thread_area\0io_setup\0io_destroy\0"
    "io_getevents\0io_submit\0io_cancel\0get_thread_area\0lookup_dcookie\0"
    "epoll_create\0epoll_ctl_old\0epoll_wait_old\0remap_file_pages\0"
    "getdents64\0set_tid_address\0restart_syscall\0semtimedop\0fadvise64\0"
    "timer_create\0timer_settime\0timer_gettime\0timer_getoverrun\0"
    "timer_delete\0clock_settime\0clock_gettime\0clock_getres\0"
    "clock_nanosleep\0exit_group\0epoll_wait\0epoll_ctl\0tgkill\0utimes\0"
    "vserver\0mbind\0set_mempolicy\0get_mempolicy\0mq_open\0mq_unlink\0"
    "mq_timedsend\0mq_timedreceive\0mq_notify\0mq_getsetattr\0kexec_load\0"
    "waitid\0add_key\0request_key\0keyctl\0ioprio_set\0ioprio_get\0"
    "inotify_init\0inotify_add_watch\0inotify_rm_watch\0migrate_pages\0"
    "openat\0mkdirat\0mknodat\0fchownat\0futimesat\0newfstatat\0unlinkat\0"
    "renameat\0linkat\0symlinkat\0readlinkat\0fchmodat\0faccessat\0"
    "pselect6\0ppoll\0unshare\0set_robust_list\0get_robust_list\0splice\0"
    "tee\0sync_file_range\0vmsplice\0move_pages\0utimensat\0epoll_pwait\0"
    "signalfd\0timerfd_create\0eventfd\0fallocate\0timerfd_settime\0"
    "timerfd_gettime\0accept4\0signalfd4\0eventfd2\0epoll_create1\0dup3\0"
    "pipe2\0inotify_init1\0preadv\0pwritev\0rt_tgsigqueueinfo\0"
    "perf_event_open\0recvmmsg\0fanotify_init\0fanotify_mark\0prlimit64\0"
    "name_to_handle_at\0open_by_handle_at\0clock_adjtime\0syncfs\0"
    "sendmmsg\0setns\0getcpu\0process_vm_readv\0process_vm_writev\0kcmp\0"
    "finit_module\0sched_setattr\0sched_getattr\0renameat2\0seccomp\0"
    "getrandom\0memfd_create\0kexec_file_load\0bpf\0execveat\0"
    "userfaultfd\0membarrier\0mlock2\0copy_file_range\0preadv2\0pwritev2\0"
    "pkey_mprotect\0pkey_alloc\0pkey_free\0statx\0io_pgetevents\0rseq\0\0"
    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0pidfd_send_signal\0"
    "io_uring_setup\0io_uring_enter\0io_uring_register\0open_tree\0"
    "move_mount\0fsopen\0fsconfig\0fsmount\0fspick\0pidfd_open\0clone3\0"
    "close_range\0openat2\0pidfd_getfd\0faccessat2\0process_madvise\0"
    "epoll_pwait2\0mount_setattr\0quotactl_fd\0landlock_create_ruleset\0"
    "landlock_add_rule\0landlock_restrict_self\0memfd_secret\0"
    "process_mrelease\0futex_waitv\0set_mempolicy_home_node\0";

_Static_assert(SYSCALL_NAMES_MAX == 451, "names");

const char *syscall_name(uint64_t nr)
{
	const char *p = names;

	if (nr >= SYSCALL_NAMES_MAX)
		return NULL;
	while (nr--)
		p += strlen(p) + 1;
	return *p ? p : NULL;
}
