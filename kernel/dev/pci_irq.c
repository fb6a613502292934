/* PCI interrupts: MSI-X tables and shared legacy INTx lines. */
#include <kernel/errno.h>
#include <kernel/irq.h>
#include <kernel/mm.h>
#include <kernel/sched.h>

#include "dev/pci.h"

/* MSI-X capability (PCI Local Bus Specification 3.0, 6.8.2). */
#define MSIX_CTRL	  2	 /* message control, 16 bits */
#define MSIX_CTRL_SIZE	  0x07ff /* table size - 1 */
#define MSIX_CTRL_MASKALL (1U << 14)
#define MSIX_CTRL_ENABLE  (1U << 15)
#define MSIX_TABLE	  4 /* BIR in bits 2:0, offset in 31:3 */
#define MSIX_TABLE_BIR	  7U
/* A table entry (6.8.2.6-9): four dwords. */
#define MSIX_ENTRY_SIZE	   16
#define MSIX_ENTRY_ADDR_LO 0
#define MSIX_ENTRY_ADDR_HI 1
#define MSIX_ENTRY_DATA	   2
#define MSIX_ENTRY_CTRL	   3
#define MSIX_ENTRY_MASKED  1U

static volatile uint32_t *msix_entry(struct pci_dev *d, unsigned n)
{
	return d->msix_table + n * (MSIX_ENTRY_SIZE / 4);
}

