# make bench: figures for kiln beside the firmware floor (and, from the bench
# issue on, a Linux guest and a host process). Never fails the build.

FLOOR := $(BUILD)/bench/floor.elf

$(FLOOR): bench/floor/floor.S
	@mkdir -p $(@D)
	$(Q)$(CC) -m32 -c -o $(@:.elf=.o) $<
	$(Q)ld -m elf_i386 -Ttext=0x100000 --build-id=none -o $@ $(@:.elf=.o)

bench: all $(FLOOR)
	$(Q)BUILD=$(BUILD) QEMU=$(QEMU) bash bench/run.sh
