/* Stands in for kernel/sys/exec.c in the NIC test kernel: on the first
 * network device, ask QEMU's user-mode network for the gateway's MAC (ARP)
 * and an address (DHCP DISCOVER), receive the answers by interrupt, and
 * report them, the device's counters and the interrupts taken. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/exec.h>
#include <kernel/irq.h>
#include <kernel/log.h>
#include <kernel/power.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/time.h>

#include "dev/netdev.h"

#define ETH_ARP	       0x0806
#define ETH_IPV4       0x0800
#define ARP_REQUEST    1
#define ARP_REPLY      2
#define IP_UDP	       17
#define BOOTP_SERVER   67
#define BOOTP_CLIENT   68
#define BOOTP_REQUEST  1
#define BOOTP_REPLY    2
#define BOOTP_LEN      236 /* RFC 2131, figure 1, without options */
#define DHCP_MAGIC     0x63825363
#define DHCP_MSG_TYPE  53
#define DHCP_SERVER_ID 54
#define DHCP_PARAMS    55
#define DHCP_END       255
#define DHCP_DISCOVER  1
#define DHCP_OFFER     2
#define XID	       0x6b696c6e

#define GUEST_IP   0x0a00020f /* 10.0.2.15, what QEMU hands out first */
#define GATEWAY_IP 0x0a000202 /* 10.0.2.2, QEMU's gateway and server */
#define ARP_BURST  20	      /* more than any TX ring: reclaim must work */
#define WAIT_NS	   (5 * NSEC_PER_SEC)
#define RETRY_NS   (NSEC_PER_SEC / 2)

static struct {
	bool arp, offer;
	uint8_t gw_mac[6];
	uint32_t offered, server;
	unsigned frames;
} got;

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* The DHCP options of a BOOTP reply (RFC 2132): message type, server. */
static void dhcp_options(const uint8_t *o, size_t len, unsigned *type,
			 uint32_t *server)
{
	for (size_t i = 0; i < len && o[i] != DHCP_END;) {
		if (o[i] == 0) { /* pad */
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + o[i + 1] > len)
			return;
		if (o[i] == DHCP_MSG_TYPE && o[i + 1] >= 1)
			*type = o[i + 2];
		if (o[i] == DHCP_SERVER_ID && o[i + 1] >= 4)
			*server = be32(o + i + 2);
		i += 2 + o[i + 1];
	}
}

static void rx_ipv4(const uint8_t *ip, size_t len)
{
	size_t ihl = (ip[0] & 0xf) * 4u;
	unsigned type = 0;
	uint32_t server = 0;

	if (len < 20 || ihl < 20 || len < ihl + 8 || ip[9] != IP_UDP)
		return;
	const uint8_t *udp = ip + ihl, *bootp = udp + 8;
	size_t blen = len - ihl - 8;
	if (be16(udp + 2) != BOOTP_CLIENT || blen < BOOTP_LEN + 4 ||
	    bootp[0] != BOOTP_REPLY || be32(bootp + 4) != XID ||
	    be32(bootp + BOOTP_LEN) != DHCP_MAGIC)
		return;
	dhcp_options(bootp + BOOTP_LEN + 4, blen - BOOTP_LEN - 4, &type,
		     &server);
	if (type == DHCP_OFFER) {
		got.offered = be32(bootp + 16); /* yiaddr */
		got.server = server;
		got.offer = true;
	}
}

static bool rx(struct netdev *nd, const void *frame, size_t len, void *arg)
{
	const uint8_t *f = frame;

	(void)nd;
	(void)arg;
	got.frames++;
	if (be16(f + 12) == ETH_ARP && len >= 14 + 28) {
		const uint8_t *a = f + 14;
		if (be16(a + 6) == ARP_REPLY && be32(a + 14) == GATEWAY_IP) {
			memcpy(got.gw_mac, a + 8, 6);
			got.arp = true;
		}
	} else if (be16(f + 12) == ETH_IPV4) {
		rx_ipv4(f + 14, len - 14);
	}
	return true;
}

static void eth_header(uint8_t *f, const struct netdev *nd, uint16_t type)
{
	memset(f, 0xff, 6); /* broadcast */
	memcpy(f + 6, nd->mac, 6);
	put16(f + 12, type);
}

static void wake_only(void *arg __unused)
{
}

/* Halt (interrupts on) until an interrupt, or until deadline at the
 * latest: the kernel has no periodic tick, so a one-shot timer bounds the
 * wait. */
static void halt_until(uint64_t deadline)
{
	struct timer t = {0};

	timer_arm(&t, deadline, wake_only, NULL);
	cpu_idle();
	timer_cancel(&t);
}

/* Send, waiting (interrupts on) while the device's queue is full. */
static int send(struct netdev *nd, const struct netdev_frag *frags, unsigned n)
{
	uint64_t deadline = clock_monotonic_ns() + NSEC_PER_SEC;
	int err;

	while ((err = netdev_transmit(nd, frags, n)) == -EAGAIN &&
	       clock_monotonic_ns() < deadline)
		halt_until(deadline);
	return err;
}

