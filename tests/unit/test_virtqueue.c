/* Host tests of split-virtqueue bookkeeping (kernel/dev/virtio/virtqueue.c)
 * against a fake device that writes the used ring as a broken one might. */
#include <stdlib.h>
#include <string.h>

#include <kernel/errno.h>

#include "dev/virtio/virtio_regs.h"
#include "dev/virtio/virtqueue.h"
#include "unit.h"

#define RING_PA 0x100000 /* where the fake device believes the ring is */

static struct virtqueue vq;
static struct vq_slot slots[256];
static void *mem;
static int tokens[256]; /* &tokens[i] is the token of chain i */

static void setup(uint16_t size)
{
	free(mem);
	mem = aligned_alloc(4096, vq_ring_bytes(size));
	memset(mem, 0, vq_ring_bytes(size));
	vq_init(&vq, 0, size, mem, RING_PA, slots);
}

/* The device finishes chain `id`, having written len bytes. */
static void device_uses(uint32_t id, uint32_t len)
{
	volatile struct vq_used *u = vq.used;

	u->ring[u->idx & (vq.size - 1)] = (struct vq_used_elem){id, len};
	u->idx++;
}

static int add_rx(unsigned i, uint32_t len)
{
	struct vq_buf b = {0x200000 + i * 2048, len, true};

	return vq_add(&vq, &b, 1, &tokens[i]);
}

TEST(vq_ring_bytes_follow_legacy_layout)
{
	/* 256: 4 KiB of descriptors + 518 of avail -> 8 KiB, used 4 KiB. */
	CHECK(vq_ring_bytes(256) == 12288);
	CHECK(vq_ring_bytes(64) == 8192);
	CHECK(vq_ring_bytes(1) == 8192);
}

TEST(vq_init_rejects_sizes_that_are_no_power_of_two)
{
	char m[64];

	CHECK(vq_init(&vq, 0, 0, m, 0, slots) == -EINVAL);
	CHECK(vq_init(&vq, 0, 48, m, 0, slots) == -EINVAL);
	setup(64);
	CHECK(vq.num_free == 64 && vq.desc_pa == RING_PA);
	CHECK(vq.avail_pa == RING_PA + 64 * 16);
	CHECK(vq.used_pa == RING_PA + 4096);
}

TEST(vq_add_writes_chain_and_publishes_head)
{
	struct vq_buf b[2] = {{0x1000, 10, false}, {0x2000, 100, true}};

	setup(8);
	CHECK(vq_add(&vq, b, 2, &tokens[0]) == 0);
	CHECK(vq.avail->idx == 1 && vq.avail->ring[0] == 0);
	CHECK(vq.desc[0].addr == 0x1000 && vq.desc[0].len == 10);
	CHECK(vq.desc[0].flags == VIRTQ_DESC_F_NEXT);
	uint16_t second = vq.desc[0].next;
	CHECK(vq.desc[second].addr == 0x2000);
	CHECK(vq.desc[second].flags == VIRTQ_DESC_F_WRITE);
	CHECK(vq.num_free == 6);
}

TEST(vq_add_refuses_when_full_or_empty)
{
	struct vq_buf b[3] = {
		{0x1000, 1, false}, {0x2000, 1, false}, {0x3000, 1, false}};

	setup(4);
	CHECK(vq_add(&vq, b, 0, &tokens[0]) == -EINVAL);
	CHECK(vq_add(&vq, b, 1, NULL) == -EINVAL);
	CHECK(vq_add(&vq, b, 3, &tokens[0]) == 0);
	CHECK(vq_add(&vq, b, 2, &tokens[1]) == -ENOSPC);
	CHECK(vq_add(&vq, b, 1, &tokens[1]) == 0);
	CHECK(vq.num_free == 0);
}

TEST(vq_get_used_returns_token_and_length)
{
	void *tok;
	uint32_t len;

	setup(8);
	CHECK(add_rx(0, 2048) == 0);
	CHECK(vq_get_used(&vq, &tok, &len) == 0); /* nothing yet */
	device_uses(vq.avail->ring[0], 60);
	CHECK(vq_get_used(&vq, &tok, &len) == 1);
	CHECK(tok == &tokens[0] && len == 60);
	CHECK(vq.num_free == 8);
	CHECK(vq_get_used(&vq, &tok, &len) == 0);
}

