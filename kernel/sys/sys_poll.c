/* Readiness system calls: poll, ppoll, select, pselect6, epoll, eventfd. */
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/mm.h>
#include <kernel/poll.h>
#include <kernel/time.h>
#include <kernel/uaccess.h>

#include "signal.h"
#include "syscall.h"

#define SIGSET_SIZE	 8 /* the kernel's sigset_t on x86-64 */
#define EPOLL_MAX_EVENTS ((int)(0x7fffffff / sizeof(struct epoll_event)))

struct k_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct k_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

struct k_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

/* A deadline from a relative time: 0 for none (negative), now for zero,
 * saturating. *nowait when there is no time to wait at all. */
static uint64_t deadline_after(uint64_t ns)
{
	uint64_t now = clock_monotonic_ns(), d;

	if (__builtin_add_overflow(now, ns, &d))
		return UINT64_MAX;
	return d;
}

static int read_timespec(const struct k_timespec __user *uts, uint64_t *ns)
{
	struct k_timespec ts;
	int err;

	if ((err = copy_from_user(&ts, uts, sizeof ts)) < 0)
		return err;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
	    ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	if (__builtin_mul_overflow((uint64_t)ts.tv_sec, NSEC_PER_SEC, ns) ||
	    __builtin_add_overflow(*ns, (uint64_t)ts.tv_nsec, ns))
		*ns = UINT64_MAX;
	return 0;
}

static uint64_t remaining(uint64_t deadline)
{
	uint64_t now = clock_monotonic_ns();

	return deadline > now ? deadline - now : 0;
}

/* The signal mask of ppoll, pselect6 and epoll_pwait: its size must be
 * the kernel's. It is in force while the call waits, and the caller's
 * comes back as the call returns, or once the handler of a signal that
 * ended the wait has run (signal_suspend_mask(), as sigsuspend). */
static int check_sigmask(const void __user *set, uint64_t size)
{
	uint64_t mask;
	int err;

	if (!set)
		return 0;
	if (size != SIGSET_SIZE)
		return -EINVAL;
	if ((err = copy_from_user(&mask, set, sizeof mask)) < 0)
		return err;
	signal_suspend_mask(mask);
	return 0;
}

/*
 * The waiting common to poll and select: every descriptor's file gets an
 * entry on its poll queue on the first pass; a wake from any of them
 * makes the thread ask them all again.
 */
struct poll_waiter {
	struct poll_entry entry; /* first */
	struct waitq *wq;
};

struct poller {
	struct waitq wq;
	struct poll_waiter *w; /* one per descriptor */
	int n;
	bool registered;
	/* what the scan reads and writes: poll's array, or select's sets */
	struct k_pollfd *fds;
	const struct fdsets *want;
	struct fdsets *got;
};

static void poller_wake(struct poll_entry *e, unsigned int events)
{
	(void)events;
	waitq_wake_all(((struct poll_waiter *)e)->wq);
}

/* The mask of file f (slot i), registering on its queue the first time. */
static unsigned int poller_poll(struct poller *p, int i, struct file *f)
{
	struct pollq *q;
	unsigned int mask = file_poll(f, p->registered ? NULL : &q);

	if (!p->registered && q) {
		p->w[i].wq = &p->wq;
		pollq_add(q, &p->w[i].entry, poller_wake);
	}
	return mask;
}

/*
 * Scan until something is ready (or an error), once with nowait, until
 * deadline_ns (0: none), or until a signal for the thread: the count, the
 * scan's error, or -EINTR (poll and select are never restarted).
 */
static int poller_wait(struct poller *p, int (*scan)(struct poller *),
		       bool nowait, uint64_t deadline_ns)
{
	int count, timed_out = 0;

	signal_wait_begin(&p->wq);
	for (;;) {
		waitq_prepare(&p->wq);
		count = scan(p);
		if (count || nowait || timed_out) {
			waitq_cancel(&p->wq);
			break;
		}
		if (signal_wait_pending()) {
			waitq_cancel(&p->wq);
			count = -EINTR;
			break;
		}
		timed_out = waitq_wait(&p->wq, deadline_ns);
	}
	signal_wait_end();
	return count;
}

static void poller_done(struct poller *p)
{
	for (int i = 0; i < p->n; i++)
		pollq_del(&p->w[i].entry);
	kfree(p->w);
}

/* --- poll, ppoll --- */

static int poll_scan(struct poller *p, struct k_pollfd *fds, int n);

static int poll_scan_fn(struct poller *p)
{
	return poll_scan(p, p->fds, p->n);
}

