# loader/: the Multiboot v1 loader. Its C is 64-bit code linked at 1 MiB;
# QEMU's -kernel refuses ELF64 files, so build/loader.elf is that link
# rewritten as ELF32 (objcopy), stripped. build/loader/loader64.elf keeps
# the symbols for gdb.

LOADER_PT_POOL ?= 10

LOADER_CFLAGS := -std=gnu11 -ffreestanding -nostdinc -isystem $(GCC_INC) \
	-m64 -mno-red-zone -mgeneral-regs-only -mcmodel=small -fno-pic \
	-fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-strict-aliasing -Os -g $(WARN) -MMD -MP -Iinclude -Ilib \
	-Ikernel/include -DLOADER_PT_POOL=$(LOADER_PT_POOL)
LOADER_LDFLAGS := -nostdlib -static -no-pie -Wl,-n -Wl,--build-id=none \
	-Wl,-z,noexecstack -T loader/loader.ld

LOADER_SRCS := loader/entry.S loader/main.c loader/serial.c loader/exit.c \
	loader/bootinfo.c loader/memory.c loader/acpi.c loader/image.c \
	loader/paging.c lib/mem.c lib/elf_check.c
LOADER_OBJS := $(patsubst %,$(BUILD)/loader/%.o,$(basename $(LOADER_SRCS)))

all: $(BUILD)/loader.elf

$(BUILD)/loader/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(LOADER_CFLAGS) -c -o $@ $<

$(BUILD)/loader/%.o: %.S
	@mkdir -p $(@D)
	$(Q)$(CC) $(LOADER_CFLAGS) -c -o $@ $<

$(BUILD)/loader/loader64.elf: $(LOADER_OBJS) loader/loader.ld
	$(Q)$(CC) $(LOADER_LDFLAGS) -o $@ $(LOADER_OBJS)

$(BUILD)/loader.elf: $(BUILD)/loader/loader64.elf
	$(Q)$(OBJCOPY) -O elf32-i386 --strip-all $< $@

include tests/loader/build.mk
