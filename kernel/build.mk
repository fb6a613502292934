# kernel/: the library OS, linked into build/kernel.elf.
#
# kernel/fs/, kernel/sched/ and kernel/sys/ (the syscall layer) join by
# wildcard so that their files link as they appear. kernel/<dir>/x.c builds
# into build/kernel/<dir>/x.o; the shared lib/ sources into
# build/kernel/common/.

KERNEL_SRCS := \
	kernel/main.c \
	kernel/image_desc.c \
	kernel/arch/x86_64/boot.S \
	kernel/arch/x86_64/cpu.c \
	kernel/arch/x86_64/gdt.c \
	kernel/arch/x86_64/idt.c \
	kernel/arch/x86_64/entry.S \
	kernel/arch/x86_64/trap.c \
	kernel/arch/x86_64/user.S \
	kernel/arch/x86_64/acpi.c \
	kernel/arch/x86_64/apic.c \
	kernel/arch/x86_64/tsc.c \
	kernel/arch/x86_64/rtc.c \
	kernel/arch/x86_64/power.c \
	kernel/arch/x86_64/irq.c \
	kernel/arch/x86_64/smp.c \
	kernel/arch/x86_64/trampoline.S \
	kernel/arch/x86_64/tlb.c \
	kernel/dev/serial.c \
	kernel/dev/pci.c \
	kernel/dev/pci_irq.c \
	kernel/dev/netdev.c \
	kernel/dev/virtio/virtqueue.c \
	kernel/dev/virtio/virtio_pci.c \
	kernel/dev/virtio/virtio_net.c \
	kernel/dev/rtl8139/rtl8139.c \
	kernel/dev/rtl8139/rtl8139_rx.c \
	kernel/lib/string.c \
	kernel/lib/printf.c \
	kernel/lib/log.c \
	kernel/lib/panic.c \
	kernel/lib/ksym.c \
	kernel/mm/pmm.c \
	kernel/mm/vmm.c \
	kernel/mm/heap.c \
	kernel/mm/meminfo.c \
	$(sort $(wildcard kernel/fs/*.c)) \
	$(sort $(wildcard kernel/sched/*.c kernel/sched/*.S)) \
	$(sort $(wildcard kernel/sys/*.c kernel/sys/*.S))
KERNEL_COMMON_SRCS := lib/elf_check.c lib/elf_section.c lib/kcmdline.c \
	lib/cpio.c lib/mem.c

KERNEL_OBJS := \
	$(patsubst kernel/%,$(BUILD)/kernel/%.o,$(basename $(KERNEL_SRCS))) \
	$(patsubst lib/%.c,$(BUILD)/kernel/common/%.o,$(KERNEL_COMMON_SRCS))

# What only networking needs: the NIC drivers here, lwIP and its glue
# (kernel/net/build.mk adds them). kernel-min.elf is the kernel without
# them, for programs that do not use the network: `kiln pack` chooses.
KERNEL_NET_OBJS := $(addprefix $(BUILD)/kernel/, dev/netdev.o \
	dev/virtio/virtqueue.o dev/virtio/virtio_pci.o \
	dev/virtio/virtio_net.o dev/rtl8139/rtl8139.o \
	dev/rtl8139/rtl8139_rx.o)

# -Ikernel: kernel-private headers by path ("mm/mm_priv.h").
KERNEL_PRIV_CFLAGS := -Ikernel

# Code that runs once (boot, reports) or rarely is built for size: the
# hello image must stay under 100 KB, and under TCG its speed does not
# show. What every syscall, interrupt or page fault runs stays at -O2
# (file data too: read, write, the path walk), but operations by name
# (open, stat, mkdir: one walk and a few checks) are built for size;
# the NIC drivers are the exception: they are mostly probe code, and what
# they do per frame is a memcpy.
KERNEL_COLD_OBJS := $(addprefix $(BUILD)/kernel/, \
	main.o arch/x86_64/acpi.o arch/x86_64/apic.o arch/x86_64/cpu.o \
	arch/x86_64/gdt.o arch/x86_64/idt.o arch/x86_64/power.o \
	arch/x86_64/rtc.o arch/x86_64/tsc.o lib/printf.o lib/log.o \
	lib/panic.o lib/ksym.o common/elf_check.o common/elf_section.o common/kcmdline.o \
	common/cpio.o fs/rootfs.o fs/procfs.o fs/devfs.o fs/console.o \
	fs/namei.o fs/ramfs.o sys/path.o sys/sys_fs.o sys/sys_stat.o \
	arch/x86_64/irq.o dev/pci.o dev/pci_irq.o dev/netdev.o \
	dev/virtio/virtqueue.o dev/virtio/virtio_pci.o dev/virtio/virtio_net.o \
	dev/rtl8139/rtl8139.o dev/rtl8139/rtl8139_rx.o)
$(KERNEL_COLD_OBJS): KERNEL_PRIV_CFLAGS += -Os

all: $(BUILD)/kernel.elf $(BUILD)/kernel-min.elf

# kernel.dbg.elf keeps the DWARF for gdb; kernel.elf, which kiln packs into
# every image, keeps only .symtab/.strtab (panic backtraces need them).
$(BUILD)/kernel.dbg.elf: $(KERNEL_OBJS) kernel/kernel.ld
	$(Q)$(CC) $(KERNEL_LDFLAGS) -T kernel/kernel.ld -o $@ $(KERNEL_OBJS)

$(BUILD)/kernel.elf: $(BUILD)/kernel.dbg.elf
	$(Q)$(OBJCOPY) --strip-debug $< $@

KERNEL_MIN_OBJS = $(filter-out $(KERNEL_NET_OBJS),$(KERNEL_OBJS)) \
	$(BUILD)/kernel/net_none.o
$(BUILD)/kernel-min.dbg.elf: $(KERNEL_MIN_OBJS) kernel/kernel.ld
	$(Q)$(CC) $(KERNEL_LDFLAGS) -T kernel/kernel.ld -o $@ $(KERNEL_MIN_OBJS)

$(BUILD)/kernel-min.elf: $(BUILD)/kernel-min.dbg.elf
	$(Q)$(OBJCOPY) --strip-debug $< $@

$(BUILD)/kernel/%.o: kernel/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) $(KERNEL_PRIV_CFLAGS) -c -o $@ $<

$(BUILD)/kernel/%.o: kernel/%.S
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) $(KERNEL_PRIV_CFLAGS) -c -o $@ $<

$(BUILD)/kernel/common/%.o: lib/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) $(KERNEL_PRIV_CFLAGS) -c -o $@ $<

# Host unit tests of the allocators, against the real sources.
UNIT_TESTS += test_pmm test_heap
UNIT_SRCS_test_pmm := kernel/mm/pmm.c
UNIT_CFLAGS_test_pmm := -Ikernel/include -Ikernel
UNIT_SRCS_test_heap := kernel/mm/heap.c
UNIT_CFLAGS_test_heap := -Ikernel/include -Ikernel

# Host unit tests of the VFS path walk, name operations and ramfs.
UNIT_TESTS += test_vfs
UNIT_SRCS_test_vfs := kernel/fs/vfs.c kernel/fs/namei.c kernel/fs/file.c \
	kernel/fs/ramfs.c kernel/fs/ramfs_data.c
UNIT_CFLAGS_test_vfs := -Ikernel/include -Ikernel

# Host unit tests of the NIC code that needs no hardware: split-virtqueue
# bookkeeping and RTL8139 receive-ring parsing.
UNIT_TESTS += test_virtqueue test_rtl8139_rx
UNIT_SRCS_test_virtqueue := kernel/dev/virtio/virtqueue.c
UNIT_CFLAGS_test_virtqueue := -Ikernel/include -Ikernel
UNIT_SRCS_test_rtl8139_rx := kernel/dev/rtl8139/rtl8139_rx.c
UNIT_CFLAGS_test_rtl8139_rx := -Ikernel/include -Ikernel

# Host unit tests of the timer list and the wait queues, against the real
# sources with a fake clock, APIC timer and scheduler.
UNIT_TESTS += test_timer test_waitq
UNIT_SRCS_test_timer := kernel/sched/timer.c
UNIT_CFLAGS_test_timer := -Ikernel/include -Ikernel
UNIT_SRCS_test_waitq := kernel/sched/waitq.c kernel/sched/timer.c
UNIT_CFLAGS_test_waitq := -Ikernel/include -Ikernel

# Host unit tests of epoll and eventfd over fake files.
UNIT_TESTS += test_epoll
UNIT_SRCS_test_epoll := kernel/fs/epoll.c kernel/fs/eventfd.c kernel/fs/poll.c \
	kernel/fs/anon_inode.c
UNIT_CFLAGS_test_epoll := -Ikernel/include -Ikernel
