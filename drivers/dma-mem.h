/* SPDX-License-Identifier: MIT */
/*
 * dma-mem.h — reading and writing the structures a device reads by DMA
 * (descriptors, queue entries, PRP lists) in the caller's scratch memory.
 * Volatile 32-bit stores, because the device reads them behind the
 * compiler's back and a 64-bit field is two dwords on every device here
 * (little-endian, dword-aligned).  One place for the drivers of this folder.
 */
#ifndef PASSTHRU_DRIVERS_DMA_MEM_H
#define PASSTHRU_DRIVERS_DMA_MEM_H

#include <stdint.h>

static inline void dma_put32(volatile uint8_t *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

static inline uint32_t dma_get32(volatile const uint8_t *p)
{
	return *(volatile const uint32_t *)p;
}

static inline void dma_put64(volatile uint8_t *p, uint64_t v)
{
	dma_put32(p, (uint32_t)v);
	dma_put32(p + 4, (uint32_t)(v >> 32));
}

/* n bytes, a multiple of 4 */
static inline void dma_zero(volatile uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i += 4)
		dma_put32(p + i, 0);
}

#endif
