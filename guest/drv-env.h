/* SPDX-License-Identifier: MIT */
/* guest/drv-env.h — open a device with the shared drivers (drivers/). */
#ifndef PASSTHRU_GUEST_DRV_ENV_H
#define PASSTHRU_GUEST_DRV_ENV_H

#include "drivers/driver.h"
#include "guest/rt.h"

struct guest_drv {
	struct pci_dev pci;
	struct pt_drv_env env;
	struct pt_drv drv;
};

/* Finds the device, enables decode/bus master and the interrupt mode
 * asked (MSI-X falls back to MSI; INTx: the IOAPIC pin the interrupt line
 * register names, level-triggered, acked at the device in the handler),
 * vectors from vector_base, binds and inits the driver.  0 or -1. */
enum guest_irq_mode { GUEST_IRQ_MSIX, GUEST_IRQ_MSI, GUEST_IRQ_INTX };
int guest_drv_open(struct guest_drv *g, uint16_t vendor, uint16_t device,
		   uint8_t vector_base, enum guest_irq_mode mode);
/* The same for the first device whose driver is one of names (NULL
 * ended), with want's scratch LBAs and timeout (may be NULL); *err (may
 * be NULL) gets the driver's init error, 0 when no such device was found.
 * 0 or -1. */
int guest_drv_open_any(struct guest_drv *g, const char *const names[],
		       uint8_t vector_base, enum guest_irq_mode mode,
		       const struct pt_drv_env *want, int *err);
void guest_hexdump(const char *prefix, const uint8_t *p, uint32_t len);

#endif
