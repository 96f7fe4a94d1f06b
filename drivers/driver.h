/* SPDX-License-Identifier: MIT */
/*
 * driver.h — userspace DMA-test device drivers (drivers/).
 *
 * Each driver is a small ops table in the style of the Linux VFIO selftests
 * drivers: probe by id, init, start a DMA copy, wait for it, raise an
 * interrupt.  The sources are FREESTANDING: they include only <stdint.h>,
 * <stddef.h>, <stdbool.h> and this header, never call libc, touch registers
 * through the mapped BAR pointers (or the env's accessors when a BAR is not
 * mapped) and get every DMA address from the caller.  The host library
 * (passthru dma-test, lab tests) and the bare-metal KVM guest (guest/)
 * compile the same files; the guest with
 * -ffreestanding -nostdlib -mgeneral-regs-only -mno-red-zone.
 *
 * "memcpy" is the device's own copy from IOVA src to IOVA dst: the device
 * READS src by DMA and WRITES dst by DMA, so one copy proves both
 * directions.  edu copies through its 4 KiB internal buffer; e1000e sends
 * src as a frame and receives it back into dst through MAC loopback.
 */
#ifndef PASSTHRU_DRIVER_H
#define PASSTHRU_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes (negative, Linux values, so the host can hand them to
 * strerror; the guest only compares them). */
#define PT_DRV_EIO	(-5)
#define PT_DRV_ENODEV	(-19)
#define PT_DRV_EINVAL	(-22)
#define PT_DRV_EBUSY	(-16)
#define PT_DRV_ETIMEDOUT (-110)

#define PT_DRV_MAX_BARS	6
#define PT_DRV_PRIV	256	/* bytes of per-device driver state */

struct pt_drv_env {
	/* BARs mapped into the caller's address space (NULL: not mapped). */
	volatile uint8_t *bar[PT_DRV_MAX_BARS];
	uint64_t bar_size[PT_DRV_MAX_BARS];
	/* Register access for BARs that are not mapped (NULL when every BAR
	 * the driver uses is mapped). */
	uint32_t (*read32)(void *opaque, int bar, uint64_t off);
	void (*write32)(void *opaque, int bar, uint64_t off, uint32_t val);
	/* Busy-wait or sleep; required (waits are counted in it). */
	void (*delay_us)(void *opaque, uint32_t us);
	void *opaque;
	/*
	 * DMA-able memory the driver may use for its own structures
	 * (descriptor rings): vaddr as the driver sees it, iova as the device
	 * sees it.  Drivers needing none have scratch_size_min == 0.
	 */
	volatile uint8_t *scratch;
	uint64_t scratch_iova;
	uint64_t scratch_size;
	/* Wait limit of memcpy_wait, in microseconds (0 = 2 s). */
	uint32_t timeout_us;
};

struct pt_driver;

struct pt_drv {
	const struct pt_driver *ops;
	struct pt_drv_env *env;
	uint16_t vendor, device;
	/* What the device reported when the last call failed (driver-specific,
	 * e1000e: TX status, RX status, RX errors, RX length), for messages. */
	uint32_t diag[4];
	uint64_t priv[PT_DRV_PRIV / 8];	/* the driver's state */
};

struct pt_driver {
	const char *name;
	unsigned int dma_bits;		/* DMA address width (edu: 28) */
	uint64_t max_memcpy;		/* largest copy in one memcpy_start */
	uint64_t min_memcpy;		/* smallest (e1000e: 60, a frame) */
	uint64_t dst_room;		/* bytes the device may write at dst
					 * (e1000e: a whole 2 KiB RX buffer) */
	uint64_t scratch_size_min;	/* env.scratch bytes needed */
	uint32_t nr_vectors;		/* vectors send_msi can raise */
	/* 0 when this driver handles vendor:device. */
	int (*probe)(uint16_t vendor, uint16_t device);
	/* Resets the device to a known state; -ENODEV on a wrong ID. */
	int (*init)(struct pt_drv *drv);
	/* Quiesces the device (no DMA after it returns). */
	void (*remove)(struct pt_drv *drv);
	int (*memcpy_start)(struct pt_drv *drv, uint64_t src_iova,
			    uint64_t dst_iova, uint64_t len);
	/* 0 when the copy completed, PT_DRV_ETIMEDOUT, or PT_DRV_EIO when
	 * the device reported an error. */
	int (*memcpy_wait)(struct pt_drv *drv);
	/* Makes the device raise interrupt vector (MSI/MSI-X) or its INTx. */
	int (*send_msi)(struct pt_drv *drv, uint32_t vector);
	/* Acknowledges what send_msi/memcpy raised (level INTx needs it). */
	void (*irq_ack)(struct pt_drv *drv);
};

extern const struct pt_driver pt_driver_edu;
extern const struct pt_driver pt_driver_e1000e;

/* The driver for vendor:device, or NULL (drivers/registry.c). */
const struct pt_driver *pt_driver_find(uint16_t vendor, uint16_t device);
/* Binds drv to env and calls ops->init. */
int pt_drv_init(struct pt_drv *drv, const struct pt_driver *ops,
		struct pt_drv_env *env, uint16_t vendor, uint16_t device);

/* Register helpers for the drivers. */
static inline uint32_t pt_drv_read32(struct pt_drv *drv, int bar, uint64_t off)
{
	struct pt_drv_env *e = drv->env;

	if (e->bar[bar])
		return *(volatile uint32_t *)(e->bar[bar] + off);
	return e->read32 ? e->read32(e->opaque, bar, off) : 0xffffffffu;
}

static inline void pt_drv_write32(struct pt_drv *drv, int bar, uint64_t off,
				  uint32_t val)
{
	struct pt_drv_env *e = drv->env;

	if (e->bar[bar])
		*(volatile uint32_t *)(e->bar[bar] + off) = val;
	else if (e->write32)
		e->write32(e->opaque, bar, off, val);
}

static inline void pt_drv_write64(struct pt_drv *drv, int bar, uint64_t off,
				  uint64_t val)
{
	pt_drv_write32(drv, bar, off, (uint32_t)val);
	pt_drv_write32(drv, bar, off + 4, (uint32_t)(val >> 32));
}

#endif
