/* lwIP's operating-system layer (sys_arch) over kiln's kernel threads. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/random.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/time.h>

#include "arch/x86_64/x86.h"
#include "lwip/sys.h"

/*
 * The shape is lwIP's unix port (contrib/ports/unix/port/sys_arch.c) and
 * the contract lwIP's doc/sys_arch.txt: timeouts are in milliseconds, 0
 * meaning "forever"; a wait returns the milliseconds it took or
 * SYS_ARCH_TIMEOUT.
 */

static uint64_t deadline_after_ms(u32_t timeout_ms)
{
	return timeout_ms ? clock_monotonic_ns() + timeout_ms * 1000000ULL : 0;
}

static u32_t ms_since(uint64_t start_ns)
{
	return (u32_t)((clock_monotonic_ns() - start_ns) / 1000000);
}

void sys_init(void)
{
}

u32_t sys_now(void)
{
	return (u32_t)(clock_monotonic_ns() / 1000000);
}

u32_t sys_jiffies(void)
{
	return (u32_t)(clock_monotonic_ns() / 1000000);
}

/* --- semaphores --- */

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
	sem_init(&sem->sem, count);
	sem->valid = true;
	return ERR_OK;
}

void sys_sem_signal(sys_sem_t *sem)
{
	sem_up(&sem->sem);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout_ms)
{
	uint64_t start = clock_monotonic_ns();

	if (sem_down(&sem->sem, deadline_after_ms(timeout_ms)) < 0)
		return SYS_ARCH_TIMEOUT;
	return ms_since(start);
}

void sys_sem_free(sys_sem_t *sem)
{
	sem->valid = false;
}

int sys_sem_valid(sys_sem_t *sem)
{
	return sem && sem->valid;
}

void sys_sem_set_invalid(sys_sem_t *sem)
{
	sem->valid = false;
}

/* --- mutexes --- */

err_t sys_mutex_new(sys_mutex_t *m)
{
	mutex_init(&m->mutex);
	m->valid = true;
	return ERR_OK;
}

void sys_mutex_lock(sys_mutex_t *m)
{
	mutex_lock(&m->mutex);
}

void sys_mutex_unlock(sys_mutex_t *m)
{
	mutex_unlock(&m->mutex);
}

void sys_mutex_free(sys_mutex_t *m)
{
	m->valid = false;
}

int sys_mutex_valid(sys_mutex_t *m)
{
	return m && m->valid;
}

void sys_mutex_set_invalid(sys_mutex_t *m)
{
	m->valid = false;
}

/* --- mailboxes: a bounded ring under a spinlock, two wait queues --- */

err_t sys_mbox_new(sys_mbox_t *mb, int size)
{
	if (size <= 0)
		size = 32;
	mb->msgs = kmalloc((size_t)size * sizeof(void *));
	if (!mb->msgs)
		return ERR_MEM;
	mb->size = (unsigned)size;
	mb->head = mb->count = 0;
	mb->lock = (struct spinlock)SPINLOCK_INIT;
	waitq_init(&mb->not_empty);
	waitq_init(&mb->not_full);
	mb->valid = true;
	return ERR_OK;
}

/* Put msg in when there is room; true when it went in. */
static bool mbox_put(sys_mbox_t *mb, void *msg)
{
	uint64_t flags = spin_lock_irqsave(&mb->lock);
	bool ok = mb->count < mb->size;

	if (ok) {
		mb->msgs[(mb->head + mb->count) % mb->size] = msg;
		mb->count++;
	}
	spin_unlock_irqrestore(&mb->lock, flags);
	if (ok)
		waitq_wake_one(&mb->not_empty);
	return ok;
}

/* Take the oldest message when there is one; true when one came out. */
static bool mbox_get(sys_mbox_t *mb, void **msg)
{
	uint64_t flags = spin_lock_irqsave(&mb->lock);
	bool ok = mb->count > 0;

	if (ok) {
		void *m = mb->msgs[mb->head];

		if (msg)
			*msg = m;
		mb->head = (mb->head + 1) % mb->size;
		mb->count--;
	}
	spin_unlock_irqrestore(&mb->lock, flags);
	if (ok)
		waitq_wake_one(&mb->not_full);
	return ok;
}

void sys_mbox_post(sys_mbox_t *mb, void *msg)
{
	for (;;) {
		waitq_prepare(&mb->not_full);
		if (mbox_put(mb, msg)) {
			waitq_cancel(&mb->not_full);
			return;
		}
		waitq_wait(&mb->not_full, 0);
	}
}

err_t sys_mbox_trypost(sys_mbox_t *mb, void *msg)
{
	return mbox_put(mb, msg) ? ERR_OK : ERR_MEM;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mb, void *msg)
{
	return sys_mbox_trypost(mb, msg);
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mb, void **msg, u32_t timeout_ms)
{
	uint64_t start = clock_monotonic_ns();
	uint64_t deadline = deadline_after_ms(timeout_ms);

	for (;;) {
		waitq_prepare(&mb->not_empty);
		if (mbox_get(mb, msg)) {
			waitq_cancel(&mb->not_empty);
			return ms_since(start);
		}
		if (waitq_wait(&mb->not_empty, deadline) == -ETIMEDOUT &&
		    !mbox_get(mb, msg))
			return SYS_ARCH_TIMEOUT;
	}
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mb, void **msg)
{
	return mbox_get(mb, msg) ? 0 : SYS_MBOX_EMPTY;
}

void sys_mbox_free(sys_mbox_t *mb)
{
	kfree(mb->msgs);
	mb->msgs = NULL;
	mb->valid = false;
}

int sys_mbox_valid(sys_mbox_t *mb)
{
	return mb && mb->valid;
}

void sys_mbox_set_invalid(sys_mbox_t *mb)
{
	mb->valid = false;
}

/* --- threads --- */

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg,
			    int stacksize, int prio)
{
	struct thread *t;

	(void)stacksize; /* every kernel thread has a 16 KiB stack */
	(void)prio;	 /* one FIFO run queue */
	t = thread_create(name, fn, arg);
	if (!t)
		panic("lwIP: no memory for thread %s", name);
	return t;
}

/*
 * SYS_ARCH_PROTECT: lwIP's short critical sections (pbuf reference
 * counts, pool lists), which may nest (doc/sys_arch.txt). Interrupts off
 * is the whole exclusion, on SMP too: lwIP runs only in threads holding
 * the kernel lock (the tcpip and receive threads, socket calls; see
 * kernel/sched.h), never in an interrupt handler, so no other CPU is in
 * lwIP meanwhile. Finer kernel locking must give this a lock with an
 * owner and a depth.
 */
sys_prot_t sys_arch_protect(void)
{
	sys_prot_t flags = read_rflags();

	irq_disable();
	return flags;
}

void sys_arch_unprotect(sys_prot_t flags)
{
	if (flags & RFLAGS_IF)
		irq_enable();
}

/* --- what arch/cc.h and lwipopts.h name --- */

unsigned int net_rand(void)
{
	unsigned int r;

	random_fill(&r, sizeof r);
	return r;
}

void net_assert_failed(const char *file, int line)
{
	panic("lwIP assertion failed at %s:%d", file, line);
}

void *net_malloc(size_t size)
{
	return kmalloc(size);
}

void net_free(void *p)
{
	kfree(p);
}

void *net_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kzalloc(n * size);
}