static int send_arp(struct netdev *nd)
{
	uint8_t f[42];
	uint8_t *a = f + 14;

	eth_header(f, nd, ETH_ARP);
	put16(a, 1); /* Ethernet */
	put16(a + 2, ETH_IPV4);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, ARP_REQUEST);
	memcpy(a + 8, nd->mac, 6);
	put32(a + 14, GUEST_IP);
	memset(a + 18, 0, 6);
	put32(a + 24, GATEWAY_IP);
	return send(nd, &(struct netdev_frag){f, sizeof f}, 1);
}

static uint16_t ip_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += be16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Headers and payload in two pieces, as a network stack hands them. */
static int send_discover(struct netdev *nd)
{
	static const uint8_t opts[] = {
		0x63,
		0x82,
		0x53,
		0x63,
		DHCP_MSG_TYPE,
		1,
		DHCP_DISCOVER,
		DHCP_PARAMS,
		3,
		1,
		3,
		6,
		DHCP_END,
	};
	uint8_t hdr[14 + 20 + 8], bootp[BOOTP_LEN + sizeof opts];
	uint8_t *ip = hdr + 14, *udp = ip + 20;

	memset(bootp, 0, sizeof bootp);
	bootp[0] = BOOTP_REQUEST;
	bootp[1] = 1; /* Ethernet */
	bootp[2] = 6;
	put32(bootp + 4, XID);
	put16(bootp + 10, 0x8000); /* answer by broadcast */
	memcpy(bootp + 28, nd->mac, 6);
	memcpy(bootp + BOOTP_LEN, opts, sizeof opts);

	eth_header(hdr, nd, ETH_IPV4);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + 8 + sizeof bootp));
	ip[8] = 64;
	ip[9] = IP_UDP;
	put32(ip + 12, 0);
	put32(ip + 16, 0xffffffff);
	put16(ip + 10, ip_checksum(ip, 20));
	put16(udp, BOOTP_CLIENT);
	put16(udp + 2, BOOTP_SERVER);
	put16(udp + 4, (uint16_t)(8 + sizeof bootp));
	put16(udp + 6, 0); /* no UDP checksum (RFC 768) */
	struct netdev_frag frags[2] = {{hdr, sizeof hdr},
				       {bootp, sizeof bootp}};
	return send(nd, frags, 2);
}

static uint64_t device_interrupts(void)
{
	uint64_t n = 0;

	for (unsigned v = IRQ_VECTOR_FIRST; v <= IRQ_VECTOR_LAST; v++)
		n += this_cpu()->irq_count[v];
	return n;
}

static void ip_str(char *buf, uint32_t ip)
{
	snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
		 (ip >> 8) & 0xff, ip & 0xff);
}

static void report(const struct netdev *nd, unsigned burst_sent)
{
	const struct netdev_stats *s = &nd->stats;
	char a[16], b[16];

	kprintf("nic: %s (%s): %u ARP requests sent, %u frames received\n",
		nd->name, nd->driver, burst_sent, got.frames);
	if (got.arp)
		kprintf("nic: ARP reply: 10.0.2.2 is at "
			"%02x:%02x:%02x:%02x:%02x:%02x\n",
			got.gw_mac[0], got.gw_mac[1], got.gw_mac[2],
			got.gw_mac[3], got.gw_mac[4], got.gw_mac[5]);
	if (got.offer) {
		ip_str(a, got.offered);
		ip_str(b, got.server);
		kprintf("nic: DHCP offer: address %s, server %s\n", a, b);
	}
	kprintf("nic: stats rx_packets %lu rx_bytes %lu tx_packets %lu "
		"tx_bytes %lu rx_dropped %lu rx_bad_len %lu tx_errors %lu\n",
		s->rx_packets, s->rx_bytes, s->tx_packets, s->tx_bytes,
		s->rx_dropped, s->rx_bad_len, s->tx_errors);
	kprintf("nic: device interrupts %lu\n", device_interrupts());
}

void exec_start_app(const struct kiln_boot_info *bi __unused,
		    const struct kcmdline *cl __unused)
{
	struct netdev *nd = netdev_first();
	unsigned sent = 0;

	if (!nd) {
		kprintf("nic: no network device\n");
		machine_exit(3);
	}
	netdev_set_rx(nd, rx, NULL);
	irq_enable();
	for (unsigned i = 0; i < ARP_BURST; i++)
		sent += send_arp(nd) == 0;
	send_discover(nd);

	/* Nothing polls the device: frames arrive through its interrupt
	 * handler while this CPU halts. Ask again now and then: QEMU's
	 * network may not be listening yet. */
	uint64_t start = clock_monotonic_ns(), retry = start + RETRY_NS;
	while ((!got.arp || !got.offer) &&
	       clock_monotonic_ns() < start + WAIT_NS) {
		halt_until(MIN(retry, start + WAIT_NS));
		if (clock_monotonic_ns() < retry)
			continue;
		retry += RETRY_NS;
		if (!got.arp)
			send_arp(nd);
		if (!got.offer)
			send_discover(nd);
	}
	irq_disable();
	report(nd, sent);
	machine_exit(got.arp && got.offer ? 0 : 1);
}
