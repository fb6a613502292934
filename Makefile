# kiln: one non-recursive Makefile. Each part adds its targets in build.mk.
#   make            build kiln, the loader, the kernel and the examples
#   make run        boot examples/$(APP) on QEMU (APP=hello by default)
#   make test       host unit tests, then booted tests; last line "N passed, N failed"
#   make bench      figures beside a Linux guest and a host process
#   make install    kiln onto PATH under $(PREFIX)

BUILD ?= build
PREFIX ?= /usr/local
APP ?= hello
# kiln run flags per example: echo listens on 8080 (host 127.0.0.1:8080)
KILN_RUN_FLAGS_echo := -p 8080
KILN_RUN_FLAGS_echo-epoll := -p 8080

include mk/config.mk

all:

include lib/build.mk
include loader/build.mk
include kernel/build.mk
include kernel/net/build.mk
include kernel/sys/build.mk
include tools/kiln/build.mk
include examples/build.mk
include bench/build.mk
include tests/panic/build.mk
include tests/nic/build.mk
include tests/sched/build.mk
include tests/smp/build.mk
include tests/net/build.mk
include tests/build.mk

.PHONY: all deps run test bench install format clean

deps:
	$(Q)sh mk/deps.sh

run: deps all
	$(Q)$(BUILD)/kiln run $(KILN_RUN_FLAGS_$(APP)) $(BUILD)/examples/$(APP).img

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/kiln
	install -m 755 $(BUILD)/kiln $(DESTDIR)$(PREFIX)/bin/kiln
	install -m 644 $(BUILD)/loader.elf $(BUILD)/kernel.elf \
		$(BUILD)/kernel-min.elf $(DESTDIR)$(PREFIX)/lib/kiln/

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_test_rule,$(t))))
