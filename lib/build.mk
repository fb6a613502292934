# lib/: freestanding code shared by the loader, the kernel, kiln and the unit
# tests. Each consumer names the sources it needs and compiles them with its
# own flags.

# lib/kcmdline.c is the kernel's (kernel/build.mk picks it up); its host test:
UNIT_TESTS += test_kcmdline
UNIT_SRCS_test_kcmdline := lib/kcmdline.c

UNIT_TESTS += test_elf_section
UNIT_SRCS_test_elf_section := lib/elf_section.c

# lib/cpio.c: the newc reader, shared by the kernel (the packed root file
# system) and kiln (checking a given archive).
UNIT_TESTS += test_cpio
UNIT_SRCS_test_cpio := lib/cpio.c
