/* virtio PCI transport: modern capabilities or legacy I/O, status, queues. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/mmio.h>
#include <kernel/string.h>
#include <kernel/time.h>

#include "dev/pci.h"
#include "dev/virtio/virtio.h"
#include "dev/virtio/virtio_regs.h"

#define RESET_TIMEOUT_NS (100 * 1000000ULL)
#define CFG_GEN_TRIES	 8

/* The first capability of each type whose BAR is real (4.1.4: a driver
 * ignores capabilities it does not understand or that point past BAR 5). */
static volatile uint8_t *map_cap(struct pci_dev *d, unsigned type,
				 unsigned min_len, uint32_t *len_out,
				 unsigned *cap_out)
{
	for (unsigned cap = pci_find_cap(d, PCI_CAP_VENDOR, 0); cap;
	     cap = pci_find_cap(d, PCI_CAP_VENDOR, cap)) {
		if (pci_cfg_read8(d, cap + VIRTIO_PCI_CAP_CFG_TYPE) != type)
			continue;
		uint8_t bar = pci_cfg_read8(d, cap + VIRTIO_PCI_CAP_BAR);
		uint32_t off = pci_cfg_read32(d, cap + VIRTIO_PCI_CAP_OFFSET);
		uint32_t len = pci_cfg_read32(d, cap + VIRTIO_PCI_CAP_LENGTH);
		if (bar >= PCI_NR_BARS || len < min_len)
			continue;
		volatile uint8_t *p = pci_bar_map(d, bar, off, len);
		if (!p)
			continue;
		if (len_out)
			*len_out = len;
		if (cap_out)
			*cap_out = cap;
		return p;
	}
	return NULL;
}

static int find_modern(struct virtio_dev *vd)
{
	struct pci_dev *d = vd->pci;
	unsigned notify_cap = 0;

	vd->common = map_cap(d, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_COMMON_SIZE,
			     NULL, NULL);
	vd->isr = map_cap(d, VIRTIO_PCI_CAP_ISR_CFG, 1, NULL, NULL);
	vd->notify = map_cap(d, VIRTIO_PCI_CAP_NOTIFY_CFG, 2, &vd->notify_len,
			     &notify_cap);
	vd->device =
		map_cap(d, VIRTIO_PCI_CAP_DEVICE_CFG, 1, &vd->device_len, NULL);
	if (!vd->common || !vd->isr || !vd->notify)
		return -ENODEV;
	vd->notify_mult =
		pci_cfg_read32(d, notify_cap + VIRTIO_PCI_NOTIFY_CAP_MULT);
	return 0;
}

static uint8_t get_status(struct virtio_dev *vd)
{
	if (vd->modern)
		return mmio_read8(vd->common + VIRTIO_COMMON_STATUS);
	return inb(vd->io + VIRTIO_LEGACY_STATUS);
}

static void set_status(struct virtio_dev *vd, uint8_t s)
{
	if (vd->modern)
		mmio_write8(vd->common + VIRTIO_COMMON_STATUS, s);
	else
		outb(vd->io + VIRTIO_LEGACY_STATUS, s);
}

static void add_status(struct virtio_dev *vd, uint8_t bits)
{
	set_status(vd, get_status(vd) | bits);
}

/* Writing 0 resets; a modern device says it is done by reading back 0
 * (4.1.4.3.2). */
static int reset(struct virtio_dev *vd)
{
	uint64_t deadline = clock_monotonic_ns() + RESET_TIMEOUT_NS;

	set_status(vd, 0);
	while (get_status(vd) != 0) {
		if (clock_monotonic_ns() > deadline)
			return -EIO;
		cpu_relax();
	}
	return 0;
}

int virtio_pci_start(struct virtio_dev *vd, struct pci_dev *pci, bool modern)
{
	int err;

	*vd = (struct virtio_dev){.pci = pci, .modern = modern};
	if (modern) {
		err = find_modern(vd);
		if (err)
			return err;
	} else {
		/* The legacy register block is I/O BAR 0 (4.1.4.8). */
		const struct pci_bar *b = &pci->bar[0];
		if (!b->io || b->size < VIRTIO_LEGACY_CONFIG)
			return -ENODEV;
		vd->io = (uint16_t)b->base;
	}
	err = reset(vd);
	if (err)
		return err;
	set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE);
	add_status(vd, VIRTIO_STATUS_DRIVER);
	return 0;
}

