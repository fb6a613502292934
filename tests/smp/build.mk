# The SMP test kernel: the real kernel objects, with exec.o replaced by
# tests/smp/smp_exec.c, which runs kernel threads on every CPU and checks
# counters, the kernel lock, sleeps and TLB shootdown.
SMP_TEST_DIR := $(BUILD)/tests/smp
SMP_TEST_OBJS := $(filter-out $(BUILD)/kernel/sys/exec.o,$(KERNEL_OBJS)) \
	$(SMP_TEST_DIR)/smp_exec.o

$(SMP_TEST_DIR)/smp_exec.o: tests/smp/smp_exec.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) $(KERNEL_PRIV_CFLAGS) -c -o $@ $<

$(SMP_TEST_DIR)/kernel.elf: $(SMP_TEST_OBJS) kernel/kernel.ld
	$(Q)$(CC) $(KERNEL_LDFLAGS) -T kernel/kernel.ld -o $@.dbg $(SMP_TEST_OBJS)
	$(Q)$(OBJCOPY) --strip-debug $@.dbg $@

TEST_DEPS += $(SMP_TEST_DIR)/kernel.elf
