/* A stand-in loader.elf for the CLI tests: obeys its command line. */
/*
 * Multiboot v1 (Multiboot Specification 0.6.96, section 3.1.1 header,
 * 3.3 boot information). QEMU boots it with -kernel; `kiln run` passes
 * the -append line, whose words after "--" are the orders:
 *   exit N        write "kiln-exit N" to COM2, then isa-debug-exit N
 *   debugexit N   only isa-debug-exit N (QEMU exits (N << 1) | 1)
 *   triple        triple fault (QEMU with -no-reboot exits 0)
 *   hang          spin forever (for --timeout)
 *   echo          print the boot command line and module 0's string on
 *                 COM1, then exit 0
 * Built with gcc -m32 by tests/cli/run.sh; never part of a product.
 */
#include <stdint.h>

#define MB_MAGIC 0x1badb002u
#define MB_FLAGS 0x3u /* page-aligned modules, memory info */
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODS (1u << 3)

#define COM1 0x3f8
#define COM2 0x2f8
#define DEBUG_EXIT 0xf4

__attribute__((section(".multiboot"), used, aligned(4)))
static const uint32_t mb_header[3] = { MB_MAGIC, MB_FLAGS,
				       -(MB_MAGIC + MB_FLAGS) };

__attribute__((used)) static uint8_t stack[4096] __attribute__((aligned(16)));

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static void puts_port(uint16_t port, const char *s)
{
	for (; *s; s++)
		outb(port, (uint8_t)*s);
}

static void put_uint(uint16_t port, unsigned v)
{
	char buf[12], *p = buf + sizeof buf - 1;

	*p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	puts_port(port, p);
}

static int word_is(const char *s, const char *w)
{
	while (*w && *s == *w)
		s++, w++;
	return *w == '\0' && (*s == ' ' || *s == '\0');
}

static unsigned number_after(const char *s)
{
	unsigned v = 0;

	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned)(*s++ - '0');
	return v;
}

static void leave(unsigned status, int with_line)
{
	if (with_line) {
		puts_port(COM2, "kiln-exit ");
		put_uint(COM2, status);
		puts_port(COM2, "\n");
	}
	outl(DEBUG_EXIT, status & 0x7f);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void triple_fault(void)
{
	static const uint16_t empty_idt[3];

	__asm__ volatile("lidt %0; int3" : : "m"(empty_idt));
}

__attribute__((used)) static void fake_main(uint32_t magic,
					     const uint32_t *info)
{
	const char *cmd = "";
	const char *orders;

	if (magic != 0x2badb002u)
		leave(99, 1);
	if (info[0] & MB_INFO_CMDLINE)
		cmd = (const char *)(uintptr_t)info[4];
	for (orders = cmd; *orders; orders++)
		if (orders[0] == '-' && orders[1] == '-' &&
		    (orders[2] == ' ' || orders[2] == '\0') &&
		    (orders == cmd || orders[-1] == ' '))
			break;
	orders += orders[0] ? 2 : 0;
	while (*orders == ' ')
		orders++;

	if (word_is(orders, "exit"))
		leave(number_after(orders), 1);
	if (word_is(orders, "debugexit"))
		leave(number_after(orders), 0);
	if (word_is(orders, "triple"))
		triple_fault();
	if (word_is(orders, "hang"))
		for (;;)
			__asm__ volatile("pause");
	if (word_is(orders, "echo")) {
		puts_port(COM1, "cmdline: ");
		puts_port(COM1, cmd);
		puts_port(COM1, "\n");
		if ((info[0] & MB_INFO_MODS) && info[5] > 0) {
			const uint32_t *mod =
				(const uint32_t *)(uintptr_t)info[6];

			puts_port(COM1, "module: ");
			puts_port(COM1, (const char *)(uintptr_t)mod[2]);
			puts_port(COM1, "\n");
		}
		leave(0, 1);
	}
	leave(98, 1);
}

/* Multiboot enters with no stack: make one, then call C. */
__attribute__((naked, used)) void _start(void)
{
	__asm__ volatile("mov $stack + 4096, %esp\n\t"
			 "push %ebx\n\t"
			 "push %eax\n\t"
			 "call fake_main\n\t"
			 "1: hlt\n\t"
			 "jmp 1b");
}
