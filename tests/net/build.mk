# The network test kernel: the real kernel objects (lwIP, the netif glue,
# the drivers), with exec.o replaced by tests/net/net_exec.c, which pings
# QEMU's gateway through lwIP and serves TCP echo through netconn.
NETT_DIR := $(BUILD)/tests/net
NETT_OBJS := $(filter-out $(BUILD)/kernel/sys/exec.o,$(KERNEL_OBJS)) \
	$(NETT_DIR)/net_exec.o

$(NETT_DIR)/net_exec.o: tests/net/net_exec.c | $(LWIP_STAMP)
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) $(KERNEL_PRIV_CFLAGS) $(NET_CFLAGS) -c -o $@ $<

$(NETT_DIR)/kernel.elf: $(NETT_OBJS) kernel/kernel.ld
	$(Q)$(CC) $(KERNEL_LDFLAGS) -T kernel/kernel.ld -o $@.dbg $(NETT_OBJS)
	$(Q)$(OBJCOPY) --strip-debug $@.dbg $@

TEST_DEPS += $(NETT_DIR)/kernel.elf
