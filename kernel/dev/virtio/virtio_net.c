/* virtio-net over PCI (Virtio 1.1, 5.1): one RX and one TX queue. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/irq.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/sched.h>
#include <kernel/string.h>

#include "dev/netdev.h"
#include "dev/pci.h"
#include "dev/virtio/virtio.h"
#include "dev/virtio/virtio_regs.h"

/*
 * Buffers are 2 KiB: the header and a 1514-byte frame fit, and two share
 * a page. Few of them, so that a guest with 4 MiB of RAM can afford a NIC:
 * 64 KiB to receive, 32 KiB to send.
 */
#define VNET_BUF_SIZE	 2048
#define VNET_RX_BUFS	 32
#define VNET_TX_BUFS	 16
#define VNET_QUEUE_MAX	 64 /* entries asked for on a modern device */
#define VNET_MTU_MAX	 (VNET_BUF_SIZE - VIRTIO_NET_HDR_LEN - NETDEV_ETH_HLEN)
#define VNET_RX_BUDGET	 1024 /* frames per interrupt */
#define VNET_MSIX_CONFIG 0    /* MSI-X table entries */
#define VNET_MSIX_RX	 1

struct vnet {
	struct netdev nd;
	struct virtio_dev vd;
	struct virtqueue rx, tx;
	uint8_t *bufs; /* RX buffers, then TX buffers */
	paddr_t bufs_pa;
	unsigned hdr_len;
	unsigned descs_per_buf; /* 2: header in its own descriptor */
	unsigned nr_rx, nr_tx;
	uint16_t tx_free[VNET_TX_BUFS]; /* a stack of free TX buffers */
	unsigned tx_nfree;
	int vec_config, vec_rx; /* MSI-X vectors, or -1 with INTx */
	/* Held: a received buffer the stack had no room for (index + 1, 0
	 * when none), offered again before anything newer. */
	unsigned held;
	uint32_t held_len;
	/* Rings and buffers: transmit, the interrupt handlers and
	 * rx_resume from any CPU. */
	struct spinlock lock;
	volatile bool ready;
};

static size_t bufs_pages(void)
{
	return (VNET_RX_BUFS + VNET_TX_BUFS) * VNET_BUF_SIZE / PAGE_SIZE;
}

/* Buffer i (RX: 0..nr_rx-1, TX: VNET_RX_BUFS + j) as one or two
 * descriptors: the header on its own where the device wants it so. */
static unsigned buf_chain(struct vnet *vn, unsigned i, uint32_t len,
			  bool device_writes, struct vq_buf out[2])
{
	paddr_t pa = vn->bufs_pa + (paddr_t)i * VNET_BUF_SIZE;

	if (vn->descs_per_buf == 1) {
		out[0] = (struct vq_buf){pa, len, device_writes};
		return 1;
	}
	out[0] = (struct vq_buf){pa, vn->hdr_len, device_writes};
	out[1] = (struct vq_buf){pa + vn->hdr_len, len - vn->hdr_len,
				 device_writes};
	return 2;
}

/* Tokens are buffer index + 1: never NULL. */
static int rx_post(struct vnet *vn, unsigned i)
{
	struct vq_buf b[2];
	unsigned n = buf_chain(vn, i, VNET_BUF_SIZE, true, b);

	return vq_add(&vn->rx, b, n, (void *)(uintptr_t)(i + 1));
}

static void broken(struct vnet *vn, const char *why)
{
	vn->ready = false;
	virtio_stop(&vn->vd, true);
	netdev_disable(&vn->nd, why);
}

/* Buffer i, len bytes long, to the stack: false when it has no room (the
 * buffer is then held, not reposted). */
static bool rx_deliver(struct vnet *vn, unsigned i, uint32_t len)
{
	uint8_t *buf = vn->bufs + (size_t)i * VNET_BUF_SIZE;

	if (len < vn->hdr_len) {
		vn->nd.stats.rx_bad_len++;
	} else if (!netdev_receive(&vn->nd, buf + vn->hdr_len,
				   len - vn->hdr_len)) {
		vn->held = i + 1;
		vn->held_len = len;
		return false;
	}
	return true;
}