uint64_t virtio_offered(struct virtio_dev *vd)
{
	if (!vd->modern)
		return inl(vd->io + VIRTIO_LEGACY_HOST_FEATURES);
	uint64_t f = 0;
	for (uint32_t sel = 0; sel < 2; sel++) {
		mmio_write32(vd->common + VIRTIO_COMMON_DFSELECT, sel);
		f |= (uint64_t)mmio_read32(vd->common + VIRTIO_COMMON_DF)
		     << (32 * sel);
	}
	return f;
}

int virtio_negotiate(struct virtio_dev *vd, uint64_t wanted, uint64_t required)
{
	uint64_t offered = virtio_offered(vd);

	if (vd->modern)
		required |= 1ULL << VIRTIO_F_VERSION_1;
	if ((offered & required) != required)
		return -ENODEV;
	vd->features = offered & (wanted | required);
	if (!vd->modern) {
		outl(vd->io + VIRTIO_LEGACY_GUEST_FEATURES,
		     (uint32_t)vd->features);
		return 0;
	}
	for (uint32_t sel = 0; sel < 2; sel++) {
		mmio_write32(vd->common + VIRTIO_COMMON_GFSELECT, sel);
		mmio_write32(vd->common + VIRTIO_COMMON_GF,
			     (uint32_t)(vd->features >> (32 * sel)));
	}
	add_status(vd, VIRTIO_STATUS_FEATURES_OK);
	if (!(get_status(vd) & VIRTIO_STATUS_FEATURES_OK))
		return -EIO;
	return 0;
}

int virtio_config_vector(struct virtio_dev *vd, uint16_t msix_entry)
{
	mmio_write16(vd->common + VIRTIO_COMMON_MSIX, msix_entry);
	return mmio_read16(vd->common + VIRTIO_COMMON_MSIX) == msix_entry
		       ? 0
		       : -EIO;
}

/* Program and enable a modern queue (4.1.5.1.3). */
static int enable_modern(struct virtio_dev *vd, struct virtqueue *vq,
			 uint16_t msix_entry)
{
	volatile uint8_t *c = vd->common;
	uint64_t off;

	mmio_write16(c + VIRTIO_COMMON_Q_SIZE, vq->size);
	mmio_write32(c + VIRTIO_COMMON_Q_DESC, (uint32_t)vq->desc_pa);
	mmio_write32(c + VIRTIO_COMMON_Q_DESC + 4, vq->desc_pa >> 32);
	mmio_write32(c + VIRTIO_COMMON_Q_AVAIL, (uint32_t)vq->avail_pa);
	mmio_write32(c + VIRTIO_COMMON_Q_AVAIL + 4, vq->avail_pa >> 32);
	mmio_write32(c + VIRTIO_COMMON_Q_USED, (uint32_t)vq->used_pa);
	mmio_write32(c + VIRTIO_COMMON_Q_USED + 4, vq->used_pa >> 32);
	mmio_write16(c + VIRTIO_COMMON_Q_MSIX, msix_entry);
	if (mmio_read16(c + VIRTIO_COMMON_Q_MSIX) != msix_entry)
		return -EIO;
	/* The notify address must lie inside the notify region (4.1.4.4). */
	off = (uint64_t)mmio_read16(c + VIRTIO_COMMON_Q_NOFF) * vd->notify_mult;
	if (off > vd->notify_len || vd->notify_len - off < 2)
		return -EIO;
	vq->notify = (volatile uint16_t *)(vd->notify + off);
	mmio_write16(c + VIRTIO_COMMON_Q_ENABLE, 1);
	return 0;
}

static int enable_legacy(struct virtio_dev *vd, struct virtqueue *vq)
{
	/* A 32-bit page frame number (4.1.4.8). */
	if ((vq->desc_pa >> VIRTIO_LEGACY_PFN_SHIFT) > UINT32_MAX)
		return -EIO;
	outl(vd->io + VIRTIO_LEGACY_QUEUE_PFN,
	     (uint32_t)(vq->desc_pa >> VIRTIO_LEGACY_PFN_SHIFT));
	return 0;
}

int virtio_queue_create(struct virtio_dev *vd, uint16_t index,
			uint16_t max_size, uint16_t msix_entry,
			struct virtqueue *vq)
{
	uint16_t size;
	int err;

