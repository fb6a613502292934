/* One lwIP network interface per NIC: frames in and out, addresses, DNS. */
#include <kernel/errno.h>
#include <kernel/fs.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/net.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/time.h>

#include "dev/netdev.h"
#include "kcmdline.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

/*
 * This is the only file that sees both the drivers' netdev and lwIP
 * (STYLE.md). Receive: the driver's callback runs in interrupt context,
 * where lwIP must not be entered and the heap must not be touched, so it
 * copies the frame into a fixed ring and wakes this NIC's receive thread,
 * which moves frames into pbufs and feeds them to lwIP under the core lock
 * (LWIP_TCPIP_CORE_LOCKING_INPUT: no hop through the tcpip thread). A
 * full ring refuses the frame: the driver leaves it in the device, which
 * stops taking frames once its own buffers are full (QEMU then holds them
 * back), and the thread asks the driver to go on once it has made room
 * (netdev_rx_resume). Dropping instead costs a TCP retransmission timeout
 * (a second or more) for every lost segment of a burst of connections.
 * Transmit: lwIP's linkoutput hands the pbuf chain to netdev_transmit()
 * as fragments; the driver copies them.
 */

#define RX_RING_SLOTS 16 /* frames between interrupt and thread: with
			  * backpressure, more buys no speed (64 MiB bulk:
			  * 1.75 s at 64, 1.79 s at 16) */
#define TX_FRAGS_MAX  16 /* longer chains are copied into one buffer */
#define TX_RETRY_NS   (20 * 1000000ULL) /* then drop: TCP resends */

struct rx_slot {
	uint16_t len;
	uint8_t *data; /* mtu + 14 bytes */
};

struct kiln_netif {
	struct netif nif;
	struct netdev *nd;
	/* The receive ring: the interrupt handler fills at head + count,
	 * the thread empties at head. */
	struct spinlock rx_lock;
	struct rx_slot rx[RX_RING_SLOTS];
	unsigned rx_head, rx_count;
	bool rx_stalled; /* a frame was refused: resume the driver */
	struct waitq rx_wait;
	uint8_t *tx_bounce; /* for chains of more than TX_FRAGS_MAX */
};

static struct semaphore lease_sem = SEMAPHORE_INIT(0);
static uint32_t logged_ip; /* the address last logged, network order */

/* --- receive --- */

static bool rx_irq(struct netdev *nd, const void *frame, size_t len, void *arg)
{
	struct kiln_netif *kn = arg;
	struct rx_slot *slot;

	(void)nd;
	spin_lock(&kn->rx_lock);
	if (kn->rx_count == RX_RING_SLOTS) {
		kn->rx_stalled = true;
		spin_unlock(&kn->rx_lock);
		return false;
	}
	slot = &kn->rx[(kn->rx_head + kn->rx_count) % RX_RING_SLOTS];
	memcpy(slot->data, frame, len);
	slot->len = (uint16_t)len;
	kn->rx_count++;
	spin_unlock(&kn->rx_lock);
	waitq_wake_one(&kn->rx_wait);
	return true;
}

/* The oldest queued frame into a new pbuf, or NULL when the ring is empty
 * (*empty set) or memory is short (the frame is dropped). */
static struct pbuf *rx_take(struct kiln_netif *kn, bool *empty)
{
	struct rx_slot *slot;
	struct pbuf *p;
	uint64_t flags;
	bool resume;

	flags = spin_lock_irqsave(&kn->rx_lock);
	*empty = kn->rx_count == 0;
	spin_unlock_irqrestore(&kn->rx_lock, flags);
	if (*empty)
		return NULL;
	/* Only this thread moves rx_head: the slot stays put until then. */
	slot = &kn->rx[kn->rx_head];
	p = pbuf_alloc(PBUF_RAW, slot->len, PBUF_RAM);
	if (p)
		memcpy(p->payload, slot->data, slot->len);
	else
		kn->nd->stats.rx_dropped++;
	flags = spin_lock_irqsave(&kn->rx_lock);
	kn->rx_head = (kn->rx_head + 1) % RX_RING_SLOTS;
	kn->rx_count--;
	resume = kn->rx_stalled;
	kn->rx_stalled = false;
	spin_unlock_irqrestore(&kn->rx_lock, flags);
	/* Outside rx_lock: the driver's resume calls rx_irq. */
	if (resume)
		netdev_rx_resume(kn->nd);
	return p;
}

