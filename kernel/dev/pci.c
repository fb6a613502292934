/* PCI: configuration mechanism #1, enumeration, BARs, capabilities, drivers. */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/log.h>
#include <kernel/mm.h>
#include <kernel/sched.h>
#include <kernel/time.h>

#include "dev/pci.h"

/* Configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2):
 * write bus/device/function/register to CONFIG_ADDRESS, then move the
 * dword through CONFIG_DATA. */
#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA	   0xcfc
#define PCI_CONFIG_ENABLE  (1U << 31)

/* Header type 1, PCI-to-PCI bridge (PCI-to-PCI Bridge Architecture
 * Specification 1.2, 3.2): its secondary bus number. */
#define PCI_HEADER_BRIDGE  0x01
#define PCI_SECONDARY_BUS  0x19
#define PCI_INVALID_VENDOR 0xffff

/* BAR low bits (PCI 3.0, 6.2.5.1). */
#define PCI_BAR_IO	 (1U << 0)
#define PCI_BAR_MEM_TYPE (3U << 1)
#define PCI_BAR_MEM_64	 (2U << 1)
#define PCI_BAR_PREFETCH (1U << 3)
#define PCI_BAR_IO_MASK	 (~3U)
#define PCI_BAR_MEM_MASK (~15U)

#define PCI_CAP_LIST_START 0x40 /* below is the standard header */
#define PCI_CAP_MAX	   48	/* (256 - 64) / 4: a longer list loops */

extern const struct pci_driver __pci_drivers_start[], __pci_drivers_end[];

static struct pci_dev *devices, **devices_tail = &devices;
static uint32_t buses_seen[256 / 32]; /* a bridge loop must not hang us */
static unsigned nr_functions, nr_buses;

/* bus, device, function packed as in CONFIG_ADDRESS bits 23:8 */
static uint32_t bdf(unsigned bus, unsigned slot, unsigned func)
{
	return bus << 16 | slot << 11 | func << 8;
}

static uint32_t dev_bdf(const struct pci_dev *d)
{
	return bdf(d->bus, d->slot, d->func);
}

/* Configuration mechanism #1 is an address/data pair: one user at a time,
 * on every CPU (PCI 3.0, 3.2.2.3.2). */
static struct spinlock cfg_lock = SPINLOCK_INIT;

static uint32_t cfg_read(uint32_t addr, unsigned off, unsigned size)
{
	uint64_t flags = spin_lock_irqsave(&cfg_lock);
	uint32_t v;

	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | addr | (off & 0xfc));
	if (size == 1)
		v = inb(PCI_CONFIG_DATA + (off & 3));
	else if (size == 2)
		v = inw(PCI_CONFIG_DATA + (off & 2));
	else
		v = inl(PCI_CONFIG_DATA);
	spin_unlock_irqrestore(&cfg_lock, flags);
	return v;
}

static void cfg_write(uint32_t addr, unsigned off, unsigned size, uint32_t v)
{
	uint64_t flags = spin_lock_irqsave(&cfg_lock);

	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | addr | (off & 0xfc));
	if (size == 1)
		outb(PCI_CONFIG_DATA + (off & 3), (uint8_t)v);
	else if (size == 2)
		outw(PCI_CONFIG_DATA + (off & 2), (uint16_t)v);
	else
		outl(PCI_CONFIG_DATA, v);
	spin_unlock_irqrestore(&cfg_lock, flags);
}

uint8_t pci_cfg_read8(const struct pci_dev *d, unsigned off)
{
	return (uint8_t)cfg_read(dev_bdf(d), off, 1);
}

uint16_t pci_cfg_read16(const struct pci_dev *d, unsigned off)
{
	return (uint16_t)cfg_read(dev_bdf(d), off, 2);
}

uint32_t pci_cfg_read32(const struct pci_dev *d, unsigned off)
{
	return cfg_read(dev_bdf(d), off, 4);
}

void pci_cfg_write8(const struct pci_dev *d, unsigned off, uint8_t v)
{
	cfg_write(dev_bdf(d), off, 1, v);
}

