/* lwIP's configuration for the kiln kernel (see lwIP's src/include/lwip/opt.h).
 */
#ifndef KILN_NET_LWIPOPTS_H
#define KILN_NET_LWIPOPTS_H

/* --- the OS: kernel threads (sys_arch.c) --- */
#define NO_SYS		     0
#define SYS_LIGHTWEIGHT_PROT 1
#define LWIP_TIMERS	     1
/*
 * Core locking: an application thread calls into lwIP under one mutex
 * instead of posting a message to the tcpip thread and waiting for the
 * answer (two context switches per call). The RX thread feeds frames in
 * under the same lock.
 */
#define LWIP_TCPIP_CORE_LOCKING	      1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 1
#define TCPIP_THREAD_NAME	      "tcpip"
/*
 * Mailboxes are rings of pointers allocated per connection: the receive
 * ring is paid 10,000 times at 10,000 connections (64 entries: 512 bytes;
 * when it is full, TCP holds the data back and the window closes, it is
 * not lost). The accept ring covers the largest listen backlog lwIP takes
 * (255, a u8_t).
 */
#define TCPIP_MBOX_SIZE		      128
#define DEFAULT_RAW_RECVMBOX_SIZE     16
#define DEFAULT_UDP_RECVMBOX_SIZE     64
#define DEFAULT_TCP_RECVMBOX_SIZE     64
#define DEFAULT_ACCEPTMBOX_SIZE	      256
/* Thread stacks are the scheduler's (16 KiB); lwIP's sizes are unused. */
#define TCPIP_THREAD_STACKSIZE	 0
#define DEFAULT_THREAD_STACKSIZE 0

/* --- memory: the kernel heap, grown on demand --- */
/*
 * lwIP's heap and every pool come from kmalloc (sys_arch.c): nothing is
 * reserved at boot (a 4 MiB guest still runs an echo server), and the
 * number of connections is bounded by memory, not by pool sizes (the goal
 * is 10,000 in the default guest). The MEMP_NUM_* below only size
 * queues and sanity checks.
 */
#define MEM_LIBC_MALLOC		1
#define MEMP_MEM_MALLOC		1
#define MEM_ALIGNMENT		8
#define mem_clib_malloc		net_malloc
#define mem_clib_free		net_free
#define mem_clib_calloc		net_calloc
#define MEMP_NUM_TCP_PCB	10000
#define MEMP_NUM_TCP_PCB_LISTEN 64
#define MEMP_NUM_UDP_PCB	64
#define MEMP_NUM_RAW_PCB	16
#define MEMP_NUM_NETCONN	10100
#define MEMP_NUM_TCP_SEG	(4 * TCP_SND_QUEUELEN)
#define PBUF_POOL_SIZE		64
#define MEMP_NUM_SYS_TIMEOUT	(LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8)

/* --- protocols --- */
#define LWIP_IPV4	    1
#define LWIP_IPV6	    0
#define LWIP_ARP	    1
#define LWIP_ETHERNET	    1
#define LWIP_ICMP	    1
#define LWIP_RAW	    1
#define LWIP_UDP	    1
#define LWIP_TCP	    1
#define LWIP_IGMP	    0
#define LWIP_AUTOIP	    0
#define IP_REASSEMBLY	    1
#define IP_FRAG		    1
#define ARP_TABLE_SIZE	    32
#define ARP_QUEUEING	    1
#define ETHARP_SUPPORT_VLAN 0

/* DHCP; the servers it learns go to the DNS client's list (dns.c), from
 * which netif.c writes /etc/resolv.conf. No ARP probe of the offered
 * address: it costs a second at boot, and user networking has no
 * conflicts. */
#define LWIP_DHCP		  1
#define DHCP_DOES_ARP_CHECK	  0
#define LWIP_DHCP_MAX_DNS_SERVERS DNS_MAX_SERVERS
#define LWIP_DHCP_GET_NTP_SRV	  0
#define LWIP_DNS		  1
#define DNS_MAX_SERVERS		  3 /* musl reads three (MAXNS) */

#define LWIP_NETIF_LOOPBACK	   1
#define LWIP_HAVE_LOOPIF	   1
#define LWIP_LOOPBACK_MAX_PBUFS	   0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK   1
#define LWIP_NETIF_API		   0
#define LWIP_SINGLE_NETIF	   0

/* --- TCP: sized for throughput over a 1500-byte MTU --- */
#define TCP_MSS		    1460
#define LWIP_WND_SCALE	    1
#define TCP_RCV_SCALE	    2
#define TCP_WND		    (128 * 1024)
#define TCP_SND_BUF	    (128 * 1024)
#define TCP_SND_QUEUELEN    (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_SNDLOWAT	    (32 * 1024) /* under 64 KiB - 4 MSS (init.c) */
#define TCP_QUEUE_OOSEQ	    1
#define TCP_OVERSIZE	    TCP_MSS
#define LWIP_TCP_KEEPALIVE  1
#define TCP_LISTEN_BACKLOG  1
#define LWIP_TCP_TIMESTAMPS 0
#define SO_REUSE	    1

/* --- the API the socket layer builds on --- */
#define LWIP_NETCONN 1
#ifndef LWIP_SOCKET
#define LWIP_SOCKET 0 /* the kernel's own socket layer uses netconn */
#endif
#define LWIP_COMPAT_SOCKETS	    0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SO_RCVTIMEO	    1
#define LWIP_SO_SNDTIMEO	    1
#define LWIP_SO_RCVBUF		    1
#define LWIP_SO_LINGER		    1
#define LWIP_NETCONN_FULLDUPLEX	    0
#define LWIP_NETCONN_SEM_PER_THREAD 0
#define RECV_BUFSIZE_DEFAULT	    (256 * 1024)
/* err_to_errno() maps lwIP's errors to the kernel's (Linux) numbers. */
#define LWIP_ERRNO_INCLUDE <kernel/errno.h>

/* --- checksums in software (netdev offers no offload yet) --- */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 0
#define LWIP_CHKSUM_ALGORITHM	     3

/* --- no statistics or debug output (size) --- */
#define LWIP_STATS	      0
#define LWIP_STATS_DISPLAY    0
#define LWIP_DEBUG_TIMERNAMES 0

#endif
