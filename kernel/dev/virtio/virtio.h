/* virtio over PCI, modern (1.x) and legacy (0.9.5): one transport API. */
#ifndef KERNEL_DEV_VIRTIO_VIRTIO_H
#define KERNEL_DEV_VIRTIO_VIRTIO_H

#include <kernel/types.h>

#include "dev/virtio/virtqueue.h"

struct pci_dev;

struct virtio_dev {
	struct pci_dev *pci;
	bool modern;
	uint16_t io;		  /* legacy: I/O BAR 0 */
	volatile uint8_t *common; /* modern: the four capability regions */
	volatile uint8_t *isr;
	volatile uint8_t *device;
	uint32_t device_len;
	volatile uint8_t *notify;
	uint32_t notify_len, notify_mult;
	uint64_t features; /* negotiated */
};

/*
 * Find the device's registers (modern: the vendor capabilities; legacy:
 * I/O BAR 0), reset it and set ACKNOWLEDGE and DRIVER (Virtio 1.1,
 * 3.1.1 steps 1-3). 0, -ENODEV (a register block is missing), -EIO
 * (the device does not come out of reset).
 */
int virtio_pci_start(struct virtio_dev *vd, struct pci_dev *pci, bool modern);

/*
 * Accept the offered subset of `wanted`; fail with -ENODEV when a feature
 * in `required` is not offered. Modern devices also need VERSION_1 and
 * must accept the choice (FEATURES_OK, 3.1.1 steps 4-6): -EIO if not.
 * The result is in vd->features.
 */
int virtio_negotiate(struct virtio_dev *vd, uint64_t wanted, uint64_t required);
/* The features the device offers (device configuration may be read
 * from here on, to decide what to accept). */
uint64_t virtio_offered(struct virtio_dev *vd);

static inline bool virtio_has(const struct virtio_dev *vd, unsigned bit)
{
	return vd->features & (1ULL << bit);
}

/*
 * Set up queue index with at most max_size entries (legacy devices fix
 * the size; a smaller power of two is chosen on modern ones), rings in
 * fresh pages, and enable it. msix_entry is the MSI-X table entry for
 * its interrupts, or VIRTIO_MSI_NO_VECTOR. 0, -ENODEV (no such queue),
 * -ENOMEM, -EIO (the device refused the vector or size).
 */
int virtio_queue_create(struct virtio_dev *vd, uint16_t index,
			uint16_t max_size, uint16_t msix_entry,
			struct virtqueue *vq);
/* Free a queue's memory; only after a reset (the device must be done
 * with it). */
void virtio_queue_free(struct virtqueue *vq);

/* Modern with MSI-X on: configuration changes go to msix_entry. 0 or
 * -EIO when the device refuses. */
int virtio_config_vector(struct virtio_dev *vd, uint16_t msix_entry);

/* Tell the device a queue has new buffers. */
void virtio_notify(struct virtio_dev *vd, const struct virtqueue *vq);
/* Read (and so clear) the ISR status: VIRTIO_ISR_QUEUE, _CONFIG. */
uint8_t virtio_isr(struct virtio_dev *vd);

/* Device configuration: bytes (the MAC) and 16-bit fields, each read with
 * its own width and, on a modern device, under its configuration
 * generation (2.4.1). Zeroes past its end. */
void virtio_cfg_read(struct virtio_dev *vd, unsigned off, void *buf,
		     unsigned len);
uint16_t virtio_cfg_read16(struct virtio_dev *vd, unsigned off);

void virtio_driver_ok(struct virtio_dev *vd);
/* Stop the device: FAILED (when giving up on it), then a reset, after
 * which it touches no buffer and raises no interrupt. */
void virtio_stop(struct virtio_dev *vd, bool failed);

#endif
