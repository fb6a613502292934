# examples/: each examples/<name>/*.c is an ordinary static musl program,
# packed with the kernel into $(BUILD)/examples/<name>.img.
#   make examples          build every example image
#   make run APP=<name>    boot one (top Makefile)

EXAMPLES := hello echo echo-epoll echo-threads
EXAMPLE_CFLAGS := -static -O2 -Wall -Wextra -Werror
EXAMPLE_CFLAGS_echo-threads := -pthread
EXAMPLE_IMGS := $(EXAMPLES:%=$(BUILD)/examples/%.img)

define example_rule
$(BUILD)/examples/$(1): $(wildcard examples/$(1)/*.c)
	@mkdir -p $$(@D)
	$$(Q)$$(MUSL_GCC) $$(EXAMPLE_CFLAGS) $$(EXAMPLE_CFLAGS_$(1)) -o $$@ \
		$$(filter %.c,$$^)

$(BUILD)/examples/$(1).img: $(BUILD)/examples/$(1) $(BUILD)/kiln \
		$(BUILD)/kernel.elf
	$$(Q)$(BUILD)/kiln pack $$< -o $$@
endef

$(foreach e,$(EXAMPLES),$(eval $(call example_rule,$(e))))

all: examples
examples: $(EXAMPLE_IMGS)

.PHONY: examples