static void rx_thread(void *arg)
{
	struct kiln_netif *kn = arg;

	for (;;) {
		struct pbuf *p;
		bool empty;

		waitq_prepare(&kn->rx_wait);
		p = rx_take(kn, &empty);
		if (empty) {
			waitq_wait(&kn->rx_wait, 0);
			continue;
		}
		waitq_cancel(&kn->rx_wait);
		if (p && kn->nif.input(p, &kn->nif) != ERR_OK)
			pbuf_free(p);
	}
}

/* --- transmit --- */

static err_t linkoutput(struct netif *nif, struct pbuf *p)
{
	struct kiln_netif *kn = nif->state;
	struct netdev_frag frags[TX_FRAGS_MAX];
	unsigned n = 0;
	uint64_t give_up = 0;
	int rc;

	for (struct pbuf *q = p; q; q = q->next) {
		if (n == TX_FRAGS_MAX) {
			/* A long chain: one copy, one fragment. */
			pbuf_copy_partial(p, kn->tx_bounce, p->tot_len, 0);
			frags[0] =
				(struct netdev_frag){kn->tx_bounce, p->tot_len};
			n = 1;
			break;
		}
		frags[n++] = (struct netdev_frag){q->payload, q->len};
	}
	/* A full device queue empties as the device sends: wait a little
	 * (the driver reclaims on its interrupt), then drop. */
	while ((rc = netdev_transmit(kn->nd, frags, n)) == -EAGAIN) {
		uint64_t now = clock_monotonic_ns();

		if (!give_up)
			give_up = now + TX_RETRY_NS;
		else if (now >= give_up)
			break;
		thread_sleep_until(now + 20000);
	}
	if (rc < 0) {
		if (rc == -EAGAIN)
			kn->nd->stats.tx_errors++;
		return ERR_IF;
	}
	return ERR_OK;
}

/* --- addresses and DNS --- */

static void ip_str(const ip4_addr_t *a, char *buf, size_t len)
{
	ip4addr_ntoa_r(a, buf, (int)len);
}

/* Log the DNS servers lwIP knows (static, or the lease's) and write
 * /etc/resolv.conf from them. */
static void dns_publish(void)
{
	char bufs[DNS_MAX_SERVERS][16];
	const char *servers[DNS_MAX_SERVERS];
	size_t n = 0;

	for (u8_t i = 0; i < DNS_MAX_SERVERS; i++) {
		const ip_addr_t *s = dns_getserver(i);

		if (ip_addr_isany(s))
			continue;
		ip_str(ip_2_ip4(s), bufs[n], sizeof bufs[n]);
		servers[n] = bufs[n];
		n++;
	}
	if (!n) {
		log_info("DNS servers: none");
		return;
	}
	log_info("DNS servers:");
	for (size_t i = 0; i < n; i++)
		log_info("  %s", servers[i]);
	if (fs_set_resolv_conf(servers, n) < 0)
		log_warn("/etc/resolv.conf: out of memory");
}

/* lwIP calls this (tcpip thread, or under the core lock) when an
 * interface's address or state changes: static setup, a lease, a renewal
 * with another address. */
static void status_changed(struct netif *nif)
{
	const ip4_addr_t *ip = netif_ip4_addr(nif);
	char a[16], g[16];

	if (ip4_addr_isany(ip) || !netif_is_up(nif) ||
	    ip4_addr_get_u32(ip) == logged_ip)
		return;
	logged_ip = ip4_addr_get_u32(ip);
	ip_str(ip, a, sizeof a);
	log_info("Assigned a new IPv4 address: %s/%d", a,
		 kcmdline_mask_prefix(
			 lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(nif)))));
	if (!ip4_addr_isany(netif_ip4_gw(nif))) {
		ip_str(netif_ip4_gw(nif), g, sizeof g);
		log_info("Default gateway: %s", g);
	}
	dns_publish();
	sem_up(&lease_sem);
}

/* --- bring-up --- */

static err_t netif_setup(struct netif *nif)
{
	struct kiln_netif *kn = nif->state;

	nif->name[0] = 'e';
	nif->name[1] = 'n';
	nif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(nif->hwaddr, kn->nd->mac, ETH_HWADDR_LEN);
	nif->mtu = kn->nd->mtu;
	nif->flags =
		NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	nif->output = etharp_output;
	nif->linkoutput = linkoutput;
	return ERR_OK;
}

