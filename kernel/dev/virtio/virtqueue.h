/* Split virtqueues: the rings in memory and the driver's bookkeeping. */
#ifndef KERNEL_DEV_VIRTIO_VIRTQUEUE_H
#define KERNEL_DEV_VIRTIO_VIRTQUEUE_H

#include <kernel/types.h>

/* The rings as the device sees them (Virtio 1.1, 2.6.5, 2.6.6, 2.6.8),
 * little-endian (x86). */
struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* size entries, then used_event */
};

struct vq_used_elem {
	uint32_t id;  /* head of the descriptor chain */
	uint32_t len; /* bytes the device wrote into it */
};

struct vq_used {
	uint16_t flags;
	uint16_t idx;
	struct vq_used_elem ring[]; /* size entries, then avail_event */
};

/* The driver's own record of each descriptor: never read back from
 * memory the device can write. */
struct vq_slot {
	void *token;	   /* what vq_get_used() returns; NULL: not a head */
	uint32_t writable; /* a head's device-writable bytes */
	uint16_t ndesc;	   /* a head's chain length */
	uint16_t next;	   /* next descriptor in the chain or free list */
};

struct virtqueue {
	uint16_t size; /* a power of two, at most 32768 */
	uint16_t index;
	struct vq_desc *desc;
	volatile struct vq_avail *avail;
	volatile struct vq_used *used;
	paddr_t desc_pa, avail_pa, used_pa;
	struct vq_slot *slots; /* size entries */
	uint16_t free_head, num_free;
	uint16_t avail_idx;   /* next avail->idx */
	uint16_t last_used;   /* used entries consumed so far */
	bool ignore_used_len; /* legacy TX: the device may report anything */
	volatile uint16_t *notify; /* modern: where to write the index */
};

/* One buffer of a chain: physical address, length, who writes it. */
struct vq_buf {
	paddr_t addr;
	uint32_t len;
	bool device_writes;
};

/*
 * Bytes of ring memory for size entries, laid out as the legacy
 * interface requires (and the modern one allows): descriptors, then the
 * available ring, then the used ring on the next 4 KiB boundary (2.6.2).
 */
size_t vq_ring_bytes(uint16_t size);

/* Set up vq over zeroed ring memory mem (physical address mem_pa,
 * vq_ring_bytes(size) long) and slots (size entries). -EINVAL when size
 * is not a power of two in 1..32768. */
int vq_init(struct virtqueue *vq, uint16_t index, uint16_t size, void *mem,
	    paddr_t mem_pa, struct vq_slot *slots);

/*
 * Make bufs[0..n) one chain and offer it to the device; token comes back
 * from vq_get_used() when the device is done with it. 0, -ENOSPC (fewer
 * than n free descriptors), -EINVAL (n == 0 or token NULL).
 * Call vq_kick_needed() after adding, then notify the device.
 */
int vq_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned n,
	   void *token);

/* Whether the device asked to be notified of new buffers. */
bool vq_kick_needed(const struct virtqueue *vq);

/*
 * The next chain the device has finished: 1 with *token and *len (bytes
 * it wrote, checked against the chain's writable size; 0 when
 * ignore_used_len), 0 when there is none, -EIO when the device broke the
 * protocol (used index ahead by more than size, an id that is no chain
 * in flight, a length past the chain): the queue must not be used again.
 */
int vq_get_used(struct virtqueue *vq, void **token, uint32_t *len);

/* Ask the device not to interrupt for this queue (a hint, 2.6.7). */
void vq_disable_interrupts(struct virtqueue *vq);

#endif
