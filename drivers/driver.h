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
 * directions.  edu copies through its 4 KiB internal buffer; the NICs
 * (e1000e, igb) send src as a frame and receive it back into dst through
 * MAC (or VF-to-VF) loopback; NVMe writes src to a scratch LBA range and
 * reads it back into dst.
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
#define PT_DRV_EROFS	(-30)	/* nvme: refusing to write the namespace */

#define PT_DRV_MAX_BARS	6
#define PT_DRV_PRIV	256	/* bytes of per-device driver state */

/*
 * The driver ABI (lib/ABI.md rule 3).  The caller allocates struct pt_drv
 * (priv[] is the drivers' opaque state) and struct pt_drv_env, so their
 * layout is this number: any change to struct pt_drv, or to pt_drv_env
 * other than a field appended at its end, bumps it.  pt_drv_init() refuses
 * an env whose .abi is another number or whose .size is not one this
 * driver ABI knows, with drv->why naming the fix.
 */
#define PT_DRV_ABI	1

struct pt_drv_env {
	size_t size;		/* PT_DRV_ENV_INIT: sizeof(struct pt_drv_env) */
	uint32_t abi;		/* PT_DRV_ENV_INIT: PT_DRV_ABI */
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
	/*
	 * Storage devices only: the LBA range the caller declares scratch
	 * (its data may be destroyed).  scratch_lbas == 0: nothing declared;
	 * the driver then writes only to a namespace it finds blank, in a
	 * range of its choosing.  scratch_nsid 0: the first active namespace.
	 */
	uint32_t scratch_nsid;
	uint64_t scratch_lba, scratch_lbas;
	/* new fields only here, at the end; a driver reads one only when the
	 * caller's .size reaches it (an older caller's env ends before it) */
};
#define PT_DRV_ENV_INIT { .size = sizeof(struct pt_drv_env), .abi = PT_DRV_ABI }

struct pt_driver;

/*
 * One device bound to its driver: the caller's storage, laid out as
 * PT_DRV_ABI says.
 */
struct pt_drv {
	/* Constant phrases for messages, or NULL: why the last call failed,
	 * and what the device holds or said (nvme: "an ext2/3/4 filesystem").
	 * First in every driver ABI, so that pt_drv_init() can say why it
	 * refuses a caller built for another one. */
	const char *why;
	const char *detail;
	const struct pt_driver *ops;
	struct pt_drv_env *env;
	uint16_t vendor, device;
	uint32_t class_code;		/* 24 bits: class, subclass, prog-if */
	/* What the device reported when the last call failed (driver-specific,
	 * e1000e: TX status, RX status, RX errors, RX length; nvme: status
	 * field, CSTS, opcode, LBA), for messages. */
	uint32_t diag[4];
	/*
	 * Copy limits of this device as init found it: ops' limits narrowed
	 * by what the device reports (an NVMe namespace's LBA size and the
	 * controller's transfer limit).  copy_unit: lengths are a multiple
	 * of it (1 = any).
	 */
	uint64_t copy_min, copy_max, copy_unit;
	/* NICs: the device's own MAC address (RAL/RAH, EEPROM, or what the
	 * PF gave a VF), the source of every frame the driver sends. */
	uint8_t mac[6];
	bool has_mac;
	/*
	 * The first copy_prefix_len bytes every copy's source must hold (the
	 * caller puts them there; 0 = any bytes).  An SR-IOV VF's frame comes
	 * back only when the PF's switch sees it addressed to the VF itself:
	 * igbvf asks for destination = source = its MAC, ethertype 0x88b5.
	 */
	uint8_t copy_prefix[14];
	uint32_t copy_prefix_len;
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
	/* 0 when this driver handles the device (ids and, for class
	 * drivers like nvme, the 24-bit class code). */
	int (*probe)(uint16_t vendor, uint16_t device, uint32_t class_code);
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
	/* Optional: lets the device's own completion cause raise vector
	 * (the NICs' RX queue on 0) from the next copy on, until irq_ack.
	 * Drivers whose completions always interrupt (nvme) leave it NULL. */
	void (*irq_arm)(struct pt_drv *drv, uint32_t vector);
};

extern const struct pt_driver pt_driver_edu;
extern const struct pt_driver pt_driver_e1000e;
extern const struct pt_driver pt_driver_igb;
extern const struct pt_driver pt_driver_igbvf;
extern const struct pt_driver pt_driver_nvme;

/* The driver for the device, or NULL (drivers/registry.c). */
const struct pt_driver *pt_driver_find(uint16_t vendor, uint16_t device,
				       uint32_t class_code);
/* "edu 1234:11e8, e1000e 8086:10d3, ..." for messages. */
extern const char pt_driver_list[];
/* Binds drv to env (its .size and .abi set: PT_DRV_ENV_INIT; else
 * PT_DRV_EINVAL with drv->why naming the fix), fills the copy limits from
 * ops and calls ops->init. */
int pt_drv_init(struct pt_drv *drv, const struct pt_driver *ops,
		struct pt_drv_env *env, uint16_t vendor, uint16_t device,
		uint32_t class_code);
/* Rounds len up to the device's copy unit and into its limits. */
uint64_t pt_drv_copy_len(const struct pt_drv *drv, uint64_t len);

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
