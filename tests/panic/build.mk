# The panic test kernel: the real kernel objects, with exec.o replaced by a
# stand-in that faults in ring 0 (tests/panic/fault_exec.c).
PANIC_DIR := $(BUILD)/tests/panic
PANIC_OBJS := $(filter-out $(BUILD)/kernel/sys/exec.o,$(KERNEL_OBJS)) \
	$(PANIC_DIR)/fault_exec.o

$(PANIC_DIR)/fault_exec.o: tests/panic/fault_exec.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) $(KERNEL_PRIV_CFLAGS) -c -o $@ $<

$(PANIC_DIR)/kernel.elf: $(PANIC_OBJS) kernel/kernel.ld
	$(Q)$(CC) $(KERNEL_LDFLAGS) -T kernel/kernel.ld -o $@.dbg $(PANIC_OBJS)
	$(Q)$(OBJCOPY) --strip-debug $@.dbg $@

TEST_DEPS += $(PANIC_DIR)/kernel.elf
