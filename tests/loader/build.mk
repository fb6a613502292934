# tests/loader/: the loader's test kernel, a small ELF64 linked like the
# kernel that checks the boot-info block it is handed (run.sh boots it).

TK_DIR := $(BUILD)/tests/loader
TK_OBJS := $(TK_DIR)/tk_entry.o $(TK_DIR)/testkernel.o

$(TK_DIR)/tk_entry.o: tests/loader/tk_entry.S
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c -o $@ $<

$(TK_DIR)/testkernel.o: tests/loader/testkernel.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c -o $@ $<

$(TK_DIR)/testkernel.elf: $(TK_OBJS) tests/loader/testkernel.ld
	$(Q)$(CC) $(KERNEL_LDFLAGS) -T tests/loader/testkernel.ld -o $@ \
		$(TK_OBJS)

TEST_DEPS += $(TK_DIR)/testkernel.elf
