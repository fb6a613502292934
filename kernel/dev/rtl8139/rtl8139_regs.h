/* RTL8139C(L)+ registers, I/O space (Realtek RTL8139C(L)+ datasheet 1.6,
 * section 6, "Register Descriptions"), as QEMU's rtl8139 model has them. */
#ifndef KERNEL_DEV_RTL8139_REGS_H
#define KERNEL_DEV_RTL8139_REGS_H

#define RTL_PCI_VENDOR 0x10ec
#define RTL_PCI_DEVICE 0x8139

#define RTL_IDR0    0x00 /* MAC address, 6 bytes */
#define RTL_MAR0    0x08 /* multicast filter, 8 bytes */
#define RTL_TSD0    0x10 /* transmit status of descriptor 0..3, 4 bytes each */
#define  RTL_TSD_SIZE	  0x1fff     /* bytes to send */
#define  RTL_TSD_OWN	  (1U << 13) /* DMA done: the buffer is the driver's */
#define  RTL_TSD_TUN	  (1U << 14) /* FIFO underrun */
#define  RTL_TSD_TOK	  (1U << 15) /* sent */
#define  RTL_TSD_TABT	  (1U << 30) /* aborted */
#define RTL_TSAD0   0x20 /* transmit start address of descriptor 0..3 */
#define RTL_RBSTART 0x30 /* receive buffer start (physical, 32-bit) */
#define RTL_CR	    0x37 /* command */
#define  RTL_CR_BUFE	  (1U << 0) /* receive buffer empty */
#define  RTL_CR_TE	  (1U << 2)
#define  RTL_CR_RE	  (1U << 3)
#define  RTL_CR_RST	  (1U << 4)
#define RTL_CAPR    0x38 /* current address of packet read, minus 16 */
#define  RTL_CAPR_BIAS	  16
#define RTL_IMR	    0x3c /* interrupt mask */
#define RTL_ISR	    0x3e /* interrupt status, write 1 to clear */
#define  RTL_INT_ROK	  (1U << 0)
#define  RTL_INT_RER	  (1U << 1)
#define  RTL_INT_TOK	  (1U << 2)
#define  RTL_INT_TER	  (1U << 3)
#define  RTL_INT_RXOVW	  (1U << 4) /* receive buffer overflow */
#define  RTL_INT_LINKCHG  (1U << 5) /* packet underrun / link change */
#define  RTL_INT_FOVW	  (1U << 6) /* receive FIFO overflow */
#define  RTL_INT_SERR	  (1U << 15) /* PCI system error */
#define RTL_TCR	    0x40 /* transmit configuration */
#define  RTL_TCR_IFG_STD  (3U << 24) /* 9.6 us inter-frame gap */
#define  RTL_TCR_MXDMA_2K (7U << 8)
#define RTL_RCR	    0x44 /* receive configuration */
#define  RTL_RCR_APM	  (1U << 1) /* our own address */
#define  RTL_RCR_AM	  (1U << 2) /* multicast */
#define  RTL_RCR_AB	  (1U << 3) /* broadcast */
#define  RTL_RCR_WRAP	  (1U << 7) /* frames run on past the ring's end */
#define  RTL_RCR_MXDMA	  (7U << 8) /* unlimited DMA burst */
#define  RTL_RCR_RBLEN_8K (0U << 11) /* ring of 8 KiB + 16 bytes */
#define  RTL_RCR_RXFTH	  (7U << 13) /* no FIFO threshold: whole frames */
#define RTL_CONFIG1 0x52 /* 0: powered on (LWAKE, LWPTN low) */
#define RTL_BMSR    0x64 /* PHY basic mode status (IEEE 802.3, 22.2.4.2) */
#define  RTL_BMSR_LINK	  (1U << 2)

/* The receive ring: 8 KiB, plus 16 bytes and room for one whole frame
 * past the end, where WRAP mode lets a frame run on. */
#define RTL_RX_RING	   8192
#define RTL_RX_SLACK	   (16 + 1536)
#define RTL_RX_ALLOC	   (RTL_RX_RING + RTL_RX_SLACK)
#define RTL_TX_DESCS	   4
#define RTL_TX_BUF	   2048 /* one TX buffer: a 1514-byte frame fits */
#define RTL_FRAME_MAX	   1514

/* The header the chip writes before each received frame (datasheet 6.1,
 * "Receive Status Register in Rx packet header"), then the frame and its
 * CRC, the next header at the following 4-byte boundary. */
#define RTL_RXHDR_LEN	   4
#define RTL_RXS_ROK	   (1U << 0)
#define RTL_RXS_FAE	   (1U << 1) /* frame alignment error */
#define RTL_RXS_CRC	   (1U << 2)
#define RTL_RXS_LONG	   (1U << 3) /* over 4 KiB */
#define RTL_RXS_RUNT	   (1U << 4) /* under 64 bytes */
#define RTL_RXS_ISE	   (1U << 5) /* invalid symbol */
#define RTL_RXS_ERRORS	   (RTL_RXS_FAE | RTL_RXS_CRC | RTL_RXS_LONG | \
			    RTL_RXS_RUNT | RTL_RXS_ISE)
#define RTL_CRC_LEN	   4

#endif
