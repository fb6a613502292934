# tools/kiln/: the kiln command-line tool, a host program: $(BUILD)/kiln.
# It does not need the loader or the kernel to build; it finds them at run
# time (tools/kiln/paths.c).

KILN_SRCS := $(wildcard tools/kiln/*.c)
KILN_OBJS := $(KILN_SRCS:tools/kiln/%.c=$(BUILD)/host/kiln/%.o) \
	$(BUILD)/host/kiln/lib/elf_check.o $(BUILD)/host/kiln/lib/cpio.o \
	$(BUILD)/host/kiln/lib/kcmdline.o $(BUILD)/host/kiln/lib/elf_section.o

all: $(BUILD)/kiln

$(BUILD)/kiln: $(KILN_OBJS)
	$(Q)$(HOSTCC) -o $@ $^

$(BUILD)/host/kiln/%.o: tools/kiln/%.c
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c -o $@ $<

$(BUILD)/host/kiln/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c -o $@ $<

# Unit tests (tests/build.mk): the tool's sources without main.c, with the
# kernel's command-line parser to check the quoting round trip, and the
# kernel's cpio reader and section lookup to read back what kiln writes; and
# the ELF checker, which kiln is the first host user of.
UNIT_TESTS += test_kiln_opts test_elf_check
UNIT_SRCS_test_kiln_opts := $(filter-out tools/kiln/main.c,$(KILN_SRCS)) \
	lib/elf_check.c lib/kcmdline.c lib/cpio.c lib/elf_section.c
UNIT_CFLAGS_test_kiln_opts := -Itools/kiln
UNIT_SRCS_test_elf_check := lib/elf_check.c

# The root file system writer, read back with the kernel's cpio reader.
UNIT_TESTS += test_kiln_rootfs
UNIT_SRCS_test_kiln_rootfs := tools/kiln/rootfs.c tools/kiln/rootfs_write.c \
	tools/kiln/file.c tools/kiln/opts.c tools/kiln/util.c lib/cpio.c
UNIT_CFLAGS_test_kiln_rootfs := -Itools/kiln
