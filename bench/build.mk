# make bench: kiln beside a Linux guest and a host process, one table
# (bench/run.sh). Never fails the build: a figure that cannot be taken is a
# FAIL cell with its reason. QUICK=1 takes fewer repetitions.

BENCH_DIR := $(BUILD)/bench
FLOOR := $(BENCH_DIR)/floor.elf
BENCH_TIMER := $(BENCH_DIR)/timer
BENCH_ECHO := $(BENCH_DIR)/echo-client
BENCH_INIT := $(BENCH_DIR)/linux/init

$(FLOOR): bench/floor/floor.S
	@mkdir -p $(@D)
	$(Q)$(CC) -m32 -c -o $(@:.elf=.o) $<
	$(Q)ld -m elf_i386 -Ttext=0x100000 --build-id=none -o $@ $(@:.elf=.o)

$(BENCH_TIMER): bench/timer.c bench/loopback.c
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $^

$(BENCH_ECHO): bench/echo_client.c bench/loopback.c
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $^

# The Linux guest's /init: a static musl program, like the one it runs.
$(BENCH_INIT): bench/linux/init.c
	@mkdir -p $(@D)
	$(Q)$(MUSL_GCC) -static -O2 $(WARN) -o $@ $<

bench: all $(FLOOR) $(BENCH_TIMER) $(BENCH_ECHO) $(BENCH_INIT)
	-$(Q)BUILD=$(BUILD) QEMU=$(QEMU) QUICK=$(QUICK) bash bench/run.sh
