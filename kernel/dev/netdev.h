/* Network devices: what a NIC driver offers the network stack. */
#ifndef KERNEL_DEV_NETDEV_H
#define KERNEL_DEV_NETDEV_H

#include <kernel/types.h>

#define NETDEV_ETH_HLEN	   14U /* destination, source, EtherType */
#define NETDEV_ETH_ZLEN	   60U /* shortest frame without the FCS */
#define NETDEV_MTU_DEFAULT 1500
#define NETDEV_NAME_MAX	   8

/* One piece of an outgoing frame (lwIP hands over a pbuf chain). */
struct netdev_frag {
	const void *data;
	size_t len;
};

struct netdev_stats {
	uint64_t rx_packets, rx_bytes; /* delivered to the stack */
	uint64_t tx_packets, tx_bytes; /* handed to the device */
	uint64_t rx_dropped;	       /* good frames nobody took, or the
					  device flagged as bad */
	uint64_t rx_bad_len;	       /* lengths no Ethernet frame has */
	uint64_t tx_errors;	       /* frames not sent (a full queue,
					  -EAGAIN, is the caller's to count) */
};

struct netdev;

struct netdev_ops {
	/*
	 * Queue one frame (Ethernet header first, no FCS, total length
	 * already checked: 14..mtu+14) given as nfrags pieces. The driver
	 * copies it before returning, so the caller may reuse the memory.
	 * 0, -EAGAIN (no room: retry later), -EIO (device disabled).
	 * Called with interrupts on or off, never from the driver's own
	 * interrupt handler.
	 */
	int (*transmit)(struct netdev *nd, const struct netdev_frag *frags,
			unsigned nfrags, size_t total);
	/*
	 * Deliver the frames the device holds again, starting with the one
	 * the receive callback refused (netdev_receive() returned false).
	 * Thread context; the driver excludes its own interrupt handler.
	 */
	void (*rx_resume)(struct netdev *nd);
};

/*
 * Receive callback: one Ethernet frame (header first, no FCS), valid
 * only during the call. Runs in interrupt context (irq.h): copy what is
 * needed and return; never sleep, never call netdev_transmit() on the
 * same device. Returns true when the frame was taken, false when there is
 * no room for it now: the driver then keeps it (and everything after it)
 * in the device, which stops receiving when its own buffers run out
 * (QEMU queues, TCP's window slows the sender) instead of losing frames,
 * until the stack calls netdev_rx_resume().
 */
typedef bool (*netdev_rx_fn)(struct netdev *nd, const void *frame, size_t len,
			     void *arg);

struct netdev {
	char name[NETDEV_NAME_MAX]; /* "eth0", set by netdev_register() */
	uint8_t mac[6];
	uint16_t mtu; /* largest payload after the Ethernet header */
	bool link_up;
	bool disabled;	    /* the driver gave up on the device */
	const char *driver; /* "virtio-net", "rtl8139" */
	const struct netdev_ops *ops;
	void *priv; /* the driver's */
	netdev_rx_fn rx;
	void *rx_arg;
	struct netdev_stats stats;
	struct netdev *next;
};

/* --- for drivers --- */

/*
 * Add nd (driver, mac, mtu, link_up, ops, priv filled in) to the
 * registry under the next free "ethN" and log its MAC address, MTU and
 * link. Call at the end of a successful probe, once the device can send
 * and receive. 0, or -ENOSPC past 10 devices.
 */
int netdev_register(struct netdev *nd);

/*
 * A frame the device received: checked against the Ethernet limits
 * (rx_bad_len), counted, handed to the receive callback or, when none is
 * set, dropped (rx_dropped). Interrupt context (or ops->rx_resume). true:
 * the frame is done with (taken or dropped). false: the stack has no room
 * now; the driver stops receiving, keeps this frame where it is and
 * offers it again from ops->rx_resume.
 */
bool netdev_receive(struct netdev *nd, const void *frame, size_t len);

/* The link came up or went down (logged once per change). */
void netdev_set_link(struct netdev *nd, bool up);

/*
 * The device misbehaved (a bad ring index, a failed reset): the driver
 * has stopped it; nd stays registered with its link down and transmit
 * answering -EIO. Logs one error line naming why.
 */
void netdev_disable(struct netdev *nd, const char *why);

/* --- for the network stack --- */

/* The registered devices in registration order: for (nd =
 * netdev_first(); nd; nd = nd->next). Registration happens during
 * pci_init(); the list does not change afterwards. */
struct netdev *netdev_first(void);

/* Set (or with fn NULL, clear) the receive callback. */
void netdev_set_rx(struct netdev *nd, netdev_rx_fn fn, void *arg);

/* The receive callback has room again after refusing a frame: the driver
 * delivers what it held (ops->rx_resume). Thread context. */
void netdev_rx_resume(struct netdev *nd);

/*
 * Send one frame given as pieces (nfrags >= 1). 0; -EMSGSIZE when the
 * total is under 14 bytes or over mtu + 14; -EAGAIN when the device's
 * queue is full (retry after an interrupt, or drop); -EIO when the device
 * is disabled. Failures other than -EAGAIN count in tx_errors.
 */
int netdev_transmit(struct netdev *nd, const struct netdev_frag *frags,
		    unsigned nfrags);

#endif