static struct kiln_netif *netif_create(struct netdev *nd)
{
	size_t frame = (size_t)nd->mtu + NETDEV_ETH_HLEN;
	struct kiln_netif *kn = kzalloc(sizeof *kn);
	uint8_t *ring;

	if (!kn)
		return NULL;
	/* One block for the ring (~24 KiB at MTU 1500) and
	 * the transmit bounce buffer after it. */
	ring = kmalloc((RX_RING_SLOTS + 1) * frame);
	if (!ring) {
		kfree(kn);
		return NULL;
	}
	kn->nd = nd;
	kn->rx_lock = (struct spinlock)SPINLOCK_INIT;
	waitq_init(&kn->rx_wait);
	for (unsigned i = 0; i < RX_RING_SLOTS; i++)
		kn->rx[i].data = ring + i * frame;
	kn->tx_bounce = ring + RX_RING_SLOTS * frame;
	return kn;
}

static void tcpip_ready(void *arg)
{
	sem_up(arg);
}

/* The static settings as lwIP addresses: mask from mask=, else from
 * ip=A/len, else /24; DNS servers into lwIP's list. */
static void static_config(const struct kcmdline_net *cfg, ip4_addr_t *ip,
			  ip4_addr_t *mask, ip4_addr_t *gw)
{
	uint32_t m = 0xffffff00;

	if (cfg->has_mask)
		m = cfg->mask;
	else if (cfg->prefix >= 0)
		m = cfg->prefix ? ~0u << (32 - cfg->prefix) : 0;
	ip4_addr_set_u32(ip, lwip_htonl(cfg->ip));
	ip4_addr_set_u32(mask, lwip_htonl(m));
	ip4_addr_set_u32(gw, cfg->has_gateway ? lwip_htonl(cfg->gateway) : 0);
	for (int i = 0; i < cfg->ndns; i++) {
		ip_addr_t d = IPADDR4_INIT(lwip_htonl(cfg->dns[i]));

		dns_setserver((u8_t)i, &d);
	}
}

void net_init(const struct kcmdline_net *cfg)
{
	struct semaphore ready = SEMAPHORE_INIT(0);
	struct kiln_netif *first = NULL;
	bool dhcp = !cfg->has_ip;

	if (!netdev_first()) {
		/* No NIC: no stack, no threads, no memory. */
		if (cfg->has_ip)
			log_warn("ip= given, but there is no network device");
		return;
	}
	tcpip_init(tcpip_ready, &ready);
	sem_down(&ready, 0);

	for (struct netdev *nd = netdev_first(); nd; nd = nd->next) {
		struct kiln_netif *kn = netif_create(nd);
		ip4_addr_t ip = {0}, mask = {0}, gw = {0};

		if (!kn || !thread_create("netrx", rx_thread, kn)) {
			log_error("%s: out of memory for the network",
				  nd->name);
			continue;
		}
		LOCK_TCPIP_CORE();
		if (!first && !dhcp)
			static_config(cfg, &ip, &mask, &gw);
		netif_add(&kn->nif, &ip, &mask, &gw, kn, netif_setup,
			  tcpip_input);
		netif_set_status_callback(&kn->nif, status_changed);
		if (!first)
			netif_set_default(&kn->nif);
		netdev_set_rx(nd, rx_irq, kn);
		/* The drivers report no link changes yet; a registered NIC is
		 * up unless its driver gave up on it. */
		if (!nd->disabled)
			netif_set_link_up(&kn->nif);
		netif_set_up(&kn->nif);
		if (dhcp)
			dhcp_start(&kn->nif);
		UNLOCK_TCPIP_CORE();
		if (!first)
			first = kn;
	}
	if (!first || !dhcp)
		return;
	/* A bounded wait, so a network without DHCP does not stop the boot;
	 * a lease that comes later is still taken and logged. */
	if (sem_down(&lease_sem,
		     clock_monotonic_ns() + NET_DHCP_WAIT_MS * 1000000ULL) < 0)
		log_warn("DHCP: no lease after %d s; going on without an IPv4 "
			 "address",
			 NET_DHCP_WAIT_MS / 1000);
}
