/* Device register access by width: uncached MMIO loads and stores. */
#ifndef KERNEL_MMIO_H
#define KERNEL_MMIO_H

#include <kernel/types.h>

/*
 * One access of exactly the named width at a register mapped with
 * vmm_map_mmio() (uncached: the device sees accesses in program order).
 * Port I/O is inb/outb & co. in <kernel/arch.h>.
 */
static inline uint8_t mmio_read8(const volatile void *p)
{
	return *(const volatile uint8_t *)p;
}
static inline uint16_t mmio_read16(const volatile void *p)
{
	return *(const volatile uint16_t *)p;
}
static inline uint32_t mmio_read32(const volatile void *p)
{
	return *(const volatile uint32_t *)p;
}
static inline void mmio_write8(volatile void *p, uint8_t v)
{
	*(volatile uint8_t *)p = v;
}
static inline void mmio_write16(volatile void *p, uint16_t v)
{
	*(volatile uint16_t *)p = v;
}
static inline void mmio_write32(volatile void *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

#endif
