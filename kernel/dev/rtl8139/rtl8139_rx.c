/* RTL8139 receive ring parsing: header, length, status, the next offset. */
#include "dev/netdev.h"
#include "dev/rtl8139/rtl8139_regs.h"
#include "dev/rtl8139/rtl8139_rx.h"

enum rtl_rx_result rtl8139_rx_parse(const uint8_t *ring, uint32_t *offset,
				    const uint8_t **frame, size_t *len,
				    struct netdev_stats *stats)
{
	uint32_t off = *offset, end;
	uint16_t status, size;

	if (off >= RTL_RX_RING || off % 4) {
		stats->rx_bad_len++;
		return RTL_RX_CORRUPT;
	}
	status = (uint16_t)(ring[off] | ring[off + 1] << 8);
	size = (uint16_t)(ring[off + 2] | ring[off + 3] << 8); /* with CRC */
	end = off + RTL_RXHDR_LEN + size;
	/* A length outside Ethernet's, or one running past the slack after
	 * the ring: the position of the next header is unknown. */
	if (size < NETDEV_ETH_HLEN + RTL_CRC_LEN ||
	    size > RTL_FRAME_MAX + RTL_CRC_LEN || end > RTL_RX_ALLOC) {
		stats->rx_bad_len++;
		return RTL_RX_CORRUPT;
	}
	*offset = ALIGN_UP(end, 4) % RTL_RX_RING;
	if (!(status & RTL_RXS_ROK) || (status & RTL_RXS_ERRORS)) {
		stats->rx_dropped++;
		return RTL_RX_SKIPPED;
	}
	*frame = ring + off + RTL_RXHDR_LEN;
	*len = size - RTL_CRC_LEN;
	return RTL_RX_FRAME;
}
