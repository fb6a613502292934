# lib/: freestanding code shared by the loader, the kernel, kiln and the unit
# tests. Each consumer compiles these sources with its own flags.
LIB_SRCS := lib/elf_check.c
