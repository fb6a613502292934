/* The network stack as the boot code starts it (net/). */
#ifndef KERNEL_NET_H
#define KERNEL_NET_H

struct kcmdline_net;

/*
 * With at least one NIC (netdev.h): start lwIP (its tcpip thread and one
 * receive thread per NIC), give each NIC an lwIP interface, configure the
 * first from cfg (ip=, gateway=, mask=, dns=) or else ask DHCP on all,
 * waiting up to NET_DHCP_WAIT_MS for a lease before going on (a later
 * lease still applies). Logs the address, gateway and DNS servers and
 * writes /etc/resolv.conf from them. With no NIC it does nothing: no
 * thread, no memory. Call after pci_init() and fs_init() (resolv.conf),
 * from thread context.
 */
void net_init(const struct kcmdline_net *cfg);

#define NET_DHCP_WAIT_MS 3000

#endif
