/* Host tests of RTL8139 receive-ring parsing (kernel/dev/rtl8139/rtl8139_rx.c):
 * good frames, frames running past the ring's end, and bad lengths and
 * statuses, each dropped and counted. */
#include <string.h>

#include "dev/netdev.h"
#include "dev/rtl8139/rtl8139_regs.h"
#include "dev/rtl8139/rtl8139_rx.h"
#include "unit.h"

static uint8_t ring[RTL_RX_ALLOC];
static struct netdev_stats st;

/* A header and `size` bytes (frame plus CRC) at off, as the chip writes
 * them in WRAP mode: straight on past the ring's end. */
static void put_frame(uint32_t off, uint16_t status, uint16_t size)
{
	ring[off] = status & 0xff;
	ring[off + 1] = status >> 8;
	ring[off + 2] = size & 0xff;
	ring[off + 3] = size >> 8;
	for (uint32_t i = 0; i < size && off + 4 + i < sizeof ring; i++)
		ring[off + 4 + i] = (uint8_t)(i + 1);
}

static void reset(void)
{
	memset(ring, 0, sizeof ring);
	memset(&st, 0, sizeof st);
}

TEST(rtl_rx_parses_good_frames_in_sequence)
{
	const uint8_t *f;
	size_t len;
	uint32_t off = 0;

	reset();
	put_frame(0, RTL_RXS_ROK, 64 + 4);
	put_frame(72, RTL_RXS_ROK, 61 + 4); /* next header 4-byte aligned */
	CHECK(rtl8139_rx_parse(ring, &off, &f, &len, &st) == RTL_RX_FRAME);
	CHECK(f == ring + 4 && len == 64 && f[0] == 1 && off == 72);
	CHECK(rtl8139_rx_parse(ring, &off, &f, &len, &st) == RTL_RX_FRAME);
	CHECK(len == 61 && off == 72 + 4 + 68);
	CHECK(st.rx_bad_len == 0 && st.rx_dropped == 0);
}

TEST(rtl_rx_reads_frame_past_ring_end_and_wraps_offset)
{
	const uint8_t *f;
	size_t len;
	uint32_t off = RTL_RX_RING - 8;

	reset();
	put_frame(off, RTL_RXS_ROK, 1514 + 4);
	CHECK(rtl8139_rx_parse(ring, &off, &f, &len, &st) == RTL_RX_FRAME);
	CHECK(len == 1514 && f == ring + RTL_RX_RING - 4);
	CHECK(f[1513] == (uint8_t)1514); /* read whole, from the slack */
	CHECK(off == (RTL_RX_RING - 8 + 4 + 1518 + 2) % RTL_RX_RING);
}

TEST(rtl_rx_drops_and_counts_bad_lengths)
{
	const uint8_t *f;
	size_t len;
	uint32_t off;

	reset();
	put_frame(0, RTL_RXS_ROK, 17); /* under header + CRC */
	off = 0;
	CHECK(rtl8139_rx_parse(ring, &off, &f, &len, &st) == RTL_RX_CORRUPT);
	CHECK(st.rx_bad_len == 1 && off == 0);
	put_frame(0, RTL_RXS_ROK, 1514 + 4 + 1); /* longer than Ethernet */
	CHECK(rtl8139_rx_parse(ring, &off, &f, &len, &st) == RTL_RX_CORRUPT);
	put_frame(0, RTL_RXS_ROK, 0xfff0); /* garbage from the device */
	CHECK(rtl8139_rx_parse(ring, &off, &f, &len, &st) == RTL_RX_CORRUPT);
	CHECK(st.rx_bad_len == 3 && st.rx_dropped == 0);
}

TEST(rtl_rx_refuses_offsets_outside_the_ring)
{
	const uint8_t *f;
	size_t len;
	uint32_t off = RTL_RX_RING;

	reset();
	CHECK(rtl8139_rx_parse(ring, &off, &f, &len, &st) == RTL_RX_CORRUPT);
	off = 6;
	CHECK(rtl8139_rx_parse(ring, &off, &f, &len, &st) == RTL_RX_CORRUPT);
	CHECK(st.rx_bad_len == 2);
}

TEST(rtl_rx_skips_and_counts_frames_flagged_bad)
{
	const uint8_t *f;
	size_t len;
	uint32_t off = 0;

	reset();
	put_frame(0, RTL_RXS_ROK | RTL_RXS_CRC, 64 + 4);
	put_frame(72, 0, 64 + 4); /* no ROK */
	put_frame(144, RTL_RXS_ROK, 60 + 4);
	CHECK(rtl8139_rx_parse(ring, &off, &f, &len, &st) == RTL_RX_SKIPPED);
	CHECK(off == 72);
	CHECK(rtl8139_rx_parse(ring, &off, &f, &len, &st) == RTL_RX_SKIPPED);
	CHECK(rtl8139_rx_parse(ring, &off, &f, &len, &st) == RTL_RX_FRAME);
	CHECK(len == 60 && st.rx_dropped == 2 && st.rx_bad_len == 0);
}
