# Toolchain and flags. Guest code (loader, kernel) is freestanding; host code
# (kiln, unit tests) is ordinary hardened C.

V ?= 0
ifeq ($(V),1)
Q :=
else
Q := @
endif

CC ?= cc
HOSTCC ?= $(CC)
OBJCOPY ?= objcopy
MUSL_GCC ?= musl-gcc

WARN := -Wall -Wextra -Werror
GCC_INC := $(shell $(CC) -print-file-name=include)

# Kernel: high half, no red zone, general registers only (see
# ../shared/notes/kvm-on-this-machine.md: SSE at ring 0 is not safe everywhere),
# frame pointers kept for the panic backtrace.
KERNEL_CFLAGS := -std=gnu11 -ffreestanding -nostdinc -isystem $(GCC_INC) \
	-mno-red-zone -mcmodel=kernel -fno-pic -fno-pie -mgeneral-regs-only \
	-mno-popcnt -fno-stack-protector -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing \
	-O2 -g $(WARN) -MMD -MP -Iinclude -Ilib -Ikernel/include -I$(BUILD)/kernel
KERNEL_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=4096 \
	-z noexecstack -Wl,--build-id=none

HOST_CFLAGS := -std=gnu11 -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
	$(WARN) -MMD -MP -Iinclude -Ilib
SAN_CFLAGS := -std=gnu11 -O1 -g -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer $(WARN) -MMD -MP \
	-Iinclude -Ilib

# Booted tests and `make run` use TCG (see ../shared/notes/qemu-tcg.md).
QEMU ?= qemu-system-x86_64
