/* x86-64 CPU state, per-CPU data and small privileged helpers. */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

#include <kernel/types.h>

/*
 * Registers saved on interrupt, exception and syscall entry, in stack order
 * (lowest address first). The last five are the hardware frame; for a
 * syscall the entry code fills them in as if an interrupt had happened so
 * that one return path (iretq or sysretq) serves both.
 */
struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector; /* interrupt vector, or TRAP_SYSCALL */
	uint64_t error;	 /* CPU error code, or 0 */
	uint64_t rip, cs, rflags, rsp, ss;
};
#define TRAP_SYSCALL 0x100

/* Selectors (arch/x86_64/gdt.c). Order fixed by STAR for syscall/sysret:
 * kernel CS, kernel SS, user SS (=STAR[63:48]+8), user CS (+16). */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA (0x18 | 3)
#define SEL_UCODE (0x20 | 3)
#define SEL_TSS 0x28

static inline bool trap_from_user(const struct trapframe *tf)
{
	return (tf->cs & 3) == 3;
}

/*
 * Per-CPU data, reached through GS (kernel GS base) while in the kernel.
 * The first fields are read by assembly at fixed offsets: keep them first.
 * CPU 0 (the boot CPU) is static; each AP's is allocated by smp_start().
 */
#define MAX_CPUS 64 /* by design; more in the MADT are logged and left off */
struct cpu_tables;
struct cpu {
	struct cpu *self;	 /* 0x00: %gs:0 */
	uint64_t kstack_top;	 /* 0x08: syscall entry loads this into %rsp */
	uint64_t user_rsp;	 /* 0x10: user %rsp saved by syscall entry */
	uint64_t scratch;	 /* 0x18 */
	uint32_t id;		 /* logical CPU number, 0 = boot CPU */
	uint32_t apic_id;
	const char *thread_name; /* what runs now, for panic reports */
	struct thread *thread;	 /* what runs now (sched/), NULL before */
	struct cpu_tables *tables; /* GDT, TSS, IST stacks (gdt.c) */
	uint64_t irq_count[256]; /* interrupts taken per vector */
};
#define CPU_OFF_KSTACK_TOP 0x08
#define CPU_OFF_USER_RSP 0x10

struct cpu *this_cpu(void);
/* CPUs in the MADT until smp_start(), then the CPUs running: ids 0 to
 * ncpus - 1, each with cpus[id] set. */
extern unsigned int ncpus;
extern struct cpu *cpus[MAX_CPUS];

/* --- MSRs (Intel SDM Vol. 4) --- */
#define MSR_EFER 0xc0000080
#define EFER_SCE (1ULL << 0)
#define EFER_NXE (1ULL << 11)
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_APIC_BASE 0x1b

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)));
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void) { __asm__ volatile("pause"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
/* Wait for the next interrupt with interrupts enabled. */
static inline void cpu_idle(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

/* CPU features the kernel may use (arch/x86_64/cpu.c), set by cpu_init(). */
struct cpu_features {
	bool rdrand, rdseed, fsgsbase, xsave, avx, x2apic, tsc_deadline;
	bool invariant_tsc;
};
extern struct cpu_features cpu_has;

/* A 64-bit hardware random number, false when RDRAND is absent or failed. */
bool arch_random64(uint64_t *out);

/* --- boot and traps (arch/x86_64) --- */

/* GDT, TSS (with IST stacks for #DF, NMI, #MC) and IDT on this CPU; SSE
 * and (where offered) XSAVE/AVX enabled for the application; FSGSBASE
 * enabled where offered; syscall MSRs programmed. */
void cpu_init(void);
/* The same for an application processor, on that CPU (smp.c). */
void cpu_init_ap(struct cpu *c);

/* Enter ring 3 at rip with rsp; never returns. The kernel stack of this
 * CPU is reset to its top. */
__noreturn void arch_enter_user(uint64_t rip, uint64_t rsp);

/* Where entries from ring 3 land on this CPU: TSS.RSP0 (interrupts) and
 * kstack_top (syscall). The scheduler sets it to each thread's stack top
 * as it switches. */
void arch_set_kernel_stack(uint64_t top);

/* Interrupt controller and timer (arch/x86_64/apic.c, tsc.c). */
struct kiln_boot_info;
void acpi_init(const struct kiln_boot_info *bi); /* MADT, FADT; sets ncpus */
void apic_init(void);		      /* xAPIC (or x2APIC), I/O APIC masked */
/* Start the other CPUs of the MADT (INIT/SIPI/SIPI, arch/x86_64/smp.c):
 * each runs its idle thread. After sched_init() and apic_timer_init();
 * sets ncpus to the CPUs running. A CPU that does not come up within
 * its timeout is logged and left off. */
void smp_start(void);
/* IPIs (apic.c): a fixed vector to one CPU (by id). */
void apic_send_ipi(unsigned cpu, uint8_t vector);
/* Interrupt every other running CPU and wait until each has taken the
 * interrupt (a serialising event: a full barrier there; tlb.c). For
 * membarrier. Kernel lock held, interrupts on. */
void cpu_sync_all(void);
void tsc_calibration_start(void);     /* first in kmain: starts the PIT */
void tsc_init(void);		      /* calibrate against the PIT */
/* CLOCK_REALTIME from the CMOS RTC; clock_realtime_ns() calls it on
 * first use, so boot does not pay for it. */
void rtc_init(void);

/*
 * Hooks the trap code calls into the syscall layer (kernel/sys/):
 *   syscall_dispatch: every `syscall` from ring 3; returns rax.
 *   user_page_fault: a #PF at a user address (from ring 3, or from the
 *     kernel while copying user memory); returns 0 when it mapped the page
 *     (demand paging), negative when the access is invalid.
 *   user_fatal_fault: an exception from ring 3 that user_page_fault could
 *     not resolve; reports one line and ends the application with 128+sig.
 */
struct trapframe;
uint64_t syscall_dispatch(struct trapframe *tf);
int user_page_fault(uint64_t addr, uint64_t error);
__noreturn void user_fatal_fault(struct trapframe *tf, int signo,
				 uint64_t addr);

#endif