void pci_cfg_write16(const struct pci_dev *d, unsigned off, uint16_t v)
{
	cfg_write(dev_bdf(d), off, 2, v);
}

void pci_cfg_write32(const struct pci_dev *d, unsigned off, uint32_t v)
{
	cfg_write(dev_bdf(d), off, 4, v);
}

/* What BAR n decodes: all ones written, the mask read back, the old
 * value restored (PCI 3.0, 6.2.5.1). Decoding is off meanwhile. Returns
 * how many slots it took (2 for a 64-bit BAR), or -EIO. */
static int bar_size(struct pci_dev *d, unsigned n)
{
	unsigned off = PCI_BAR0 + 4 * n;
	uint32_t lo = pci_cfg_read32(d, off), mask;
	struct pci_bar *b = &d->bar[n];
	uint64_t base, size;

	pci_cfg_write32(d, off, ~0U);
	mask = pci_cfg_read32(d, off);
	pci_cfg_write32(d, off, lo);
	if (lo & PCI_BAR_IO) {
		b->io = true;
		base = lo & PCI_BAR_IO_MASK;
		/* Devices decoding only 16 port bits read 0 above them. */
		mask = (mask & PCI_BAR_IO_MASK) & 0xffff;
		size = mask ? 0x10000 - mask : 0;
	} else {
		uint64_t mask64 = mask & PCI_BAR_MEM_MASK;

		base = lo & PCI_BAR_MEM_MASK;
		b->prefetch = lo & PCI_BAR_PREFETCH;
		if ((lo & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_64) {
			if (n + 1 >= PCI_NR_BARS)
				return -EIO;
			uint32_t hi = pci_cfg_read32(d, off + 4);
			pci_cfg_write32(d, off + 4, ~0U);
			mask64 |= (uint64_t)pci_cfg_read32(d, off + 4) << 32;
			pci_cfg_write32(d, off + 4, hi);
			base |= (uint64_t)hi << 32;
			b->is64 = true;
		} else if (mask64) {
			mask64 |= 0xffffffff00000000ULL;
		}
		size = mask64 ? ~mask64 + 1 : 0;
	}
	if (size & (size - 1))
		return -EIO; /* a decoder is a power of two */
	/* Firmware left it unassigned: as good as absent. */
	b->base = base;
	b->size = base ? size : 0;
	return b->is64 ? 2 : 1;
}

int pci_enable(struct pci_dev *d)
{
	uint16_t cmd = pci_cfg_read16(d, PCI_COMMAND);
	int err = 0;

	pci_cfg_write16(d, PCI_COMMAND,
			cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned n = 0; n < PCI_NR_BARS;) {
		int used = bar_size(d, n);
		if (used < 0) {
			err = used;
			break;
		}
		n += (unsigned)used;
	}
	if (err) {
		pci_cfg_write16(d, PCI_COMMAND, cmd);
		return err;
	}
	pci_cfg_write16(d, PCI_COMMAND,
			cmd | PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
				PCI_COMMAND_MASTER);
	d->enabled = true;
	return 0;
}

void pci_disable(struct pci_dev *d)
{
	uint16_t cmd = pci_cfg_read16(d, PCI_COMMAND);

	pci_cfg_write16(d, PCI_COMMAND,
			cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
				PCI_COMMAND_MASTER));
	d->enabled = false;
}

void *pci_bar_map(struct pci_dev *d, unsigned n, uint64_t off, uint64_t len)
{
	const struct pci_bar *b;
	uint64_t end;

	if (n >= PCI_NR_BARS || !d->enabled)
		return NULL;
	b = &d->bar[n];
	if (b->io || !b->size || !len ||
	    __builtin_add_overflow(off, len, &end) || end > b->size)
		return NULL;
	return vmm_map_mmio(b->base + off, len);
}

