/* lwIP's operating-system types (arch/sys_arch.h) over kernel threads. */
#ifndef KILN_NET_ARCH_SYS_ARCH_H
#define KILN_NET_ARCH_SYS_ARCH_H

#include <kernel/sched.h>

/*
 * Every object carries a valid flag: lwIP asks sys_*_valid() about
 * objects it never created (sys_*_set_invalid() on a zeroed struct means
 * "none"). The functions are in sys_arch.c.
 */
typedef struct sys_sem {
	struct semaphore sem;
	bool valid;
} sys_sem_t;

typedef struct sys_mutex {
	struct mutex mutex;
	bool valid;
} sys_mutex_t;

/* A bounded ring of messages; posters wait for room, fetchers for a
 * message. The spinlock keeps the ring consistent; the wait queues carry
 * the wakeups. */
typedef struct sys_mbox {
	void **msgs;
	unsigned size, head, count;
	struct spinlock lock;
	struct waitq not_empty, not_full;
	bool valid;
} sys_mbox_t;

typedef struct thread *sys_thread_t;

/* SYS_ARCH_PROTECT: a critical section against interrupt handlers (and,
 * later, other CPUs). */
typedef uint64_t sys_prot_t;

#endif