int pci_msix_enable(struct pci_dev *d, unsigned nvec)
{
	unsigned cap = pci_find_cap(d, PCI_CAP_MSIX, 0);
	uint16_t ctrl;
	uint32_t table;

	if (!cap)
		return -ENODEV;
	ctrl = pci_cfg_read16(d, cap + MSIX_CTRL);
	table = pci_cfg_read32(d, cap + MSIX_TABLE);
	d->msix_entries = (ctrl & MSIX_CTRL_SIZE) + 1;
	if (d->msix_entries < nvec)
		return -ERANGE;
	d->msix_table =
		pci_bar_map(d, table & MSIX_TABLE_BIR, table & ~MSIX_TABLE_BIR,
			    d->msix_entries * MSIX_ENTRY_SIZE);
	if (!d->msix_table)
		return -ENOMEM;
	d->msix_cap = cap;
	/* Enabled with the whole function masked, so no entry fires half
	 * programmed; then every entry masked on its own (6.8.2.3). */
	pci_cfg_write16(d, cap + MSIX_CTRL,
			ctrl | MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
	for (unsigned i = 0; i < d->msix_entries; i++)
		msix_entry(d, i)[MSIX_ENTRY_CTRL] = MSIX_ENTRY_MASKED;
	pci_cfg_write16(d, cap + MSIX_CTRL,
			(ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_MASKALL);
	pci_cfg_write16(d, PCI_COMMAND,
			pci_cfg_read16(d, PCI_COMMAND) | PCI_COMMAND_INTX_OFF);
	return 0;
}

void pci_msix_route(struct pci_dev *d, unsigned entry, int vector)
{
	volatile uint32_t *e;
	uint64_t addr;
	uint32_t data;

	if (!d->msix_cap || entry >= d->msix_entries)
		return;
	e = msix_entry(d, entry);
	irq_msi_message(vector, &addr, &data);
	e[MSIX_ENTRY_CTRL] = MSIX_ENTRY_MASKED;
	e[MSIX_ENTRY_ADDR_LO] = (uint32_t)addr;
	e[MSIX_ENTRY_ADDR_HI] = (uint32_t)(addr >> 32);
	e[MSIX_ENTRY_DATA] = data;
	e[MSIX_ENTRY_CTRL] = 0;
}

void pci_msix_disable(struct pci_dev *d)
{
	if (!d->msix_cap)
		return;
	for (unsigned i = 0; i < d->msix_entries; i++)
		msix_entry(d, i)[MSIX_ENTRY_CTRL] = MSIX_ENTRY_MASKED;
	pci_cfg_write16(d, d->msix_cap + MSIX_CTRL,
			pci_cfg_read16(d, d->msix_cap + MSIX_CTRL) &
				~MSIX_CTRL_ENABLE);
	d->msix_cap = 0;
}

/*
 * INTx lines are shared: one vector per GSI, whose handler calls every
 * device attached to it. Each device's handler checks its own status.
 */
struct intx_line {
	unsigned gsi;
	int vector;
	struct pci_intx *handlers;
	struct intx_line *next;
};

struct pci_intx {
	irq_handler_fn fn;
	void *arg;
	struct intx_line *line;
	struct pci_intx *next;
};

static struct intx_line *lines;
/* A line's handler list: walked by its interrupt (on any CPU), changed
 * by attach and detach. Taken before any lock a handler takes. */
static struct spinlock intx_lock = SPINLOCK_INIT;

static void intx_dispatch(void *arg)
{
	const struct intx_line *l = arg;

	spin_lock(&intx_lock);
	for (const struct pci_intx *h = l->handlers; h; h = h->next)
		h->fn(h->arg);
	spin_unlock(&intx_lock);
}

/* The line for gsi, made and routed on first use. */
static int intx_line_get(unsigned gsi, bool level, bool active_low,
			 struct intx_line **out)
{
	struct intx_line *l;
	int err;

	for (l = lines; l; l = l->next)
		if (l->gsi == gsi)
			goto found;
	if (!(l = kzalloc(sizeof *l)))
		return -ENOMEM;
	l->gsi = gsi;
	l->vector = irq_alloc_vector(intx_dispatch, l);
	if (l->vector < 0) {
		err = l->vector;
		goto err_free;
	}
	err = irq_route_gsi(gsi, l->vector, level, active_low);
	if (err)
		goto err_vector;
	l->next = lines;
	lines = l;
found:
	*out = l;
	return 0;
err_vector:
	irq_free_vector(l->vector);
err_free:
	kfree(l);
	return err;
}

int pci_intx_attach(struct pci_dev *d, irq_handler_fn fn, void *arg)
{
	uint8_t pin = pci_cfg_read8(d, PCI_INTERRUPT_PIN);
	uint8_t isa_irq = pci_cfg_read8(d, PCI_INTERRUPT_LINE);
	bool level = true, active_low = true; /* PCI 3.0, 2.2.6 */
	struct pci_intx *h;
	int err;

	/* Pin 0: no INTx. Line 0xff: firmware did not connect it; line 0
	 * is the timer, 2 the cascade: never a PCI device's. */
	if (pin == 0 || pin > 4 || d->intx || isa_irq >= 16 || isa_irq == 0 ||
	    isa_irq == 2)
		return -ENODEV;
	if (!(h = kzalloc(sizeof *h)))
		return -ENOMEM;
	unsigned gsi = irq_isa_to_gsi(isa_irq, &level, &active_low);
	err = intx_line_get(gsi, level, active_low, &h->line);
	if (err) {
		kfree(h);
		return err;
	}
	h->fn = fn;
	h->arg = arg;
	uint64_t flags = spin_lock_irqsave(&intx_lock);
	h->next = h->line->handlers;
	h->line->handlers = h;
	spin_unlock_irqrestore(&intx_lock, flags);
	d->intx = h;
	pci_cfg_write16(d, PCI_COMMAND,
			pci_cfg_read16(d, PCI_COMMAND) & ~PCI_COMMAND_INTX_OFF);
	return 0;
}

void pci_intx_detach(struct pci_dev *d)
{
	struct pci_intx *h = d->intx, **pp;
	struct intx_line *l, **lp;

	if (!h)
		return;
	pci_cfg_write16(d, PCI_COMMAND,
			pci_cfg_read16(d, PCI_COMMAND) | PCI_COMMAND_INTX_OFF);
	l = h->line;
	uint64_t flags = spin_lock_irqsave(&intx_lock);
	for (pp = &l->handlers; *pp && *pp != h; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = h->next;
	spin_unlock_irqrestore(&intx_lock, flags);
	d->intx = NULL;
	kfree(h);
	if (l->handlers)
		return;
	irq_mask_gsi(l->gsi);
	irq_free_vector(l->vector);
	for (lp = &lines; *lp && *lp != l; lp = &(*lp)->next)
		;
	if (*lp)
		*lp = l->next;
	kfree(l);
}
