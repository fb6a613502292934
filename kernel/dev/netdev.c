/* The registry of network devices and the checks every frame passes. */
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/string.h>

#include "dev/netdev.h"

#define NETDEV_MAX 10 /* eth0..eth9 */

static struct netdev *first, **tail = &first;
static unsigned count;

int netdev_register(struct netdev *nd)
{
	if (count == NETDEV_MAX)
		return -ENOSPC;
	snprintf(nd->name, sizeof nd->name, "eth%u", count++);
	nd->next = NULL;
	*tail = nd;
	tail = &nd->next;
	log_info("%s: MAC address %02x:%02x:%02x:%02x:%02x:%02x, MTU %u, "
		 "link %s",
		 nd->name, nd->mac[0], nd->mac[1], nd->mac[2], nd->mac[3],
		 nd->mac[4], nd->mac[5], nd->mtu, nd->link_up ? "up" : "down");
	return 0;
}

struct netdev *netdev_first(void)
{
	return first;
}

void netdev_set_rx(struct netdev *nd, netdev_rx_fn fn, void *arg)
{
	/* The handler may run between the two stores: arg first. */
	nd->rx = NULL;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	nd->rx_arg = arg;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	nd->rx = fn;
}

bool netdev_receive(struct netdev *nd, const void *frame, size_t len)
{
	netdev_rx_fn fn = nd->rx;

	if (len < NETDEV_ETH_HLEN || len > nd->mtu + NETDEV_ETH_HLEN) {
		nd->stats.rx_bad_len++;
		return true;
	}
	if (!fn) {
		nd->stats.rx_dropped++;
		return true;
	}
	if (!fn(nd, frame, len, nd->rx_arg))
		return false; /* held by the driver: counted when taken */
	nd->stats.rx_packets++;
	nd->stats.rx_bytes += len;
	return true;
}

void netdev_rx_resume(struct netdev *nd)
{
	if (!nd->disabled && nd->ops->rx_resume)
		nd->ops->rx_resume(nd);
}

int netdev_transmit(struct netdev *nd, const struct netdev_frag *frags,
		    unsigned nfrags)
{
	size_t total = 0;
	int err;

	for (unsigned i = 0; i < nfrags; i++)
		total += frags[i].len;
	if (total < NETDEV_ETH_HLEN || total > nd->mtu + NETDEV_ETH_HLEN)
		err = -EMSGSIZE;
	else if (nd->disabled)
		err = -EIO;
	else
		err = nd->ops->transmit(nd, frags, nfrags, total);
	if (err) {
		if (err != -EAGAIN)
			nd->stats.tx_errors++;
		return err;
	}
	nd->stats.tx_packets++;
	nd->stats.tx_bytes += total;
	return 0;
}

void netdev_set_link(struct netdev *nd, bool up)
{
	if (nd->link_up == up)
		return;
	nd->link_up = up;
	if (nd->name[0])
		log_info("%s: link %s", nd->name, up ? "up" : "down");
}

void netdev_disable(struct netdev *nd, const char *why)
{
	if (nd->disabled)
		return;
	nd->disabled = true;
	nd->link_up = false;
	log_error("%s: %s: %s; device disabled",
		  nd->name[0] ? nd->name : "netdev", nd->driver, why);
}
