# tools/kiln/: the kiln command-line tool, a host program: $(BUILD)/kiln.
# It does not need the loader or the kernel to build; it finds them at run
# time (tools/kiln/paths.c).

KILN_SRCS := $(wildcard tools/kiln/*.c)
KILN_OBJS := $(KILN_SRCS:tools/kiln/%.c=$(BUILD)/host/kiln/%.o) \
	$(BUILD)/host/kiln/lib/elf_check.o

all: $(BUILD)/kiln

$(BUILD)/kiln: $(KILN_OBJS)
	$(Q)$(HOSTCC) -o $@ $^

$(BUILD)/host/kiln/%.o: tools/kiln/%.c
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c -o $@ $<

$(BUILD)/host/kiln/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c -o $@ $<
