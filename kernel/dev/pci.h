/* PCI: configuration space, the devices found, BARs, MSI-X, INTx, drivers. */
#ifndef KERNEL_DEV_PCI_H
#define KERNEL_DEV_PCI_H

#include <kernel/irq.h>
#include <kernel/types.h>

/* Configuration space header, type 0 (PCI Local Bus Specification 3.0,
 * 6.1, figure 6-1); the fields drivers use. */
#define PCI_VENDOR_ID	   0x00
#define PCI_DEVICE_ID	   0x02
#define PCI_COMMAND	   0x04
#define  PCI_COMMAND_IO		(1U << 0)
#define  PCI_COMMAND_MEMORY	(1U << 1)
#define  PCI_COMMAND_MASTER	(1U << 2)
#define  PCI_COMMAND_INTX_OFF	(1U << 10)
#define PCI_STATUS	   0x06
#define  PCI_STATUS_CAP_LIST	(1U << 4)
#define PCI_REVISION	   0x08
#define PCI_PROG_IF	   0x09
#define PCI_SUBCLASS	   0x0a
#define PCI_CLASS	   0x0b
#define PCI_HEADER_TYPE	   0x0e
#define  PCI_HEADER_MULTIFN	0x80
#define PCI_BAR0	   0x10
#define PCI_CAP_PTR	   0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN  0x3d

/* Capability IDs (PCI Code and ID Assignment Specification, 2). */
#define PCI_CAP_VENDOR 0x09
#define PCI_CAP_MSIX   0x11

#define PCI_NR_BARS 6

struct pci_bar {
	uint64_t base; /* physical address, or the first I/O port */
	uint64_t size; /* 0: the device has no such BAR */
	bool io;       /* I/O space rather than memory */
	bool is64;     /* a 64-bit memory BAR (takes the next slot too) */
	bool prefetch;
};

/* One function found on a bus. */
struct pci_dev {
	uint8_t bus, slot, func;
	uint8_t class, subclass, prog_if;
	uint16_t vendor, device;
	struct pci_bar bar[PCI_NR_BARS]; /* valid after pci_enable() */
	bool enabled;
	const struct pci_driver *driver; /* bound after a successful probe */
	/* MSI-X, once pci_msix_enable() succeeded */
	uint8_t msix_cap;
	uint16_t msix_entries;
	volatile uint32_t *msix_table;
	/* INTx, once pci_intx_attach() succeeded */
	struct pci_intx *intx;
	struct pci_dev *next;
};

/* Configuration space of d: offsets 0..255, naturally aligned. Each
 * access runs with interrupts off (index and data are two ports). */
uint8_t pci_cfg_read8(const struct pci_dev *d, unsigned off);
uint16_t pci_cfg_read16(const struct pci_dev *d, unsigned off);
uint32_t pci_cfg_read32(const struct pci_dev *d, unsigned off);
void pci_cfg_write8(const struct pci_dev *d, unsigned off, uint8_t v);
void pci_cfg_write16(const struct pci_dev *d, unsigned off, uint16_t v);
void pci_cfg_write32(const struct pci_dev *d, unsigned off, uint32_t v);

/*
 * Size and decode the BARs into d->bar[], then turn on I/O and memory
 * decoding and bus mastering (DMA). The first thing a probe does. 0, or
 * -EIO when a BAR reads back as something no device may report.
 */
int pci_enable(struct pci_dev *d);
/* Stop decoding and DMA (a probe's unwinding, a broken device). */
void pci_disable(struct pci_dev *d);

/* [off, off + len) of memory BAR n mapped uncached, or NULL when n is
 * not a memory BAR, the range is not inside it, or mapping fails.
 * Mappings are never undone. */
void *pci_bar_map(struct pci_dev *d, unsigned n, uint64_t off, uint64_t len);

/*
 * The capabilities list: the offset of the first capability with id
 * after offset `after` (0: from the start of the list), or 0 when there
 * is none. A list that loops or points outside the header is cut short.
 */
unsigned pci_find_cap(const struct pci_dev *d, uint8_t id, unsigned after);

/*
 * MSI-X (PCI 3.0, 6.8.2). pci_msix_enable maps the table, masks every
 * entry and turns MSI-X on (INTx is then off); -ENODEV when d has no
 * MSI-X, -ERANGE when its table has fewer than nvec entries, -ENOMEM.
 * pci_msix_route points entry at vector on the boot CPU and unmasks it.
 * pci_msix_disable masks everything and turns MSI-X off.
 */
int pci_msix_enable(struct pci_dev *d, unsigned nvec);
void pci_msix_route(struct pci_dev *d, unsigned entry, int vector);
void pci_msix_disable(struct pci_dev *d);

/*
 * Legacy INTx: fn(arg) runs on d's interrupt line, which other devices
 * may share (so fn checks its own device's status and returns quietly
 * when the interrupt is not its). The line register names an ISA IRQ;
 * the MADT's overrides give the GSI; PCI's convention is level-triggered,
 * active-low. 0, -ENODEV (no pin, no usable line, no I/O APIC input),
 * -ENOSPC (no vector), -ENOMEM. One handler per device.
 */
int pci_intx_attach(struct pci_dev *d, irq_handler_fn fn, void *arg);
void pci_intx_detach(struct pci_dev *d);

/* Drivers. */
struct pci_id {
	uint16_t vendor, device;
};

struct pci_driver {
	const char *name;
	const struct pci_id *ids; /* ends with {0, 0} */
	/* Claim d (which matched *id): 0, or -errno after undoing what it
	 * did, in reverse order, and logging why in one line. */
	int (*probe)(struct pci_dev *d, const struct pci_id *id);
};

/*
 * Register a driver from its own file; pci_init() offers it every device
 * whose vendor and device IDs appear in ids. The order among drivers is
 * unspecified.
 */
#define PCI_DRIVER(drv_name, id_table, probe_fn)                             \
	static const struct pci_driver pci_driver_##drv_name                 \
		__attribute__((used, section(".pci_drivers"), aligned(8))) = { \
			.name = #drv_name,                                   \
			.ids = id_table,                                     \
			.probe = probe_fn,                                   \
	}

/* Enumerate every bus, then probe the drivers. Call once after the heap,
 * the APICs and the timer are up (drivers route interrupts and may wait). */
void pci_init(void);

/* "bb:ss.f" in log lines: log_info("x " PCI_FMT, PCI_ARGS(d)). */
#define PCI_FMT "%02x:%02x.%x"
#define PCI_ARGS(d) (d)->bus, (d)->slot, (d)->func

#endif