/* One pass over the descriptors; the number with events. */
static int poll_scan(struct poller *p, struct k_pollfd *fds, int n)
{
	int count = 0;

	for (int i = 0; i < n; i++) {
		struct file *f;
		unsigned int mask;

		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		if (!(f = fd_get(fds[i].fd))) {
			fds[i].revents = POLLNVAL;
		} else {
			mask = poller_poll(p, i, f);
			file_put(f);
			/* POLLERR and POLLHUP are reported unasked */
			fds[i].revents =
				(int16_t)(mask & ((uint16_t)fds[i].events |
						  POLLERR | POLLHUP));
		}
		if (fds[i].revents)
			count++;
	}
	p->registered = true;
	return count;
}

/* As Linux's do_sys_poll(); deadline 0: forever; nowait: no wait. */
static long do_poll(struct k_pollfd __user *ufds, uint64_t nfds, bool nowait,
		    uint64_t deadline)
{
	struct poller p = {.wq = WAITQ_INIT};
	struct k_pollfd *fds;
	size_t size;
	int count = 0, err = 0;

	if (nfds > (uint64_t)fd_limit())
		return -EINVAL;
	size = nfds * sizeof *fds;
	fds = kmalloc(size ? size : 1);
	p.w = kzalloc(nfds ? nfds * sizeof *p.w : 1);
	p.n = (int)nfds;
	if (!fds || !p.w) {
		kfree(fds);
		kfree(p.w);
		return -ENOMEM;
	}
	if ((err = copy_from_user(fds, ufds, size)) < 0)
		goto out;
	p.fds = fds;
	count = poller_wait(&p, poll_scan_fn, nowait, deadline);
	err = 0;
	if (count < 0) {
		err = count;
		goto out;
	}
	/* only revents goes back, as Linux writes it */
	for (uint64_t i = 0; i < nfds && !err; i++)
		err = copy_to_user(&ufds[i].revents, &fds[i].revents,
				   sizeof fds[i].revents);
out:
	poller_done(&p);
	kfree(fds);
	return err ? err : count;
}

long sys_poll(const struct sys_args *a)
{
	struct k_pollfd __user *fds = (void __user *)a->arg[0];
	uint64_t nfds = (uint32_t)a->arg[1];
	int timeout = (int)a->arg[2];

	if (timeout < 0)
		return do_poll(fds, nfds, false, 0);
	return do_poll(fds, nfds, timeout == 0,
		       deadline_after((uint64_t)timeout * 1000000));
}

long sys_ppoll(const struct sys_args *a)
{
	struct k_pollfd __user *fds = (void __user *)a->arg[0];
	uint64_t nfds = (uint32_t)a->arg[1];
	struct k_timespec __user *uts = (void __user *)a->arg[2];
	const void __user *mask = (const void __user *)a->arg[3];
	uint64_t sigsetsize = a->arg[4];
	uint64_t ns = 0, deadline = 0;
	struct k_timespec left;
	long ret;
	int err;

	if (uts && (err = read_timespec(uts, &ns)) < 0)
		return err;
	if ((err = check_sigmask(mask, sigsetsize)) < 0)
		return err;
	if (uts)
		deadline = deadline_after(ns);
	ret = do_poll(fds, nfds, uts && ns == 0, deadline);
	if (uts && ret >= 0) {
		/* Linux writes back the time left; a fault there is ignored */
		ns = remaining(deadline);
		left = (struct k_timespec){(int64_t)(ns / NSEC_PER_SEC),
					   (int64_t)(ns % NSEC_PER_SEC)};
		copy_to_user(uts, &left, sizeof left);
	}
	return ret;
}

/* --- select, pselect6 --- */

/* select's sets live on the kernel stack: FD_SETSIZE bits each, as libc's
 * fd_set holds (descriptors above it need poll or epoll). */
#define SELECT_FD_MAX 1024
#define FDSET_WORDS (SELECT_FD_MAX / 64)

/* What select counts as readable, writable, exceptional (Linux's
 * POLLIN_SET, POLLOUT_SET, POLLEX_SET). */
#define SEL_IN	(POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SEL_OUT (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SEL_EX	POLLPRI

struct fdsets {
	uint64_t in[FDSET_WORDS], out[FDSET_WORDS], ex[FDSET_WORDS];
};

static bool bit(const uint64_t *set, int fd)
{
	return set[fd / 64] >> (fd % 64) & 1;
}

static int select_scan(struct poller *p, int n, const struct fdsets *want,
		       struct fdsets *got)
{
	int count = 0;

