/* Stands in for kernel/sys/exec.c in the network test kernel: lwIP itself,
 * brought up by the real boot (net_init), pings the gateway through the raw
 * API and serves TCP echo on port 7 through netconn, until a client sends
 * "quit". */
#include <kernel/exec.h>
#include <kernel/log.h>
#include <kernel/power.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/time.h>

#include "lwip/api.h"
#include "lwip/dns.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/raw.h"
#include "lwip/tcpip.h"

#define ECHO_PORT  7
#define PING_ID	   0x6b6c
#define PING_TRIES 5

static struct semaphore pong = SEMAPHORE_INIT(0);

/* Raw ICMP receive (tcpip thread, core locked): an echo reply of ours. */
static u8_t ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p,
		      const ip_addr_t *addr)
{
	struct icmp_echo_hdr echo;
	u16_t hlen = IPH_HL_BYTES((struct ip_hdr *)p->payload);

	(void)arg;
	(void)pcb;
	(void)addr;
	if (pbuf_copy_partial(p, &echo, sizeof echo, hlen) == sizeof echo &&
	    ICMPH_TYPE(&echo) == ICMP_ER && echo.id == PP_HTONS(PING_ID)) {
		pbuf_free(p);
		sem_up(&pong);
		return 1;
	}
	return 0;
}

/* ARP and ICMP through lwIP: the gateway (QEMU's, or the host's end of
 * a tap device) answers pings. */
static void ping_gateway(void)
{
	ip_addr_t gw;
	struct raw_pcb *pcb;
	uint64_t start = clock_monotonic_ns();
	char name[16];

	/* QEMU's user network with restrict=on leases no router: its host,
	 * 10.0.2.2, is the one to ask then. */
	ip_addr_set_ip4_u32_val(gw, PP_HTONL(0x0a000202));
	LOCK_TCPIP_CORE();
	if (netif_default && !ip4_addr_isany(netif_ip4_gw(netif_default)))
		ip_addr_copy_from_ip4(gw, *netif_ip4_gw(netif_default));
	ip4addr_ntoa_r(ip_2_ip4(&gw), name, sizeof name);
	pcb = raw_new(IP_PROTO_ICMP);
	raw_recv(pcb, ping_recv, NULL);
	UNLOCK_TCPIP_CORE();
	for (u16_t seq = 1; seq <= PING_TRIES; seq++) {
		struct pbuf *p = pbuf_alloc(
			PBUF_IP, sizeof(struct icmp_echo_hdr), PBUF_RAM);
		struct icmp_echo_hdr *e = p->payload;

		ICMPH_TYPE_SET(e, ICMP_ECHO);
		ICMPH_CODE_SET(e, 0);
		e->id = PP_HTONS(PING_ID);
		e->seqno = lwip_htons(seq);
		e->chksum = 0;
		e->chksum = inet_chksum(e, sizeof *e);
		LOCK_TCPIP_CORE();
		raw_sendto(pcb, p, &gw);
		UNLOCK_TCPIP_CORE();
		pbuf_free(p);
		if (sem_down(&pong, clock_monotonic_ns() + NSEC_PER_SEC) == 0) {
			kprintf("net: ping %s: reply to try %u after %lu us\n",
				name, seq,
				(clock_monotonic_ns() - start) / 1000);
			break;
		}
	}
	LOCK_TCPIP_CORE();
	raw_remove(pcb);
	UNLOCK_TCPIP_CORE();
}

static ip_addr_t dns_answer;
static bool dns_found;
static struct semaphore dns_done = SEMAPHORE_INIT(0);

static void dns_cb(const char *name, const ip_addr_t *addr, void *arg)
{
	(void)name;
	(void)arg;
	if (addr) {
		dns_answer = *addr;
		dns_found = true;
	}
	sem_up(&dns_done);
}

/* With a DNS server (static or leased), lwIP's own resolver asks it for
 * kiln.test (the tap test's dnsmasq answers 10.0.5.9). */
static void dns_lookup(void)
{
	char a[16];
	err_t err;

	LOCK_TCPIP_CORE();
	if (ip_addr_isany(dns_getserver(0))) {
		UNLOCK_TCPIP_CORE();
		return;
	}
	err = dns_gethostbyname("kiln.test", &dns_answer, dns_cb, NULL);
	UNLOCK_TCPIP_CORE();
	if (err == ERR_INPROGRESS)
		sem_down(&dns_done, clock_monotonic_ns() + 5 * NSEC_PER_SEC);
	else
		dns_found = err == ERR_OK;
	if (!dns_found) {
		kprintf("net: dns kiln.test: no answer\n");
		return;
	}
	ip4addr_ntoa_r(ip_2_ip4(&dns_answer), a, sizeof a);
	kprintf("net: dns kiln.test is %s\n", a);
}

/* Echo one connection until it closes; true when it sent "quit". */
static bool echo_conn(struct netconn *c)
{
	struct netbuf *nb;
	bool quit = false;

	while (netconn_recv(c, &nb) == ERR_OK) {
		do {
			void *data;
			u16_t len;

			netbuf_data(nb, &data, &len);
			if (len >= 4 && memcmp(data, "quit", 4) == 0)
				quit = true;
			netconn_write(c, data, len, NETCONN_COPY);
		} while (netbuf_next(nb) >= 0);
		netbuf_delete(nb);
		if (quit)
			break;
	}
	netconn_close(c);
	netconn_delete(c);
	return quit;
}

void exec_start_app(const struct kiln_boot_info *bi __unused,
		    const struct kcmdline *cl __unused)
{
	struct netconn *l, *c;

	ping_gateway();
	dns_lookup();
	l = netconn_new(NETCONN_TCP);
	if (!l || netconn_bind(l, IP_ADDR_ANY, ECHO_PORT) != ERR_OK ||
	    netconn_listen(l) != ERR_OK) {
		kprintf("net: cannot listen on port %d\n", ECHO_PORT);
		machine_exit(3);
	}
	kprintf("net: echo ready on port %d after %lu ms\n", ECHO_PORT,
		clock_monotonic_ns() / 1000000);
	while (netconn_accept(l, &c) == ERR_OK) {
		if (echo_conn(c))
			break;
	}
	kprintf("net: done\n");
	machine_exit(0);
}
