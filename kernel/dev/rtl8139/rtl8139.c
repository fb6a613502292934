/* Realtek RTL8139 (QEMU's rtl8139): RX ring, four TX descriptors, INTx. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/irq.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/sched.h>
#include <kernel/string.h>
#include <kernel/time.h>

#include "dev/netdev.h"
#include "dev/pci.h"
#include "dev/rtl8139/rtl8139_regs.h"
#include "dev/rtl8139/rtl8139_rx.h"

#define RESET_TIMEOUT_NS (100 * 1000000ULL)
#define RTL_RX_BUDGET	 256 /* frames per interrupt; the ring holds 128 */
#define RTL_IMR_ALL                                                            \
	(RTL_INT_ROK | RTL_INT_RER | RTL_INT_TOK | RTL_INT_TER |               \
	 RTL_INT_RXOVW | RTL_INT_LINKCHG | RTL_INT_FOVW | RTL_INT_SERR)
#define RTL_RX_PAGES (ALIGN_UP(RTL_RX_ALLOC, PAGE_SIZE) / PAGE_SIZE)
#define RTL_TX_PAGES (RTL_TX_DESCS * RTL_TX_BUF / PAGE_SIZE)

struct rtl {
	struct netdev nd;
	struct pci_dev *pci;
	uint16_t io;
	uint8_t *rx_ring;
	paddr_t rx_pa;
	uint32_t rx_off; /* next header in the ring */
	uint8_t *tx_bufs;
	paddr_t tx_pa;
	unsigned tx_next;  /* descriptor to fill next */
	unsigned tx_dirty; /* oldest descriptor in flight */
	unsigned tx_busy;  /* descriptors in flight */
	/* Registers and rings: transmit, the interrupt handler and
	 * rx_resume from any CPU. */
	struct spinlock lock;
	volatile bool ready;
};

/* Software reset: the chip clears RST when done (datasheet 6, CR). Then
 * the rings, filters and interrupt mask, transmitter and receiver on. */
static int hw_init(struct rtl *r)
{
	uint64_t deadline = clock_monotonic_ns() + RESET_TIMEOUT_NS;
	uint16_t io = r->io;

	outb(io + RTL_CONFIG1, 0);
	outb(io + RTL_CR, RTL_CR_RST);
	while (inb(io + RTL_CR) & RTL_CR_RST) {
		if (clock_monotonic_ns() > deadline)
			return -EIO;
		cpu_relax();
	}
	outl(io + RTL_RBSTART, (uint32_t)r->rx_pa);
	for (unsigned i = 0; i < RTL_TX_DESCS; i++)
		outl(io + RTL_TSAD0 + 4 * i,
		     (uint32_t)(r->tx_pa + i * RTL_TX_BUF));
	for (unsigned i = 0; i < 8; i++)
		outb(io + RTL_MAR0 + i, 0xff); /* every multicast group */
	r->rx_off = 0;
	r->tx_next = r->tx_dirty = r->tx_busy = 0;
	outw(io + RTL_IMR, RTL_IMR_ALL);
	outb(io + RTL_CR, RTL_CR_RE | RTL_CR_TE);
	outl(io + RTL_RCR, RTL_RCR_APM | RTL_RCR_AM | RTL_RCR_AB |
				   RTL_RCR_WRAP | RTL_RCR_MXDMA |
				   RTL_RCR_RBLEN_8K | RTL_RCR_RXFTH);
	outl(io + RTL_TCR, RTL_TCR_IFG_STD | RTL_TCR_MXDMA_2K);
	outw(io + RTL_CAPR, (uint16_t)(0 - RTL_CAPR_BIAS));
	return 0;
}

static void broken(struct rtl *r, const char *why)
{
	r->ready = false;
	outw(r->io + RTL_IMR, 0);
	outb(r->io + RTL_CR, RTL_CR_RST);
	netdev_disable(&r->nd, why);
}

/* With r->lock held. */
static void rx_drain(struct rtl *r)
{
	const uint8_t *frame;
	size_t len;

	/* Bounded: a chip that never says "empty" must not hold the CPU;
	 * what is left waits for the next interrupt. */
	for (unsigned n = 0;
	     n < RTL_RX_BUDGET && !(inb(r->io + RTL_CR) & RTL_CR_BUFE); n++) {
		uint32_t off = r->rx_off;

		switch (rtl8139_rx_parse(r->rx_ring, &r->rx_off, &frame, &len,
					 &r->nd.stats)) {
		case RTL_RX_FRAME:
			if (!netdev_receive(&r->nd, frame, len)) {
				/* The stack is full: the frame stays in the
				 * ring (CAPR not moved) for rx_resume, and
				 * the chip stops when the ring fills. */
				r->rx_off = off;
				return;
			}
			break;
		case RTL_RX_SKIPPED:
			break;
		case RTL_RX_CORRUPT:
			/* Where the next frame starts is lost: start the
			 * ring over (what the datasheet's drivers do). */
			if (hw_init(r) < 0)
				broken(r, "reset after a bad RX header failed");
			return;
		}
		/* The chip keeps CAPR 16 bytes behind (datasheet 6, CAPR). */
		outw(r->io + RTL_CAPR, (uint16_t)(r->rx_off - RTL_CAPR_BIAS));
	}
}

/* Descriptors the chip is done with, oldest first (they complete in
 * order). */
static void tx_reclaim(struct rtl *r)
{
	while (r->tx_busy) {
		uint32_t tsd = inl(r->io + RTL_TSD0 + 4 * r->tx_dirty);
		/* OWN: the frame has left the buffer for the chip's FIFO. */
		if (!(tsd & (RTL_TSD_OWN | RTL_TSD_TABT)))
			break;
		if (tsd & RTL_TSD_TABT)
			r->nd.stats.tx_errors++;
		r->tx_dirty = (r->tx_dirty + 1) % RTL_TX_DESCS;
		r->tx_busy--;
	}
}