	if (vd->modern) {
		mmio_write16(vd->common + VIRTIO_COMMON_Q_SELECT, index);
		size = MIN(mmio_read16(vd->common + VIRTIO_COMMON_Q_SIZE),
			   max_size);
		if (size) /* split queues are powers of two (2.6) */
			size = (uint16_t)(1U << (31 - __builtin_clz(size)));
	} else {
		outw(vd->io + VIRTIO_LEGACY_QUEUE_SELECT, index);
		size = inw(vd->io + VIRTIO_LEGACY_QUEUE_SIZE);
	}
	if (size == 0)
		return -ENODEV;
	size_t bytes = vq_ring_bytes(size);
	paddr_t pa = pmm_alloc_pages(bytes / PAGE_SIZE);
	struct vq_slot *slots = kmalloc(sizeof *slots * size);
	if (!pa || !slots) {
		err = -ENOMEM;
		goto err_free;
	}
	err = vq_init(vq, index, size, phys_to_virt(pa), pa, slots);
	if (err)
		goto err_free; /* a legacy size that is no power of two */
	err = vd->modern ? enable_modern(vd, vq, msix_entry)
			 : enable_legacy(vd, vq);
	if (err)
		goto err_free;
	return 0;
err_free:
	kfree(slots);
	if (pa)
		pmm_free_pages(pa, bytes / PAGE_SIZE);
	vq->slots = NULL;
	return err;
}

void virtio_queue_free(struct virtqueue *vq)
{
	if (!vq->slots)
		return;
	pmm_free_pages(vq->desc_pa, vq_ring_bytes(vq->size) / PAGE_SIZE);
	kfree(vq->slots);
	vq->slots = NULL;
}

void virtio_notify(struct virtio_dev *vd, const struct virtqueue *vq)
{
	if (vd->modern)
		mmio_write16(vq->notify, vq->index);
	else
		outw(vd->io + VIRTIO_LEGACY_QUEUE_NOTIFY, vq->index);
}

uint8_t virtio_isr(struct virtio_dev *vd)
{
	if (vd->modern)
		return mmio_read8(vd->isr);
	return inb(vd->io + VIRTIO_LEGACY_ISR);
}

/* Whether [off, off + len) lies in the device configuration. */
static bool cfg_in_range(struct virtio_dev *vd, unsigned off, unsigned len)
{
	uint64_t size = vd->modern
				? vd->device_len
				: vd->pci->bar[0].size - VIRTIO_LEGACY_CONFIG;

	return (!vd->modern || vd->device) && off <= size && len <= size - off;
}

static uint8_t cfg_generation(struct virtio_dev *vd)
{
	return vd->modern ? mmio_read8(vd->common + VIRTIO_COMMON_CFGGEN) : 0;
}

/* Each field with an access of its own width (4.1.3.1). */
static uint32_t cfg_field(struct virtio_dev *vd, unsigned off, unsigned width)
{
	if (!vd->modern) {
		uint16_t port = vd->io + VIRTIO_LEGACY_CONFIG + off;
		return width == 1 ? inb(port) : inw(port);
	}
	return width == 1 ? mmio_read8(vd->device + off)
			  : mmio_read16(vd->device + off);
}

void virtio_cfg_read(struct virtio_dev *vd, unsigned off, void *buf,
		     unsigned len)
{
	uint8_t *out = buf;

	memset(buf, 0, len);
	if (!cfg_in_range(vd, off, len))
		return;
	/* Fields that change under us show a new generation (2.4.1). */
	for (unsigned tries = 0; tries < CFG_GEN_TRIES; tries++) {
		uint8_t gen = cfg_generation(vd);
		for (unsigned i = 0; i < len; i++)
			out[i] = (uint8_t)cfg_field(vd, off + i, 1);
		if (gen == cfg_generation(vd))
			return;
	}
}

uint16_t virtio_cfg_read16(struct virtio_dev *vd, unsigned off)
{
	uint16_t v = 0;

	if (!cfg_in_range(vd, off, 2) || off % 2)
		return 0;
	for (unsigned tries = 0; tries < CFG_GEN_TRIES; tries++) {
		uint8_t gen = cfg_generation(vd);
		v = (uint16_t)cfg_field(vd, off, 2);
		if (gen == cfg_generation(vd))
			break;
	}
	return v;
}

void virtio_driver_ok(struct virtio_dev *vd)
{
	add_status(vd, VIRTIO_STATUS_DRIVER_OK);
}

void virtio_stop(struct virtio_dev *vd, bool failed)
{
	if (failed)
		add_status(vd, VIRTIO_STATUS_FAILED);
	reset(vd);
}
