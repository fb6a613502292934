/* Readiness: the event bits files report and the queues they wake. */
#ifndef KERNEL_POLL_H
#define KERNEL_POLL_H

#include <kernel/sched.h>
#include <kernel/types.h>

/* poll(2) and epoll_event bits, Linux values (asm-generic/poll.h,
 * uapi/linux/eventpoll.h): poll's POLLx and epoll's EPOLLx are equal. */
#define POLLIN	   0x001
#define POLLPRI	   0x002
#define POLLOUT	   0x004
#define POLLERR	   0x008
#define POLLHUP	   0x010
#define POLLNVAL   0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200
#define POLLMSG	   0x400
#define POLLRDHUP  0x2000

/* What a file without a poll op is: always readable and writable (Linux's
 * DEFAULT_POLLMASK: regular files, /dev/null). */
#define POLL_DEFAULT_MASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

/*
 * A poll queue: the callbacks to run when a file's readiness may have
 * changed. A file kind keeps one in its state (a pipe's two ends share
 * one) and calls pollq_wake() after every change, with the bits that may
 * have become true (0: unknown, wakes everyone). Waiters then ask the
 * file's poll op again; a wake is a hint, never the answer.
 *
 * Entries belong to the waiter (poll and select: one per descriptor for
 * the length of the call; epoll: one per watched file). wake runs with
 * the queue's lock held, from thread or interrupt context: it must not
 * block, nor add or remove entries of this queue.
 */
struct poll_entry;
typedef void (*poll_wake_fn)(struct poll_entry *e, unsigned int events);

struct poll_entry {
	struct poll_entry *next, *prev;
	struct pollq *q; /* the queue it is on, or NULL */
	poll_wake_fn wake;
};

struct pollq {
	struct spinlock lock;
	struct poll_entry *head;
};

#define POLLQ_INIT {SPINLOCK_INIT, NULL}
void pollq_init(struct pollq *q);
void pollq_add(struct pollq *q, struct poll_entry *e, poll_wake_fn wake);
/* Off its queue, if on one. */
void pollq_del(struct poll_entry *e);
void pollq_wake(struct pollq *q, unsigned int events);

struct file;

/*
 * The file's readiness now (POLLx bits); *q, if q is not NULL, is set to
 * the queue the file wakes when that changes (NULL: it never changes).
 */
unsigned int file_poll(struct file *f, struct pollq **q);

/*
 * Block until file_poll(f) has one of events (plus POLLERR and POLLHUP),
 * or until deadline_ns (0: none). For read and write of blocking
 * descriptors. The mask, or -ETIMEDOUT.
 */
int file_wait(struct file *f, unsigned int events, uint64_t deadline_ns);

/* --- eventfd (kernel/fs/eventfd.c) --- */
#define EFD_SEMAPHORE 1
/* A new eventfd file (flags: O_NONBLOCK, EFD_SEMAPHORE). */
int eventfd_create(uint64_t count, int flags, struct file **out);

/* --- epoll (kernel/fs/epoll.c) --- */
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

#define EPOLLEXCLUSIVE (1U << 28)
#define EPOLLWAKEUP    (1U << 29)
#define EPOLLONESHOT   (1U << 30)
#define EPOLLET	       (1U << 31)

/* struct epoll_event: packed on x86-64 (12 bytes). */
struct epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

int epoll_create_file(struct file **out);
bool file_is_epoll(const struct file *f);
/* epoll_ctl on the files open at epfd (ep) and fd (tf); ev NULL for
 * EPOLL_CTL_DEL. 0 or -errno as Linux. */
int epoll_ctl_file(struct file *ep, int op, int fd, struct file *tf,
		   const struct epoll_event *ev);
/* Up to max events into the user array evs (already range-checked),
 * waiting until deadline_ns (0: forever; nowait: not at all). The count
 * or -errno. */
int epoll_wait_file(struct file *ep, struct epoll_event __user *evs, int max,
		    bool nowait, uint64_t deadline_ns);

/* For fd_close/file_put: the file is going; epoll forgets it
 * (kernel/fs/epoll.c). */
void epoll_file_gone(struct file *f);

/*
 * Waits a signal ends (poll, select, epoll_wait: Linux returns EINTR from
 * them whenever a handler runs, never restarting them); kernel/sys. From
 * signal_wait_begin(wq) to signal_wait_end() a signal for the calling
 * thread also wakes wq; after waitq_prepare(wq), signal_wait_pending()
 * says whether one is there to handle, and the wait then ends with
 * -EINTR. In a kernel thread: no-ops, and never pending.
 */
void signal_wait_begin(struct waitq *wq);
void signal_wait_end(void);
bool signal_wait_pending(void);
/* Whether anything could still end a wait of the calling thread that no
 * interrupt ends (a pipe or AF_UNIX peer): another thread of the
 * application, or its armed interval timer. When nothing could, such a
 * call returns EAGAIN instead of hanging the guest. */
bool wait_can_end(void);

#endif
