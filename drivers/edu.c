// SPDX-License-Identifier: MIT
/*
 * edu.c — QEMU's "edu" educational device (1234:11e8) as a DMA-test
 * driver.  Freestanding: see driver.h.
 *
 * BAR0: 0x00 id (0x010000ed), 0x04 liveness (reads back inverted),
 * 0x24 irq status, 0x60 irq raise, 0x64 irq ack, 0x80 DMA source,
 * 0x88 DMA destination, 0x90 DMA count, 0x98 DMA command (bit 0 start,
 * bit 1 direction edu->RAM, bit 2 raise irq 0x100 when done).  The DMA
 * engine copies between RAM and a 4 KiB buffer at device address 0x40000.
 *
 * Limits of the model (QEMU 7.2): DMA addresses are masked to 28 bits
 * (IOVAs must stay below 256 MiB); each transfer completes after a 100 ms
 * timer; a transfer that ends exactly at the end of the 4 KiB buffer
 * aborts QEMU, so copies stay below 2 KiB.  The device does not report DMA
 * faults: a blocked DMA just leaves memory untouched.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/driver.h"

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8

#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98

#define EDU_CMD_START	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_CMD_IRQ	0x4

#define EDU_BUF		0x40000ull
#define EDU_MAX_COPY	2048
#define EDU_DMA_MASK	((1ull << 28) - 1)
#define EDU_POLL_US	1000

struct edu_state {
	uint64_t dst, len;
	uint32_t phase;		/* 0 idle, 1 RAM->edu running, 2 edu->RAM running */
};

static struct edu_state *edu(struct pt_drv *drv)
{
	return (struct edu_state *)drv->priv;
}

static int edu_probe(uint16_t vendor, uint16_t device, uint32_t class_code)
{
	return vendor == EDU_VENDOR && device == EDU_DEVICE ? 0 : PT_DRV_ENODEV;
}

static void edu_start(struct pt_drv *drv, uint64_t src, uint64_t dst,
		      uint64_t len, uint32_t cmd)
{
	/* edu takes the whole 64-bit value from a 32-bit write at 0x80/0x88
	 * (upper half zero): fine, addresses are below 2^28 */
	pt_drv_write32(drv, 0, EDU_DMA_SRC, (uint32_t)src);
	pt_drv_write32(drv, 0, EDU_DMA_DST, (uint32_t)dst);
	pt_drv_write32(drv, 0, EDU_DMA_CNT, (uint32_t)len);
	pt_drv_write32(drv, 0, EDU_DMA_CMD, cmd | EDU_CMD_START);
}

static int edu_poll_idle(struct pt_drv *drv)
{
	uint32_t waited = 0, limit = drv->env->timeout_us ? drv->env->timeout_us : 2000000;

	while (pt_drv_read32(drv, 0, EDU_DMA_CMD) & EDU_CMD_START) {
		if (waited >= limit)
			return PT_DRV_ETIMEDOUT;
		drv->env->delay_us(drv->env->opaque, EDU_POLL_US);
		waited += EDU_POLL_US;
	}
	return 0;
}

static void edu_irq_ack(struct pt_drv *drv)
{
	uint32_t st = pt_drv_read32(drv, 0, EDU_IRQ_STATUS);

	if (st)
		pt_drv_write32(drv, 0, EDU_IRQ_ACK, st);
}

static int edu_init(struct pt_drv *drv)
{
	uint32_t id = pt_drv_read32(drv, 0, EDU_ID);

	if ((id & 0xff) != 0xed)
		return PT_DRV_ENODEV;
	pt_drv_write32(drv, 0, EDU_LIVENESS, 0x5a5aa5a5u);
	if (pt_drv_read32(drv, 0, EDU_LIVENESS) != ~0x5a5aa5a5u)
		return PT_DRV_EIO;
	if (edu_poll_idle(drv) < 0)	/* a copy left running by someone */
		return PT_DRV_EBUSY;
	edu_irq_ack(drv);
	edu(drv)->phase = 0;
	return 0;
}

static void edu_remove(struct pt_drv *drv)
{
	edu_poll_idle(drv);
	edu_irq_ack(drv);
	edu(drv)->phase = 0;
}

static int edu_memcpy_start(struct pt_drv *drv, uint64_t src, uint64_t dst,
			    uint64_t len)
{
	struct edu_state *s = edu(drv);

	if (!len || len > EDU_MAX_COPY || (src & ~EDU_DMA_MASK) ||
	    (dst & ~EDU_DMA_MASK) || ((src + len - 1) & ~EDU_DMA_MASK) ||
	    ((dst + len - 1) & ~EDU_DMA_MASK))
		return PT_DRV_EINVAL;
	if (s->phase)
		return PT_DRV_EBUSY;
	s->dst = dst;
	s->len = len;
	s->phase = 1;
	edu_start(drv, src, EDU_BUF, len, 0);	/* device reads RAM */
	return 0;
}

static int edu_memcpy_wait(struct pt_drv *drv)
{
	struct edu_state *s = edu(drv);
	int ret;

	if (!s->phase)
		return PT_DRV_EINVAL;
	ret = edu_poll_idle(drv);
	if (ret < 0)
		goto out;
	if (s->phase == 1) {
		s->phase = 2;	/* device writes RAM, interrupt when done */
		edu_start(drv, EDU_BUF, s->dst, s->len, EDU_CMD_TO_RAM | EDU_CMD_IRQ);
		ret = edu_poll_idle(drv);
	}
out:
	s->phase = ret < 0 ? s->phase : 0;
	return ret;
}

static int edu_send_msi(struct pt_drv *drv, uint32_t vector)
{
	if (vector)
		return PT_DRV_EINVAL;	/* edu has one vector */
	pt_drv_write32(drv, 0, EDU_IRQ_RAISE, 0x1);
	return 0;
}

const struct pt_driver pt_driver_edu = {
	.name = "edu",
	.dma_bits = 28,
	.max_memcpy = EDU_MAX_COPY,
	.min_memcpy = 1,
	.dst_room = 0,
	.scratch_size_min = 0,
	.nr_vectors = 1,
	.probe = edu_probe,
	.init = edu_init,
	.remove = edu_remove,
	.memcpy_start = edu_memcpy_start,
	.memcpy_wait = edu_memcpy_wait,
	.send_msi = edu_send_msi,
	.irq_ack = edu_irq_ack,
};