static int rtl_transmit(struct netdev *nd, const struct netdev_frag *frags,
			unsigned nfrags, size_t total)
{
	struct rtl *r = nd->priv;
	int err = -EIO;

	spin_lock(&r->lock);
	if (!r->ready)
		goto out;
	tx_reclaim(r);
	err = -EAGAIN;
	if (r->tx_busy == RTL_TX_DESCS)
		goto out;
	uint8_t *p = r->tx_bufs + r->tx_next * RTL_TX_BUF;
	for (unsigned f = 0; f < nfrags; f++) {
		memcpy(p, frags[f].data, frags[f].len);
		p += frags[f].len;
	}
	/* The chip sends what it is given: pad short frames (IEEE 802.3
	 * minimum, 60 bytes before the CRC it appends). */
	if (total < NETDEV_ETH_ZLEN) {
		memset(p, 0, NETDEV_ETH_ZLEN - total);
		total = NETDEV_ETH_ZLEN;
	}
	/* Writing the size clears OWN and starts the DMA. */
	outl(r->io + RTL_TSD0 + 4 * r->tx_next, (uint32_t)total);
	r->tx_next = (r->tx_next + 1) % RTL_TX_DESCS;
	r->tx_busy++;
	err = 0;
out:
	spin_unlock(&r->lock);
	return err;
}

static void rtl_rx_resume(struct netdev *nd)
{
	struct rtl *r = nd->priv;

	spin_lock(&r->lock);
	if (r->ready)
		rx_drain(r);
	spin_unlock(&r->lock);
}

static const struct netdev_ops rtl_ops = {
	.transmit = rtl_transmit,
	.rx_resume = rtl_rx_resume,
};

static void rtl_irq(void *arg)
{
	struct rtl *r = arg;
	uint16_t isr;

	spin_lock(&r->lock);
	if (!r->ready || !(isr = inw(r->io + RTL_ISR))) {
		spin_unlock(&r->lock);
		return; /* another device on a shared line */
	}
	/* Acknowledge first: a frame arriving while we drain raises a
	 * new interrupt instead of being missed. */
	outw(r->io + RTL_ISR, isr);
	if (isr & (RTL_INT_ROK | RTL_INT_RER | RTL_INT_RXOVW | RTL_INT_FOVW))
		rx_drain(r);
	if (r->ready && (isr & (RTL_INT_TOK | RTL_INT_TER)))
		tx_reclaim(r);
	if (isr & RTL_INT_LINKCHG)
		netdev_set_link(&r->nd, inw(r->io + RTL_BMSR) & RTL_BMSR_LINK);
	if (isr & RTL_INT_SERR)
		broken(r, "PCI system error");
	spin_unlock(&r->lock);
}

static int rtl_probe(struct pci_dev *d, const struct pci_id *id)
{
	struct rtl *r;
	int err;

	(void)id;
	if (!(r = kzalloc(sizeof *r)))
		return -ENOMEM;
	r->pci = d;
	if ((err = pci_enable(d)))
		goto err_free;
	err = -ENODEV;
	if (!d->bar[0].io || d->bar[0].size < 0x100)
		goto err_pci;
	r->io = (uint16_t)d->bar[0].base;
	/* RBSTART and TSAD are 32-bit physical addresses. */
	err = -ENOMEM;
	r->rx_pa = pmm_alloc_pages(RTL_RX_PAGES);
	if (!r->rx_pa)
		goto err_pci;
	r->tx_pa = pmm_alloc_pages(RTL_TX_PAGES);
	if (!r->tx_pa)
		goto err_rx;
	if (r->rx_pa + RTL_RX_PAGES * PAGE_SIZE > 0x100000000ULL ||
	    r->tx_pa + RTL_TX_PAGES * PAGE_SIZE > 0x100000000ULL)
		goto err_tx;
	r->rx_ring = phys_to_virt(r->rx_pa);
	r->tx_bufs = phys_to_virt(r->tx_pa);
	if ((err = hw_init(r)))
		goto err_tx;
	for (unsigned i = 0; i < 6; i++)
		r->nd.mac[i] = inb(r->io + RTL_IDR0 + i);
	r->nd.mtu = NETDEV_MTU_DEFAULT;
	r->nd.link_up = inw(r->io + RTL_BMSR) & RTL_BMSR_LINK;
	r->nd.driver = "rtl8139";
	r->nd.ops = &rtl_ops;
	r->nd.priv = r;
	r->ready = true;
	if ((err = pci_intx_attach(d, rtl_irq, r)))
		goto err_hw;
	log_info("rtl8139 %04x:%04x at PCI " PCI_FMT ": INTx, driver ready",
		 d->vendor, d->device, PCI_ARGS(d));
	netdev_register(&r->nd);
	return 0;

err_hw:
	r->ready = false;
	outw(r->io + RTL_IMR, 0);
	outb(r->io + RTL_CR, RTL_CR_RST);
err_tx:
	pmm_free_pages(r->tx_pa, RTL_TX_PAGES);
err_rx:
	pmm_free_pages(r->rx_pa, RTL_RX_PAGES);
err_pci:
	pci_disable(d);
err_free:
	kfree(r);
	log_error("rtl8139 at PCI " PCI_FMT ": probe failed (error %d); "
		  "device disabled",
		  PCI_ARGS(d), err);
	return err;
}

static const struct pci_id rtl_ids[] = {
	{RTL_PCI_VENDOR, RTL_PCI_DEVICE},
	{0, 0},
};

PCI_DRIVER(rtl8139, rtl_ids, rtl_probe);
