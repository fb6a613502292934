/* Threads: creation on a fresh guarded stack, start, names, freeing. */
#include <kernel/arch.h>
#include <kernel/mm.h>
#include <kernel/panic.h>
#include <kernel/string.h>

#include "arch/x86_64/x86.h"
#include "sched/sched_priv.h"

_Static_assert(__builtin_offsetof(struct thread, rsp) == THREAD_OFF_RSP,
	       "switch.S reads thread->rsp at offset 0");

/* The boot flow's stack (arch/x86_64/boot.S), with its own guard page. */
extern char boot_stack_bottom[], boot_stack_top[];

struct thread boot_thread = {
	.state = THREAD_RUNNING,
	.static_boot = true,
	.kstack_bottom = (uintptr_t)boot_stack_bottom,
	.kstack_top = (uintptr_t)boot_stack_top,
	.id = 1,
	.name = "boot",
};

static uint32_t next_id = 2;

const char *thread_name(const struct thread *t)
{
	return t->name;
}

void thread_set_name(struct thread *t, const char *name)
{
	strlcpy(t->name, name, sizeof t->name);
	if (t == thread_current())
		this_cpu()->thread_name = t->name;
}

/*
 * The first switch_to() into a thread "returns" into thread_trampoline
 * (switch.S) with fn and arg in r12/r13 and 16 bytes of padding above, so
 * that the trampoline calls thread_start() with the stack 16-byte aligned
 * as the ABI wants. Stack, from the saved RSP up: r15 r14 r13 r12 rbx rbp,
 * return address, padding.
 */
static void initial_frame(struct thread *t, thread_fn fn, void *arg)
{
	uint64_t *sp = (uint64_t *)t->kstack_top;

	*--sp = 0;
	*--sp = 0;
	*--sp = (uint64_t)thread_trampoline;
	*--sp = 0;	       /* rbp: ends backtraces */
	*--sp = 0;	       /* rbx */
	*--sp = (uint64_t)fn;  /* r12 */
	*--sp = (uint64_t)arg; /* r13 */
	*--sp = 0;	       /* r14 */
	*--sp = 0;	       /* r15 */
	t->rsp = (uint64_t)sp;
}

struct thread *thread_alloc(const char *name, thread_fn fn, void *arg)
{
	struct thread *t = kzalloc(sizeof *t);
	uint64_t flags;

	if (!t)
		return NULL;
	if (kstack_alloc(&t->kstack_bottom, &t->kstack_top) < 0) {
		kfree(t);
		return NULL;
	}
	strlcpy(t->name, name, sizeof t->name);
	initial_frame(t, fn, arg);
	t->state = THREAD_BLOCKED; /* until queued */
	flags = spin_lock_irqsave(&sched_lock);
	t->id = next_id++;
	spin_unlock_irqrestore(&sched_lock, flags);
	return t;
}

struct thread *thread_create(const char *name, thread_fn fn, void *arg)
{
	struct thread *t = thread_alloc(name, fn, arg);
	uint64_t flags;

	if (!t)
		return NULL;
	flags = spin_lock_irqsave(&sched_lock);
	sched_enqueue_locked(t);
	spin_unlock_irqrestore(&sched_lock, flags);
	return t;
}

/* A new thread's first instructions after its first switch_to(): the
 * switch's bookkeeping, sched_lock released with interrupts on (not the
 * previous thread's flags: those belong to it), then fn. */
void thread_start(struct thread *prev, thread_fn fn, void *arg)
{
	sched_finish_switch(prev);
	spin_unlock_irqrestore(&sched_lock, RFLAGS_IF);
	fn(arg);
	thread_exit();
}

/* Called by the thread that runs after t died, on its own stack. */
void thread_free(struct thread *t)
{
	if (t->static_boot)
		panic("thread_free(%s)", t->name);
	kstack_free(t->kstack_bottom);
	kfree(t);
}
