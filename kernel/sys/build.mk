# kernel/sys/: its sources join the kernel through kernel/build.mk's
# wildcard; this file registers their host unit tests.
UNIT_TESTS += test_uvm
UNIT_SRCS_test_uvm := kernel/sys/uvm.c kernel/sys/uvm_map.c kernel/sys/uaccess.c
UNIT_CFLAGS_test_uvm := -Ikernel/include -Ikernel
UNIT_TESTS += test_futex
UNIT_SRCS_test_futex := kernel/sys/futex.c
UNIT_CFLAGS_test_futex := -Ikernel/include -Ikernel

UNIT_TESTS += test_unix_ring
UNIT_SRCS_test_unix_ring := kernel/sys/unix_ring.c
UNIT_CFLAGS_test_unix_ring := -Ikernel/include -Ikernel