	*got = (struct fdsets){0};
	for (int fd = 0; fd < n; fd++) {
		uint64_t b = 1ULL << (fd % 64);
		struct file *f;
		unsigned int mask;

		if (!bit(want->in, fd) && !bit(want->out, fd) &&
		    !bit(want->ex, fd))
			continue;
		if (!(f = fd_get(fd)))
			return -EBADF;
		mask = poller_poll(p, fd, f);
		file_put(f);
		if (bit(want->in, fd) && (mask & SEL_IN)) {
			got->in[fd / 64] |= b;
			count++;
		}
		if (bit(want->out, fd) && (mask & SEL_OUT)) {
			got->out[fd / 64] |= b;
			count++;
		}
		if (bit(want->ex, fd) && (mask & SEL_EX)) {
			got->ex[fd / 64] |= b;
			count++;
		}
	}
	p->registered = true;
	return count;
}

static int select_scan_fn(struct poller *p)
{
	return select_scan(p, p->n, p->want, p->got);
}

/*
 * As Linux's core_sys_select(): n past the table's size is cut to it; a
 * set bit on a closed descriptor is -EBADF; the sets are rewritten with
 * the ready ones.
 */
static long do_select(int n, uint64_t __user *uin, uint64_t __user *uout,
		      uint64_t __user *uex, bool nowait, uint64_t deadline)
{
	struct poller p = {.wq = WAITQ_INIT};
	struct fdsets want = {0}, got;
	size_t bytes;
	int count = 0, err = 0;

	if (n < 0)
		return -EINVAL;
	if (n > SELECT_FD_MAX)
		n = SELECT_FD_MAX;
	bytes = (size_t)(n + 63) / 64 * 8;
	if ((uin && (err = copy_from_user(want.in, uin, bytes)) < 0) ||
	    (uout && (err = copy_from_user(want.out, uout, bytes)) < 0) ||
	    (uex && (err = copy_from_user(want.ex, uex, bytes)) < 0))
		return err;
	/* bits past n in the last word are not asked about */
	if (n % 64) {
		uint64_t keep = (1ULL << (n % 64)) - 1;

		want.in[n / 64] &= keep;
		want.out[n / 64] &= keep;
		want.ex[n / 64] &= keep;
	}
	if (!(p.w = kzalloc(n ? (size_t)n * sizeof *p.w : 1)))
		return -ENOMEM;
	p.n = n;
	p.want = &want;
	p.got = &got;
	count = poller_wait(&p, select_scan_fn, nowait, deadline);
	poller_done(&p);
	if (count < 0)
		return count;
	if ((uin && (err = copy_to_user(uin, got.in, bytes)) < 0) ||
	    (uout && (err = copy_to_user(uout, got.out, bytes)) < 0) ||
	    (uex && (err = copy_to_user(uex, got.ex, bytes)) < 0))
		return err;
	return count;
}

long sys_select(const struct sys_args *a)
{
	int n = (int)a->arg[0];
	struct k_timeval __user *utv = (void __user *)a->arg[4];
	struct k_timeval tv;
	uint64_t ns = 0, deadline = 0;
	long ret;
	int err;

	if (utv) {
		if ((err = copy_from_user(&tv, utv, sizeof tv)) < 0)
			return err;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		if (__builtin_mul_overflow((uint64_t)tv.tv_sec, NSEC_PER_SEC,
					   &ns) ||
		    __builtin_add_overflow(ns, (uint64_t)tv.tv_usec * 1000,
					   &ns))
			ns = UINT64_MAX;
		deadline = deadline_after(ns);
	}
	ret = do_select(n, (void __user *)a->arg[1], (void __user *)a->arg[2],
			(void __user *)a->arg[3], utv && ns == 0, deadline);
	if (utv && ret >= 0) {
		ns = remaining(deadline);
		tv = (struct k_timeval){(int64_t)(ns / NSEC_PER_SEC),
					(int64_t)(ns % NSEC_PER_SEC / 1000)};
		copy_to_user(utv, &tv, sizeof tv);
	}
	return ret;
}

long sys_pselect6(const struct sys_args *a)
{
	int n = (int)a->arg[0];
	struct k_timespec __user *uts = (void __user *)a->arg[4];
	const uint64_t __user *sig = (const void __user *)a->arg[5];
	uint64_t ns = 0, deadline = 0, sigarg[2];
	struct k_timespec left;
	long ret;
	int err;

	if (uts && (err = read_timespec(uts, &ns)) < 0)
		return err;
	/* the sixth argument: { const sigset_t *ss; size_t ss_len; } */
	if (sig) {
		if ((err = copy_from_user(sigarg, sig, sizeof sigarg)) < 0)
			return err;
		if ((err = check_sigmask((const void __user *)sigarg[0],
					 sigarg[1])) < 0)
			return err;
	}
	if (uts)
		deadline = deadline_after(ns);
	ret = do_select(n, (void __user *)a->arg[1], (void __user *)a->arg[2],
			(void __user *)a->arg[3], uts && ns == 0, deadline);
	if (uts && ret >= 0) {
		ns = remaining(deadline);
		left = (struct k_timespec){(int64_t)(ns / NSEC_PER_SEC),
					   (int64_t)(ns % NSEC_PER_SEC)};
		copy_to_user(uts, &left, sizeof left);
	}
	return ret;
}

