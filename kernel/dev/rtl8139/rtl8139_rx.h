/* The RTL8139 receive ring: one frame at a time, every field checked. */
#ifndef KERNEL_DEV_RTL8139_RX_H
#define KERNEL_DEV_RTL8139_RX_H

#include <kernel/types.h>

struct netdev_stats;

enum rtl_rx_result {
	RTL_RX_FRAME,	/* *frame, *len: a good frame (no CRC) */
	RTL_RX_SKIPPED, /* the chip flagged it bad: dropped, counted */
	RTL_RX_CORRUPT, /* no trustworthy length: counted; reset the ring */
};

/*
 * Read the frame whose header is at ring + *offset (the ring is
 * RTL_RX_ALLOC bytes: in WRAP mode a frame near the end runs on past
 * RTL_RX_RING instead of wrapping). On FRAME and SKIPPED, *offset moves to
 * the next header (4-byte aligned, wrapped into the ring). A length no
 * Ethernet frame has counts in rx_bad_len, a frame the chip marked bad in
 * rx_dropped.
 */
enum rtl_rx_result rtl8139_rx_parse(const uint8_t *ring, uint32_t *offset,
				    const uint8_t **frame, size_t *len,
				    struct netdev_stats *stats);

#endif