/* With vn->lock held. */
static void rx_poll(struct vnet *vn)
{
	bool posted = false;
	void *token;
	uint32_t len;
	int got = 0;

	if (vn->held) {
		unsigned i = vn->held - 1;

		vn->held = 0;
		if (!rx_deliver(vn, i, vn->held_len))
			return;
		posted = rx_post(vn, i) == 0;
	}
	/* Bounded: a device that refills the ring as fast as we read it
	 * must not hold the CPU forever. Stops early when the stack is
	 * full: the used entries left wait for rx_resume. */
	for (unsigned n = 0; n < VNET_RX_BUDGET &&
			     (got = vq_get_used(&vn->rx, &token, &len)) > 0;
	     n++) {
		unsigned i = (unsigned)(uintptr_t)token - 1;

		if (!rx_deliver(vn, i, len))
			break;
		if (rx_post(vn, i) == 0)
			posted = true;
	}
	if (got < 0) {
		broken(vn, "bad entry in the RX used ring");
		return;
	}
	if (posted && vq_kick_needed(&vn->rx))
		virtio_notify(&vn->vd, &vn->rx);
}

static void vnet_rx_resume(struct netdev *nd)
{
	struct vnet *vn = nd->priv;

	spin_lock(&vn->lock);
	if (vn->ready)
		rx_poll(vn);
	spin_unlock(&vn->lock);
}

static int tx_reclaim(struct vnet *vn)
{
	void *token;
	uint32_t len;
	int got;

	while ((got = vq_get_used(&vn->tx, &token, &len)) > 0)
		vn->tx_free[vn->tx_nfree++] =
			(uint16_t)((uintptr_t)token - 1 - VNET_RX_BUFS);
	if (got < 0)
		broken(vn, "bad entry in the TX used ring");
	return got;
}

static int vnet_transmit(struct netdev *nd, const struct netdev_frag *frags,
			 unsigned nfrags, size_t total)
{
	struct vnet *vn = nd->priv;
	struct vq_buf b[2];
	int err = -EIO;

	spin_lock(&vn->lock);
	if (!vn->ready || tx_reclaim(vn) < 0)
		goto out;
	err = -EAGAIN;
	if (!vn->tx_nfree)
		goto out;
	unsigned i = VNET_RX_BUFS + vn->tx_free[--vn->tx_nfree];
	uint8_t *p = vn->bufs + (size_t)i * VNET_BUF_SIZE;
	/* No offloads negotiated: an all-zero header (5.1.6.2). */
	memset(p, 0, vn->hdr_len);
	p += vn->hdr_len;
	for (unsigned f = 0; f < nfrags; f++) {
		memcpy(p, frags[f].data, frags[f].len);
		p += frags[f].len;
	}
	unsigned n =
		buf_chain(vn, i, (uint32_t)(vn->hdr_len + total), false, b);
	err = vq_add(&vn->tx, b, n, (void *)(uintptr_t)(i + 1));
	if (err) {
		vn->tx_free[vn->tx_nfree++] = (uint16_t)(i - VNET_RX_BUFS);
		err = -EAGAIN;
		goto out;
	}
	if (vq_kick_needed(&vn->tx))
		virtio_notify(&vn->vd, &vn->tx);
out:
	spin_unlock(&vn->lock);
	return err;
}

static const struct netdev_ops vnet_ops = {
	.transmit = vnet_transmit,
	.rx_resume = vnet_rx_resume,
};

static void update_link(struct vnet *vn)
{
	if (virtio_has(&vn->vd, VIRTIO_NET_F_STATUS))
		netdev_set_link(
			&vn->nd,
			virtio_cfg_read16(&vn->vd, VIRTIO_NET_CFG_STATUS) &
				VIRTIO_NET_S_LINK_UP);
}

static void irq_rx(void *arg)
{
	struct vnet *vn = arg;

	spin_lock(&vn->lock);
	if (vn->ready)
		rx_poll(vn);
	spin_unlock(&vn->lock);
}

static void irq_config(void *arg)
{
	struct vnet *vn = arg;

	spin_lock(&vn->lock);
	if (vn->ready)
		update_link(vn);
	spin_unlock(&vn->lock);
}