/* --- epoll --- */

static long epoll_new(int flags)
{
	struct file *f;
	int err, fd;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if ((err = fd_check_room()) < 0)
		return err;
	if ((err = epoll_create_file(&f)) < 0)
		return err;
	if ((fd = fd_install(f, 0, flags & O_CLOEXEC)) < 0)
		file_put(f);
	return fd;
}

long sys_epoll_create(const struct sys_args *a)
{
	int size = (int)a->arg[0];

	if (size <= 0)
		return -EINVAL;
	return epoll_new(0);
}

long sys_epoll_create1(const struct sys_args *a)
{
	int flags = (int)a->arg[0];

	return epoll_new(flags);
}

long sys_epoll_ctl(const struct sys_args *a)
{
	int epfd = (int)a->arg[0];
	int op = (int)a->arg[1];
	int fd = (int)a->arg[2];
	const struct epoll_event __user *uev = (void __user *)a->arg[3];
	struct epoll_event ev;
	struct file *ep, *tf;
	long err;

	if (op != EPOLL_CTL_DEL &&
	    (err = copy_from_user(&ev, uev, sizeof ev)) < 0)
		return err;
	if (!(ep = fd_get(epfd)))
		return -EBADF;
	if (!(tf = fd_get(fd))) {
		file_put(ep);
		return -EBADF;
	}
	err = epoll_ctl_file(ep, op, fd, tf, op == EPOLL_CTL_DEL ? NULL : &ev);
	file_put(tf);
	file_put(ep);
	return err;
}

/* As Linux's do_epoll_wait(): the checks in its order. */
static long do_epoll_wait(int epfd, struct epoll_event __user *evs, int max,
			  bool nowait, uint64_t deadline)
{
	struct file *ep;
	long n;

	if (max <= 0 || max > EPOLL_MAX_EVENTS)
		return -EINVAL;
	/* Linux's access_ok(): in the user half; whether it is mapped shows
	 * when an event is written there */
	if ((uint64_t)evs + (uint64_t)max * sizeof *evs > USER_TOP)
		return -EFAULT;
	if (!(ep = fd_get(epfd)))
		return -EBADF;
	n = file_is_epoll(ep) ? epoll_wait_file(ep, evs, max, nowait, deadline)
			      : -EINVAL;
	file_put(ep);
	return n;
}

static long epoll_wait_ms(const struct sys_args *a, int timeout)
{
	if (timeout < 0)
		return do_epoll_wait((int)a->arg[0], (void __user *)a->arg[1],
				     (int)a->arg[2], false, 0);
	return do_epoll_wait((int)a->arg[0], (void __user *)a->arg[1],
			     (int)a->arg[2], timeout == 0,
			     deadline_after((uint64_t)timeout * 1000000));
}

long sys_epoll_wait(const struct sys_args *a)
{
	return epoll_wait_ms(a, (int)a->arg[3]);
}

long sys_epoll_pwait(const struct sys_args *a)
{
	long err = check_sigmask((const void __user *)a->arg[4], a->arg[5]);

	return err < 0 ? err : epoll_wait_ms(a, (int)a->arg[3]);
}

long sys_epoll_pwait2(const struct sys_args *a)
{
	const struct k_timespec __user *uts = (void __user *)a->arg[3];
	uint64_t ns = 0;
	long err;

	if (uts && (err = read_timespec(uts, &ns)) < 0)
		return err;
	if ((err = check_sigmask((const void __user *)a->arg[4], a->arg[5])) <
	    0)
		return err;
	return do_epoll_wait((int)a->arg[0], (void __user *)a->arg[1],
			     (int)a->arg[2], uts && ns == 0,
			     uts ? deadline_after(ns) : 0);
}

/* --- eventfd --- */

static long eventfd_new(unsigned int count, int flags)
{
	struct file *f;
	int err, fd;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	if ((err = fd_check_room()) < 0)
		return err;
	if ((err = eventfd_create(count, flags, &f)) < 0)
		return err;
	if ((fd = fd_install(f, 0, flags & O_CLOEXEC)) < 0)
		file_put(f);
	return fd;
}

long sys_eventfd(const struct sys_args *a)
{
	return eventfd_new((unsigned int)a->arg[0], 0);
}

long sys_eventfd2(const struct sys_args *a)
{
	return eventfd_new((unsigned int)a->arg[0], (int)a->arg[1]);
}
