/* Split virtqueue bookkeeping (Virtio 1.1, 2.6): free list, avail, used. */
#include <kernel/errno.h>
#include <kernel/string.h>

#include "dev/virtio/virtio_regs.h"
#include "dev/virtio/virtqueue.h"

#define VQ_SIZE_MAX 32768

static size_t avail_bytes(uint16_t size)
{
	return sizeof(struct vq_avail) + 2 * (size_t)size + 2;
}

static size_t used_offset(uint16_t size)
{
	return ALIGN_UP(sizeof(struct vq_desc) * size + avail_bytes(size),
			(size_t)VIRTIO_LEGACY_QUEUE_ALIGN);
}

size_t vq_ring_bytes(uint16_t size)
{
	size_t used = sizeof(struct vq_used) +
		      sizeof(struct vq_used_elem) * (size_t)size + 2;

	return used_offset(size) +
	       ALIGN_UP(used, (size_t)VIRTIO_LEGACY_QUEUE_ALIGN);
}

int vq_init(struct virtqueue *vq, uint16_t index, uint16_t size, void *mem,
	    paddr_t mem_pa, struct vq_slot *slots)
{
	size_t avail_off = sizeof(struct vq_desc) * (size_t)size;

	if (size == 0 || size > VQ_SIZE_MAX || (size & (size - 1)))
		return -EINVAL;
	*vq = (struct virtqueue){
		.size = size,
		.index = index,
		.desc = mem,
		.avail = (void *)((char *)mem + avail_off),
		.used = (void *)((char *)mem + used_offset(size)),
		.desc_pa = mem_pa,
		.avail_pa = mem_pa + avail_off,
		.used_pa = mem_pa + used_offset(size),
		.slots = slots,
		.num_free = size,
	};
	memset(slots, 0, sizeof *slots * size);
	for (uint16_t i = 0; i < size; i++)
		slots[i].next = (uint16_t)(i + 1);
	return 0;
}

int vq_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned n,
	   void *token)
{
	uint16_t head = vq->free_head, d = head;
	uint32_t writable = 0;

	if (n == 0 || !token)
		return -EINVAL;
	if (n > vq->num_free)
		return -ENOSPC;
	for (unsigned i = 0; i < n; i++) {
		vq->desc[d] = (struct vq_desc){
			.addr = bufs[i].addr,
			.len = bufs[i].len,
			.flags =
				(uint16_t)((bufs[i].device_writes
						    ? VIRTQ_DESC_F_WRITE
						    : 0) |
					   (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
			.next = i + 1 < n ? vq->slots[d].next : 0,
		};
		if (bufs[i].device_writes)
			writable += bufs[i].len;
		d = vq->slots[d].next;
	}
	vq->free_head = d;
	vq->num_free -= (uint16_t)n;
	vq->slots[head].token = token;
	vq->slots[head].writable = writable;
	vq->slots[head].ndesc = (uint16_t)n;

	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = head;
	/* The entry before the index that publishes it (2.6.13.6); x86
	 * keeps stores in order, the compiler must too. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->avail->idx = ++vq->avail_idx;
	return 0;
}

bool vq_kick_needed(const struct virtqueue *vq)
{
	/* The index store before the flags load: a full fence (2.6.13.7). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !(vq->used->flags & VIRTQ_USED_F_NO_NOTIFY);
}

void vq_disable_interrupts(struct virtqueue *vq)
{
	vq->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
}

int vq_get_used(struct virtqueue *vq, void **token, uint32_t *len)
{
	uint16_t pending = (uint16_t)(vq->used->idx - vq->last_used);
	struct vq_used_elem e;
	struct vq_slot *head;

	if (pending == 0)
		return 0;
	if (pending > vq->size)
		return -EIO;
	/* The index before the entry it covers (2.6.14). */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	e = vq->used->ring[vq->last_used & (vq->size - 1)];
	if (e.id >= vq->size || !vq->slots[e.id].token)
		return -EIO;
	head = &vq->slots[e.id];
	if (vq->ignore_used_len)
		e.len = 0;
	else if (e.len > head->writable)
		return -EIO;
	vq->last_used++;

	/* The chain back on the free list, found through our own links. */
	uint16_t tail = (uint16_t)e.id;
	for (uint16_t i = 1; i < head->ndesc; i++)
		tail = vq->slots[tail].next;
	vq->slots[tail].next = vq->free_head;
	vq->free_head = (uint16_t)e.id;
	vq->num_free += head->ndesc;
	*token = head->token;
	*len = e.len;
	head->token = NULL;
	return 1;
}
