# The scheduler test kernel: the real kernel objects, with exec.o replaced
# by tests/sched/sched_exec.c, which runs the scheduler's tests on the boot
# thread instead of starting an application.
SCHED_TEST_DIR := $(BUILD)/tests/sched
SCHED_TEST_OBJS := $(filter-out $(BUILD)/kernel/sys/exec.o,$(KERNEL_OBJS)) \
	$(SCHED_TEST_DIR)/sched_exec.o

$(SCHED_TEST_DIR)/sched_exec.o: tests/sched/sched_exec.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) $(KERNEL_PRIV_CFLAGS) -c -o $@ $<

$(SCHED_TEST_DIR)/kernel.elf: $(SCHED_TEST_OBJS) kernel/kernel.ld
	$(Q)$(CC) $(KERNEL_LDFLAGS) -T kernel/kernel.ld -o $@.dbg $(SCHED_TEST_OBJS)
	$(Q)$(OBJCOPY) --strip-debug $@.dbg $@

TEST_DEPS += $(SCHED_TEST_DIR)/kernel.elf
