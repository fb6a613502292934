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
unsigned int user_threads;

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
static void initial_frame(struct thread *t, uint64_t top, thread_fn fn,
			  void *arg)
{
	uint64_t *sp = (uint64_t *)top;

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

/* A thread with its stack and id, not yet given anything to run. */
static struct thread *thread_new(const char *name)
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
	t->state = THREAD_BLOCKED; /* until queued */
	flags = spin_lock_irqsave(&sched_lock);
	t->id = next_id++;
	spin_unlock_irqrestore(&sched_lock, flags);
	return t;
}

struct thread *thread_alloc(const char *name, thread_fn fn, void *arg)
{
	struct thread *t = thread_new(name);

	if (t)
		initial_frame(t, t->kstack_top, fn, arg);
	return t;
}

/* trap_return (arch/x86_64/entry.S) restores the frame at %rsp and leaves
 * with IRETQ, to ring 3 here (SWAPGS first). Interrupts stay off until
 * IRETQ loads the frame's RFLAGS. */
static __noreturn void enter_user_frame(void *tf)
{
	__asm__ volatile("cli\n\t"
			 "movq %0, %%rsp\n\t"
			 "jmp trap_return" ::"r"(tf)
			 : "memory");
	__builtin_unreachable();
}

/*
 * The new thread's user registers sit at the very top of its kernel stack
 * (where its first entry from ring 3 will build its next frame), its
 * first switch_to() frame below them.
 */
struct thread *thread_clone_user(const char *name, const struct trapframe *tf,
				 uint64_t fs_base, uint64_t gs_base)
{
	struct thread *t = thread_new(name);
	struct trapframe *utf;

	if (!t)
		return NULL;
	if (fpu_alloc(t) < 0) {
		kstack_free(t->kstack_bottom);
		kfree(t);
		return NULL;
	}
	/* Linux starts a clone with its parent's FPU state, which the
	 * registers hold: the parent is the thread making the call. */
	fpu_copy_live(t);
	utf = (struct trapframe *)(t->kstack_top - sizeof *utf);
	*utf = *tf;
	initial_frame(t, (uint64_t)utf, enter_user_frame, utf);
	t->user = true;
	t->fs_base = fs_base;
	t->gs_base = gs_base;
	return t;
}

void thread_start_user(struct thread *t)
{
	uint64_t flags = spin_lock_irqsave(&sched_lock);

	__atomic_add_fetch(&user_threads, 1, __ATOMIC_RELAXED);
	sched_enqueue_locked(t);
	spin_unlock_irqrestore(&sched_lock, flags);
}

unsigned int thread_user_count(void)
{
	return __atomic_load_n(&user_threads, __ATOMIC_RELAXED);
}

uint32_t thread_id(const struct thread *t)
{
	return t->id;
}

void *thread_user_data(const struct thread *t)
{
	return t->user_data;
}

void thread_set_user_data(struct thread *t, void *data)
{
	t->user_data = data;
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
	timer_cancel(&t->slice_timer);
	if (t->fpu_alloc)
		fpu_free(t);
	/* The boot flow's struct and stack are static: the application's
	 * first thread may exit before the others. */
	if (t->static_boot) {
		if (!t->user)
			panic("thread_free(%s)", t->name);
		return;
	}
	kstack_free(t->kstack_bottom);
	kfree(t);
}
