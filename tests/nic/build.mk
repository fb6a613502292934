# The NIC test kernel: the real kernel objects (PCI, the drivers, netdev),
# with exec.o replaced by tests/nic/nic_exec.c, which talks ARP and DHCP to
# QEMU's user-mode network instead of starting an application.
NIC_DIR := $(BUILD)/tests/nic
NIC_OBJS := $(filter-out $(BUILD)/kernel/sys/exec.o,$(KERNEL_OBJS)) \
	$(NIC_DIR)/nic_exec.o

$(NIC_DIR)/nic_exec.o: tests/nic/nic_exec.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) $(KERNEL_PRIV_CFLAGS) -c -o $@ $<

$(NIC_DIR)/kernel.elf: $(NIC_OBJS) kernel/kernel.ld
	$(Q)$(CC) $(KERNEL_LDFLAGS) -T kernel/kernel.ld -o $@.dbg $(NIC_OBJS)
	$(Q)$(OBJCOPY) --strip-debug $@.dbg $@

TEST_DEPS += $(NIC_DIR)/kernel.elf
