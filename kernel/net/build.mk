# kernel/net/: lwIP, fetched from Debian's source package at build time
# (mk/debsrc.sh, never committed) and reached as $(BUILD)/src/lwip, a link
# to the unpacked tree; and kiln's port of it (arch/cc.h, sys_arch.c,
# lwipopts.h, the netif glue).

LWIP_DIR := $(BUILD)/src/lwip
LWIP_STAMP := $(BUILD)/src/lwip.stamp

# What the kernel needs of lwIP: the core, IPv4 with ARP and DHCP, the
# netconn API and its tcpip thread, Ethernet. (Sockets, IPv6, the apps and
# the other link layers are not built.)
LWIP_SRCS := $(addprefix src/, \
	core/init.c core/def.c core/dns.c core/inet_chksum.c core/ip.c \
	core/mem.c core/memp.c core/netif.c core/pbuf.c core/raw.c \
	core/stats.c core/sys.c core/tcp.c core/tcp_in.c core/tcp_out.c \
	core/timeouts.c core/udp.c \
	core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c \
	core/ipv4/ip4.c core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c \
	api/api_lib.c api/api_msg.c api/err.c api/netbuf.c api/tcpip.c \
	netif/ethernet.c)
LWIP_OBJS := $(patsubst src/%.c,$(BUILD)/lwip/%.o,$(LWIP_SRCS))

NET_SRCS := $(sort $(wildcard kernel/net/*.c))
NET_OBJS := $(patsubst kernel/%.c,$(BUILD)/kernel/%.o,$(NET_SRCS))

# lwIP's headers, the port's (arch/, lwipopts.h) and <string.h> for lwIP.
NET_CFLAGS := -I$(LWIP_DIR)/src/include -Ikernel/net/include \
	-Ikernel/net/compat
# Third-party code: kernel flags, less the warnings lwIP's style trips.
LWIP_CFLAGS := $(KERNEL_CFLAGS) $(NET_CFLAGS) -Wno-unused-parameter \
	-Wno-sign-compare -Wno-address -Wno-type-limits \
	-Wno-implicit-fallthrough -Wno-missing-field-initializers

# Run once (init, DHCP, DNS, ARP's table upkeep): built for size, as the
# kernel's cold code; TCP, IP and checksums stay at -O2.
LWIP_COLD_OBJS := $(addprefix $(BUILD)/lwip/, core/init.o core/def.o \
	core/dns.o core/stats.o core/sys.o core/ipv4/dhcp.o \
	core/ipv4/ip4_frag.o core/ipv4/ip4_addr.o api/err.o api/netbuf.o \
	core/raw.o)
$(LWIP_COLD_OBJS): LWIP_CFLAGS += -Os

# Explicit targets, so not intermediate: make must never delete them.
$(addprefix $(LWIP_DIR)/,$(LWIP_SRCS)): | $(LWIP_STAMP) ;

# One line and a failed build when the source cannot be had.
$(LWIP_STAMP):
	$(Q)d=$$(sh mk/debsrc.sh lwip $(BUILD)/src/lwip-deb src/core/init.c) || \
		{ echo "kiln: cannot fetch the lwIP source: $$d" >&2; exit 1; }; \
	ln -sfn "$$(cd "$$d" && pwd)" $(LWIP_DIR) && touch $@

$(BUILD)/lwip/%.o: $(LWIP_DIR)/src/%.c kernel/net/include/lwipopts.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(LWIP_CFLAGS) -c -o $@ $<

$(NET_OBJS): KERNEL_PRIV_CFLAGS += $(NET_CFLAGS)
$(NET_OBJS): | $(LWIP_STAMP)

KERNEL_OBJS += $(LWIP_OBJS) $(NET_OBJS)
KERNEL_NET_OBJS += $(LWIP_OBJS) $(NET_OBJS)
$(BUILD)/kernel.dbg.elf: $(LWIP_OBJS) $(NET_OBJS)

# Host unit test of the mailboxes, semaphores and clock of sys_arch.c,
# over a fake scheduler (tests/unit/test_sys_arch.c).
UNIT_TESTS += test_sys_arch
UNIT_SRCS_test_sys_arch := kernel/net/sys_arch.c
UNIT_CFLAGS_test_sys_arch := -Ikernel/include -Ikernel \
	-I$(LWIP_DIR)/src/include -Ikernel/net/include
$(BUILD)/tests/unit/test_sys_arch: | $(LWIP_STAMP)