/* INTx, perhaps shared: the ISR says whether it was ours (4.1.4.5). */
static void irq_intx(void *arg)
{
	struct vnet *vn = arg;
	uint8_t isr;

	spin_lock(&vn->lock);
	if (vn->ready && (isr = virtio_isr(&vn->vd))) {
		if (isr & VIRTIO_ISR_QUEUE)
			rx_poll(vn);
		if ((isr & VIRTIO_ISR_CONFIG) && vn->ready)
			update_link(vn);
	}
	spin_unlock(&vn->lock);
}

/* MSI-X where the device offers it on the modern interface: one vector
 * for configuration changes, one for received frames. */
static int msix_setup(struct vnet *vn)
{
	struct pci_dev *d = vn->vd.pci;
	int err;

	vn->vec_config = vn->vec_rx = -1;
	if (!vn->vd.modern)
		return -ENODEV; /* legacy: its register layout shifts */
	err = pci_msix_enable(d, 2);
	if (err)
		return err;
	vn->vec_config = irq_alloc_vector(irq_config, vn);
	vn->vec_rx = irq_alloc_vector(irq_rx, vn);
	if (vn->vec_config < 0 || vn->vec_rx < 0) {
		err = -ENOSPC;
		goto err_vectors;
	}
	pci_msix_route(d, VNET_MSIX_CONFIG, vn->vec_config);
	pci_msix_route(d, VNET_MSIX_RX, vn->vec_rx);
	err = virtio_config_vector(&vn->vd, VNET_MSIX_CONFIG);
	if (err)
		goto err_vectors;
	return 0;
err_vectors:
	irq_free_vector(vn->vec_rx);
	irq_free_vector(vn->vec_config);
	vn->vec_config = vn->vec_rx = -1;
	pci_msix_disable(d);
	return err;
}

static void msix_teardown(struct vnet *vn)
{
	if (vn->vec_rx < 0)
		return;
	pci_msix_disable(vn->vd.pci);
	irq_free_vector(vn->vec_rx);
	irq_free_vector(vn->vec_config);
}

/* Features, MTU and MAC (5.1.3, 5.1.4, 5.1.5). */
static int configure(struct vnet *vn)
{
	struct virtio_dev *vd = &vn->vd;
	uint64_t wanted = 1ULL << VIRTIO_NET_F_MAC |
			  1ULL << VIRTIO_NET_F_STATUS |
			  1ULL << VIRTIO_F_ANY_LAYOUT;
	uint16_t mtu = NETDEV_MTU_DEFAULT;
	int err;

	/* Take the device's MTU only when our buffers hold such frames. */
	if (virtio_offered(vd) & (1ULL << VIRTIO_NET_F_MTU)) {
		mtu = virtio_cfg_read16(vd, VIRTIO_NET_CFG_MTU);
		if (mtu >= 68 && mtu <= VNET_MTU_MAX)
			wanted |= 1ULL << VIRTIO_NET_F_MTU;
		else
			mtu = NETDEV_MTU_DEFAULT;
	}
	err = virtio_negotiate(vd, wanted, 0);
	if (err)
		return err;
	vn->nd.mtu = mtu;
	vn->hdr_len =
		vd->modern ? VIRTIO_NET_HDR_LEN : VIRTIO_NET_HDR_LEN_LEGACY;
	/* Legacy devices without ANY_LAYOUT want the header alone in its
	 * descriptor (5.1.6.6.1 / 2.6.4.3). */
	vn->descs_per_buf =
		vd->modern || virtio_has(vd, VIRTIO_F_ANY_LAYOUT) ? 1 : 2;
	if (virtio_has(vd, VIRTIO_NET_F_MAC)) {
		virtio_cfg_read(vd, VIRTIO_NET_CFG_MAC, vn->nd.mac, 6);
	} else {
		/* Locally administered, unicast (IEEE 802, 9.2). */
		uint64_t r = rdtsc();
		memcpy(vn->nd.mac, &r, 6);
		vn->nd.mac[0] = (uint8_t)((vn->nd.mac[0] & 0xfe) | 0x02);
	}
	vn->nd.link_up = true;
	if (virtio_has(vd, VIRTIO_NET_F_STATUS))
		vn->nd.link_up = virtio_cfg_read16(vd, VIRTIO_NET_CFG_STATUS) &
				 VIRTIO_NET_S_LINK_UP;
	return 0;
}