unsigned pci_find_cap(const struct pci_dev *d, uint8_t id, unsigned after)
{
	unsigned ptr;

	if (!(pci_cfg_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	ptr = after ? pci_cfg_read8(d, after + 1)
		    : pci_cfg_read8(d, PCI_CAP_PTR);
	for (unsigned i = 0; i < PCI_CAP_MAX; i++) {
		ptr &= 0xfc;
		if (ptr < PCI_CAP_LIST_START)
			return 0;
		if (pci_cfg_read8(d, ptr) == id)
			return ptr;
		ptr = pci_cfg_read8(d, ptr + 1);
	}
	return 0;
}

static void scan_bus(unsigned bus);

static void add_function(unsigned bus, unsigned slot, unsigned func,
			 uint32_t id, uint8_t header)
{
	uint32_t class = cfg_read(bdf(bus, slot, func), PCI_REVISION, 4);
	struct pci_dev *d = kzalloc(sizeof *d);

	if (!d)
		return; /* out of memory at boot: the device stays unseen */
	*d = (struct pci_dev){
		.bus = bus,
		.slot = slot,
		.func = func,
		.vendor = id & 0xffff,
		.device = id >> 16,
		.class = class >> 24,
		.subclass = class >> 16,
		.prog_if = class >> 8,
	};
	*devices_tail = d;
	devices_tail = &d->next;
	nr_functions++;
	log_trace("PCI " PCI_FMT " %04x:%04x class %02x.%02x", PCI_ARGS(d),
		  d->vendor, d->device, d->class, d->subclass);
	if ((header & 0x7f) == PCI_HEADER_BRIDGE)
		scan_bus(cfg_read(bdf(bus, slot, func), PCI_SECONDARY_BUS, 1));
}

/* Every slot of bus, every function where function 0 says there are
 * more, and the buses behind bridges, each bus once. */
static void scan_bus(unsigned bus)
{
	if (bus > 255 || buses_seen[bus / 32] & (1U << bus % 32))
		return;
	buses_seen[bus / 32] |= 1U << bus % 32;
	nr_buses++;
	for (unsigned slot = 0; slot < 32; slot++) {
		uint32_t id = cfg_read(bdf(bus, slot, 0), PCI_VENDOR_ID, 4);
		if ((id & 0xffff) == PCI_INVALID_VENDOR)
			continue;
		uint8_t header =
			cfg_read(bdf(bus, slot, 0), PCI_HEADER_TYPE, 1);
		add_function(bus, slot, 0, id, header);
		if (!(header & PCI_HEADER_MULTIFN))
			continue;
		for (unsigned func = 1; func < 8; func++) {
			id = cfg_read(bdf(bus, slot, func), PCI_VENDOR_ID, 4);
			if ((id & 0xffff) == PCI_INVALID_VENDOR)
				continue;
			add_function(bus, slot, func, id,
				     cfg_read(bdf(bus, slot, func),
					      PCI_HEADER_TYPE, 1));
		}
	}
}

static void probe(struct pci_dev *d)
{
	for (const struct pci_driver *drv = __pci_drivers_start;
	     drv < __pci_drivers_end; drv++) {
		for (const struct pci_id *id = drv->ids; id->vendor; id++) {
			if (id->vendor != d->vendor || id->device != d->device)
				continue;
			if (drv->probe(d, id) == 0) {
				d->driver = drv;
				return;
			}
		}
	}
}

void pci_init(void)
{
	uint64_t t0 = rdtsc(), hz = tsc_hz();

	/* A multi-function host bridge at 00:00 means one host controller
	 * per function, function n owning bus n (PCI 3.0, and what
	 * firmware does on such chipsets). */
	scan_bus(0);
	if (cfg_read(bdf(0, 0, 0), PCI_HEADER_TYPE, 1) & PCI_HEADER_MULTIFN)
		for (unsigned func = 1; func < 8; func++)
			if ((cfg_read(bdf(0, 0, func), PCI_VENDOR_ID, 2)) !=
			    PCI_INVALID_VENDOR)
				scan_bus(func);
	if (hz)
		log_debug("PCI: %u functions on %u buses in %lu us",
			  nr_functions, nr_buses,
			  (rdtsc() - t0) / (hz / 1000000 ? hz / 1000000 : 1));
	for (struct pci_dev *d = devices; d; d = d->next)
		probe(d);
}
