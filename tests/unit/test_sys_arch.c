/* Host tests of lwIP's mailboxes and clock in kernel/net/sys_arch.c, over a
 * fake scheduler (nothing here blocks for real) and clock. */
#include <stdlib.h>
#include <string.h>

#include <kernel/errno.h>
#include <kernel/panic.h>

#include "lwip/sys.h"
#include "unit.h"

/* --- shim --- */

static uint64_t now_ns;
static int waits, wakes;

uint64_t clock_monotonic_ns(void)
{
	return now_ns;
}

void *kmalloc(size_t size)
{
	return malloc(size);
}

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *p)
{
	free(p);
}

void random_fill(void *buf, size_t n)
{
	memset(buf, 0x5a, n);
}

uint64_t spin_lock_irqsave(struct spinlock *l)
{
	l->locked++;
	return 0;
}

void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	(void)flags;
	l->locked--;
}

void waitq_init(struct waitq *wq)
{
	wq->head = wq->tail = NULL;
}

void waitq_prepare(struct waitq *wq)
{
	(void)wq;
}

void waitq_cancel(struct waitq *wq)
{
	(void)wq;
}

/* Nobody else runs: a wait with a deadline times out there, one without
 * would hang (a test bug). */
int waitq_wait(struct waitq *wq, uint64_t deadline_ns)
{
	(void)wq;
	waits++;
	if (!deadline_ns)
		panic("waitq_wait forever on the host");
	now_ns = deadline_ns;
	return -ETIMEDOUT;
}

void waitq_wake_one(struct waitq *wq)
{
	(void)wq;
	wakes++;
}

void sem_init(struct semaphore *s, int64_t count)
{
	s->count = count;
}

int sem_down(struct semaphore *s, uint64_t deadline_ns)
{
	if (s->count > 0) {
		s->count--;
		return 0;
	}
	now_ns = deadline_ns;
	return -ETIMEDOUT;
}

void sem_up(struct semaphore *s)
{
	s->count++;
}

void mutex_init(struct mutex *m)
{
	m->owner = NULL;
}

void mutex_lock(struct mutex *m)
{
	(void)m;
}

void mutex_unlock(struct mutex *m)
{
	(void)m;
}

struct thread *thread_create(const char *name, thread_fn fn, void *arg)
{
	(void)name;
	(void)fn;
	(void)arg;
	return NULL;
}

/* --- tests --- */

TEST(sys_now_is_the_monotonic_clock_in_ms)
{
	now_ns = 1234567890123ULL;
	CHECK(sys_now() == 1234567);
}

TEST(mbox_is_fifo_and_wraps)
{
	sys_mbox_t mb;
	void *m;
	int vals[8];

	CHECK(sys_mbox_new(&mb, 3) == ERR_OK && sys_mbox_valid(&mb));
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 2; i++)
			CHECK(sys_mbox_trypost(&mb, &vals[round * 2 + i]) ==
			      ERR_OK);
		for (int i = 0; i < 2; i++) {
			CHECK(sys_arch_mbox_tryfetch(&mb, &m) == 0);
			CHECK(m == &vals[round * 2 + i]);
		}
	}
	CHECK(mb.lock.locked == 0);
	sys_mbox_free(&mb);
	CHECK(!sys_mbox_valid(&mb));
}

TEST(mbox_full_refuses_trypost_and_empty_tryfetch)
{
	sys_mbox_t mb;
	int a, b;
	void *m;

	CHECK(sys_mbox_new(&mb, 2) == ERR_OK);
	CHECK(sys_arch_mbox_tryfetch(&mb, &m) == SYS_MBOX_EMPTY);
	CHECK(sys_mbox_trypost(&mb, &a) == ERR_OK);
	CHECK(sys_mbox_trypost_fromisr(&mb, &b) == ERR_OK);
	CHECK(sys_mbox_trypost(&mb, &a) == ERR_MEM);
	/* A fetch that makes room wakes a poster. */
	wakes = 0;
	CHECK(sys_arch_mbox_tryfetch(&mb, NULL) == 0);
	CHECK(wakes == 1);
	CHECK(sys_arch_mbox_tryfetch(&mb, &m) == 0 && m == &b);
	sys_mbox_free(&mb);
}

TEST(mbox_fetch_with_timeout_times_out)
{
	sys_mbox_t mb;
	void *m = &mb;

	CHECK(sys_mbox_new(&mb, 4) == ERR_OK);
	now_ns = 5000000;
	waits = 0;
	CHECK(sys_arch_mbox_fetch(&mb, &m, 30) == SYS_ARCH_TIMEOUT);
	CHECK(waits == 1);
	CHECK(now_ns == 35000000); /* waited until the deadline */
	CHECK(m == &mb);	   /* untouched */
	sys_mbox_free(&mb);
}

TEST(mbox_fetch_returns_at_once_with_a_message)
{
	sys_mbox_t mb;
	int a;
	void *m;

	CHECK(sys_mbox_new(&mb, 4) == ERR_OK);
	sys_mbox_post(&mb, &a);
	waits = 0;
	CHECK(sys_arch_mbox_fetch(&mb, &m, 0) == 0);
	CHECK(m == &a && waits == 0);
	sys_mbox_free(&mb);
}

TEST(sem_wait_times_out_or_counts)
{
	sys_sem_t s;

	CHECK(sys_sem_new(&s, 1) == ERR_OK && sys_sem_valid(&s));
	CHECK(sys_arch_sem_wait(&s, 10) == 0);
	CHECK(sys_arch_sem_wait(&s, 10) == SYS_ARCH_TIMEOUT);
	sys_sem_signal(&s);
	CHECK(sys_arch_sem_wait(&s, 0) == 0);
	sys_sem_free(&s);
	CHECK(!sys_sem_valid(&s));
}

TEST(invalid_objects_are_not_valid)
{
	sys_mbox_t mb;
	sys_mutex_t mx;

	sys_mbox_set_invalid(&mb);
	sys_mutex_set_invalid(&mx);
	CHECK(!sys_mbox_valid(&mb) && !sys_mutex_valid(&mx));
	CHECK(!sys_mbox_valid(NULL));
}
