/* virtio over PCI: register layouts and bits (Virtio 1.1, OASIS, 2019). */
#ifndef KERNEL_DEV_VIRTIO_REGS_H
#define KERNEL_DEV_VIRTIO_REGS_H

/* PCI IDs (4.1.2): vendor 0x1af4; modern device 0x1040 + virtio device
 * ID; transitional (legacy-capable) devices 0x1000..0x103f. */
#define VIRTIO_PCI_VENDOR	     0x1af4
#define VIRTIO_PCI_MODERN_BASE	     0x1040
#define VIRTIO_ID_NET		     1
#define VIRTIO_PCI_TRANSITIONAL_NET  0x1000

/* Device status (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE     1
#define VIRTIO_STATUS_DRIVER	      2
#define VIRTIO_STATUS_DRIVER_OK	      4
#define VIRTIO_STATUS_FEATURES_OK     8
#define VIRTIO_STATUS_NEEDS_RESET     64
#define VIRTIO_STATUS_FAILED	      128

/* Reserved feature bits (6). */
#define VIRTIO_F_ANY_LAYOUT	     27 /* legacy: headers need no own desc */
#define VIRTIO_F_VERSION_1	     32

/* Vendor capability (4.1.4): struct virtio_pci_cap. */
#define VIRTIO_PCI_CAP_CFG_TYPE	     3	/* u8 */
#define VIRTIO_PCI_CAP_BAR	     4	/* u8 */
#define VIRTIO_PCI_CAP_OFFSET	     8	/* le32 */
#define VIRTIO_PCI_CAP_LENGTH	     12 /* le32 */
#define VIRTIO_PCI_NOTIFY_CAP_MULT   16 /* le32, notify cap only (4.1.4.4) */
/* cfg_type values */
#define VIRTIO_PCI_CAP_COMMON_CFG    1
#define VIRTIO_PCI_CAP_NOTIFY_CFG    2
#define VIRTIO_PCI_CAP_ISR_CFG	     3
#define VIRTIO_PCI_CAP_DEVICE_CFG    4

/* Common configuration structure (4.1.4.3), offsets into it. */
#define VIRTIO_COMMON_DFSELECT	     0x00 /* le32 device_feature_select */
#define VIRTIO_COMMON_DF	     0x04 /* le32 device_feature */
#define VIRTIO_COMMON_GFSELECT	     0x08 /* le32 driver_feature_select */
#define VIRTIO_COMMON_GF	     0x0c /* le32 driver_feature */
#define VIRTIO_COMMON_MSIX	     0x10 /* le16 msix_config */
#define VIRTIO_COMMON_NUMQ	     0x12 /* le16 num_queues */
#define VIRTIO_COMMON_STATUS	     0x14 /* u8 device_status */
#define VIRTIO_COMMON_CFGGEN	     0x15 /* u8 config_generation */
#define VIRTIO_COMMON_Q_SELECT	     0x16 /* le16 queue_select */
#define VIRTIO_COMMON_Q_SIZE	     0x18 /* le16 queue_size */
#define VIRTIO_COMMON_Q_MSIX	     0x1a /* le16 queue_msix_vector */
#define VIRTIO_COMMON_Q_ENABLE	     0x1c /* le16 queue_enable */
#define VIRTIO_COMMON_Q_NOFF	     0x1e /* le16 queue_notify_off */
#define VIRTIO_COMMON_Q_DESC	     0x20 /* le64 queue_desc */
#define VIRTIO_COMMON_Q_AVAIL	     0x28 /* le64 queue_driver */
#define VIRTIO_COMMON_Q_USED	     0x30 /* le64 queue_device */
#define VIRTIO_COMMON_SIZE	     0x38
#define VIRTIO_MSI_NO_VECTOR	     0xffff

/* ISR status (4.1.4.5), read-to-clear; also the legacy register. */
#define VIRTIO_ISR_QUEUE	     (1U << 0)
#define VIRTIO_ISR_CONFIG	     (1U << 1)

/* Legacy interface, I/O BAR 0 (4.1.4.8), MSI-X off. */
#define VIRTIO_LEGACY_HOST_FEATURES  0x00 /* le32, features 0..31 */
#define VIRTIO_LEGACY_GUEST_FEATURES 0x04 /* le32 */
#define VIRTIO_LEGACY_QUEUE_PFN	     0x08 /* le32, address >> 12 */
#define VIRTIO_LEGACY_QUEUE_SIZE     0x0c /* le16, read-only */
#define VIRTIO_LEGACY_QUEUE_SELECT   0x0e /* le16 */
#define VIRTIO_LEGACY_QUEUE_NOTIFY   0x10 /* le16 */
#define VIRTIO_LEGACY_STATUS	     0x12 /* u8 */
#define VIRTIO_LEGACY_ISR	     0x13 /* u8 */
#define VIRTIO_LEGACY_CONFIG	     0x14 /* device config, MSI-X off */
#define VIRTIO_LEGACY_QUEUE_ALIGN    4096 /* used ring alignment (2.6.2) */
#define VIRTIO_LEGACY_PFN_SHIFT	     12

/* Split virtqueue (2.6): descriptor flags (2.6.5), ring flags (2.6.6,
 * 2.6.8). */
#define VIRTQ_DESC_F_NEXT	     1
#define VIRTQ_DESC_F_WRITE	     2
#define VIRTQ_AVAIL_F_NO_INTERRUPT   1
#define VIRTQ_USED_F_NO_NOTIFY	     1

/* Network device (5.1): feature bits (5.1.3). */
#define VIRTIO_NET_F_MTU	     3
#define VIRTIO_NET_F_MAC	     5
#define VIRTIO_NET_F_STATUS	     16
/* Device configuration (5.1.4), offsets. */
#define VIRTIO_NET_CFG_MAC	     0	/* u8[6] */
#define VIRTIO_NET_CFG_STATUS	     6	/* le16 */
#define  VIRTIO_NET_S_LINK_UP	      1
#define VIRTIO_NET_CFG_MTU	     10 /* le16 */
/* Virtqueues (5.1.2). */
#define VIRTIO_NET_RXQ		     0
#define VIRTIO_NET_TXQ		     1
/* struct virtio_net_hdr (5.1.6): 12 bytes with VERSION_1; 10 for a
 * legacy device without VIRTIO_NET_F_MRG_RXBUF (5.1.6.1). */
#define VIRTIO_NET_HDR_LEN	     12
#define VIRTIO_NET_HDR_LEN_LEGACY    10

#endif
