# Tests: host unit tests (ASan/UBSan) and booted tests, run by tests/run.sh.
#
# A unit test binary is build/tests/unit/<name>, made from
# tests/unit/<name>.c, the harness (unit_main.c) and the real sources it
# lists in UNIT_SRCS_<name>. Parts add themselves with:
#   UNIT_TESTS += <name>
#   UNIT_SRCS_<name> := lib/foo.c ...
#   UNIT_CFLAGS_<name> := -Ikernel/include ...   (optional)

UNIT_DIR := $(BUILD)/tests/unit

define unit_test_rule
$(UNIT_DIR)/$(1): tests/unit/$(1).c tests/unit/unit_main.c $$(UNIT_SRCS_$(1)) tests/unit/unit.h
	@mkdir -p $$(@D)
	$$(Q)$$(HOSTCC) $$(SAN_CFLAGS) -Itests/unit $$(UNIT_CFLAGS_$(1)) -o $$@ \
		tests/unit/$(1).c tests/unit/unit_main.c $$(UNIT_SRCS_$(1))
endef

unit-tests: $(addprefix $(UNIT_DIR)/,$(UNIT_TESTS))

test: all unit-tests $(TEST_DEPS)
	$(Q)BUILD=$(BUILD) UNIT_TESTS="$(UNIT_TESTS)" sh tests/run.sh

.PHONY: unit-tests