static int queues_setup(struct vnet *vn)
{
	uint16_t rx_vec = vn->vec_rx >= 0 ? VNET_MSIX_RX : VIRTIO_MSI_NO_VECTOR;
	int err;

	err = virtio_queue_create(&vn->vd, VIRTIO_NET_RXQ, VNET_QUEUE_MAX,
				  rx_vec, &vn->rx);
	if (err)
		return err;
	err = virtio_queue_create(&vn->vd, VIRTIO_NET_TXQ, VNET_QUEUE_MAX,
				  VIRTIO_MSI_NO_VECTOR, &vn->tx);
	if (err) {
		virtio_queue_free(&vn->rx);
		return err;
	}
	/* TX buffers come back when the next frame goes out. */
	vq_disable_interrupts(&vn->tx);
	vn->tx.ignore_used_len = true; /* 5.1.6.2.1: nothing written */
	vn->nr_rx = MIN(VNET_RX_BUFS, vn->rx.size / vn->descs_per_buf);
	vn->nr_tx = MIN(VNET_TX_BUFS, vn->tx.size / vn->descs_per_buf);
	for (unsigned i = 0; i < vn->nr_rx; i++)
		rx_post(vn, i);
	for (unsigned j = 0; j < vn->nr_tx; j++)
		vn->tx_free[vn->tx_nfree++] = (uint16_t)j;
	return 0;
}

static int vnet_probe(struct pci_dev *d, const struct pci_id *id)
{
	bool modern_only = id->device == VIRTIO_PCI_MODERN_BASE + VIRTIO_ID_NET;
	struct vnet *vn;
	const char *step;
	int err;

	if (!(vn = kzalloc(sizeof *vn)))
		return -ENOMEM;
	step = "PCI";
	if ((err = pci_enable(d)))
		goto err_free;
	/* The modern interface where its capabilities are there; a
	 * transitional device without them (disable-modern=on) speaks only
	 * the legacy one. */
	step = "reset";
	err = virtio_pci_start(&vn->vd, d, true);
	if (err == -ENODEV && !modern_only)
		err = virtio_pci_start(&vn->vd, d, false);
	if (err)
		goto err_pci;
	step = "feature negotiation";
	if ((err = configure(vn)))
		goto err_reset;
	step = "buffers";
	vn->bufs_pa = pmm_alloc_pages(bufs_pages());
	err = -ENOMEM;
	if (!vn->bufs_pa)
		goto err_reset;
	vn->bufs = phys_to_virt(vn->bufs_pa);
	bool msix = msix_setup(vn) == 0;
	step = "virtqueues";
	if ((err = queues_setup(vn)))
		goto err_msix;
	step = "interrupt";
	if (!msix && (err = pci_intx_attach(d, irq_intx, vn)))
		goto err_queues;

	vn->nd.driver = "virtio-net";
	vn->nd.ops = &vnet_ops;
	vn->nd.priv = vn;
	vn->ready = true;
	virtio_driver_ok(&vn->vd);
	virtio_notify(&vn->vd, &vn->rx);
	log_info("virtio-net %04x:%04x at PCI " PCI_FMT ": %s, %s, %u/%u "
		 "buffers, driver ready",
		 d->vendor, d->device, PCI_ARGS(d),
		 vn->vd.modern ? "virtio 1.x" : "legacy virtio",
		 msix ? "MSI-X" : "INTx", vn->nr_rx, vn->nr_tx);
	netdev_register(&vn->nd);
	return 0;

err_queues:
	virtio_stop(&vn->vd, true);
	virtio_queue_free(&vn->tx);
	virtio_queue_free(&vn->rx);
err_msix:
	msix_teardown(vn);
	pmm_free_pages(vn->bufs_pa, bufs_pages());
err_reset:
	virtio_stop(&vn->vd, true);
err_pci:
	pci_disable(d);
err_free:
	kfree(vn);
	log_error("virtio-net at PCI " PCI_FMT ": %s failed (error %d); "
		  "device disabled",
		  PCI_ARGS(d), step, err);
	return err;
}

static const struct pci_id vnet_ids[] = {
	{VIRTIO_PCI_VENDOR, VIRTIO_PCI_MODERN_BASE + VIRTIO_ID_NET},
	{VIRTIO_PCI_VENDOR, VIRTIO_PCI_TRANSITIONAL_NET},
	{0, 0},
};

PCI_DRIVER(virtio_net, vnet_ids, vnet_probe);