TEST(vq_get_used_rejects_id_out_of_range)
{
	void *tok;
	uint32_t len;

	setup(8);
	CHECK(add_rx(0, 2048) == 0);
	device_uses(8, 60);
	CHECK(vq_get_used(&vq, &tok, &len) == -EIO);
	setup(8);
	CHECK(add_rx(0, 2048) == 0);
	device_uses(0xffffffff, 60);
	CHECK(vq_get_used(&vq, &tok, &len) == -EIO);
}

TEST(vq_get_used_rejects_id_not_in_flight)
{
	struct vq_buf b[2] = {{0x1000, 10, true}, {0x2000, 10, true}};
	void *tok;
	uint32_t len;

	setup(8);
	CHECK(vq_add(&vq, b, 2, &tokens[0]) == 0);
	/* The chain's second descriptor is no head. */
	device_uses(vq.desc[0].next, 5);
	CHECK(vq_get_used(&vq, &tok, &len) == -EIO);

	/* A chain the device already returned, returned again. */
	setup(8);
	CHECK(add_rx(0, 100) == 0);
	device_uses(0, 5);
	CHECK(vq_get_used(&vq, &tok, &len) == 1);
	device_uses(0, 5);
	CHECK(vq_get_used(&vq, &tok, &len) == -EIO);
	CHECK(vq.num_free == 8); /* nothing freed twice */
}

TEST(vq_get_used_rejects_length_past_the_chain)
{
	struct vq_buf b[2] = {{0x1000, 12, false}, {0x2000, 100, true}};
	void *tok;
	uint32_t len;

	setup(8);
	CHECK(vq_add(&vq, b, 2, &tokens[0]) == 0);
	device_uses(0, 101); /* only 100 bytes were writable */
	CHECK(vq_get_used(&vq, &tok, &len) == -EIO);
	setup(8);
	CHECK(vq_add(&vq, b, 2, &tokens[0]) == 0);
	device_uses(0, 100);
	CHECK(vq_get_used(&vq, &tok, &len) == 1 && len == 100);
}

TEST(vq_get_used_rejects_index_running_ahead)
{
	void *tok;
	uint32_t len;

	setup(8);
	CHECK(add_rx(0, 100) == 0);
	vq.used->idx = 9; /* nine entries in a ring of eight */
	CHECK(vq_get_used(&vq, &tok, &len) == -EIO);
}

TEST(vq_ignore_used_len_reports_zero)
{
	struct vq_buf b = {0x1000, 60, false};
	void *tok;
	uint32_t len = 1;

	setup(8);
	vq.ignore_used_len = true;
	CHECK(vq_add(&vq, &b, 1, &tokens[0]) == 0);
	device_uses(0, 60); /* legacy TX: the whole descriptor length */
	CHECK(vq_get_used(&vq, &tok, &len) == 1 && len == 0);
}

TEST(vq_free_list_survives_out_of_order_completion)
{
	struct vq_buf b[2] = {{0x1000, 10, true}, {0x2000, 10, true}};
	uint16_t heads[4];
	void *tok;
	uint32_t len;

	setup(8);
	for (int i = 0; i < 4; i++) {
		CHECK(vq_add(&vq, b, 2, &tokens[i]) == 0);
		heads[i] = vq.avail->ring[i];
	}
	CHECK(vq.num_free == 0);
	const int order[4] = {2, 0, 3, 1};
	for (int i = 0; i < 4; i++) {
		device_uses(heads[order[i]], 20);
		CHECK(vq_get_used(&vq, &tok, &len) == 1);
		CHECK(tok == &tokens[order[i]]);
	}
	CHECK(vq.num_free == 8);
	/* Every descriptor is reachable again: eight singles fit. */
	for (int i = 0; i < 8; i++)
		CHECK(add_rx((unsigned)i, 10) == 0);
	CHECK(add_rx(8, 10) == -ENOSPC);
}

TEST(vq_indices_wrap_at_16_bits)
{
	void *tok;
	uint32_t len;

	setup(4);
	for (unsigned i = 0; i < 70000; i++) {
		CHECK(add_rx(0, 64) == 0);
		device_uses(vq.avail->ring[(uint16_t)(vq.avail_idx - 1) & 3],
			    64);
		CHECK(vq_get_used(&vq, &tok, &len) == 1 && len == 64);
	}
	CHECK(vq.num_free == 4 && vq.avail->idx == (uint16_t)70000);
}

TEST(vq_kick_needed_honours_no_notify)
{
	setup(8);
	CHECK(vq_kick_needed(&vq));
	vq.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	CHECK(!vq_kick_needed(&vq));
}
