/* Per-CPU state and set-up: features, segments, FPU/SSE, syscall MSRs. */
#include <kernel/arch.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/x86.h"

/* CPUID feature bits (Intel SDM Vol. 2A, CPUID, tables 3-10, 3-11, 3-8). */
#define CPUID1_ECX_X2APIC		(1U << 21)
#define CPUID1_ECX_TSC_DEADLINE		(1U << 24)
#define CPUID1_ECX_XSAVE		(1U << 26)
#define CPUID1_ECX_AVX			(1U << 28)
#define CPUID1_ECX_RDRAND		(1U << 30)
#define CPUID7_EBX_FSGSBASE		(1U << 0)
#define CPUID7_EBX_SMEP			(1U << 7)
#define CPUID7_EBX_RDSEED		(1U << 18)
#define CPUID80000007_EDX_INVARIANT_TSC (1U << 8)

#define MXCSR_DEFAULT 0x1f80 /* all SIMD exceptions masked, round nearest */
#define FCW_DEFAULT   0x037f /* x87: all masked, 64-bit precision, nearest */

/* FXSAVE area (SDM Vol. 1, 10.5.1, table 10-2); only the control words
 * are non-zero in the state we load. */
static struct {
	uint16_t fcw;
	uint16_t fsw;
	uint8_t ftw; /* abridged: 0 = all registers empty */
	uint8_t reserved;
	uint16_t fop;
	uint64_t fip, fdp;
	uint32_t mxcsr, mxcsr_mask;
	uint8_t regs[480];
} fxstate __aligned(16);
_Static_assert(sizeof(fxstate) == 512, "FXSAVE area layout");

/* The syscall entry point (kernel/sys/entry.S). */
extern char syscall_entry[];
extern char boot_stack_top[];

struct cpu_features cpu_has;
struct cpu cpu0; /* in .bss: boot.S sets .self before kmain() */
struct cpu *cpus[MAX_CPUS] = {&cpu0};
static bool has_smep;

struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__("movq %%gs:0, %0" : "=r"(c));
	return c;
}

static void detect_features(void)
{
	uint32_t max = cpuid(0, 0).eax;
	struct cpuid_regs r1 = cpuid(1, 0);

	cpu_has.x2apic = r1.ecx & CPUID1_ECX_X2APIC;
	cpu_has.tsc_deadline = r1.ecx & CPUID1_ECX_TSC_DEADLINE;
	cpu_has.xsave = r1.ecx & CPUID1_ECX_XSAVE;
	cpu_has.rdrand = r1.ecx & CPUID1_ECX_RDRAND;
	if (max >= 7) {
		struct cpuid_regs r7 = cpuid(7, 0);
		cpu_has.fsgsbase = r7.ebx & CPUID7_EBX_FSGSBASE;
		cpu_has.rdseed = r7.ebx & CPUID7_EBX_RDSEED;
		has_smep = r7.ebx & CPUID7_EBX_SMEP;
	}
	/*
	 * QEMU (7.2, TCG) treats CR4.OSXSAVE as reserved unless CPUID
	 * (0xd, 1):EAX lists an XSAVE extension, and then loops on the
	 * MOV to CR4 instead of raising #GP: `-cpu qemu64,xsave` offers
	 * XSAVE without any. Use XSAVE only with an extension listed (every
	 * CPU since Sandy Bridge has XSAVEOPT); without it the application
	 * sees OSXSAVE clear and keeps to FXSAVE-era SSE, which is enough.
	 */
	if (cpu_has.xsave && (max < 0xd || cpuid(0xd, 1).eax == 0))
		cpu_has.xsave = false;
	/* AVX only with XSAVE and the OS-enabled YMM state (below). */
	if (cpu_has.xsave && (r1.ecx & CPUID1_ECX_AVX))
		cpu_has.avx = cpuid(0xd, 0).eax & XCR0_AVX;
	if (cpuid(0x80000000, 0).eax >= 0x80000007)
		cpu_has.invariant_tsc = cpuid(0x80000007, 0).edx &
					CPUID80000007_EDX_INVARIANT_TSC;
}

/*
 * x87 and SSE for the application (the kernel itself uses general
 * registers only, so nothing here is saved on kernel entry): CR0.MP and NE
 * set, EM and TS clear; CR4.OSFXSR/OSXMMEXCPT; XSAVE with x87|SSE(|AVX)
 * in XCR0 where offered (SDM Vol. 3A, 13.1 and 13.3).
 */
static void fpu_init(void)
{
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;

	write_cr0((read_cr0() | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS));
	if (cpu_has.xsave)
		cr4 |= CR4_OSXSAVE;
	if (cpu_has.fsgsbase)
		cr4 |= CR4_FSGSBASE;
	if (has_smep)
		cr4 |= CR4_SMEP;
	write_cr4(cr4);
	if (cpu_has.xsave)
		xsetbv(0, XCR0_X87 | XCR0_SSE | (cpu_has.avx ? XCR0_AVX : 0));

	/* The application's first x87/SSE state, as Linux starts a process:
	 * FCW 0x37f (FNINIT's), MXCSR 0x1f80, registers zero. Loaded with
	 * FXRSTOR rather than FNINIT/LDMXCSR: x87 and SSE instructions need
	 * not be emulable at ring 0 under every hypervisor (PVM). */
	fxstate.fcw = FCW_DEFAULT;
	fxstate.mxcsr = MXCSR_DEFAULT;
	__asm__ volatile("fxrstor %0" ::"m"(fxstate));
}

/*
 * SYSCALL/SYSRET (SDM Vol. 3A, 5.8.8): STAR[47:32] = kernel CS (SS is
 * +8), STAR[63:48] + 8 = user SS and + 16 = user CS, both RPL 3. SFMASK
 * clears IF, DF, TF and AC on entry.
 */
static void syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR,
	      ((uint64_t)(SEL_UDATA - 8) << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC);
}

/* What every CPU sets up for itself, the IDT aside. */
static void cpu_setup(struct cpu *c)
{
	gdt_init(c);
	/* In the kernel GS points at struct cpu; the application's GS and FS
	 * bases start at 0 (SWAPGS on the way out exchanges GS). */
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_FS_BASE, 0);
	fpu_init();
	syscall_init();
}

void cpu_init(void)
{
	struct cpu *c = &cpu0;

	detect_features();
	c->thread_name = "boot";
	c->kstack_top = (uint64_t)boot_stack_top;
	idt_init();
	cpu_setup(c);
}

/* The boot CPU's features stand for all: QEMU and real machines give
 * every CPU of a package the same CPUID. */
void cpu_init_ap(struct cpu *c)
{
	idt_load();
	cpu_setup(c);
}

bool arch_random64(uint64_t *out)
{
	if (!cpu_has.rdrand)
		return false;
	/* RDRAND may transiently fail; 10 tries is Intel's advice (DRNG
	 * software implementation guide, 5.2.1). */
	for (int i = 0; i < 10; i++) {
		uint64_t v;
		uint8_t ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
		if (ok) {
			*out = v;
			return true;
		}
	}
	return false;
}
